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
