"""What researchers actually have: each failure seen on the real corpora, reproduced by a small
fixture made here, through the clean and segment stages (in process) or through Make."""
from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, SEEDS, output_text, run_make
from pipeline.artifacts import CLEANING_REPORT, CLEANING_SUMMARY, DOCUMENTS, PARAGRAPHS, SEGMENTED, Run
from pipeline.params import CleanParams, Inputs, SegmentParams
from pipeline.stages import clean, segment

CORPORA = ROOT.parent / "shared" / "corpora"
SEED_TEXT = (SEEDS / "000_96abec37a7bb9198.txt").read_text(encoding="utf-8")


def clean_corpus(corpus: Path, out: Path, **params) -> Run:
    run = Run(out, "clean", jobs=1, log=lambda message: None)
    clean.run(run, Inputs(input=str(corpus)), CleanParams(**params))
    return run


def rows(run: Run, artifact) -> list[dict[str, str]]:
    return list(run.rows(artifact))


def body(text: str) -> str:
    """The report's long lines run together, without their indentation: kept, indentation
    inside a run-on line is a paragraph break, and a body repeated 60 times would be one body
    repeated 60 times, which cleaning drops."""
    return "".join(line.strip() for line in text.splitlines() if len(line) > 30)


def test_a_report_on_one_400_kb_line_is_cleaned_split_and_segmented(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    line = (body(SEED_TEXT) * 60)[:140_000]  # about 400 KB of UTF-8 on one line
    assert len(line.encode("utf-8")) > 400_000
    (corpus / "one_line.txt").write_text("某某县2024年法治政府建设年度报告\n" + line, encoding="utf-8")
    run = clean_corpus(corpus, tmp_path / "out")
    paragraphs = rows(run, PARAGRAPHS)
    assert max(len(p["text"]) for p in paragraphs) <= CleanParams().max_paragraph_chars
    assert sum(len(p["text"]) for p in paragraphs) > 0.9 * len(line)
    segment.run(Run(tmp_path / "out", "segment", jobs=1, log=lambda m: None), Inputs(), SegmentParams())
    assert len(output_text(tmp_path / "out" / SEGMENTED.path).splitlines()) == len(paragraphs)


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_a_few_stray_bytes_cost_a_warning_not_the_report(tmp_path, encoding):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    data = SEED_TEXT.encode(encoding)
    middle = len(data) // 2
    middle -= middle % 2 if encoding == "gbk" else 0
    (corpus / "stray.txt").write_bytes(data[:middle] + b"\xff\xfe\x80" + data[middle:] + b"\x00")
    run = clean_corpus(corpus, tmp_path / "out")
    report = rows(run, CLEANING_REPORT)
    assert [r["status"] for r in report] == ["kept"]
    assert "undecodable byte(s) replaced" in report[0]["warnings"]
    summary = (tmp_path / "out" / CLEANING_SUMMARY.path).read_text(encoding="utf-8")
    assert "kept with warnings: 1 of 1 reports" in summary
    assert report[0]["encoding"] == ("utf-8" if encoding == "utf-8" else "gb18030")
    assert "枫桥经验" in " ".join(p["text"] for p in rows(run, PARAGRAPHS)) or "枫桥经验" not in SEED_TEXT


def test_binary_data_is_still_refused(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 64)
    report = {r["file"]: r for r in rows(clean_corpus(corpus, tmp_path / "out"), CLEANING_REPORT)}
    assert report["binary.txt"]["status"] == "skipped"
    assert "not text" in report["binary.txt"]["detail"]


def test_escaped_characters_and_page_script_leave_no_residue(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    page = ("<!--\n  \n-->\n<U+00A0>\n当前位置：<U+00A0>首页>> 中国概况\n"
            "function turnpage(page){  document.all(\"div_currpage\").innerHTML = document.all(\"x\"+page).innerHTML;}\n"
            + SEED_TEXT.replace("。", "。<U+00A0>", 5))
    (corpus / "2006.txt").write_bytes(page.encode("gbk", errors="ignore"))
    run = clean_corpus(corpus, tmp_path / "out")
    text = "\n".join(p["text"] for p in rows(run, PARAGRAPHS)) + "".join(d["title"] for d in rows(run, DOCUMENTS))
    for residue in ("U+00A0", "<!--", "-->", "function", "turnpage", "document.all", "innerHTML"):
        assert residue not in text


def test_markdown_with_front_matter_and_comments(tmp_path):
    corpus = tmp_path / "政府工作报告-省自治区" / "浙江省"
    corpus.mkdir(parents=True)
    lines = [p for p in SEED_TEXT.splitlines() if len(p) > 30][:6]
    (corpus / "2014.md").write_text(
        "---\nsource: https://www.zj.gov.cn/art/2014/5/29/art_1.html\ntitle: 2014年政府工作报告\n---\n\n"
        "<!-- 2014年1月在省十二届人大二次会议上 -->\n\n各位代表：\n\n**一、2013年主要工作**\n\n"
        + "\n\n".join(lines) + "\n", encoding="utf-8")
    run = clean_corpus(tmp_path, tmp_path / "out")
    [document] = rows(run, DOCUMENTS)
    assert document["title"] == "2014年政府工作报告"
    assert (document["year"], document["province"]) == ("2014", "浙江省")
    assert (document["year_source"], document["place_source"]) == ("path", "path")
    text = "\n".join(p["text"] for p in rows(run, PARAGRAPHS))
    assert "**" not in text and "<!--" not in text and "人大二次会议" not in text and "https" not in text
    assert "一、2013年主要工作" in [p["text"] for p in rows(run, PARAGRAPHS) if p["kind"] == "heading"]


def table_rows(n: int = 3) -> list[dict[str, str]]:
    texts = [p for p in SEED_TEXT.splitlines() if len(p) > 30]
    return [{"province": "浙江省", "year": str(2020 + i), "title": f"{2020 + i}年浙江省政府工作报告",
             "source_url": f"https://example.invalid/{i}", "full_text": "\n".join(texts[i::n])} for i in range(n)]


def write_table(path: Path, records: list[dict[str, str]]) -> None:
    if path.suffix == ".csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, list(records[0]))
            writer.writeheader()
            writer.writerows(records)
    elif path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    else:
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.append(list(records[0]))
        for record in records:
            sheet.append(list(record.values()))
        book.save(path)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".xlsx"])
