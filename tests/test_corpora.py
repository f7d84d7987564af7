"""Real-world corpora: every variant of every seed report cleans to the same tokens and theme
counts as the report itself; a corpus of them keeps one copy of each report, skips what it
cannot read with a reason, and carries the metadata CSV through to every per-report table.

Tolerance reached: 100% token overlap (identical token multisets) for all 5 seeds x 11
variants, and identical theme counts. TOKEN_OVERLAP pins it; loosen it only with a reason.
"""
from __future__ import annotations

import csv
import shutil
from collections import Counter
from pathlib import Path

import pytest

import corpus_variants as cv
from pipeline.clean import clean_report, load_rules, run_clean
from pipeline.files import PipelineError
from pipeline.readers import read_report
from pipeline.segment import filter_tokens, load_domain_terms, make_tokenizer, segment_text
from pipeline.themes import count_themes, load_themes
from conftest import ROOT, SEEDS, run_stage

TOKEN_OVERLAP = 1.0
RULES = load_rules(ROOT / "config" / "boilerplate.txt")
THEMES = load_themes(ROOT / "config" / "themes.txt")
SEED_PATHS = sorted(SEEDS.glob("*.txt"))
PLACE_AND_TIME = ("title", "year", "province", "city", "county", "town")


def read_table(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def tokenizer():
    return make_tokenizer(load_domain_terms([ROOT / "config" / "domain_terms.txt"]))


@pytest.fixture(scope="module")
def originals():
    """Each seed's cleaned report: the reference every variant must reproduce."""
    return {seed.stem[:3]: clean_report(read_report(seed).text, RULES) for seed in SEED_PATHS}


@pytest.fixture(scope="module")
def variant_files(tmp_path_factory, originals) -> dict[tuple[str, str], Path]:
    folder = tmp_path_factory.mktemp("variants")
    return {(seed.stem[:3], variant): cv.write_variant(variant, seed, folder, originals[seed.stem[:3]].metadata["title"])
            for seed in SEED_PATHS for variant in cv.VARIANTS}


def text_of(report) -> str:
    return "\n".join(p.text for p in report.paragraphs)


def tokens(tokenizer, report) -> Counter[str]:
    # No stopwords: function words count too, which makes the comparison stricter.
    return Counter(filter_tokens(segment_text(tokenizer, text_of(report)), frozenset()))


def overlap(a: Counter, b: Counter) -> float:
    """Shared tokens (with multiplicity) over the larger of the two: missing and extra tokens
    both lower it."""
    return sum((a & b).values()) / max(sum(a.values()), sum(b.values()), 1)


@pytest.mark.parametrize("variant", cv.VARIANTS)
@pytest.mark.parametrize("seed", [p.stem[:3] for p in SEED_PATHS])
def test_variant_cleans_to_the_reports_tokens_and_theme_counts(seed, variant, variant_files, originals, tokenizer):
    original = originals[seed]
    cleaned = clean_report(read_report(variant_files[seed, variant]).text, RULES)
    expected, found = tokens(tokenizer, original), tokens(tokenizer, cleaned)
    assert overlap(expected, found) >= TOKEN_OVERLAP, (
        f"missing {dict((expected - found).most_common(8))}, extra {dict((found - expected).most_common(8))}")
    assert count_themes(text_of(cleaned), THEMES) == count_themes(text_of(original), THEMES)
    for key in PLACE_AND_TIME:
        assert cleaned.metadata[key] == original.metadata[key], key


# ---- a whole corpus through the clean command -----------------------------------------------

@pytest.fixture(scope="module")
def messy_corpus(tmp_path_factory, variant_files) -> Path:
    """The seeds, every variant of seed 003, four damaged files, an old .doc and a metadata CSV."""
    corpus = tmp_path_factory.mktemp("messy") / "corpus"
    shutil.copytree(SEEDS, corpus)
    for variant in cv.VARIANTS:
        shutil.copy(variant_files["003", variant], corpus)
    cv.write_corrupt_inputs(corpus / "downloads")
    (corpus / "downloads" / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0" + bytes(100))
    (corpus / "metadata.csv").write_text(
        "file,year,region,coder\n003_4bf76c9d5e1e5dd2.txt,2021,粤西,王\n001_b15026bdeddbedce,,粤北,李\nmissing.txt,2000,,\n",
        encoding="utf-8-sig")
    return corpus


@pytest.fixture(scope="module")
def messy_run(messy_corpus, tmp_path_factory):
    output = tmp_path_factory.mktemp("messy_out")
    result = run_stage("clean", "--input", str(messy_corpus), "--output", str(output), "--jobs", "2")
    return output / "clean", result.stderr


def test_one_copy_of_each_report_is_kept_and_the_rest_reported(messy_run):
    clean_dir, log = messy_run
    report = {row["file"]: row for row in read_table(clean_dir / "cleaning_report.csv")}
    kept = sorted(name for name, row in report.items() if row["status"] == "kept")
    assert kept == [p.name for p in SEED_PATHS]
    for variant, path in ((v, n) for v, n in report.items() if v.startswith("003_") and v != "003_4bf76c9d5e1e5dd2.txt"):
        assert path["status"] == "duplicate", variant
        assert path["detail"].startswith("exact duplicate of 003_4bf76c9d5e1e5dd2"), variant
        assert f"DUPLICATE {variant}" in log
    assert len([r for r in report.values() if r["status"] == "duplicate"]) == len(cv.VARIANTS)
    # Eleven copies of one report did not make its lines look like corpus-wide chrome.
    assert report["003_4bf76c9d5e1e5dd2.txt"]["chars_out"] == report["003_utf16.txt"]["chars_out"]
    assert "corpus_repeated" not in (clean_dir / "removed_lines.csv").read_text(encoding="utf-8-sig")


def test_reader_encoding_and_counts_are_recorded_per_file(messy_run):
    clean_dir, _ = messy_run
    report = {row["file"]: row for row in read_table(clean_dir / "cleaning_report.csv")}
    assert (report["003_gbk.txt"]["reader"], report["003_gbk.txt"]["encoding"]) == ("txt", "gb18030")
    assert (report["003_utf16.txt"]["reader"], report["003_utf16.txt"]["encoding"]) == ("txt", "utf-16")
    assert report["003_page.html"]["reader"] == "html" and report["003_attachment.pdf"]["reader"] == "pdf"
    assert int(report["003_traditional.txt"]["chars_simplified"]) > 1000
    assert int(report["003_repeated.txt"]["duplicate_paragraphs"]) > 40
    assert "text repeated within the file" in report["003_repeated.txt"]["warnings"]
    assert report["001_b15026bdeddbedce.txt"]["warnings"] == "no title found"
    assert int(report["003_page.html"]["chars_in"]) > int(report["003_page.html"]["chars_out"]) > 0


def test_removed_lines_are_listed_by_rule_with_examples(messy_run):
    clean_dir, log = messy_run
    removed = {(row["file"], row["rule"]): row for row in read_table(clean_dir / "removed_lines.csv")}
    page = {rule: row for (name, rule), row in removed.items() if name == "003_page.html"}
    assert {"html_links", "html_chrome", "licence", "editor", "header_meta", "file_header"} <= set(page)
    assert "您当前的位置" in page["html_links"]["examples"]  # the first three of 13 lines
    assert "(责任编辑:李小明)" in page["editor"]["examples"]
    assert int(page["html_links"]["lines_removed"]) >= 5
    # The human summary: counts per rule with an example, then the problems.
    assert "lines removed by rule" in log and "html_links" in log and "e.g." in log
    assert (clean_dir / "cleaning_summary.txt").read_text(encoding="utf-8").strip() in log


@pytest.mark.parametrize("name, reason", [
    ("downloads/truncated.docx", "not a readable .docx (damaged or truncated"),
    ("downloads/scan.pdf", "no Chinese text layer"),
    ("downloads/photo.txt", "not text in any known encoding"),
    ("downloads/empty.txt", "empty file"),
    ("downloads/old.doc", "save it as .docx"),
])
def test_unreadable_files_are_skipped_loudly_and_the_rest_goes_on(messy_run, name, reason):
    clean_dir, log = messy_run
    row = next(r for r in read_table(clean_dir / "cleaning_report.csv") if r["file"] == name)
    assert row["status"] == "skipped" and reason in row["detail"]
    assert f"SKIPPED {name}: " in log and reason in log
    assert len(read_table(clean_dir / "documents.csv")) == 5


def test_metadata_csv_overrides_and_adds_columns(messy_run):
    clean_dir, log = messy_run
    documents = {row["file"]: row for row in read_table(clean_dir / "documents.csv")}
    assert documents["003_4bf76c9d5e1e5dd2.txt"]["year"] == "2021"  # overridden
    assert documents["003_4bf76c9d5e1e5dd2.txt"]["town"] == "遂城镇"  # extracted, not overridden
    assert documents["001_b15026bdeddbedce.txt"]["year"] == "2025"  # empty cell: extracted value kept
    assert (documents["003_4bf76c9d5e1e5dd2.txt"]["region"], documents["001_b15026bdeddbedce.txt"]["coder"]) == ("粤西", "李")
    assert documents["000_96abec37a7bb9198.txt"]["region"] == ""
    assert "missing.txt" in log and "match no report file" in log


def test_output_does_not_depend_on_jobs(messy_run, messy_corpus, tmp_path):
    clean_dir, _ = messy_run
    run_clean(messy_corpus, tmp_path, ROOT / "config" / "boilerplate.txt", log=lambda message: None, jobs=1)
    for table in ("documents.csv", "paragraphs.csv", "cleaning_report.csv", "removed_lines.csv"):
        assert (tmp_path / "clean" / table).read_bytes() == (clean_dir / table).read_bytes(), table


def test_metadata_columns_flow_to_every_per_report_table(messy_run, tmp_path):
    """segment, filter, lda, tfidf and themes on the cleaned corpus: each per-report table
    carries the metadata CSV's columns (tiny LDA settings: only the tables matter here)."""
    from pipeline.lda import LdaParams, run_lda
    from pipeline.segment import run_filter, run_segment
    from pipeline.tfidf import run_tfidf
    from pipeline.themes import run_themes

    clean_dir, _ = messy_run
    shutil.copytree(clean_dir, tmp_path / "clean")
    quiet = lambda message: None  # noqa: E731
    run_segment(tmp_path, [ROOT / "config" / "domain_terms.txt"], 1, log=quiet)
    run_filter(tmp_path, [ROOT / "stopwords"], log=quiet)
    run_lda(tmp_path, LdaParams(k=2, passes=1, iterations=10), log=quiet)
    run_tfidf(tmp_path, 5, log=quiet)
    run_themes(tmp_path, ROOT / "config" / "themes.txt", log=quiet)
    for table in ("clean/documents.csv", "lda/document_topics.csv", "tfidf/keywords.csv", "themes/theme_counts.csv"):
        rows = read_table(tmp_path / table)
        assert rows and {"year", "region", "coder"} <= set(rows[0]), table
        assert {r["region"] for r in rows if r["doc_id"] == "003_4bf76c9d5e1e5dd2"} == {"粤西"}, table
        assert {r["year"] for r in rows if r["doc_id"] == "003_4bf76c9d5e1e5dd2"} == {"2021"}, table


def test_repeated_lines_across_the_corpus_are_chrome(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for seed in SEED_PATHS:
        text = seed.read_text(encoding="utf-8")
        (corpus / seed.name).write_text(f"网站导航|联系我们|隐私声明\n{text}\n一、主要工作\n扫码关注某某发布\n", encoding="utf-8")
    run_clean(corpus, tmp_path / "out", ROOT / "config" / "boilerplate.txt", log=lambda message: None)
    removed = [r for r in read_table(tmp_path / "out" / "clean" / "removed_lines.csv") if r["rule"] == "corpus_repeated"]
    assert len(removed) == 5 and all(r["examples"] == "网站导航|联系我们|隐私声明 | 扫码关注某某发布" for r in removed)
    paragraphs = read_table(tmp_path / "out" / "clean" / "paragraphs.csv")
    assert sum(1 for p in paragraphs if p["text"] == "一、主要工作") == 5  # a shared heading is no chrome


# ---- nothing to clean ------------------------------------------------------------------------

def test_empty_folder_is_an_error_with_nonzero_exit(tmp_path):
    (tmp_path / "empty").mkdir()
    result = run_stage("clean", "--input", str(tmp_path / "empty"), "--output", str(tmp_path / "out"), check=False)
    assert result.returncode == 2
    assert f"error: {tmp_path / 'empty'}: no reports found" in result.stderr


def test_a_corpus_of_damaged_files_is_an_error_that_lists_them(tmp_path):
    files = cv.write_corrupt_inputs(tmp_path / "corpus")
    result = run_stage("clean", "--input", str(tmp_path / "corpus"), "--output", str(tmp_path / "out"), check=False)
    assert result.returncode == 2
    assert "no report could be cleaned" in result.stderr
    for path in files.values():
        assert f"SKIPPED {path.name}: " in result.stderr
    assert not (tmp_path / "out" / "clean" / "paragraphs.csv").exists()


def test_run_clean_raises_rather_than_writing_an_empty_result(tmp_path):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "chrome.txt").write_text("打印\n关闭\n【字体:大 中 小】\n", encoding="utf-8")
    with pytest.raises(PipelineError, match="no report could be cleaned"):
        run_clean(tmp_path / "corpus", tmp_path / "out", ROOT / "config" / "boilerplate.txt", log=lambda m: None)
