"""Normalisation of characters and lines: what every report goes through before cleaning."""
from __future__ import annotations

import pytest

from pipeline.text.normalize import normalize


@pytest.mark.parametrize("raw", [
    "法治\u200b政府", "法治\u200d政府", "法\ufeff治政\u2060府", "法治\u00ad政府",  # zero-width, BOM, soft hyphen
    "法治\u00a0政府", "法治&nbsp;政府", "法治&NBSP政府", "法治&#160;政府", "法治\\u00a0政府", "法治&amp;nbsp;政府",
    "法治\u3000政府", "法治 政府", "法治\t政府",  # spaces next to Chinese are typesetting
])
def test_invisible_characters_and_nbsp_go(raw):
    assert normalize(raw)[0] == ["法治政府"]


def test_full_width_digits_letters_and_punctuation_become_ascii():
    assert normalize("２０２４年，ＡＢＣ：（一）")[0] == ["2024年,ABC:(一)"]
    assert normalize("⼈民政府")[0] == ["人民政府"]  # a Kangxi radical, as PDF text has it


@pytest.mark.parametrize("text", ["第一行\r\n第二行", "第一行\r第二行", "第一行\n\n\n第二行", "第一行\u2028第二行", "第一行\f第二行"])
def test_every_line_ending_becomes_one_break(text):
    assert normalize(text)[0] == ["第一行", "第二行"]


def test_spaces_between_latin_words_stay():
    assert normalize("使用 Windows 10 系统")[0] == ["使用Windows 10系统"]


def test_letter_spaced_pdf_lines_are_closed_up():
    assert normalize("遂 城 镇   2 0 2 0   年 度 法 治 政 府 建 设")[0] == ["遂城镇2020年度法治政府建设"]


def test_traditional_to_simplified_is_on_by_default_and_switchable():
    lines, converted = normalize("堅持發展新時代楓橋經驗")
    assert lines == ["坚持发展新时代枫桥经验"] and converted == 7
    assert normalize("楓橋經驗", to_simplified=False)[0] == ["楓橋經驗"]


@pytest.mark.parametrize("raw, expected", [
    ("**交通建设。**我们加快建设", "交通建设。我们加快建设"),  # emphasis CommonMark leaves open next to CJK punctuation
    ("__坚持和发展新时代枫桥经验__", "坚持和发展新时代枫桥经验"),
    ("## 一、2024年工作回顾", "一、2024年工作回顾"),
    ("联系人:____", "联系人:"),
])
def test_markdown_left_as_text_goes(raw, expected):
    assert normalize(raw)[0] == [expected]


def test_a_single_star_hash_or_underscore_in_text_stays():
    assert normalize("#1机组 注*:见附表 file_name")[0] == ["#1机组注*:见附表file_name"]


def test_markdown_emphasis_next_to_cjk_punctuation_never_reaches_the_text(tmp_path):
    from pipeline.text.readers import read_report

    path = tmp_path / "r.md"
    path.write_text("---\ntitle: 报告\n---\n**一、交通建设。**我们加快建设**综合行政执法**改革。\n", encoding="utf-8")
    assert normalize(read_report(path).text)[0] == ["一、交通建设。我们加快建设综合行政执法改革。"]
