"""End to end through Make: outputs, theme counts, incrementality, reproducibility, bad input."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, run_make, run_stage

STAGES = ("clean", "segment", "filter", "lda", "tfidf", "themes", "plots")


def read_table(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name} lacks the UTF-8 BOM Excel needs"
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def stages_run(make_output: str) -> list[str]:
    return [stage for stage in STAGES if f"-m pipeline {stage} " in make_output]


def test_topics_writes_every_output(seed_output):
    for relative in ("clean/documents.csv", "clean/paragraphs.csv", "clean/cleaning_report.csv",
                     "segment/tokens.tsv", "segment/vocabulary.csv", "lda/topics.csv", "lda/paragraph_topics.csv",
                     "lda/document_topics.csv", "lda/coherence.csv", "tfidf/keywords.csv",
                     "themes/theme_counts.csv", "themes/theme_topics.csv",
                     "plots/topic_words.png", "plots/document_topics.png", "plots/themes_by_report.png",
                     "plots/tfidf_keywords.png"):
        assert (seed_output / relative).stat().st_size > 0, relative
    assert not list(seed_output.rglob("*.tmp")), "temporary files left behind"


def test_tables_are_tidy(seed_output):
    documents = read_table(seed_output / "clean" / "documents.csv")
    assert len(documents) == 5
    doc_topics = read_table(seed_output / "lda" / "document_topics.csv")
    k = len({row["topic"] for row in doc_topics})
    assert len(doc_topics) == 5 * k  # one row per report and topic
    for doc_id in {row["doc_id"] for row in doc_topics}:
        total = sum(float(row["weight"]) for row in doc_topics if row["doc_id"] == doc_id)
        assert total == pytest.approx(1.0, abs=1e-4)
    topics = read_table(seed_output / "lda" / "topics.csv")
    assert {row["topic"] for row in topics} == {str(t) for t in range(1, k + 1)}
    keywords = read_table(seed_output / "tfidf" / "keywords.csv")
    assert {row["doc_id"] for row in keywords} == {row["doc_id"] for row in documents}
    assert all(row["year"] for row in doc_topics)


def test_theme_counts_match_the_seeds(seed_output):
    rows = read_table(seed_output / "themes" / "theme_counts.csv")
    mentioning = {theme: {r["doc_id"] for r in rows if r["theme"] == theme and int(r["count"]) > 0}
                  for theme in {r["theme"] for r in rows}}
    assert len(mentioning["枫桥经验"]) == 3
    assert len(mentioning["综合行政执法"]) == 4  # literally in 3, as 综合执法 in one more
    terms = read_table(seed_output / "themes" / "theme_term_counts.csv")
    literal = {r["doc_id"] for r in terms if r["term"] == "综合行政执法" and int(r["count"]) > 0}
    alias = {r["doc_id"] for r in terms if r["term"] == "综合执法" and int(r["count"]) > 0}
    assert len(literal) == 3 and len(alias - literal) == 1
    assert mentioning["综合行政执法"] == literal | alias


def test_theme_topics_link_themes_to_topics(seed_output):
    rows = read_table(seed_output / "themes" / "theme_topics.csv")
    fengqiao = [r for r in rows if r["theme"] == "枫桥经验"]
    assert fengqiao, "枫桥经验 should be a token in the topic model"
    assert sum(float(r["topic_share"]) for r in fengqiao) == pytest.approx(1.0, abs=1e-4)


def test_noop_rerun_runs_no_stage(seed_output):
    result = run_make("topics", f"OUTPUT={seed_output}")
    assert stages_run(result.stdout + result.stderr) == []
    assert f"Results are in {seed_output}" in result.stdout


@pytest.fixture
def rerun_copy(seed_output, tmp_path) -> tuple[Path, Path]:
    """A copy of the seed run (mtimes kept) and of the stopword lists, safe to modify."""
    output = tmp_path / "out"
    shutil.copytree(seed_output, output)
    stopwords = tmp_path / "stopwords"
    shutil.copytree(ROOT / "stopwords", stopwords)
    return output, stopwords


def test_stopword_edit_reruns_filtering_not_cleaning_or_segmentation(rerun_copy):
    output, stopwords = rerun_copy
    # Fewer stability runs keep these reruns quick; they change only the quality stage.
    run_make("topics", f"OUTPUT={output}", f"STOPWORDS={stopwords}", "RUNS=2")  # same lists, new folder
    with open(stopwords / "genre.txt", "a", encoding="utf-8") as handle:
        handle.write("\n矛盾纠纷\n")
    result = run_make("topics", f"OUTPUT={output}", f"STOPWORDS={stopwords}", "RUNS=2")
    assert stages_run(result.stdout) == ["filter", "lda", "tfidf", "themes", "plots"]
    tokens = (output / "segment" / "tokens.tsv").read_text(encoding="utf-8")
    assert "矛盾纠纷" not in tokens.split()
    assert "矛盾纠纷" in (output / "segment" / "segmented.tsv").read_text(encoding="utf-8")


def test_new_k_reruns_lda_not_segmentation(rerun_copy):
    output, _ = rerun_copy
    result = run_make("topics", f"OUTPUT={output}", "K=4", "RUNS=2")
    assert stages_run(result.stdout) == ["lda", "themes", "plots"]
    assert len({r["topic"] for r in read_table(output / "lda" / "document_topics.csv")}) == 4
    assert stages_run(run_make("topics", f"OUTPUT={output}", "K=4", "RUNS=2").stdout) == []


def test_two_runs_give_identical_tables(seed_output, tmp_path):
    second = tmp_path / "second"
    run_make("topics", f"OUTPUT={second}", "JOBS=1")
    tables = sorted(p.relative_to(seed_output) for p in seed_output.rglob("*") if p.suffix in (".csv", ".tsv"))
    assert len(tables) >= 12
    for relative in tables:
        assert (seed_output / relative).read_bytes() == (second / relative).read_bytes(), relative


# ---- bad input ---------------------------------------------------------------------------------

def test_empty_input_folder_fails_clearly(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_stage("clean", "--input", str(empty), "--output", str(tmp_path / "out"), check=False)
    assert result.returncode != 0
    assert str(empty) in result.stderr and "no reports found" in result.stderr
    assert not (tmp_path / "out" / "clean" / "paragraphs.csv").exists()


def test_undecodable_file_is_named_and_skipped(small_corpus, tmp_path):
    (small_corpus / "broken.txt").write_bytes(bytes(range(256)) * 40)
    result = run_stage("clean", "--input", str(small_corpus), "--output", str(tmp_path / "out"))
    assert "broken.txt" in result.stderr and "SKIPPED" in result.stderr
    report = read_table(tmp_path / "out" / "clean" / "cleaning_report.csv")
    assert [r["status"] for r in report if r["file"] == "broken.txt"] == ["skipped"]
    assert len(read_table(tmp_path / "out" / "clean" / "documents.csv")) == 5


def test_only_undecodable_files_is_an_error(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "broken.txt").write_bytes(bytes(range(256)) * 40)
    result = run_make("topics", f"INPUT={corpus}", f"OUTPUT={tmp_path / 'out'}", check=False)
    assert result.returncode != 0
    assert "broken.txt" in result.stderr
    assert not (tmp_path / "out" / "clean" / "paragraphs.csv").exists()


def test_missing_stopword_file_fails_clearly(seed_output, tmp_path):
    output = tmp_path / "out"
    shutil.copytree(seed_output, output)
    missing = tmp_path / "nope.txt"
    result = run_stage("filter", "--output", str(output), "--stopwords", str(missing), check=False)
    assert result.returncode == 2
    assert f"{missing}: stopword file not found" in result.stderr


def test_k_larger_than_the_corpus_fails_clearly(seed_output, tmp_path):
    output = tmp_path / "out"
    shutil.copytree(seed_output, output)
    before = (output / "lda" / "document_topics.csv").read_bytes()
    result = run_stage("lda", "--output", str(output), "-k", "100000", check=False)
    assert result.returncode == 2
    assert "K=100000 is larger than the corpus allows" in result.stderr
    assert (output / "lda" / "document_topics.csv").read_bytes() == before
