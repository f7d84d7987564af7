"""Normalisation, rules and in-report structure: the pure core of the clean stage."""
from __future__ import annotations

import pytest

from pipeline.clean import (
    DuplicateFinder, Fingerprint, clean_lines, clean_report, cleaning_summary, FileOutcome, find_corpus_chrome,
    join_broken_lines, load_rules, normalize, normalize_text, parse_rules,
)
from conftest import ROOT, SEEDS

RULES = load_rules(ROOT / "config" / "boilerplate.txt")
BODY = "我镇深入推进法治政府建设,坚持和发展新时代枫桥经验,矛盾纠纷化解率达到百分之九十八。"


# ---- characters ------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [
    "法治\u200b政府", "法治\u200d政府", "法\ufeff治政\u2060府", "法治\u00ad政府",  # zero-width, BOM, soft hyphen
    "法治\u00a0政府", "法治&nbsp;政府", "法治&NBSP政府", "法治&#160;政府", "法治\\u00a0政府", "法治&amp;nbsp;政府",
    "法治\u3000政府", "法治 政府", "法治\t政府",  # spaces next to Chinese are typesetting
])
def test_invisible_characters_and_nbsp_go(raw):
    assert normalize_text(raw) == "法治政府"


def test_full_width_digits_letters_and_punctuation_become_ascii():
    assert normalize_text("２０２４年，ＡＢＣ：（一）") == "2024年,ABC:(一)"
    assert normalize_text("⼈民政府") == "人民政府"  # a Kangxi radical, as PDF text has it


@pytest.mark.parametrize("text", ["第一行\r\n第二行", "第一行\r第二行", "第一行\n\n\n第二行", "第一行\u2028第二行", "第一行\f第二行"])
def test_every_line_ending_becomes_one_break(text):
    assert normalize(text)[0] == ["第一行", "第二行"]


def test_spaces_between_latin_words_stay():
    assert normalize_text("使用 Windows 10 系统") == "使用Windows 10系统"


def test_letter_spaced_pdf_lines_are_closed_up():
    assert normalize_text("遂 城 镇   2 0 2 0   年 度 法 治 政 府 建 设") == "遂城镇2020年度法治政府建设"


def test_traditional_to_simplified_is_on_by_default_and_switchable():
    lines, converted = normalize("堅持發展新時代楓橋經驗")
    assert lines == ["坚持发展新时代枫桥经验"] and converted == 7
    assert normalize_text("楓橋經驗", to_simplified=False) == "楓橋經驗"


# ---- rules -----------------------------------------------------------------------------------

def test_rules_are_user_extendable():
    rules = parse_rules("# my own rule\nwechat_ad  ^关注.{0,10}公众号\n", "mine.txt")
    cleaned = clean_lines(["关注某某镇公众号", BODY], rules)
    assert cleaned.removed == {"wechat_ad": ["关注某某镇公众号"]}
    assert [p.text for p in cleaned.paragraphs] == [BODY]


def test_bad_rule_is_named_with_its_line():
    with pytest.raises(Exception, match=r"mine.txt:2: bad regular expression for rule 'broken'"):
        parse_rules("ok ^a\nbroken ^(unclosed\n", "mine.txt")


def test_a_plus_rule_drops_the_list_after_it():
    rules = parse_rules("related+ ^相关文章\n")
    cleaned = clean_lines([BODY, "相关文章", "某某镇开展宪法宣传周活动", "某某县召开依法行政工作会议 2024-02-12"], rules)
    assert [p.text for p in cleaned.paragraphs] == [BODY]
    assert cleaned.removed["related_list"] == ["某某镇开展宪法宣传周活动", "某某县召开依法行政工作会议 2024-02-12"]


def test_a_list_rule_near_the_top_never_eats_the_title():
    rules = parse_rules("related+ ^相关文章\n")
    cleaned = clean_lines(["相关文章", "某镇2024年法治政府建设年度报告", BODY], rules)
    assert cleaned.metadata["title"] == "某镇2024年法治政府建设年度报告"


def test_rules_leave_long_lines_alone():
    paragraph = "【打印】" + BODY * 5  # a scraped paragraph that happens to contain chrome
    assert [p.text for p in clean_lines([paragraph], RULES).paragraphs] == [paragraph]


@pytest.mark.parametrize("chrome", [
    "【字体:大 中 小】", "【字体:大中小】打印关闭", "打印 关闭", "【打印】【关闭】", "上一页 下一页", "上一篇:某镇召开会议",
    "(责任编辑:李小明)", "责任编辑:李小明", "版权所有:某某县人民政府 粤ICP备12345678号", "您当前的位置:首页>政务公开",
    "首页 > 政务公开 > 法治政府建设", "相关文章", "分享到:微信 微博", "浏览次数:1024", "- 3 -", "第 2 页 共 5 页",
])
def test_portal_chrome_and_page_furniture_match_a_rule(chrome):
    cleaned = clean_lines([normalize_text(chrome), BODY], RULES)
    assert [p.text for p in cleaned.paragraphs] == [BODY], cleaned.removed


# ---- structure -------------------------------------------------------------------------------

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


# ---- corpus ----------------------------------------------------------------------------------

def test_corpus_chrome_needs_enough_distinct_documents():
    counts = {"网站导航|联系我们": 6, BODY: 2}
    assert find_corpus_chrome(counts, 8) == {"网站导航|联系我们"}
    assert find_corpus_chrome(counts, 4) == frozenset()  # too few documents to tell


def test_corpus_chrome_never_removes_headings():
    cleaned = clean_lines(["一、主要工作", BODY], RULES, corpus_chrome=frozenset({"一、主要工作"}))
    assert cleaned.paragraphs[0].text == "一、主要工作"


def test_duplicate_finder_tells_exact_from_near_and_keeps_the_first():
    finder = DuplicateFinder(0.9)
    text = normalize_text((SEEDS / "003_4bf76c9d5e1e5dd2.txt").read_text(encoding="utf-8"))
    assert finder.add("a", Fingerprint.of(text)) is None
    assert finder.add("b", Fingerprint.of(text.replace(",", ", "))) == ("a", 1.0, True)  # white space aside
    near = finder.add("c", Fingerprint.of(text.replace("法治政府建设", "法治建设", 3) + "另有一句补充说明。"))
    assert near is not None and near.key == "a" and not near.exact and near.similarity >= 0.9
    other = normalize_text((SEEDS / "004_ff3b8e62458ed95c.txt").read_text(encoding="utf-8"))
    assert finder.add("d", Fingerprint.of(other)) is None


def test_summary_counts_rules_with_examples_and_lists_problems():
    outcomes = [
        FileOutcome("a.txt", "a", "kept", reader="txt", encoding="utf-8", chars_in=100, chars_out=80,
                    removed={"nav": ["打印", "关闭"], "licence": ["版权所有:某县"]}, warnings=["no title found"]),
        FileOutcome("b.html", "b", "duplicate", "exact duplicate of a", reader="html", encoding="gb18030",
                    removed={"nav": ["打印"]}),
        FileOutcome("c.pdf", status="skipped", detail="no Chinese text layer"),
    ]
    summary = cleaning_summary(outcomes)
    assert "3 files: 1 kept, 1 duplicates dropped, 1 skipped" in summary
    assert "nav" in summary and "3 in    2 files" in summary and "打印" in summary
    assert "DUPLICATE b.html: exact duplicate of a" in summary
    assert "warning a.txt: no title found" in summary
    assert "SKIPPED c.pdf: no Chinese text layer" in summary
