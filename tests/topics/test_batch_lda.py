"""The batched E-step and the in-memory corpus: the same numbers as gensim's own code."""
from __future__ import annotations

import logging

import numpy as np
import pytest

from pipeline.params import LdaParams
from pipeline.topics.batch_lda import BatchLdaModel, corpus_bound
from pipeline.topics.corpus import BowCorpus, count_tokens, filtered_vocabulary, selected_counts
from topics.planted import planted_corpus

logging.getLogger("gensim").setLevel(logging.WARNING)


def test_e_step_matches_gensims_per_paragraph_loop():
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel

    docs = planted_corpus(k=5, seed=3)
    dictionary = Dictionary(docs)
    bows = [dictionary.doc2bow(d) for d in docs] + [[]]  # an empty paragraph too
    model = LdaModel(bows, id2word=dictionary, num_topics=5, random_state=0, passes=2, alpha=0.5, iterations=200)
    batch = BatchLdaModel(id2word=dictionary, num_topics=5, random_state=0, alpha=0.5, iterations=200)
    batch.expElogbeta = model.expElogbeta
    for m in (model, batch):
        m.random_state = np.random.RandomState(7)  # the same random starts
    gamma, sstats = model.inference(bows, collect_sstats=True)
    batch_gamma, batch_sstats = batch.inference(BowCorpus.from_bows(bows, len(dictionary)), collect_sstats=True)
    theta, batch_theta = (g / g.sum(axis=1, keepdims=True) for g in (gamma, batch_gamma))
    assert np.abs(theta - batch_theta).max() < 1e-3
    assert np.allclose(sstats, batch_sstats, rtol=1e-3, atol=1e-2)
    assert abs(sstats.sum() - sum(c for bow in bows for _, c in bow)) < 1  # every token counted once


def test_chunked_bound_is_gensims_bound():
    from gensim.corpora import Dictionary

    docs = planted_corpus(k=4, seed=2)
    dictionary = Dictionary(docs)
    bows = [dictionary.doc2bow(d) for d in docs]
    model = BatchLdaModel(bows, id2word=dictionary, num_topics=4, random_state=0, passes=2, alpha=0.5)
    model.random_state = np.random.RandomState(7)
    gamma, _ = model.inference(bows)
    model.random_state = np.random.RandomState(7)  # the same gamma again, inferred in one chunk
    expected = model.bound(bows, gamma=gamma[:, None, :])
    assert corpus_bound(model, bows, chunksize=len(bows)) == pytest.approx(expected, rel=1e-6)


def test_vocabulary_and_bags_match_gensims_dictionary():
    from gensim.corpora import Dictionary

    docs = planted_corpus(k=4, seed=1)
    params = LdaParams(no_below=3, no_above=0.3, keep_n=60)
    reference = Dictionary(docs)
    reference.filter_extremes(no_below=params.no_below, no_above=params.no_above, keep_n=params.keep_n)
    types, all_counts = count_tokens(docs)
    dictionary, kept = filtered_vocabulary(types, all_counts, params)
    counts, rows, _ = selected_counts(all_counts, kept, min_tokens=0)
    assert rows.tolist() == list(range(len(docs)))
    assert set(dictionary.token2id) == set(reference.token2id) and len(dictionary) == 60
    assert all(dictionary.dfs[i] == reference.dfs[reference.token2id[t]] for t, i in dictionary.token2id.items())
    corpus = BowCorpus(counts)
    for doc, bow in zip(docs, corpus):
        expected = sorted((dictionary.token2id[t], doc.count(t)) for t in set(doc) if t in dictionary.token2id)
        assert [tuple(pair) for pair in bow.tolist()] == expected
    assert corpus.term_frequency().sum() == corpus.lengths().sum() == counts.sum()


def test_each_paragraphs_result_and_each_parts_statistics_do_not_depend_on_their_neighbours():
    """A chunk's rows computed together or in groups give the same gamma and the same statistics
    per part, bit for bit: what lets any number of processes share a chunk."""
    from gensim.corpora import Dictionary

    from pipeline.topics.batch_lda import bow_matrix, e_step

    docs = planted_corpus(k=4, seed=6)
    dictionary = Dictionary(docs)
    counts = bow_matrix([dictionary.doc2bow(d) for d in docs], len(dictionary))
    model = BatchLdaModel(id2word=dictionary, num_topics=4, random_state=0, alpha=0.5)
    start = np.random.RandomState(1).gamma(100., 1. / 100., (counts.shape[0], 4)).astype(np.float32)
    n = counts.shape[0]
    parts = np.linspace(0, n, 7).astype(int)
    args = (model.expElogbeta, model.alpha)
    whole_gamma, whole_parts = e_step(*args, counts, start.copy(), 50, 0.001, parts)
    split = parts[3]
    head_gamma, head_parts = e_step(*args, counts[:split], start[:split].copy(), 50, 0.001, parts[:4])
    tail_gamma, tail_parts = e_step(*args, counts[split:], start[split:].copy(), 50, 0.001, parts[3:] - split)
    assert np.array_equal(whole_gamma, np.concatenate([head_gamma, tail_gamma]))
    for whole, grouped in zip(whole_parts, head_parts + tail_parts):
        assert np.array_equal(whole.terms, grouped.terms) and np.array_equal(whole.values, grouped.values)


