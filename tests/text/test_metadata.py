"""Metadata: what cleaning extracts from each report (title, place, year, dates, document
number, issuing body), and the metadata CSV that overrides and extends it, as Excel saves it."""
from __future__ import annotations

import pytest

from conftest import ROOT, SEEDS
from pipeline.files import PipelineError
from pipeline.stages.clean import RESERVED_COLUMNS
from pipeline.text.boilerplate import load_rules
from pipeline.text.cleaning import clean_report
from pipeline.text.metadata import MetadataOverrides
from pipeline.text.readers import read_report

RULES = load_rules(ROOT / "config" / "boilerplate.txt")


def cleaned(stem: str):
    return clean_report(read_report(SEEDS / f"{stem}.txt").text, RULES)


# ---- extracted from the seed reports ----------------------------------------------------------

@pytest.mark.parametrize("stem, expected", [
    ("000_96abec37a7bb9198", {"county": "遂溪县", "town": "岭北镇", "year": "2025", "publish_date": "2026-01-08",
                              "title": "遂溪县岭北镇人民政府2025年法治政府建设年度报告"}),
    ("001_b15026bdeddbedce", {"town": "上社镇", "year": "2025", "title": ""}),
    ("002_d67935c898d73f06", {"county": "海丰县", "town": "海城镇", "year": "2023", "publish_date": "2024-01-15",
                              "title": "海丰县海城镇2023年法治政府建设年度报告"}),
    ("003_4bf76c9d5e1e5dd2", {"county": "遂溪县", "town": "遂城镇", "year": "2020", "doc_number": "遂镇府〔2020〕157号",
                              "issuing_body": "遂溪县遂城镇人民政府", "title": "遂城镇2020年度法治政府建设工作情况报告"}),
    ("004_ff3b8e62458ed95c", {"town": "烟溪镇", "year": "2024", "title": "烟溪镇2024年度法治政府建设工作情况报告"}),
])
def test_metadata_per_seed(stem, expected):
    metadata = cleaned(stem).metadata
    for key, value in expected.items():
        assert metadata[key] == value, key


# ---- the metadata CSV, as Excel saves it ----------------------------------------------------

@pytest.mark.parametrize("encoding, delimiter", [("utf-8-sig", ","), ("gbk", ","), ("utf-16", "\t"), ("utf-8", ";")])
def test_metadata_csv_in_any_excel_encoding(encoding, delimiter):
    rows = [["file", "year", "城市类型"], ["003_4bf76c9d5e1e5dd2.txt", "2021", "县城"]]
    data = "\r\n".join(delimiter.join(row) for row in rows).encode(encoding)
    overrides = MetadataOverrides.parse(data, "meta.csv", RESERVED_COLUMNS)
    assert overrides.extra_columns == ("城市类型",)
    merged = overrides.apply("003_4bf76c9d5e1e5dd2.txt", {"year": "2020", "town": "遂城镇"})
    assert merged == {"year": "2021", "town": "遂城镇", "城市类型": "县城"}
    assert overrides.apply("other.txt", {"year": "2020"}) == {"year": "2020", "城市类型": ""}


@pytest.mark.parametrize("csv_text, message", [
    ("name,year\na.txt,2020\n", "needs a 'file' column"),
    ("file,term\na.txt,x\n", "term clash with output table columns"),
    ("file,year\na.txt,2020\na.txt,2021\n", "meta.csv:3: a second row for 'a.txt'"),
])
def test_metadata_csv_problems_are_named(csv_text, message):
    with pytest.raises(PipelineError, match=message):
        MetadataOverrides.parse(csv_text.encode(), "meta.csv", RESERVED_COLUMNS)


@pytest.mark.parametrize("value, year", [("2020", "2020"), ("2020年", "2020"), ("2021-03-01", "2021"), ("2020-2021", ""),
                                         ("未知", ""), ("", "")])
def test_a_given_year_is_read_as_one_four_digit_year_or_none(value, year):
    from pipeline.text.metadata import plain_year

    assert plain_year(value) == year


def test_a_crawler_header_keeps_the_first_line_of_a_field_and_the_named_source_url():
    from pipeline.text.metadata import crawler_header, file_fields

    lines = ["标题: 甲区2024年度法治政府建设情况", "名称: 别的标题", "附件: https://example.invalid/a.pdf",
             "原文链接: https://example.invalid/t1.htm", "==========", "2024年,甲区坚持依法行政。"]
    pairs, n = crawler_header(lines)
    fields = file_fields(pairs)
    assert n == 5 and fields["title"] == "甲区2024年度法治政府建设情况"
    assert fields["source_url"] == "https://example.invalid/t1.htm"


def test_numbered_headings_with_a_colon_are_no_crawler_header():
    from pipeline.text.metadata import crawler_header

    lines = ["一、主要成效:全年办结案件120件", "二、存在问题:队伍力量不足", "三、下一步打算:加强培训", "我局坚持依法行政。"]
    assert crawler_header(lines) == ({}, 0)


def test_a_header_closed_by_a_line_of_stars_is_read_and_the_line_goes():
    from pipeline.text.boilerplate import load_rules
    from pipeline.text.cleaning import clean_report

    text = ("标题: 甲区2024年度法治政府建设情况\n发布时间: 2025-03-26\n****** 正文 ******\n"
            + "2024年,甲区坚持依法行政,推进法治政府建设。" * 5 + "\n")
    cleaned = clean_report(text, load_rules(ROOT / "config" / "boilerplate.txt"))
    assert cleaned.given["title"] == "甲区2024年度法治政府建设情况"
    assert all("*" not in p.text and "正文" not in p.text for p in cleaned.paragraphs)
