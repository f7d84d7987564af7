"""Boilerplate rules (config/boilerplate.txt, user-extendable) and lines repeated across a
corpus: page chrome and document furniture go, report text stays."""
from __future__ import annotations

import pytest

from conftest import ROOT
from pipeline.text.boilerplate import find_corpus_chrome, load_rules, parse_rules
from pipeline.text.cleaning import clean_lines
from pipeline.text.normalize import normalize

RULES = load_rules(ROOT / "config" / "boilerplate.txt")
BODY = "我镇深入推进法治政府建设,坚持和发展新时代枫桥经验,矛盾纠纷化解率达到百分之九十八。"


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


def test_rules_leave_long_lines_alone_but_the_chrome_inside_them():
    paragraph = "【打印】" + BODY * 5  # a scraped paragraph that happens to contain chrome
    assert [p.text for p in clean_lines([paragraph], RULES).paragraphs] == [BODY * 5]
    assert [p.text for p in clean_lines([paragraph], [r for r in RULES if not r.inline]).paragraphs] == [paragraph]


@pytest.mark.parametrize("chrome", [
    "【字体:大 中 小】", "【字体:大中小】打印关闭", "打印 关闭", "【打印】【关闭】", "上一页 下一页", "上一篇:某镇召开会议",
    "(责任编辑:李小明)", "责任编辑:李小明", "版权所有:某某县人民政府 粤ICP备12345678号", "您当前的位置:首页>政务公开",
    "首页 > 政务公开 > 法治政府建设", "相关文章", "分享到:微信 微博", "浏览次数:1024", "- 3 -", "第 2 页 共 5 页",
])
def test_portal_chrome_and_page_furniture_match_a_rule(chrome):
    cleaned = clean_lines([*normalize(chrome)[0], BODY], RULES)
    assert [p.text for p in cleaned.paragraphs] == [BODY], cleaned.removed


# ---- lines repeated across the corpus --------------------------------------------------------

def test_corpus_chrome_needs_enough_distinct_documents():
    counts = {"网站导航|联系我们": 6, BODY: 2}
    assert find_corpus_chrome(counts, 8) == {"网站导航|联系我们"}
    assert find_corpus_chrome(counts, 4) == frozenset()  # too few documents to tell


def test_corpus_chrome_never_removes_headings():
    cleaned = clean_lines(["一、主要工作", BODY], RULES, corpus_chrome=frozenset({"一、主要工作"}))
    assert cleaned.paragraphs[0].text == "一、主要工作"


# --- inline chrome: a crawler glued the page's breadcrumb, share bar and footer to the body ---

LONG_BODY = "一年来,我局坚持以习近平法治思想为指导,全面推进依法行政,法治政府建设取得新成效。" * 30


def test_chrome_inside_a_line_goes_and_is_counted_by_rule():
    from pipeline.text.cleaning import clean_report

    line = ("当前位置： 首页政务公开规划信息工作进展情况 XX局2022年法治政府建设情况报告 时间：2023-03-31 10:09 微信 微博 "
            "QQ空间 " + LONG_BODY + "【打印】【关闭】浏览次数：1024 来源：XX局 附件下载")
    cleaned = clean_report("XX局2022年法治政府建设情况报告\n" + line + "\n", RULES)
    text = "".join(p.text for p in cleaned.paragraphs)
    assert text == LONG_BODY
    assert {rule: len(found) for rule, found in cleaned.removed.items() if rule.startswith("inline_")} == {
        "inline_breadcrumb": 1, "inline_share": 1, "inline_print": 2, "inline_counter": 1, "inline_tail": 1}
    assert cleaned.removed["inline_tail"] == ["来源:XX局附件下载"]


@pytest.mark.parametrize("sentence", [
    "微信微博等新媒体平台发布信息120条,及时回应群众关切。",  # the share bar's words, in a sentence
    "全年累计浏览量大幅增长,政务公开平台运行良好。",
    "主要指标完成情况良好。数据来源:市统计局",  # a source named at the end of a paragraph, not a footer
    "开通政务微信、微博和QQ群,拓宽群众参与渠道。",
    "微信微博QQ等平台发布政务信息,回应群众关切。",  # the share bar's words, then 等
    "政务公众号全年阅读量:35万次,同比增长两成。",  # a count in a sentence, not a page counter
    "全年受理信访事项120件,均已办结。来源:群众来信来访。",  # a source named at the end of a line, no footer after it
])
def test_report_sentences_that_look_like_chrome_stay(sentence):
    from pipeline.text.cleaning import clean_report

    cleaned = clean_report("XX局2022年法治政府建设情况报告\n" + LONG_BODY + sentence + "\n" + LONG_BODY + "\n", RULES)
    assert sentence in "".join(p.text for p in cleaned.paragraphs)