@pytest.mark.parametrize("jobs", [2, 3])
def test_e_step_in_worker_processes_gives_the_same_model(tmp_path, monkeypatch, jobs):
    """The lda stage shares each chunk's E-step between processes: the model, bit for bit, and
    its saved file do not depend on how many."""
    from gensim.corpora import Dictionary

    from pipeline.parallel import worker_map
    from pipeline.topics import batch_lda
    from pipeline.topics.train import train_lda

    monkeypatch.setattr(batch_lda, "MIN_PART_PARAGRAPHS", 2)  # so these chunks of 40 have 16 parts

    docs = planted_corpus(k=4, seed=5)
    dictionary = Dictionary(docs)
    corpus = BowCorpus.from_bows([dictionary.doc2bow(d) for d in docs], len(dictionary))
    params = LdaParams(k=4, passes=3, chunksize=40, restarts=1)
    serial = train_lda(corpus, dictionary, len(corpus), params)
    with worker_map(jobs) as workers:
        shared = train_lda(corpus, dictionary, len(corpus), params, workers=workers)
        assert np.array_equal(shared.inference(corpus)[0], serial.inference(corpus)[0])
    assert np.array_equal(shared.expElogbeta, serial.expElogbeta)
    shared.save(str(tmp_path / "model"))  # the pool is not saved with it
    loaded = BatchLdaModel.load(str(tmp_path / "model"))
    assert np.array_equal(loaded.expElogbeta, serial.expElogbeta) and "workers" not in vars(loaded)


@pytest.mark.parametrize("k", [5, 8])
def test_m_step_without_gensims_logging_trains_the_same_model(k):
    """The M-step skips what gensim computes only for its log and leaves exp(E[log beta]) to
    each E-step's processes, and keeps its random draw: the model is gensim's M-step's, bit for
    bit, with gensim's exp(E[log beta]) computed as ours is (scipy's digamma; gensim's own
    differs in the last bits). gensim's print_topics draws only for K > 5; small chunks, so later
    chunks' random starts follow many M-steps."""
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel

    from pipeline.topics.batch_lda import expected_topic_words

    class WithGensimsMStep(BatchLdaModel):
        do_mstep = LdaModel.do_mstep

        def sync_state(self, current_Elogbeta=None):
            self.expElogbeta = expected_topic_words(*self._lambda_and_totals())

    docs = planted_corpus(k=6, seed=4)
    dictionary = Dictionary(docs)
    bows = [dictionary.doc2bow(d) for d in docs]
    models = [cls(bows, id2word=dictionary, num_topics=k, random_state=0, passes=2, chunksize=10, alpha=0.5)
              for cls in (BatchLdaModel, WithGensimsMStep)]
    assert np.array_equal(models[0].expElogbeta, models[1].expElogbeta)
    assert np.array_equal(models[0].inference(bows)[0], models[1].inference(bows)[0])


def test_expected_topic_words_on_some_terms_are_those_columns_of_all():
    """Each process computes exp(E[log beta]) on the terms its paragraphs use: a column must not
    depend on which others are computed with it, or the model would depend on the processes."""
    from scipy.special import psi

    from pipeline.topics.batch_lda import expected_topic_words

    lam = np.random.RandomState(0).gamma(0.3, 2.0, (7, 1001)).astype(np.float32) + 0.01
    totals = psi(lam.sum(axis=1))
    whole = expected_topic_words(lam, totals)
    for terms in (np.arange(3), np.arange(1, 1001, 7), np.array([1000]), np.sort(np.random.RandomState(1).choice(1001, 333, replace=False))):
        assert np.array_equal(expected_topic_words(lam[:, terms], totals), whole[:, terms])


def test_tokens_counted_in_blocks_are_each_paragraphs_counts():
    from collections import Counter

    docs = planted_corpus(k=3, seed=7)
    # An empty paragraph, and one whose count needs two bytes (in a block whose others fit in one).
    docs = docs[:5] + [[], ["法治"] * 300] + docs[5:]
    types, counts = count_tokens(iter(docs), block_tokens=60)  # 40 tokens a paragraph: a block every other one
    assert types == list(dict.fromkeys(t for d in docs for t in d))  # first-seen order
    assert counts.shape == (len(docs), len(types)) and counts.dtype == np.uint16
    for doc, row in zip(docs, counts):
        assert dict(zip((types[i] for i in row.indices), row.data.tolist())) == Counter(doc)


def test_iterating_a_corpus_gives_each_rows_pairs_across_blocks(monkeypatch):
    docs = planted_corpus(k=3, seed=8)
    types, counts = count_tokens(docs)
    monkeypatch.setattr(BowCorpus, "ITERATION_BLOCK", 6)
    rows = list(BowCorpus(counts))
    assert len(rows) == len(docs)
    for row, bow in zip(rows, counts):
        assert row.tolist() == [[int(i), int(c)] for i, c in zip(bow.indices, bow.data)]
