"""End to end through Make (`make topics`): every output, tidy tables, incrementality,
reproducibility, and a corpus of nothing readable. Each stage's own outputs are tested in
tests/stages/."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, output_text, read_table, run_make, stages_started
from pipeline.artifacts import STAGES

def stages_run(result) -> list[str]:
    """The stages a make run ran, in the order of artifacts.STAGES."""
    ran = set(stages_started(result.stdout + result.stderr))
    return [stage for stage in STAGES if stage in ran]


def test_topics_writes_every_output(seed_output):
    for relative in ("clean/documents.csv", "clean/paragraphs.csv.gz", "clean/cleaning_report.csv",
                     "segment/tokens.tsv.gz", "segment/vocabulary.csv", "lda/topics.csv", "lda/paragraph_topics.csv.gz",
                     "lda/document_topics.csv", "lda/topic_summary.csv", "lda/topic_words.csv",
                     "lda/representative_paragraphs.csv", "lda/corpus_index.csv.gz", "tfidf/keywords.csv",
                     "themes/theme_counts.csv", "lda/theme_topics.csv", "themes/themes_by_report.png",
                     "themes/theme_frequency_by_place.csv", "plots/topic_words.png", "plots/document_topics.png",
                     "plots/tfidf_keywords.png", "quality/topic_stability.csv", "prevalence/prevalence_by_place.csv",
                     "terms/term_candidates.csv", "report.html"):
        assert (seed_output / relative).stat().st_size > 0, relative
    # Every stage's target (Make's record that it finished) and the parameters it ran with.
    for name, stage in STAGES.items():
        assert stage.target.at(seed_output).is_file(), stage.target.path
        assert (seed_output / "params" / f"{name}.json").stat().st_size > 0, name
    assert not list(seed_output.rglob("*.tmp")), "temporary files left behind"


def test_tables_are_tidy(seed_output):
    documents = read_table(seed_output / "clean" / "documents.csv")
    assert len(documents) == 5
    doc_topics = read_table(seed_output / "lda" / "document_topics.csv")
    assert len(doc_topics) == 5  # one row per report, a column per topic headed by its label
    labels = [row["label"] for row in read_table(seed_output / "lda" / "topic_summary.csv")]
    k = len(labels)
    assert list(doc_topics[0])[-k - 1:] == ["n_tokens", *labels]
    for row in doc_topics:
        assert sum(float(row[label]) for label in labels) == pytest.approx(1.0, abs=1e-4)
    # A row per modelled paragraph, a column per topic numbered as topic_summary.csv; a report's
    # mix is its paragraphs' token-weighted mean.
    paragraphs = read_table(seed_output / "lda" / "paragraph_topics.csv.gz")
    columns = [f"T{t}" for t in range(1, k + 1)]
    assert list(paragraphs[0]) == ["doc_id", "position", "n_tokens", *columns]
    assert len({(r["doc_id"], r["position"]) for r in paragraphs}) == len(paragraphs)
    for doc in doc_topics:
        own = [r for r in paragraphs if r["doc_id"] == doc["doc_id"]]
        assert sum(int(r["n_tokens"]) for r in own) == int(doc["n_tokens"])
        mix = [sum(int(r["n_tokens"]) * float(r[c]) for r in own) / int(doc["n_tokens"]) for c in columns]
        assert mix == pytest.approx([float(doc[label]) for label in labels], abs=1e-5)
    topics = read_table(seed_output / "lda" / "topics.csv")
    assert {row["topic"] for row in topics} == {str(t) for t in range(1, k + 1)}
    keywords = read_table(seed_output / "tfidf" / "keywords.csv")
    assert {row["doc_id"] for row in keywords} == {row["doc_id"] for row in documents}
    assert all(row["year"] for row in doc_topics)


def test_noop_rerun_runs_no_stage(seed_output):
    result = run_make("topics", f"OUTPUT={seed_output}")
    assert stages_run(result) == []
    assert f"Results are in {seed_output}" in result.stdout


@pytest.fixture
def rerun_copy(seed_output, tmp_path) -> tuple[Path, Path]:
    """A copy of the seed run (mtimes kept) and of the stopword lists, safe to modify."""
    output = tmp_path / "out"
    shutil.copytree(seed_output, output)
    stopwords = tmp_path / "stopwords"
    shutil.copytree(ROOT / "stopwords", stopwords)
    return output, stopwords


def test_stopword_edit_reruns_filtering_not_cleaning_or_segmentation(rerun_copy, tmp_path):
    output, stopwords = rerun_copy
    # Fewer stability runs keep these reruns quick; they change only the quality stage.
    run_make("topics", f"OUTPUT={output}", f"STOPWORDS={stopwords}", "RUNS=2")  # same lists, new folder
    with open(stopwords / "genre.txt", "a", encoding="utf-8") as handle:
        handle.write("\n矛盾纠纷\n")
    result = run_make("topics", f"OUTPUT={output}", f"STOPWORDS={stopwords}", "RUNS=2")
    # terms reads the stopword lists too, but the mining behind it (the mine stage) does not rerun;
    # nor do the themes, counted in the text
    assert set(stages_run(result)) == {"filter", "lda", "tfidf", "plots", "prevalence", "explorer", "terms", "wording",
                                       "report", "quality"}
    # The report came before the stability runs, saying so, and was written again after them.
    assert stages_started(result.stdout + result.stderr)[-3:] == ["report", "quality", "report"]
    page = (output / "report.html").read_text(encoding="utf-8")
    assert 'data-pending-stage="' not in page and "quality/topic_stability.csv" in page
    tokens = output_text(output / "segment" / "tokens.tsv.gz", "utf-8")
    assert "矛盾纠纷" not in tokens.split()
    assert "矛盾纠纷" in output_text(output / "segment" / "segmented.tsv.gz", "utf-8")
    # The rerun's tables are a fresh run's with the edited lists: nothing carried over from before.
    fresh = tmp_path / "fresh"
    run_make("topics", f"OUTPUT={fresh}", f"STOPWORDS={stopwords}", "RUNS=2")
    tables = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.suffix in (".csv", ".tsv"))
    assert len(tables) >= 12
    for relative in tables:
        assert (output / relative).read_bytes() == (fresh / relative).read_bytes(), relative


def test_new_k_reruns_lda_not_segmentation(rerun_copy):
    output, _ = rerun_copy
    result = run_make("topics", f"OUTPUT={output}", "K=4", "RUNS=2")
    assert set(stages_run(result)) == {"lda", "plots", "prevalence", "explorer", "terms", "report", "quality"}
    header = list(read_table(output / "lda" / "document_topics.csv")[0])
    assert len(header[header.index("n_tokens") + 1:]) == 4 + 3  # a column per topic, 3 of them seeded
    assert stages_run(run_make("topics", f"OUTPUT={output}", "K=4", "RUNS=2")) == []


def test_two_runs_give_identical_tables(seed_output, tmp_path):
    second = tmp_path / "second"
    run_make("topics", f"OUTPUT={second}", "JOBS=1")
    tables = sorted(p.relative_to(seed_output) for p in seed_output.rglob("*") if p.suffix in (".csv", ".tsv"))
    assert len(tables) >= 12
    for relative in tables:
        assert (seed_output / relative).read_bytes() == (second / relative).read_bytes(), relative


# ---- bad input ---------------------------------------------------------------------------------

def test_only_undecodable_files_is_an_error(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "broken.txt").write_bytes(bytes(range(256)) * 40)
    result = run_make("topics", f"INPUT={corpus}", f"OUTPUT={tmp_path / 'out'}", check=False)
    assert result.returncode != 0
    assert "broken.txt" in result.stderr
    assert not (tmp_path / "out" / "clean" / "paragraphs.csv.gz").exists()


def test_the_report_lists_every_file_of_the_run(seed_output):
    """The report's list of files is how a researcher learns what each file holds: it names every
    file the stages wrote, and none is a leftover."""
    from pipeline.artifacts import leftover_files

    page = (seed_output / "report.html").read_text(encoding="utf-8")
    written = [p.relative_to(seed_output).as_posix() for p in seed_output.rglob("*")
               if p.is_file() and not any(part.startswith(".") for part in p.relative_to(seed_output).parts)]
    unlisted = [path for path in written if path not in page and path not in ("report.html",)
                and not path.startswith("lda/model/lda.gensim.")]  # the parts gensim saves beside the model
    assert not unlisted, unlisted
    assert leftover_files(seed_output) == []


def test_files_no_stage_writes_are_listed_with_the_command_that_deletes_them(rerun_copy):
    output, _ = rerun_copy
    stale = [output / "lda" / "topic_terms_v1.csv", output / "themes" / ".theme_counts.csv.3f2a.tmp"]
    for path in stale:
        path.write_text("old", encoding="utf-8")
    result = run_make("topics", f"OUTPUT={output}")
    said = result.stdout + result.stderr
    assert all(str(path) in said for path in stale), said
    command = re.search(r"delete them with: (.+)", said).group(1)
    assert command.endswith("leftovers --delete")
    from pipeline.artifacts import leftover_files

    assert leftover_files(output) == stale
    subprocess.run(command, shell=True, check=True, cwd=ROOT, capture_output=True)
    assert not any(path.exists() for path in stale)
    assert (output / "lda" / "topics.csv").is_file()


def test_the_model_loads_in_plain_gensim(seed_output):
    """lda/model/lda.gensim is gensim's own LdaModel: a researcher opens it without this package."""
    code = ("import sys; from gensim.models import LdaModel; "
            f"m = LdaModel.load({str(seed_output / 'lda' / 'model' / 'lda.gensim')!r}); "
            "assert type(m) is LdaModel, type(m); assert not [k for k in sys.modules if k.startswith('pipeline')]; "
            "print(m.num_topics)")
    result = subprocess.run([sys.executable, "-c", code], cwd="/", capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    topics = {row["topic"] for row in read_table(seed_output / "lda" / "topic_summary.csv")}
    assert int(result.stdout) == len(topics)
