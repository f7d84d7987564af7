"""Describing topics: the representative paragraphs of each topic, the strongest first, one per
report before a second of any report."""
from __future__ import annotations

import numpy as np
import pytest

from pipeline.topics.describe import RepresentativeParagraphs


def chosen(n: int, paragraphs) -> dict[int, list[tuple[float, str, int]]]:
    picks = RepresentativeParagraphs(n)
    for chunk in (paragraphs[:2], paragraphs[2:]):  # fed a chunk at a time
        if chunk:
            doc_ids, positions, theta = zip(*chunk)
            picks.add(list(doc_ids), list(positions), np.array(theta, dtype=float))
    return picks.chosen()


def test_representative_paragraphs_are_the_topics_strongest():
    theta = [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.9, 0.1]]
    best = chosen(2, [(f"r{row}", 0, mix) for row, mix in enumerate(theta)])  # each paragraph its own report
    assert {t: [doc_id for _, doc_id, _ in items] for t, items in best.items()} == {0: ["r0", "r3"], 1: ["r1", "r2"]}  # ties by order


@pytest.mark.parametrize("n, expected", [
    (2, [(0.99, "a", 1), (0.50, "b", 1)]),
    (3, [(0.99, "a", 1), (0.98, "a", 2), (0.50, "b", 1)]),
])
def test_representatives_prefer_distinct_reports_then_fill(n, expected):
    paragraphs = [("a", 1, [0.99]), ("a", 2, [0.98]), ("a", 3, [0.97]), ("b", 1, [0.50])]
    assert chosen(n, paragraphs) == {0: expected}


def test_representatives_are_chosen_from_a_stream_per_topic():
    paragraphs = [("a", 0, [0.9, 0.1]), ("a", 1, [0.2, 0.8]), ("b", 0, [0.6, 0.4])]
    best = chosen(2, paragraphs)
    assert best[0] == [(0.9, "a", 0), (0.6, "b", 0)]
    assert best[1] == [(0.8, "a", 1), (0.4, "b", 0)]


def test_count_fragments_and_place_fragments_are_not_keywords():
    from pipeline.topics.keywords import is_keyword, place_fragments

    places = place_fragments(["广东省", "岭北镇"])
    assert {"岭北镇", "岭北", "北镇", "广东", "东省"} <= places
    for fragment in ("一号", "余人次", "三年", "万元", "北镇"):
        assert not is_keyword(fragment, places), fragment
    for term in ("一站式", "三项制度", "一村一法律顾问", "枫桥经验", "条件", "北京", "多元", "多元化解", "多部门"):
        assert is_keyword(term, places), term


def test_top_terms_are_scikit_learns_tfidf_ranking_with_ties_by_term():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from pipeline.topics.keywords import top_terms

    documents = [["乙", "甲", "丙", "甲"], ["丁", "乙", "丁", "戊"], ["甲", "戊", "己"], []]
    vectorizer = TfidfVectorizer(analyzer=lambda tokens: tokens, sublinear_tf=True)
    matrix = vectorizer.fit_transform(documents).toarray()
    expected = [sorted(((term, score) for term, score in zip(vectorizer.get_feature_names_out(), row) if score > 0),
                       key=lambda item: (-item[1], item[0]))[:3] for row in matrix]
    got = list(top_terms(documents, top_n=3))
    assert [[term for term, _ in row] for row in got] == [[term for term, _ in row] for row in expected]
    assert got[2][1:] == [("戊", pytest.approx(expected[2][1][1])), ("甲", pytest.approx(expected[2][2][1]))]  # a tie
    for row, want in zip(got, expected):
        assert [score for _, score in row] == pytest.approx([score for _, score in want])
    assert list(top_terms([[], []])) == [[], []]  # every token a stopword: no keywords, no error
