"""Structure inside a report: lines broken mid-word rejoined, repeated copies and repeated
titles dropped, paragraphs kept with their section headings."""
from __future__ import annotations

from conftest import ROOT
from pipeline.text.boilerplate import load_rules
from pipeline.text.cleaning import clean_report
from pipeline.text.structure import join_broken_lines

RULES = load_rules(ROOT / "config" / "boilerplate.txt")
BODY = "我镇深入推进法治政府建设,坚持和发展新时代枫桥经验,矛盾纠纷化解率达到百分之九十八。"


def test_lines_broken_mid_word_are_rejoined():
    assert join_broken_lines(["积极推动社会治理工", "作,进一步深化建设法治政府。", "一、主要措施"]) == \
        ["积极推动社会治理工作,进一步深化建设法治政府。", "一、主要措施"]


def test_report_repeated_three_times_keeps_one_copy_with_its_sections():
    report = "某镇2024年法治政府建设年度报告\n一、加强组织领导\n(一)健全机制\n" + BODY + "\n二、存在问题\n(一)健全机制\n短板明显。"
    cleaned = clean_report("\n".join([report] * 3), RULES)
    assert [p.text for p in cleaned.paragraphs] == report.split("\n")[1:]
    # "(一)健全机制" opens two sections: the second is no duplicate and keeps its section.
    assert cleaned.paragraphs[-2].section == "二、存在问题"
    assert cleaned.removed["title_repeated"] == ["某镇2024年法治政府建设年度报告"] * 2


def test_wrapped_title_repeated_is_dropped_too():
    text = "烟溪镇2024年度法治政府建设工作\n情况报告\n" + BODY
    cleaned = clean_report(text + "\n" + text, RULES)
    assert cleaned.metadata["title"] == "烟溪镇2024年度法治政府建设工作情况报告"
    assert [p.text for p in cleaned.paragraphs] == [BODY]
