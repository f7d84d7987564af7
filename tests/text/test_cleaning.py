"""Cleaning one report end to end (text/cleaning.py): on the five seed reports, chrome gone,
broken lines rejoined, sections kept; and the human summary of a corpus's cleaning."""
from __future__ import annotations

import pytest

from conftest import ROOT, SEEDS
from pipeline.text.boilerplate import load_rules
from pipeline.text.cleaning import FileOutcome, clean_report, format_cleaning_summary
from pipeline.text.readers import read_report

RULES = load_rules(ROOT / "config" / "boilerplate.txt")


def cleaned(stem: str):
    return clean_report(read_report(SEEDS / f"{stem}.txt").text, RULES)


def full_text(report) -> str:
    return "\n".join(p.text for p in report.paragraphs)


# ---- the seeds -------------------------------------------------------------------------------

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


# ---- the cleaning summary ----------------------------------------------------------------------

def test_summary_counts_rules_with_examples_and_lists_problems():
    outcomes = [
        FileOutcome("a.txt", "a", "kept", reader="txt", encoding="utf-8", chars_in=100, chars_out=80,
                    removed={"nav": ["打印", "关闭"], "licence": ["版权所有:某县"]}, warnings=["no title found"]),
        FileOutcome("b.html", "b", "duplicate", "exact duplicate of a", reader="html", encoding="gb18030",
                    removed={"nav": ["打印"]}),
        FileOutcome("c.pdf", status="skipped", detail="no Chinese text layer"),
    ]
    summary = format_cleaning_summary(outcomes)
    assert "3 files: 1 kept, 1 duplicates dropped, 1 skipped" in summary
    assert "nav" in summary and "3 in    2 files" in summary and "打印" in summary
    assert "DUPLICATE b.html: exact duplicate of a" in summary
    assert "warning a.txt: no title found" in summary
    assert "SKIPPED c.pdf: no Chinese text layer" in summary
