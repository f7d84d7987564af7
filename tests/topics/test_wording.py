"""Weighted log-odds and the helpers of the wording stage: what a theme is said with, terms that
rose, stopword candidates."""
from __future__ import annotations

import numpy as np
import pytest

from pipeline.topics.wording import (PhraseJoiner, is_term, log_odds, normalized_entropy, period_of, period_start,
                                     place_words, ranked_log_odds)


def _ranked(a: dict, b: dict, **options) -> list:
    terms = sorted(set(a) | set(b))
    return ranked_log_odds(np.array(terms, dtype=object), np.array([a.get(t, 0) for t in terms]),
                           np.array([b.get(t, 0) for t in terms]), **options)


def test_the_term_a_group_uses_more_ranks_first_and_the_ranking_turns_over_with_the_groups():
    a = {"信访": 40, "矛盾纠纷": 30, "发展": 100, "经济": 20}
    b = {"信访": 10, "矛盾纠纷": 5, "发展": 400, "经济": 300}
    ranked = _ranked(a, b)
    assert {r.term for r in ranked} == {"信访", "矛盾纠纷"} and all(r.z > 0 for r in ranked)
    assert {r.term for r in _ranked(b, a)} == {"发展", "经济"}
    delta_ab, _ = log_odds(np.array([40, 30, 100, 20]), np.array([10, 5, 400, 300]))
    delta_ba, _ = log_odds(np.array([10, 5, 400, 300]), np.array([40, 30, 100, 20]))
    assert delta_ba == pytest.approx(-delta_ab)


def test_one_occurrence_does_not_outrank_steady_evidence():
    """The prior shrinks a term seen once in the group and never elsewhere below a term seen
    many times more often in the group than outside it."""
    a = {"扫黑除恶": 30, "偶然": 1, "工作": 200}
    b = {"扫黑除恶": 10, "工作": 2000}
    ranked = [r.term for r in _ranked(a, b)]
    assert ranked.index("扫黑除恶") < ranked.index("偶然")


def test_the_top_terms_are_the_head_of_the_whole_ranking_ties_included():
    """Only the candidates near the top are sorted: the result must be the head of the full
    ranking (z descending, ties by term), also where ties straddle the cut and below min_count."""
    rng = np.random.default_rng(0)
    n = 3000
    terms = np.array([f"词{i:05d}" for i in rng.permutation(n)], dtype=object)
    a, b = rng.integers(0, 6, n), rng.integers(0, 6, n)  # small counts: many equal z
    b[(a == 0) & (b == 0)] = 1
    delta, z = log_odds(a, b)
    for min_count in (1, 3):
        full = sorted((i for i in range(n) if z[i] > 0 and a[i] >= min_count), key=lambda i: (-z[i], terms[i]))
        for top in (1, 7, 50, 400, n):
            got = ranked_log_odds(terms, a, b, top=top, min_count=min_count)
            assert [r.term for r in got] == [terms[i] for i in full[:top]]
            assert [r.z for r in got] == [float(z[i]) for i in full[:top]]
        assert len({float(z[i]) for i in full}) < len(full) / 4  # the ties this is about


def test_periods():
    assert [period_of(y, 5, 2000) for y in (1987, 1999, 2000, 2004, 2005, 2026)] == \
        ["1900-1999", "1900-1999", "2000-2004", "2000-2004", "2005-2009", "2025-2029"]
    assert sorted(["2005-2009", "1900-1999", "2000-2004"], key=period_start) == ["1900-1999", "2000-2004", "2005-2009"]


def test_place_names_are_excluded_in_full_and_short_form():
    words = place_words(["广西壮族自治区", "遂溪县", "东莞市", "岭北镇", "北京市", "市"])
    assert {"广西壮族自治区", "广西", "遂溪县", "遂溪", "东莞市", "东莞", "岭北镇", "岭北", "北京"} <= words
    assert not is_term("遂溪", words) and not is_term("2024年", frozenset()) and not is_term("法", frozenset())
    assert is_term("扫黑除恶", words)


def test_phrases_are_joined_longest_first():
    join = PhraseJoiner([(("新质", "生产力"), "新质生产力"), (("渐进式", "延迟", "退休年龄"), "渐进式延迟法定退休年龄"),
                         (("渐进式", "延迟"), "渐进式延迟"), (("代表",), "各位代表")])
    # 法定 is a stopword: the model's tokens no longer hold it, and the phrase is still one term
    assert join(["发展", "新质", "生产力", "实施", "渐进式", "延迟", "退休年龄"]) == \
        ["发展", "新质生产力", "实施", "渐进式延迟法定退休年龄"]
    assert join(["渐进式", "延迟", "改革"]) == ["渐进式延迟", "改革"]
    assert join(["新质", "代表"]) == ["新质", "代表"]  # one part left is no phrase


def test_phrases_are_joined_as_one_left_to_right_scan_joins_them():
    """Phrases found by their first two tokens give what trying every phrase at every token, left
    to right and longest first, gives: on random paragraphs over a few words, with phrases that
    share beginnings, overlap and repeat."""
    rng = np.random.RandomState(0)
    words = ["行政", "执法", "综合", "改革", "体制", "依法", "行政执法"]
    phrases = {tuple(rng.choice(words, size=rng.randint(2, 5))) for _ in range(40)}
    join = PhraseJoiner((parts, "".join(parts) + "*") for parts in phrases)

    def scan(tokens):
        longest_first = sorted(phrases, key=lambda parts: (-len(parts), parts))
        joined, i = [], 0
        while i < len(tokens):
            match = next((p for p in longest_first if tuple(tokens[i:i + len(p)]) == p), None)
            joined.append("".join(match) + "*" if match else tokens[i])
            i += len(match) if match else 1
        return joined

    for _ in range(500):
        tokens = list(rng.choice(words, size=rng.randint(0, 30)))
        assert join(tokens) == scan(tokens)


def test_spread_over_topics():
    spread = normalized_entropy(np.array([[5.0, 5.0, 5.0, 5.0], [9.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]))
    assert spread[0] == pytest.approx(1.0) and spread[1] == pytest.approx(0.0) and spread[2] == 0.0
