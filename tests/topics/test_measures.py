"""Measures of topics: NPMI as gensim computes it, diversity, exclusivity, relevance, FREX,
held-out perplexity, and topics matched across runs."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from pipeline.topics.measures import (Cooccurrence, completion_perplexity, exclusivity_per_topic, frex, match_runs,
                                      match_topics, npmi_per_topic, relevance, relevance_score, topic_diversity,
                                      topic_stability)
from topics.planted import planted_corpus


def test_npmi_equals_gensim_c_npmi():
    from gensim.corpora import Dictionary
    from gensim.models import CoherenceModel

    rng = np.random.default_rng(1)
    vocab = [f"w{i}" for i in range(60)]
    # No word twice in a text: gensim's window bookkeeping then counts exactly as the definition.
    texts = [list(rng.choice(vocab, size=rng.integers(3, 25), replace=False)) for _ in range(80)]
    topics = [list(rng.choice(vocab, size=10, replace=False)) for _ in range(4)]
    dictionary = Dictionary(texts)
    expected = CoherenceModel(topics=topics, texts=texts, dictionary=dictionary, coherence="c_npmi",
                              topn=10, processes=1).get_coherence_per_topic()
    assert npmi_per_topic(topics, texts) == pytest.approx(expected, abs=1e-9)


def test_npmi_extremes_and_unknown_words():
    texts = [["a", "b"], ["a", "b"], ["c", "d"], ["c", "d"]]
    cooc = Cooccurrence.from_texts(texts, ["a", "b", "c", "never"])
    assert cooc.npmi("a", "b") == pytest.approx(1.0, abs=1e-6)  # always together
    assert cooc.npmi("a", "c") < -0.9  # never together
    assert cooc.npmi("a", "never") == -1.0  # absent from the reference: the minimum


def test_diversity_exclusivity_relevance_frex():
    assert topic_diversity([["a", "b"], ["c", "d"]]) == 1.0
    assert topic_diversity([["a", "b"], ["a", "b"]]) == 0.5
    phi = np.array([[0.7, 0.1, 0.1, 0.1], [0.1, 0.1, 0.1, 0.7]])
    assert exclusivity_per_topic(phi, 1) == pytest.approx([0.875, 0.875])
    shared = np.array([[0.5, 0.5], [0.5, 0.5]])
    assert exclusivity_per_topic(shared, 2) == pytest.approx([0.5, 0.5])
    # Relevance with lambda < 1 demotes a word that is frequent everywhere.
    phi = np.array([[0.40, 0.35, 0.25], [0.40, 0.05, 0.55]])
    frequency = np.array([100.0, 10.0, 20.0])
    assert np.argmax(phi[0]) == 0 and np.argmax(relevance(phi, frequency, 0.6)[0]) == 1
    # A vocabulary term the modelled text never contains ranks last, not first (its lift is not infinite).
    rare = np.array([[0.40, 0.35, 0.25, 1e-8], [0.40, 0.05, 0.55, 1e-8]])
    scores = relevance(rare, np.array([100.0, 10.0, 20.0, 0.0]), 0.6)
    assert np.argmin(scores[0]) == 3 and np.argmax(scores[0]) == 1 and np.isneginf(scores[0, 3])
    # The formula itself, on the log probabilities and lifts LDAvis lists: λ=1 is the probability,
    # λ=0 the lift, and the matrix version is it on log phi and log(phi / p(w)).
    log_prob, log_lift = np.array([-1.0, -5.0]), np.array([0.1, 3.0])
    assert relevance_score(log_prob, log_lift, 1.0).tolist() == log_prob.tolist()
    assert relevance_score(log_prob, log_lift, 0.0).tolist() == log_lift.tolist()
    topic = np.array([[0.40, 0.35, 0.25]])
    lift = topic / (frequency / frequency.sum())
    assert relevance(topic, frequency, 0.3) == pytest.approx(relevance_score(np.log(topic), np.log(lift), 0.3))
    # FREX: 1 for a word ranked first in both frequency and exclusivity within its topic.
    phi = np.array([[0.30, 0.50, 0.20], [0.50, 0.05, 0.45]])
    scores = frex(phi)
    assert scores[0, 1] == pytest.approx(1.0) and np.all((scores > 0) & (scores <= 1))


def test_completion_perplexity_rewards_the_true_topics():
    docs = planted_corpus(k=2, n_docs=30, length=30, noise=0.0, seed=3)
    vocab = sorted({w for d in docs for w in d})
    index = {w: i for i, w in enumerate(vocab)}
    bows = [sorted(Counter(index[w] for w in d).items()) for d in docs]
    true_phi = np.array([[1.0 if w.startswith(f"t{t}") else 1e-9 for w in vocab] for t in range(2)])
    true_phi /= true_phi.sum(axis=1, keepdims=True)

    def infer(bow):  # the topic of the observed half's words, smoothed
        mass = np.array([sum(c for term, c in bow if vocab[term].startswith(f"t{t}")) for t in range(2)]) + 0.1
        return mass / mass.sum()

    uniform = np.full((2, len(vocab)), 1 / len(vocab))
    assert completion_perplexity(true_phi, bows, infer) < completion_perplexity(uniform, bows, infer) == pytest.approx(len(vocab))


# ---- matching topics across runs --------------------------------------------------------------


def test_match_topics_recovers_a_permutation():
    reference = [["a", "b", "c"], ["d", "e", "f"], ["g", "h", "i"]]
    other = [["g", "h", "x"], ["a", "b", "c"], ["d", "e", "f"]]
    assert match_topics(reference, other) == [(1, 1.0), (2, 1.0), (0, 0.5)]
    # Greedy matching would pair topic 0 with the first close topic; Hungarian maximises the total.
    reference = [["a", "b"], ["a", "c"]]
    other = [["a", "c"], ["a", "b", "c"]]
    pairs = match_topics(reference, other)
    assert sorted(p for p, _ in pairs) == [0, 1] and pairs[1] == (0, 1.0)


def test_match_topics_with_fewer_topics_leaves_some_unmatched():
    assert match_topics([["a"], ["b"], ["c"]], [["b"]]) == [(-1, 0.0), (0, 1.0), (-1, 0.0)]


def test_stability_is_the_mean_overlap_of_the_matched_topics_on_their_top_words():
    reference = [["a", "b", "x"], ["c", "d", "y"]]
    runs = [[["c", "d", "z"], ["a", "b", "w"]], [["a", "b", "x"], ["c", "e", "y"]]]
    # On the first two words: run 1 has both topics (swapped), run 2 topic 0 and half of topic 1.
    matches = match_runs(reference, runs, top_n=2)
    assert matches == [[(1, 1.0), (0, 1.0)], [(0, 1.0), (1, pytest.approx(1 / 3))]]
    assert topic_stability(matches, 2) == pytest.approx([1.0, 2 / 3])
    assert match_runs(reference, runs)[0] == [(1, 0.5), (0, 0.5)]  # every word when top_n is None
    assert np.isnan(topic_stability([], 2)).all() and len(topic_stability([], 2)) == 2  # no other runs
