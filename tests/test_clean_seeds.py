"""The cleaning rules on the five seed reports: chrome gone, broken lines rejoined, metadata right."""
from __future__ import annotations

import pytest

from pipeline.clean import clean_report, load_rules
from pipeline.readers import read_report
from conftest import ROOT, SEEDS

RULES = load_rules(ROOT / "config" / "boilerplate.txt")


def cleaned(stem: str):
    return clean_report(read_report(SEEDS / f"{stem}.txt").text, RULES)


def full_text(report) -> str:
    return "\n".join(p.text for p in report.paragraphs)


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


@pytest.mark.parametrize("chrome", ["扫一扫", "分享到", "点击数", "即将离开", "您现在所在的位置", "字体", "关联稿件",
                                    "无标题文档", "政务微信", "头部", "来源:"])
def test_portal_chrome_is_gone(chrome):
    assert chrome not in full_text(cleaned("002_d67935c898d73f06"))
    assert chrome not in full_text(cleaned("000_96abec37a7bb9198"))


def test_document_furniture_is_gone():
    text = full_text(cleaned("003_4bf76c9d5e1e5dd2"))
    for furniture in ("人民政府文件", "〔2020〕157号", "签发人", "陈泽和"):
        assert furniture not in text
    closing = full_text(cleaned("000_96abec37a7bb9198"))
    assert "特此报告" not in closing and "2025年12月26日" not in closing
    assert not closing.rstrip().endswith("人民政府")


def test_line_broken_mid_sentence_is_rejoined():
    report = cleaned("003_4bf76c9d5e1e5dd2")
    joined = [p.text for p in report.paragraphs if "社会治理工作" in p.text]
    assert len(joined) == 1
    assert "进一步深化建设法治政府" in joined[0]
    assert not any(p.text.endswith("社会治理工") for p in report.paragraphs)
    # Every body paragraph of this seed now ends a sentence.
    assert all(p.text.endswith(("。", ":")) for p in report.paragraphs if p.kind == "body")


def test_full_width_text_is_normalised():
    text = full_text(cleaned("003_4bf76c9d5e1e5dd2"))
    assert "，" not in text and "（" not in text
    assert "2020年" in text  # "2020 年" lost its typesetting space


def test_paragraphs_keep_their_section_heading():
    report = cleaned("000_96abec37a7bb9198")
    fengqiao = [p for p in report.paragraphs if "枫桥经验" in p.text]
    assert fengqiao and fengqiao[0].section == "八、健全矛盾纠纷化解体系,维护社会公平正义"
    assert report.paragraphs[0].section == ""  # the preamble precedes any heading


def test_title_is_not_a_paragraph():
    report = cleaned("000_96abec37a7bb9198")
    assert report.metadata["title"] not in [p.text for p in report.paragraphs]
