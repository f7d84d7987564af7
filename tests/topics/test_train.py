"""Training: a reproducible gensim LDA that finds planted topics from any seed."""
from __future__ import annotations

import logging

from pipeline.params import LdaParams
from pipeline.topics.corpus import vocabulary
from pipeline.topics.measures import match_runs, top_words, topic_stability
from pipeline.topics.train import topic_term_matrix, train_lda
from topics.planted import planted_corpus

logging.getLogger("gensim").setLevel(logging.WARNING)


def test_planted_topics_are_stable_across_seeds():
    from gensim.corpora import Dictionary

    docs = planted_corpus(k=3, n_docs=80, length=30, seed=4)
    dictionary = Dictionary(docs)
    bows = [dictionary.doc2bow(d) for d in docs]
    vocab = vocabulary(dictionary)
    runs = [top_words(topic_term_matrix(train_lda(bows, dictionary, len(bows), LdaParams(k=3, seed=s, passes=15, no_below=1))),
                      vocab, 5) for s in (1, 2, 3)]
    matches = match_runs(runs[0], runs[1:])  # as the quality stage measures stability
    stability = topic_stability(matches, 3)
    assert stability.min() > 0.6, stability
    # Each matched topic is the same planted topic (all top words share its prefix).
    for run, matched in zip(runs[1:], matches):
        for t, (other, _) in enumerate(matched):
            assert {w[:2] for w in runs[0][t]} == {w[:2] for w in run[other]}


def test_a_seeded_topic_starts_from_the_paragraphs_it_may_train_on():
    """Each seeded topic starts from the counts of the paragraphs that name one of its terms and
    are not held out: those the labelled constraint lets it train on (a term two themes share
    starts both)."""
    import numpy as np
    from gensim.corpora import Dictionary

    from pipeline.topics.batch_lda import bow_matrix, labelled_rows
    from pipeline.topics.train import SEEDED_START_PARAGRAPHS, initial_topics

    docs = planted_corpus(k=3, n_docs=120, length=20, seed=4)
    dictionary = Dictionary(docs)
    bows = [dictionary.doc2bow(d) for d in docs]
    counts = bow_matrix(bows, len(dictionary), np.float64)
    shared, own = 0, 1
    seed_ids = [[shared], [shared, own]]
    start, term_counts = initial_topics(bows, len(bows), len(dictionary), 2, 0, seed_ids, smoothing=0.0)
    trains = labelled_rows(counts, seed_ids)
    assert trains[:, 0].any() and (trains[:, 1] >= trains[:, 0]).all()
    for s in range(2):
        expected = np.asarray(counts[np.flatnonzero(trains[:, s])].sum(axis=0)).ravel()
        weight = SEEDED_START_PARAGRAPHS * term_counts.sum() / len(bows)
        assert np.allclose(start[s], expected * min(1, weight / expected.sum()))
    assert np.array_equal(term_counts, np.asarray(counts.sum(axis=0)).ravel())
