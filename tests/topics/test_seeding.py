"""Seeded topics: coverage counted before fitting, the rule for which themes get a topic, the
prior, and a seeded topic that finds its theme's words."""
from __future__ import annotations

import dataclasses
import logging

import numpy as np

from pipeline.params import LdaParams
from pipeline.text.themes import Theme, parse_themes
from pipeline.topics.seeding import KeywordCoverage, choose_seeds, seed_prior, seed_term_ids
from pipeline.topics.train import infer_topics, topic_term_matrix, train_lda
from topics.planted import planted_corpus

logging.getLogger("gensim").setLevel(logging.WARNING)


def test_a_star_marks_a_seeded_theme():
    themes = parse_themes(["* 枫桥经验", "*综合行政执法 = 综合执法", "普法 = 法治宣传"])
    assert [(t.name, t.aliases, t.seeded) for t in themes] == [
        ("枫桥经验", (), True), ("综合行政执法", ("综合执法",), True), ("普法", ("法治宣传",), False)]


def test_coverage_counts_paragraphs_and_reports_per_term_and_theme():
    themes = [Theme("综合行政执法", ("综合执法",), True), Theme("普法")]
    rows = [("a", 0, ["综合行政执法", "改革", "综合执法"]), ("a", 1, ["综合执法"]), ("b", 0, ["普法", "综合执法"]),
            ("c", 0, ["其他"])]
    coverage = KeywordCoverage(themes)
    assert list(coverage.observe(rows)) == rows  # rows pass through unchanged
    assert coverage.term_rows({"综合执法": 0}) == [("综合行政执法", "综合行政执法", 0, 1, 1),
                                                 ("综合行政执法", "综合执法", 1, 3, 2), ("普法", "普法", 0, 1, 1)]
    assert coverage.theme_paragraphs["综合行政执法"] == 3  # a paragraph with both terms counts once
    assert coverage.theme_reports["综合行政执法"] == {"a", "b"}
    assert coverage.n_paragraphs == 4


def test_only_marked_themes_common_enough_and_in_the_vocabulary_are_seeded():
    themes = [Theme("甲", seeded=True), Theme("乙", seeded=True), Theme("丙", seeded=True), Theme("丁")]
    rows = [(f"r{i}", 0, ["甲"] * (i < 30) + ["乙"] * (i < 4) + ["丁"]) for i in range(1000)]
    coverage = KeywordCoverage(themes)
    list(coverage.observe(rows))
    vocabulary = {"甲": 0, "乙": 1, "丁": 2}  # 丙 never occurs, so it is not in the vocabulary
    params = LdaParams(no_below=3, seed_min_share=0.005)  # floor: 5 of 1000 paragraphs
    decisions, seeds = choose_seeds(coverage, vocabulary, 1000, params)
    assert [(d.theme, d.seeded) for d in decisions] == [("甲", True), ("乙", False), ("丙", False), ("丁", False)]
    assert "too rare" in decisions[1].reason and "fewer than 5" in decisions[1].reason
    assert "vocabulary" in decisions[2].reason
    assert "not marked" in decisions[3].reason
    assert [s.theme for s in seeds] == ["甲"]
    _, plain = choose_seeds(coverage, vocabulary, 1000, dataclasses.replace(params, seeded=False))
    assert plain == []


def test_the_prior_adds_the_seed_terms_counts_to_their_own_topic_only():
    counts = np.array([10.0, 4.0, 6.0, 1.0])
    prior = seed_prior(0.01, 2, [[1], [2, 3]], counts, 10.0)
    assert prior.shape == (4, 4)  # 2 seeded + 2 free topics
    assert prior[0, 1] == 0.01 + 40 and prior[1, 2] == 0.01 + 60 and prior[1, 3] == 0.01 + 10
    untouched = np.ones_like(prior, dtype=bool)
    untouched[0, 1] = untouched[1, 2] = untouched[1, 3] = False
    assert np.all(prior[untouched] == 0.01)


def test_a_seeded_topic_comes_first_and_carries_its_theme_words():
    from gensim.corpora import Dictionary

    docs = planted_corpus(k=4, n_docs=120, length=30, seed=2)
    dictionary = Dictionary(docs)
    bows = [dictionary.doc2bow(d) for d in docs]
    # Seed the planted topic 3 by one of its mid-frequency words: the seeded topic should be topic 3.
    seed_ids = seed_term_ids([type("S", (), {"terms": ("t3w4",)})()], dictionary.token2id)
    params = LdaParams(k=3, seed=5, passes=15, no_below=1)
    model = train_lda(bows, dictionary, len(bows), params, seed_ids)
    assert model.num_topics == 4
    phi = topic_term_matrix(model)
    top = [dictionary[i] for i in np.argsort(-phi[0])[:10]]
    assert sum(w.startswith("t3") for w in top) >= 8, top  # the seeded topic is the planted topic
    again = topic_term_matrix(train_lda(bows, dictionary, len(bows), params, seed_ids))
    assert np.array_equal(phi, again)  # reproducible
    # A labelled topic: no weight at all in a paragraph without its term, some in most with it.
    mixes = infer_topics(model, bows)
    has_term = np.array(["t3w4" in d for d in docs])
    assert np.all(mixes[~has_term, 0] == 0)
    assert np.mean(mixes[has_term, 0] > 0.05) > 0.8
    assert np.allclose(mixes.sum(axis=1), 1)


def test_coverage_merged_from_parts_is_one_passs():
    """The lda stage counts coverage in worker processes, a chunk of reports each, and merges it."""
    themes = [Theme("综合行政执法", ("综合执法",), True), Theme("普法")]
    rows = [("a", 0, ["综合行政执法", "改革", "综合执法"]), ("a", 1, ["综合执法"]), ("b", 0, ["普法", "综合执法"]),
            ("c", 0, ["其他"]), ("c", 1, ["普法"])]
    whole = KeywordCoverage(themes)
    list(whole.observe(rows))
    merged = KeywordCoverage(themes)
    for part_rows in (rows[:2], rows[2:3], [], rows[3:]):
        part = KeywordCoverage(themes)
        list(part.observe(part_rows))
        merged.merge(part)
    assert merged.term_rows({}) == whole.term_rows({})
    for field in ("paragraphs", "reports", "theme_paragraphs", "theme_reports", "n_paragraphs"):
        assert getattr(merged, field) == getattr(whole, field), field
    assert merged.theme_reports["普法"] == {"b", "c"}
