"""Tokens: jieba keeps policy terms whole, stopwords and filters apply, jobs do not change output."""
from __future__ import annotations

import sys
from collections import Counter

import pytest

from conftest import ROOT, SEEDS
from pipeline.text.boilerplate import load_rules
from pipeline.text.cleaning import clean_report
from pipeline.text.readers import list_reports, read_report
from pipeline.files import PipelineError
from pipeline.params import SegmentParams
from pipeline.parallel import ordered_map
from pipeline.text import tokens
from pipeline.text.tokens import (ACCELERATED_SEGMENTER, ACCELERATOR_EXTRA, ACCELERATOR_RELEASE, OPT_IN_SEGMENTERS,
                                  REFERENCE_SEGMENTER, SEGMENTERS, TokenTableFilter, load_domain_terms,
                                  make_tokenizer, read_stopwords, report_chunks, segment_paragraphs, segment_text,
                                  token_filter)

POLICY_TERMS = ("枫桥经验", "综合行政执法", "法治政府", "习近平法治思想", "放管服", "法律明白人", "三项制度",
                "重大行政决策", "矛盾纠纷", "一站式", "网格员")
DOMAIN_TERMS = load_domain_terms([ROOT / "config" / "domain_terms.txt"])


@pytest.fixture(scope="module")
def seed_paragraphs() -> list[str]:
    rules = load_rules(ROOT / "config" / "boilerplate.txt")
    return [p.text for path in list_reports(SEEDS) for p in clean_report(read_report(path).text, rules).paragraphs]


@pytest.fixture(scope="module")
def tokenizer():
    return make_tokenizer(DOMAIN_TERMS)


@pytest.mark.parametrize("term", POLICY_TERMS)
def test_policy_term_is_one_token_wherever_it_occurs(term, seed_paragraphs, tokenizer):
    occurrences = [text for text in seed_paragraphs if term in text]
    assert occurrences, f"{term} should occur in the seeds"
    for text in occurrences:
        tokens = segment_text(tokenizer, text)
        assert tokens.count(term) == text.count(term), (term, text[:60])


def test_policy_terms_stay_whole_with_parallel_jobs(seed_paragraphs):
    serial = list(segment_paragraphs(seed_paragraphs, DOMAIN_TERMS, jobs=1))
    parallel = list(segment_paragraphs(seed_paragraphs, DOMAIN_TERMS, jobs=2, batch_size=7))
    assert parallel == serial
    tokens = " ".join(parallel).split()
    for term in POLICY_TERMS:
        assert term in tokens


@pytest.mark.parametrize("segmenter", [s for s in SEGMENTERS if s != REFERENCE_SEGMENTER])
def test_faster_segmenter_cuts_the_seeds_as_jieba_does(segmenter, seed_paragraphs):
    """The default and the opt-in segmenters (make test installs them) give jieba's tokens on the
    seeds, policy terms whole, in parallel too; docs/scaling.md gives their measured share on the real
    corpora."""
    pytest.importorskip(segmenter)
    reference = list(segment_paragraphs(seed_paragraphs, DOMAIN_TERMS, jobs=1, segmenter=REFERENCE_SEGMENTER))
    assert list(segment_paragraphs(seed_paragraphs, DOMAIN_TERMS, jobs=2, segmenter=segmenter)) == reference
    cut = make_tokenizer(DOMAIN_TERMS, segmenter)
    for term in POLICY_TERMS:
        for text in (text for text in seed_paragraphs if term in text):
            assert segment_text(cut, text).count(term) == text.count(term), (segmenter, term)


def test_default_segmenter_cuts_where_its_fork_of_jieba_differs_as_jieba_does():
    """Found on the real corpora: jieba 0.42 keeps a hyphen inside a run of text, where its HMM
    makes 新大 a word, and cuts hanzi its HMM never saw as a word (衞, 擧, 坣, 犇) one by one; the
    default segmenter's fork of jieba, left alone, does neither."""
    pytest.importorskip("jieba_next")
    texts = ["坝光国际生物谷、新大-龙岐湾两个重点片区", "加快建设后海-蛇口湾片区", "医药衞生事业也有了发展",
             "所擧办的福利和文化设施", "以沙坣社区为试点", "犇星新材料主板上市"]
    assert SegmentParams.segmenter == ACCELERATED_SEGMENTER == "jieba_next"
    assert tokens.check_segmenter(SegmentParams.segmenter) == "jieba_next", "jieba-next is installed but not used"
    default, reference = make_tokenizer([], SegmentParams.segmenter), make_tokenizer([], REFERENCE_SEGMENTER)
    for text in texts:
        assert segment_text(default, text) == segment_text(reference, text), text
    assert "新大" in segment_text(default, texts[0]) and "衞生" not in segment_text(default, texts[2])