def test_a_table_is_a_corpus_one_report_per_row(tmp_path, suffix):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_table(corpus / f"reports{suffix}", table_rows())
    run = clean_corpus(corpus, tmp_path / "out")
    documents = rows(run, DOCUMENTS)
    assert [d["doc_id"] for d in documents] == ["reports#1", "reports#2", "reports#3"]
    assert [d["year"] for d in documents] == ["2020", "2021", "2022"]
    assert {d["province"] for d in documents} == {"浙江省"} and {d["year_source"] for d in documents} == {"file"}
    assert [d["source_url"] for d in documents] == [f"https://example.invalid/{i}" for i in range(3)]
    assert all(d["n_chars"] and int(d["n_chars"]) > 100 for d in documents)
    summary = (tmp_path / "out" / CLEANING_SUMMARY.path).read_text(encoding="utf-8")
    assert f"{suffix[1:]} table (full_text) 3" in summary


def test_the_text_column_can_be_named_and_a_table_without_one_is_listed(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    records = [{**r, "summary": r["full_text"] * 2} for r in table_rows()]  # longer than full_text
    write_table(corpus / "reports.csv", records)
    write_table(corpus / "manifest.csv", [{"province": "浙江省", "text_length": "12000"}])
    run = clean_corpus(corpus, tmp_path / "out", text_column="full_text")
    report = {r["file"]: r for r in rows(run, CLEANING_REPORT)}
    assert report["manifest.csv"]["status"] == "skipped" and "no column" in report["manifest.csv"]["detail"]
    assert all("full_text" in r["reader"] for name, r in report.items() if name.startswith("reports.csv#"))
    auto = clean_corpus(corpus, tmp_path / "auto")
    assert all("summary" in r["reader"] for r in rows(auto, CLEANING_REPORT) if r["file"].startswith("reports.csv#"))


def test_year_and_place_from_folders_and_file_names_win_over_the_text(tmp_path):
    corpus = tmp_path / "corpus"
    seeds = sorted(SEEDS.glob("*.txt"))
    for (folder, name), seed in zip((("政府工作报告-其他地市/三亚市", "2023.txt"),
                                      ("shenzhen", "2021年南山区政府工作报告_2021.txt")), seeds[1:]):
        (corpus / folder).mkdir(parents=True)
        # The text reviews the year before: "2022年" comes first in it.
        (corpus / folder / name).write_text("2022年工作回顾\n" + seed.read_text(encoding="utf-8"), encoding="utf-8")
    documents = {d["file"]: d for d in rows(clean_corpus(corpus, tmp_path / "out"), DOCUMENTS)}
    sanya = documents["政府工作报告-其他地市/三亚市/2023.txt"]
    assert (sanya["year"], sanya["city"], sanya["year_source"], sanya["place_source"]) == ("2023", "三亚市", "path", "path")
    assert documents["shenzhen/2021年南山区政府工作报告_2021.txt"]["year"] == "2021"
    summary = (tmp_path / "out" / CLEANING_SUMMARY.path).read_text(encoding="utf-8")
    assert "year from: path 2" in summary and "the text gives another year in 2" in summary


def test_a_path_pattern_names_what_the_folders_hold(tmp_path):
    corpus = tmp_path / "corpus" / "县级" / "遂溪" / "二〇二〇"
    corpus.mkdir(parents=True)
    (corpus / "report.txt").write_text(SEED_TEXT, encoding="utf-8")
    run = clean_corpus(tmp_path / "corpus", tmp_path / "out", path_pattern="{level}/{county}/{year}/{name}")
    [document] = rows(run, DOCUMENTS)
    assert (document["level"], document["county"]) == ("县级", "遂溪")


def test_deep_folders_and_symlink_loops_do_not_stop_the_walk(tmp_path):
    deep = tmp_path / "corpus" / Path(*[f"d{i}" for i in range(40)])
    deep.mkdir(parents=True)
    (deep / "report.txt").write_text(SEED_TEXT, encoding="utf-8")
    (deep / "loop").symlink_to(tmp_path / "corpus", target_is_directory=True)
    documents = rows(clean_corpus(tmp_path / "corpus", tmp_path / "out"), DOCUMENTS)
    assert len(documents) == 1


def test_a_missing_stopword_list_is_an_error_naming_it(tmp_path):
    stopwords = tmp_path / "stopwords"
    shutil.copytree(ROOT / "stopwords", stopwords)
    (stopwords / "general.txt").unlink()
    lists = f"STOPWORDS={stopwords / 'general.txt'} {stopwords / 'genre.txt'}"
    result = run_make("topics", f"OUTPUT={tmp_path / 'out'}", lists, check=False)
    assert result.returncode != 0
    assert f"{stopwords / 'general.txt'}: file not found" in result.stderr
    result = run_make("topics", f"OUTPUT={tmp_path / 'out'}", "STOPWORDS=/no/such/file.txt", check=False)
    assert "/no/such/file.txt: file not found" in result.stderr and "No rule to make target" not in result.stderr


@pytest.mark.skipif(not (CORPORA / "national-gwr-govcn").is_dir(), reason="../shared/corpora not present")
def test_real_gbk_portal_pages_clean_without_residue(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for year in ("2006", "2007", "2016"):
        shutil.copy(CORPORA / "national-gwr-govcn" / "Corpus" / f"{year}.txt", corpus)
    run = clean_corpus(corpus, tmp_path / "out")
    text = "\n".join(p["text"] for p in rows(run, PARAGRAPHS))
    assert "U+00A0" not in text and "turnpage" not in text and "<!--" not in text
    assert [d["year"] for d in rows(run, DOCUMENTS)] == ["2006", "2007", "2016"]
    assert text.count("综合行政执法") == 1  # 2016, its one occurrence kept once (the page repeats it)


def test_table_columns_named_like_output_columns_and_blank_rows_are_handled(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    records = [{"id": f"r {i}", "doc_id": "same", "file": "x.txt", "year_source": "ocr", "n_tokens": "9", **r}
               for i, r in enumerate(table_rows())]
    records.append({k: "" for k in records[0]})  # a blank row, as Excel leaves them
    write_table(corpus / "scraped_2024.csv", records)
    run = clean_corpus(corpus, tmp_path / "out")
    documents = rows(run, DOCUMENTS)
    assert [d["doc_id"] for d in documents] == ["scraped_2024#r_0", "scraped_2024#r_1", "scraped_2024#r_2"]
    assert {d["file"] for d in documents} == {f"scraped_2024.csv#r_{i}" for i in range(3)}
    assert {d["table_doc_id"] for d in documents} == {"same"} and {d["table_file"] for d in documents} == {"x.txt"}
    # Columns of documents.csv itself and of the per-report tables (document_topics.csv) too.
    assert {d["year_source"] for d in documents} == {"file"} and {d["table_year_source"] for d in documents} == {"ocr"}
    header = run.header(DOCUMENTS)
    assert "table_n_tokens" in header and len(header) == len(set(header))
    # The table's own name is not each row's year: the year column is.
    assert [d["year"] for d in documents] == ["2020", "2021", "2022"]


def test_escaped_surrogates_and_a_leading_rule_are_text_not_errors(tmp_path):
    from pipeline.text.normalize import normalize

    assert normalize("好\\ud83d\\ude00<U+D83D>字")[0] == ["好😀<U+D83D>字"]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    body_lines = [p.strip() for p in SEED_TEXT.splitlines() if len(p) > 30 and p.endswith("。")]
    (corpus / "rule.md").write_text("---\n\n" + "\n\n".join(body_lines[:3]) + "\n\n---\n\n"
                                    + "\n\n".join(body_lines[3:6]) + "\n", encoding="utf-8")
    text = "".join(p["text"] for p in rows(clean_corpus(corpus, tmp_path / "out"), PARAGRAPHS))
    assert body_lines[0][:20] in text and body_lines[4][:20] in text


def test_a_city_folder_keeps_the_county_the_title_names(tmp_path):
    corpus = tmp_path / "corpus" / "湛江市"
    corpus.mkdir(parents=True)
    (corpus / "report_2025.txt").write_text(SEED_TEXT, encoding="utf-8")  # 遂溪县岭北镇人民政府2025年…报告
    [document] = rows(clean_corpus(tmp_path / "corpus", tmp_path / "out"), DOCUMENTS)
    assert (document["city"], document["county"], document["town"]) == ("湛江市", "遂溪县", "岭北镇")


def test_a_bad_path_pattern_is_an_error_before_reading(tmp_path):
    from pipeline.files import PipelineError

    with pytest.raises(PipelineError, match="PATH_PATTERN"):
        clean_corpus(SEEDS, tmp_path / "out", path_pattern="{a}/{a}")
    with pytest.raises(PipelineError, match="not an output column"):  # a column of an output table
        clean_corpus(SEEDS, tmp_path / "out", path_pattern="{place}/{n_tokens}")
