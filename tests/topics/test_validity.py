"""Theme validity: the measures that say whether a theme's topic is about the theme. They must be
able to fail: a topic whose theme word is spread over unrelated paragraphs fails them."""
from __future__ import annotations

import logging

import numpy as np
import pytest
from gensim.corpora import Dictionary
from scipy import sparse

from pipeline.params import LdaParams
from pipeline.topics.batch_lda import bow_matrix
from pipeline.topics.seeding import seed_term_ids
from pipeline.topics.train import infer_topics, train_lda
from pipeline.topics.batch_lda import held_out_rows
from pipeline.topics.validity import (MIN_MEASURED, ThemeValidity, ThemeValidityCounter, ranking_auc, stability_without_terms,
                                      theme_precision_hits, without_terms, word_shares)
from topics.planted import planted_corpus

logging.getLogger("gensim").setLevel(logging.WARNING)


def test_precision_counts_named_paragraphs_among_as_many_top_weights():
    weights = np.array([0.9, 0.8, 0.1, 0.7, 0.2])
    named = np.array([True, False, False, True, False])
    assert theme_precision_hits(weights, named) == 1  # the top 2 are paragraphs 0 and 1
    assert theme_precision_hits(weights, np.array([True, True, False, True, False])) == 3


def test_auc_is_the_chance_a_named_paragraph_outweighs_another():
    named = np.array([True, True, False, False])
    assert ranking_auc(np.array([0.9, 0.8, 0.1, 0.2]), named) == 1.0
    assert ranking_auc(np.array([0.1, 0.2, 0.9, 0.8]), named) == 0.0
    assert ranking_auc(np.array([0.5, 0.5, 0.5, 0.5]), named) == 0.5  # ties count half
    assert np.isnan(ranking_auc(np.ones(3), np.ones(3, dtype=bool)))


def test_masking_removes_only_the_given_terms():
    counts = sparse.csr_matrix(np.array([[1, 2, 0], [0, 3, 4]], dtype=np.float32))
    masked = without_terms(counts, [1])
    assert masked.toarray().tolist() == [[1, 0, 0], [0, 0, 4]]
    assert masked.nnz == 2


def test_word_shares_leave_the_prior_out():
    alpha = np.array([0.5, 0.5, 0.5])
    gamma = np.array([[0.5, 0.5, 5.5], [3.5, 2.5, 0.5]])  # 5 words, all topic 2; 5 words, 3 and 2
    assert np.allclose(word_shares(gamma, alpha), [[0, 0, 1], [0.6, 0.4, 0]])


def test_stability_without_own_terms_ignores_them():
    own = {"枫桥经验"}
    reference = ["枫桥经验", "信访", "调解", "平安"]
    others = [["枫桥经验", "信访", "调解", "平安"], ["枫桥经验", "教育", "医疗", "就业"]]
    # With the theme's own word, the second run would overlap 1/7; without it, 0.
    assert stability_without_terms(reference, others, own, 3) == pytest.approx((1 + 0) / 2)


def _validity(docs, theme_word):
    dictionary = Dictionary(docs)
    bows = [dictionary.doc2bow(d) for d in docs]
    seed_ids = seed_term_ids([type("S", (), {"terms": (theme_word,)})()], dictionary.token2id)
    model = train_lda(bows, dictionary, len(bows), LdaParams(k=4, seed=3, passes=15, no_below=1), seed_ids)
    counter = ThemeValidityCounter([theme_word], seed_ids)
    counts = bow_matrix(bows, len(dictionary))
    rng = np.random.RandomState(0)
    for start in range(0, len(bows), 70):  # a chunk at a time, as the lda stage feeds it
        counter.add(model, counts[start:start + 70], infer_topics(model, bows[start:start + 70]), rng)
    return counter.results()[0]


def test_a_theme_with_its_own_context_is_found_without_its_word():
    # The theme word is named wherever planted topic 2 is discussed: its context is topic 2.
    docs = planted_corpus(k=5, n_docs=200, length=40, seed=4)
    docs = [d + ["主题词"] if sum(w.startswith("t2") for w in d) >= 4 else d for d in docs]
    result = _validity(docs, "主题词")
    assert result.named_paragraphs == sum("主题词" in d for d in docs)
    assert result.masked_auc > 0.9
    assert result.precision > 0.5


def test_a_theme_word_scattered_over_unrelated_paragraphs_fails():
    # The same word put in every fifth paragraph whatever it is about: no context to learn.
    docs = planted_corpus(k=5, n_docs=200, length=40, seed=4)
    docs = [d + ["主题词"] if i % 5 == 0 else d for i, d in enumerate(docs)]
    result = _validity(docs, "主题词")
    assert result.masked_auc < 0.7
    # Its precision can still pass: the word alone pulls the paragraphs that have it. That is why
    # a theme's topic needs the masked AUC as well as precision to bear the theme's name.
    assert not (result.masked_auc >= LdaParams.theme_min_auc and result.precision >= LdaParams.theme_min_precision)


def test_the_verdict_needs_enough_held_out_paragraphs_and_both_measures():
    def measured(held_out, hits, auc):
        return ThemeValidity("甲", 0, 100, held_out, hits, auc, ())

    assert measured(20, 12, 0.9).verdict(0.5, 0.8) == (True, "precision >= 0.5 and masked AUC >= 0.8")
    assert measured(20, 12, 0.7).verdict(0.5, 0.8) == (False, "masked AUC 0.70 < 0.8")
    assert measured(20, 4, 0.95).verdict(0.5, 0.8) == (False, "precision 0.20 < 0.5")
    named, reason = measured(MIN_MEASURED - 1, MIN_MEASURED - 1, 1.0).verdict(0.5, 0.8)
    assert not named and "too few" in reason


def test_the_held_out_fold_is_the_same_for_counts_of_any_type():
    docs = planted_corpus(k=3, n_docs=300, length=20, seed=1)
    dictionary = Dictionary(docs)
    bows = [dictionary.doc2bow(d) for d in docs]
    as_floats = held_out_rows(bow_matrix(bows, len(dictionary), np.float32))
    for dtype in (np.int32, np.uint8, np.uint16):  # the corpus's counts: the smallest type that holds them
        assert np.array_equal(as_floats, held_out_rows(bow_matrix(bows, len(dictionary), np.float64).astype(dtype)))
    assert 0.1 < as_floats.mean() < 0.3  # about one in five


def test_a_labelled_topic_learns_nothing_from_held_out_or_unnamed_paragraphs():
    docs = planted_corpus(k=4, n_docs=200, length=30, seed=2)
    docs = [d + ["主题词"] if i % 2 == 0 else d for i, d in enumerate(docs)]
    dictionary = Dictionary(docs)
    bows = [dictionary.doc2bow(d) for d in docs]
    counts = bow_matrix(bows, len(dictionary))
    trains = np.array([i % 2 == 0 for i in range(len(docs))]) & ~held_out_rows(counts)
    assert trains.sum() < 100  # some named paragraphs are held out
    seed_ids = seed_term_ids([type("S", (), {"terms": ("主题词",)})()], dictionary.token2id)
    model = train_lda(bows, dictionary, len(bows), LdaParams(k=3, seed=1, passes=10, no_below=1), seed_ids)
    learned = model.state.get_lambda() - model.eta
    unseen = np.asarray(counts[trains].sum(axis=0)).ravel() == 0  # terms of no paragraph it may train on
    assert unseen.sum() > 10
    assert np.all(learned[0, unseen] < 1e-6)
    assert learned[0, dictionary.token2id["主题词"]] > 10