def test_the_accelerator_leaves_the_forks_module_constants_alone():
    """Cutting as jieba does is the default segmenter's own affair: jieba-next's patterns, which
    any other user of it in the process cuts with, are as the fork ships them."""
    tokenizer_module = pytest.importorskip("jieba_next.tokenizer")
    import jieba_next._patterns

    make_tokenizer([], ACCELERATED_SEGMENTER)("新大-龙岐湾")
    assert tokenizer_module.re_han_default is jieba_next._patterns.re_han_default
    assert tokenizer_module.re_han_default.match("新大-龙岐湾").group() == "新大"
    assert "-" in list(tokenizer_module.Tokenizer().cut("新大-龙岐湾"))  # the fork, left alone, cuts there


@pytest.fixture
def without_accelerator(monkeypatch):
    """As where jieba-next is not installed (its import fails): the default segmenter's probe and
    note asked afresh, and again after the test."""
    for name in [name for name in sys.modules if name.startswith("jieba_next.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "jieba_next", None)
    tokens.accelerator_problem.cache_clear()
    tokens._say_once.cache_clear()
    yield
    tokens.accelerator_problem.cache_clear()
    tokens._say_once.cache_clear()


NOTE = ("segment: jieba-next not installed; segmenting with jieba (same tokens, slower). "
        f"pip install '.[{ACCELERATOR_EXTRA}]' to speed it up\n")


def test_default_segmenter_without_jieba_next_is_jieba_said_in_one_line(without_accelerator, seed_paragraphs, capfd):
    """Where jieba-next is not installed (no wheel for the platform, say) the default segmenter is
    jieba itself: the same tokens, the domain dictionary loaded in every worker, and one line
    saying so however many workers and tokenizers."""
    reference = list(segment_paragraphs(seed_paragraphs, DOMAIN_TERMS, jobs=1, segmenter=REFERENCE_SEGMENTER))
    capfd.readouterr()
    assert tokens.check_segmenter(SegmentParams.segmenter) == REFERENCE_SEGMENTER
    assert list(segment_paragraphs(seed_paragraphs, DOMAIN_TERMS, jobs=2, batch_size=7)) == reference
    make_tokenizer(DOMAIN_TERMS)
    out, err = capfd.readouterr()
    assert err == NOTE and out == ""


@pytest.mark.parametrize("accelerated", [True, False], ids=["with jieba-next", "without jieba-next"])
def test_domain_dictionary_reaches_every_worker_either_way(accelerated, request, seed_paragraphs):
    """Each worker process builds its own tokenizer with the domain terms at their high
    frequencies, with or without the accelerator."""
    if accelerated:
        pytest.importorskip("jieba_next")
        assert tokens.check_segmenter(ACCELERATED_SEGMENTER) == ACCELERATED_SEGMENTER
    else:
        request.getfixturevalue("without_accelerator")
        assert tokens.check_segmenter(ACCELERATED_SEGMENTER) == REFERENCE_SEGMENTER
    segmented = list(segment_paragraphs(seed_paragraphs, DOMAIN_TERMS, jobs=2, batch_size=5))
    for text, line in zip(seed_paragraphs, segmented):
        for term in POLICY_TERMS:
            assert line.split().count(term) == text.count(term), (accelerated, term, text[:40])
    # A paragraph the accelerated path gives to jieba itself (擧: see _jieba_next): dictionary too.
    tie_prone = ["所擧办的枫桥经验调解室"] * 4
    segmented = list(segment_paragraphs(tie_prone, DOMAIN_TERMS, jobs=2, batch_size=1))
    assert segmented == list(segment_paragraphs(tie_prone, DOMAIN_TERMS, segmenter=REFERENCE_SEGMENTER))
    assert all("枫桥经验" in line.split() for line in segmented)


def test_another_release_of_jieba_next_is_not_used(monkeypatch, capfd):
    """Only the release checked to cut as jieba does accelerates it; with another, jieba cuts."""
    pytest.importorskip("jieba_next")
    from importlib import metadata

    real_version = metadata.version
    monkeypatch.setattr(metadata, "version", lambda name: "9.9" if name == "jieba-next" else real_version(name))
    tokens.accelerator_problem.cache_clear()
    tokens._say_once.cache_clear()
    try:
        capfd.readouterr()
        assert tokens.check_segmenter(ACCELERATED_SEGMENTER) == REFERENCE_SEGMENTER
        assert capfd.readouterr().err == (f"segment: jieba-next 9.9 is installed, not {ACCELERATOR_RELEASE} (the "
                                          "release checked to cut as jieba does); segmenting with jieba (same tokens, "
                                          f"slower). pip install '.[{ACCELERATOR_EXTRA}]' to speed it up\n")
    finally:
        tokens.accelerator_problem.cache_clear()
        tokens._say_once.cache_clear()


def test_jieba_is_the_only_segmenter_the_project_needs():
    """pyproject.toml: jieba in the core dependencies, jieba-next in its own extra at the release
    the code checks for, and an extra for each opt-in segmenter, named as its package."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11 and later
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = [requirement.split("=")[0].split(">")[0].strip() for requirement in project["dependencies"]]
    assert "jieba" in core
    assert not [name for name in core if name.replace("_", "-").lower() in
                {package for _, (package, _factory) in SEGMENTERS.items()} - {"jieba"}]
    extras = project["optional-dependencies"]
    assert extras[ACCELERATOR_EXTRA] == [f"jieba-next=={ACCELERATOR_RELEASE}"]
    assert SEGMENTERS[ACCELERATED_SEGMENTER][0] == "jieba-next" and ACCELERATED_SEGMENTER not in OPT_IN_SEGMENTERS
    for segmenter in OPT_IN_SEGMENTERS:
        assert segmenter.replace("_", "-") in extras, segmenter


def test_segmenter_choice_reaches_the_workers():
    # rjieba keeps 5G-A whole where jieba cuts it: the choice, not a default, did the cutting.
    pytest.importorskip("rjieba")
    text = ["建成5G-A基站"]
    assert list(segment_paragraphs(text, [], jobs=2)) == ["建成 5G A 基站"]
    assert list(segment_paragraphs(text, [], jobs=2, segmenter="rjieba")) == ["建成 5G-A 基站"]


def test_unknown_or_missing_segmenter_is_a_clear_error(monkeypatch):
    with pytest.raises(PipelineError, match="unknown segmenter 'thulac': one of jieba, jieba_fast"):
        make_tokenizer(DOMAIN_TERMS, "thulac")
    monkeypatch.setitem(sys.modules, "rjieba", None)  # as if not installed: its import fails
    with pytest.raises(PipelineError, match=r"segmenter rjieba is not installed .*`make topics SEGMENTER=rjieba` "
                                            r"installs it, or pip install rjieba"):
        list(segment_paragraphs(["法治政府"], DOMAIN_TERMS, segmenter="rjieba"))


def test_filter_drops_stopwords_punctuation_numbers_and_single_characters():
    tokens = ["我镇", "深入", "推进", "枫桥经验", ",", "。", "2025", "2025年", "二十", "镇", "矛盾纠纷", "(", "网格员"]
    kept = token_filter({"我镇", "推进"})(tokens)
    assert kept == ["深入", "枫桥经验", "矛盾纠纷", "网格员"]
    with_numbers = token_filter(set(), keep_numbers=True)(tokens)
    assert "2025年" in with_numbers and "2025" in with_numbers and "," not in with_numbers


def test_token_table_filter_counts_tokens_and_reports_the_same_in_any_number_of_processes():
    lines = ["a\t0\t枫桥经验 推进 矛盾纠纷\n", "a\t1\t枫桥经验 ，\n", "b\t0\t推进 枫桥经验\n", "b\t1\t\n",
             "c\t0\t网格员 网格员 我镇\n"] * 3  # the same reports again later: counted as runs of lines
    chunks = list(report_chunks(lines, 2))
    assert all(chunk[0].partition("\t")[0] != previous[-1].partition("\t")[0]
               for previous, chunk in zip(chunks, chunks[1:]))  # cut only where the report changes
    assert sum(chunks, []) == lines
    task = TokenTableFilter(frozenset({"我镇", "推进"}))
    for jobs in (1, 2):
        results = list(ordered_map(task, report_chunks(lines, 2), jobs))
        assert "".join(text for text, *_ in results) == "".join(
            ["a\t0\t枫桥经验 矛盾纠纷\n", "a\t1\t枫桥经验\n", "b\t0\t枫桥经验\n", "b\t1\t\n", "c\t0\t网格员 网格员\n"] * 3)
        counts = sum((c for _, c, _, _ in results), Counter())
        report_counts = sum((r for _, _, r, _ in results), Counter())
        assert counts == {"枫桥经验": 9, "矛盾纠纷": 3, "网格员": 6}
        assert report_counts == {"枫桥经验": 6, "矛盾纠纷": 3, "网格员": 3}  # a report's repeats count once
        assert sum(n for *_, n in results) == 18


def test_segmentation_drops_white_space_and_punctuation_but_keeps_mixed_terms():
    tokenizer = make_tokenizer([("互联网+政务服务", 200_000)])
    tokens = segment_text(tokenizer, "推进“互联网+政务服务”, 2025年 办结率100%。")
    assert "互联网+政务服务" in tokens and "2025" in tokens
    assert not any(t in tokens for t in ("“", "”", ",", "。", " ", "%"))


def test_shipped_stopword_lists_cover_the_genre():
    stopwords = read_stopwords([ROOT / "stopwords"])
    for word in ("的", "和", "我镇", "进一步", "加强", "推进"):
        assert word in stopwords
    for theme in POLICY_TERMS:
        assert theme not in stopwords


def test_stopword_lists_ignore_comments_and_blank_lines(tmp_path):
    (tmp_path / "a.txt").write_text("# a comment\n\n甲乙  # trailing comment\n丙丁\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("戊己\n", encoding="utf-8")
    assert read_stopwords([tmp_path]) == {"甲乙", "丙丁", "戊己"}
