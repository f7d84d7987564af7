"""Readers: every format and encoding researchers collect, read into the same text, and every
unreadable file refused with a message that names it."""
from __future__ import annotations

import pytest

import corpus_variants as cv
from pipeline.files import PipelineError
from pipeline.text.decoding import decode_bytes
from pipeline.text.readers import list_other_files, list_reports, read_report
from conftest import SEEDS

SEED = SEEDS / "003_4bf76c9d5e1e5dd2.txt"
TEXT = SEED.read_text(encoding="utf-8")
TITLE = "遂城镇2020年度法治政府建设工作情况报告"


def squashed(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("variant, encoding", [
    ("gbk", "gb18030"), ("utf16", "utf-16"), ("utf16_nobom", "utf_16_le"), ("utf8_bom", "utf-8-sig"),
    ("duplicate", "utf-8"), ("traditional", "utf-8"),
])
def test_text_files_are_decoded_and_the_encoding_recorded(variant, encoding, tmp_path):
    report = read_report(cv.write_variant(variant, SEED, tmp_path))
    assert (report.reader, report.encoding) == ("txt", encoding)
    expected = cv.to_traditional(TEXT) if variant == "traditional" else TEXT
    assert report.text.lstrip("\ufeff") == expected
    # Only a guessed encoding (no BOM, not UTF-8 or GB18030) is worth a warning.
    assert bool(report.warnings) == (variant == "utf16_nobom")


def test_big5_is_not_mistaken_for_gbk():
    traditional = cv.to_traditional(TEXT)
    data = traditional.encode("big5", errors="replace")  # Big5 bytes are valid GB18030 too
    decoded = decode_bytes(data)
    assert decoded.encoding == "big5" and decoded.text[:12] == traditional[:12] and not decoded.replaced


def test_html_page_keeps_the_report_and_reports_the_chrome_it_dropped(tmp_path):
    report = read_report(cv.write_variant("html", SEED, tmp_path, TITLE))
    assert (report.reader, report.encoding) == ("html", "gb18030")  # declared gb2312, read as its superset
    for line in TEXT.split("\n"):
        assert squashed(line) in squashed(report.text)
    for script_or_head in ("统计代码", "_某某县人民政府门户网站", "margin"):
        assert script_or_head not in report.text
    dropped = dict.fromkeys(rule for rule, _ in report.dropped)
    assert set(dropped) == {"html_chrome", "html_links"}
    links = " ".join(text for rule, text in report.dropped if rule == "html_links")
    for chrome in ("您当前的位置", "某某镇开展宪法宣传周活动", "上一篇", "上一页", "打印"):
        assert chrome in links
    chrome = " ".join(text for rule, text in report.dropped if rule == "html_chrome")
    assert "网站首页" in chrome and f"{TITLE}_某某县人民政府门户网站" in chrome  # <nav>, <title>


def test_docx_keeps_paragraphs_and_tables_in_document_order(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("一、基本情况")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "调解纠纷"
    table.cell(0, 2).text = "128件"
    document.add_paragraph("二、存在问题")
    document.save(str(tmp_path / "r.docx"))
    assert read_report(tmp_path / "r.docx").text.split("\n") == ["一、基本情况", "调解纠纷 128件", "", "二、存在问题"]


def test_pdf_text_layer_is_read(tmp_path):
    report = read_report(cv.write_variant("pdf", SEED, tmp_path))
    assert (report.reader, report.warnings) == ("pdf", ())
    assert squashed(report.text) == squashed(TEXT)  # only line breaks differ


@pytest.mark.parametrize("kind, message", [
    ("truncated_docx", "not a readable .docx (damaged or truncated"),
    ("scanned_pdf", "no Chinese text layer"),
    ("binary_txt", "not text in any known encoding"),
    ("empty", "empty file"),
])
def test_unreadable_files_get_a_clear_message_naming_them(kind, message, tmp_path):
    path = cv.write_corrupt_inputs(tmp_path)[kind]
    with pytest.raises(PipelineError) as error:
        read_report(path)
    assert str(error.value).startswith(f"{path}: ") and message in str(error.value)


def test_text_without_chinese_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("shopping list: milk, eggs\n", encoding="utf-8")
    with pytest.raises(PipelineError, match="no Chinese text"):
        read_report(tmp_path / "notes.txt")


def test_listing_finds_reports_recursively_and_lists_other_files(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    for name in ("a/b/r.TXT", "r.htm", "r.docx", "r.pdf", "r.md", "t.jsonl", "old.doc", "metadata.csv", ".hidden.txt",
                 "a/.git/x.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    listed = list_reports(tmp_path, exclude=(tmp_path / "metadata.csv",))
    assert [p.relative_to(tmp_path).as_posix() for p in listed] == ["a/b/r.TXT", "r.docx", "r.htm", "r.md", "r.pdf",
                                                                    "t.jsonl"]
    others = list_other_files(tmp_path, exclude=(tmp_path / "metadata.csv",))
    assert [p.name for p in others] == ["old.doc"]


def test_empty_folder_is_an_error(tmp_path):
    with pytest.raises(PipelineError, match="no reports found"):
        list_reports(tmp_path)


def test_a_known_format_we_cannot_read_gets_a_hint_and_a_table_of_no_known_format_is_refused(tmp_path):
    from pipeline.text.tables import read_table

    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(PipelineError, match=r"unsupported file type '\.doc' \(old Word format: save it as \.docx\)"):
        read_report(tmp_path / "old.doc")
    (tmp_path / "rows.txt").write_text("title,text\n甲,乙\n", encoding="utf-8")
    with pytest.raises(PipelineError) as error:
        read_table(tmp_path / "rows.txt")  # not read as CSV
    assert str(error.value).startswith(f"{tmp_path / 'rows.txt'}: not a corpus table (expected .csv")
