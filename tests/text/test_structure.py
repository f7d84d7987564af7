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


# --- run-on bodies: a report a crawler flattened into one line ---------------------------------
from pipeline.text.structure import RUN_ON_CHARS, chinese_number, sectioned, split_run_on  # noqa: E402

LONG = "组织开展集中学习,邀请专家授课,覆盖全体干部职工," * 12 + "效果明显。"


def test_chinese_numbers():
    assert [chinese_number(n) for n in ("一", "九", "十", "十二", "二十", "九十九", "两", "")] == [1, 9, 10, 12, 20, 99, 0, 0]


def test_a_run_on_body_is_cut_at_its_own_section_markers_into_sections():
    line = ("2024年,我局全面推进法治政府建设。现将有关情况报告如下。一、强化思想引领(一)加强理论武装。" + LONG
            + "(二)落实第一责任人职责。" + LONG + "二、存在的问题1.法治宣传有待加强。" + LONG + "2.队伍建设有待加强。执法人员不足。")
    assert len(line) > RUN_ON_CHARS
    paragraphs = sectioned(split_run_on([line]))
    headings = [(p.text, p.section, p.subsection) for p in paragraphs if p.kind == "heading"]
    assert headings == [("一、强化思想引领", "一、强化思想引领", ""),
                        ("(一)加强理论武装。", "一、强化思想引领", "(一)加强理论武装。"),
                        ("(二)落实第一责任人职责。", "一、强化思想引领", "(二)落实第一责任人职责。"),
                        ("二、存在的问题", "二、存在的问题", ""),
                        ("1.法治宣传有待加强。", "二、存在的问题", "1.法治宣传有待加强。"),
                        ("2.队伍建设有待加强。", "二、存在的问题", "2.队伍建设有待加强。")]
    assert "".join(p.text for p in paragraphs) == line  # nothing lost, nothing added


def test_numbers_out_of_sequence_or_inside_a_sentence_are_not_markers():
    line = ("统一、规范执法,我局修订了第3.2条和(二)项规定,落实三、四季度任务," + LONG) * 3 + "一、主要做法(一)健全机制。" + LONG
    pieces = split_run_on([line])
    assert "".join(pieces) == line
    headings = [p for p in pieces if sectioned([p])[0].kind == "heading"]
    assert headings == ["一、主要做法", "(一)健全机制。"]


def test_a_run_on_body_without_markers_is_cut_into_paragraph_sized_units_at_sentence_ends():
    line = "".join(f"第{i}句话说明法治政府建设的一项具体工作内容和取得的成效。" for i in range(200))
    pieces = split_run_on([line])
    assert "".join(pieces) == line and all(p.endswith("。") for p in pieces)
    assert 10 <= len(pieces) <= len(line) // 150


def test_lines_of_ordinary_length_are_left_as_they_are():
    lines = ["一、主要做法(一)健全机制。" + "我们做了很多工作。" * 20]
    assert split_run_on(lines) == lines


def test_the_indentation_a_flattened_body_keeps_is_a_paragraph_break():
    from pipeline.text.normalize import normalize

    paragraphs = ["一、主要做法", "(一)健全机制。", "我们" + "做了很多工作," * 150 + "成效明显。", "2024年工作安排如下。"]
    assert normalize("".join("\u3000\u3000" + p for p in paragraphs))[0] == [p for p in paragraphs]
    short = "\u3000\u3000一、主要做法\u3000\u3000二、存在问题"  # not a run-on line: indentation is typesetting
    assert normalize(short)[0] == ["一、主要做法二、存在问题"]
