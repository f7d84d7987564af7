"""Weighted log-odds and the helpers of the wording stage: what a theme is said with, terms that
rose, stopword candidates."""
from __future__ import annotations

import numpy as np
import pytest

from pipeline.topics.wording import (PhraseJoiner, is_term, normalized_entropy, period_of, period_start, place_words,
                                     weighted_log_odds)


def test_the_term_a_group_uses_more_ranks_first_and_the_ranking_turns_over_with_the_groups():
    a = {"信访": 40, "矛盾纠纷": 30, "发展": 100, "经济": 20}
    b = {"信访": 10, "矛盾纠纷": 5, "发展": 400, "经济": 300}
    ranked = weighted_log_odds(a, b)
    assert [r.term for r in ranked[:2]] == ["矛盾纠纷", "信访"] or [r.term for r in ranked[:2]] == ["信访", "矛盾纠纷"]
    assert ranked[-1].term == "经济" and ranked[-1].z < 0
    reverse = {r.term: r.delta for r in weighted_log_odds(b, a)}
    for r in ranked:
        assert reverse[r.term] == pytest.approx(-r.delta)


def test_one_occurrence_does_not_outrank_steady_evidence():
    """The prior shrinks a term seen once in the group and never elsewhere below a term seen
    many times more often in the group than outside it."""
    a = {"扫黑除恶": 30, "偶然": 1, "工作": 200}
    b = {"扫黑除恶": 10, "工作": 2000}
    ranked = [r.term for r in weighted_log_odds(a, b)]
    assert ranked.index("扫黑除恶") < ranked.index("偶然")


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


def test_spread_over_topics():
    spread = normalized_entropy(np.array([[5.0, 5.0, 5.0, 5.0], [9.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]))
    assert spread[0] == pytest.approx(1.0) and spread[1] == pytest.approx(0.0) and spread[2] == 0.0
