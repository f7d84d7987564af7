"""Many models of one corpus: the K sweep finds the planted number of topics, within budget."""
from __future__ import annotations

import logging
import time

import numpy as np

from pipeline.params import LdaParams
from pipeline.topics.corpus import BowCorpus
from pipeline.topics.choose_k import choose_k, summarise_sweep
from pipeline.topics.ensemble import ModelRun, sweep_models
from topics.planted import planted_corpus

logging.getLogger("gensim").setLevel(logging.WARNING)


def test_k_sweep_recovers_the_planted_k(tmp_path):
    from gensim.corpora import Dictionary

    docs = planted_corpus(k=5, seed=0)
    dictionary = Dictionary(docs)
    bows = [dictionary.doc2bow(d) for d in docs]
    held = np.arange(len(bows)) % 5 == 0
    start = time.perf_counter()
    # Models train on serialised corpora, as the lda stage gives them (workers read, not receive, them).
    corpus = BowCorpus.from_bows(bows, len(dictionary))
    corpus.subset(~held).save(tmp_path / "train.npz")
    corpus.subset(held).save(tmp_path / "heldout.npz")
    rows = sweep_models(ModelRun(dictionary, tmp_path / "train.npz", tmp_path / "heldout.npz"), docs,
                        LdaParams(seed=1, passes=20, no_below=1), range(3, 8), n_seeds=3, jobs=2)
    summaries = summarise_sweep(rows)
    assert choose_k(summaries) == 5, [(s.k, round(s.npmi, 3)) for s in summaries]
    assert {r["k"] for r in rows} == {3, 4, 5, 6, 7} and len(rows) == 15
    # Too few topics merge planted ones: clearly less coherent; perplexity falls towards the truth.
    by_k = {s.k: s for s in summaries}
    assert by_k[3].npmi < by_k[5].npmi - 0.05
    assert by_k[3].perplexity > by_k[5].perplexity
    assert time.perf_counter() - start < 60
