"""The clean stage on real-world corpora: one copy of each report kept, what it cannot read
skipped with a reason, the metadata CSV applied, every removed line accounted for, the output
independent of the number of jobs; and how fast it is (slow: `make test-all`).

Cleaning throughput: the clean stage must not be the slowest stage. Segmentation runs at about
2.2 MB/s with two processes, i.e. at least 1.1 MB per CPU second; cleaning with the same two
processes must do at least as well. The assertion is on CPU seconds (this process and its
workers), which other programs running on the machine barely change; wall-clock MB/s is printed
(pytest -s) and means something only on an otherwise idle machine.
"""
from __future__ import annotations

import os
import time

import pytest

import corpus_variants as cv
from conftest import SEEDS, quiet_run, read_table, repo_inputs, run_stage
from pipeline.files import PipelineError
from pipeline.params import CleanParams
from pipeline.stages import clean

SEED_PATHS = sorted(SEEDS.glob("*.txt"))
MEGABYTES = 20
SEGMENT_MB_PER_S = 2.2


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
    def unprefixed(text: str) -> str:  # the log says every line after its stage
        return "\n".join(line.removeprefix("clean: ") for line in text.strip().splitlines())

    assert unprefixed((clean_dir / "cleaning_summary.txt").read_text(encoding="utf-8")) in unprefixed(log)


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
    clean.run(quiet_run(tmp_path, "clean", jobs=1), repo_inputs(input=str(messy_corpus)), CleanParams())
    for table in ("documents.csv", "paragraphs.csv.gz", "cleaning_report.csv", "removed_lines.csv"):
        assert (tmp_path / "clean" / table).read_bytes() == (clean_dir / table).read_bytes(), table


def test_repeated_lines_across_the_corpus_are_chrome(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for seed in SEED_PATHS:
        text = seed.read_text(encoding="utf-8")
        (corpus / seed.name).write_text(f"网站导航|联系我们|隐私声明\n{text}\n一、主要工作\n扫码关注某某发布\n", encoding="utf-8")
    clean.run(quiet_run(tmp_path / "out", "clean"), repo_inputs(input=str(corpus)), CleanParams())
    removed = [r for r in read_table(tmp_path / "out" / "clean" / "removed_lines.csv") if r["rule"] == "corpus_repeated"]
    assert len(removed) == 5 and all(r["examples"] == "网站导航|联系我们|隐私声明 | 扫码关注某某发布" for r in removed)
    paragraphs = read_table(tmp_path / "out" / "clean" / "paragraphs.csv.gz")
    assert sum(1 for p in paragraphs if p["text"] == "一、主要工作") == 5  # a shared heading is no chrome


# ---- nothing to clean ------------------------------------------------------------------------

def test_empty_folder_is_an_error_with_nonzero_exit(tmp_path):
    (tmp_path / "empty").mkdir()
    result = run_stage("--output", str(tmp_path / "out"), "clean", "--input", str(tmp_path / "empty"), check=False)
    assert result.returncode == 2
    assert f"error: {tmp_path / 'empty'}: no reports found" in result.stderr


def test_a_corpus_of_damaged_files_is_an_error_that_lists_them(tmp_path):
    files = cv.write_corrupt_inputs(tmp_path / "corpus")
    result = run_stage("--output", str(tmp_path / "out"), "clean", "--input", str(tmp_path / "corpus"), check=False)
    assert result.returncode == 2
    assert "no report could be cleaned" in result.stderr
    for path in files.values():
        assert f"SKIPPED {path.name}: " in result.stderr
    assert not (tmp_path / "out" / "clean" / "paragraphs.csv.gz").exists()


def test_the_stage_raises_rather_than_writing_an_empty_result(tmp_path):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "chrome.txt").write_text("打印\n关闭\n【字体:大 中 小】\n", encoding="utf-8")
    with pytest.raises(PipelineError, match="no report could be cleaned"):
        clean.run(quiet_run(tmp_path / "out", "clean"), repo_inputs(input=str(tmp_path / "corpus")), CleanParams())
    assert not (tmp_path / "out" / "clean" / "paragraphs.csv.gz").exists()


def test_empty_input_folder_fails_clearly(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_stage("--output", str(tmp_path / "out"), "clean", "--input", str(empty), check=False)
    assert result.returncode != 0
    assert str(empty) in result.stderr and "no reports found" in result.stderr
    assert not (tmp_path / "out" / "clean" / "paragraphs.csv.gz").exists()


def test_undecodable_file_is_named_and_skipped(small_corpus, tmp_path):
    (small_corpus / "broken.txt").write_bytes(bytes(range(256)) * 40)
    result = run_stage("--output", str(tmp_path / "out"), "clean", "--input", str(small_corpus))
    assert "broken.txt" in result.stderr and "SKIPPED" in result.stderr
    report = read_table(tmp_path / "out" / "clean" / "cleaning_report.csv")
    assert [r["status"] for r in report if r["file"] == "broken.txt"] == ["skipped"]
    assert len(read_table(tmp_path / "out" / "clean" / "documents.csv")) == 5


# ---- speed ---------------------------------------------------------------------------------

@pytest.mark.slow
def test_cleaning_is_faster_than_segmentation(tmp_path):
    corpus_bytes = cv.write_large_corpus(tmp_path / "corpus", MEGABYTES)
    before_wall, before_cpu = time.perf_counter(), os.times()
    stats = clean.run(quiet_run(tmp_path / "out", "clean", jobs=2), repo_inputs(input=str(tmp_path / "corpus")),
                      CleanParams())
    wall, after_cpu = time.perf_counter() - before_wall, os.times()
    cpu = sum(after_cpu[:4]) - sum(before_cpu[:4])  # this process and its workers
    mb = corpus_bytes / 1e6
    print(f"\nclean: {mb:.1f} MB, {stats['kept']} reports in {wall:.1f} s = {mb / wall:.2f} MB/s "
          f"with 2 processes ({cpu:.1f} CPU s, {mb / cpu:.2f} MB per CPU second)")
    assert stats["kept"] > 0.9 * stats["files"]
    assert mb / cpu >= SEGMENT_MB_PER_S / 2
