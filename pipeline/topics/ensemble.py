"""Training many models of one corpus: the K sweep and the stability runs.

Each model depends only on its own parameters (seed included), so the results do not depend on
how many processes train them.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Sequence

import numpy as np

from ..parallel import ordered_map
from ..params import LdaParams
from ..progress import progress
from .measures import (DIVERSITY_TOP_N, NPMI_TOP_N, Cooccurrence, completion_perplexity, exclusivity_per_topic,
                       npmi_per_topic, top_words, topic_diversity)
from .choose_k import choose_k, coarse_grid, refinements, summarise_sweep
from .corpus import BowCorpus, vocabulary
from .train import infer_topics, topic_term_matrix, train_lda


class ModelRun:
    """A picklable task: train one model on a serialised corpus with the given parameters; return
    its top words and the measures that need the model itself (exclusivity, and held-out
    perplexity when a held-out corpus is given). ``seed_ids``: the seeded topics' term ids."""

    def __init__(self, dictionary, corpus: Path, heldout: Path | None = None, seed_ids: Sequence[Sequence[int]] = ()):
        self.dictionary, self.corpus, self.heldout, self.seed_ids = dictionary, corpus, heldout, seed_ids

    def __call__(self, params: LdaParams) -> dict:
        import logging

        logging.getLogger("gensim").setLevel(logging.WARNING)
        corpus = BowCorpus.load(self.corpus)
        model = train_lda(corpus, self.dictionary, len(corpus), params, self.seed_ids)
        phi = topic_term_matrix(model)
        words = top_words(phi, vocabulary(self.dictionary), DIVERSITY_TOP_N)
        result = {"k": params.k, "seed": params.seed, "words": words,
                  "exclusivity": float(exclusivity_per_topic(phi).mean())}
        if self.heldout is not None:
            def infer(bow):
                return infer_topics(model, [bow])[0]  # the labelled topics' constraint as in the outputs

            result["perplexity"] = completion_perplexity(phi, BowCorpus.load(self.heldout), infer)
        return result


def train_many(run: ModelRun, params: Sequence[LdaParams], jobs: int, desc: str) -> list[dict]:
    """:class:`ModelRun` for each parameter set, in ``jobs`` processes, its progress shown as
    ``desc`` ("stage: step")."""
    results = ordered_map(run, params, max(1, min(jobs, len(params))))
    return list(progress(results, total=len(params), desc=desc, unit="model"))


def sweep_models(run: ModelRun, texts: list[list[str]], params: LdaParams, ks: Sequence[int], n_seeds: int,
                 jobs: int = 1) -> list[dict]:
    """Train ``n_seeds`` models (seeds params.seed, +1, ...) per K and measure each: NPMI against
    ``texts``, topic diversity, exclusivity, and held-out perplexity.

    Coarse to fine: every other K first (:func:`coarse_grid`), then the neighbours of the K the
    rule chooses, until the chosen K's neighbours in ``ks`` are all trained."""
    results: list[dict] = []
    grid = coarse_grid(ks)
    while grid:
        results += train_many(run, [dataclasses.replace(params, k=k, seed=params.seed + s)
                                    for k in grid for s in range(n_seeds)], jobs, "lda: K sweep")
        rows = _score(results, texts)
        grid = refinements(ks, {r["k"] for r in rows}, choose_k(summarise_sweep(rows)))
    return sorted(rows, key=lambda r: (r["k"], r["seed"]))


def _score(results: list[dict], texts: list[list[str]]) -> list[dict]:
    # One co-occurrence count for every model's top words: each model is then scored in microseconds.
    cooc = Cooccurrence.from_texts(texts, sorted({w for r in results for t in r["words"] for w in t[:NPMI_TOP_N]}))
    return [{"k": r["k"], "seed": r["seed"], "npmi": float(np.mean(npmi_per_topic(r["words"], cooc=cooc))),
             "diversity": topic_diversity(r["words"]), "exclusivity": r["exclusivity"],
             "perplexity": r["perplexity"]} for r in results]
