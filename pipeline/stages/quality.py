"""quality: lda/ -> quality/: how stable each topic is across seeds. The same parameters (and
seeded topics) are trained with RUNS-1 other seeds, each run's topics are matched to the model's
by top-word overlap (Hungarian matching), and each topic gets its mean Jaccard overlap, written
beside its share and NPMI, seeded topics next to free ones; a seeded topic also against the same
theme's topic of each run with the theme's own terms left out. Last, quality/model.sha256 records
which lda/document_topics.csv that was (the report shows stability only for its own model)."""
from __future__ import annotations

import dataclasses

import numpy as np

from ..artifacts import (CORPUS, DOCUMENT_TOPICS, PLOT_TOPIC_QUALITY, QUALITY_BASIS, RUNS, SEEDED_TOPICS, STABILITY_RUNS,
                         TOPIC_STABILITY, TOPIC_SUMMARY, Run)
from ..figures.bars import plot_topic_quality
from ..params import LdaParams, QualityParams
from ..topics.ensemble import ModelRun, train_many
from ..topics.corpus import vocabulary
from ..topics.measures import (DIVERSITY_TOP_N, NPMI_TOP_N, Cooccurrence, match_runs, npmi_per_topic, top_words,
                               topic_diversity, topic_stability)
from ..topics.seeding import SeedTopic, seed_term_ids
from ..topics.prevalence import nan_to_none
from ..topics.train import topic_term_matrix
from ..topics.validity import stability_without_terms


def run(run: Run, params: QualityParams) -> None:
    run.path(QUALITY_BASIS).unlink(missing_ok=True)  # until the new runs are all written, none is current
    basis = run.fingerprint(DOCUMENT_TOPICS)  # before training: the model compared with is this one
    lda = run.read_params("lda", LdaParams)
    model, dictionary = run.load_model()
    vocab = vocabulary(dictionary)
    phi = topic_term_matrix(model)
    k = phi.shape[0]
    summary = list(run.rows(TOPIC_SUMMARY))
    labels = [r["label"] for r in summary]

    # The seeded topics as the lda stage chose them, in topic order.
    seeded = sorted((r for r in run.rows(SEEDED_TOPICS) if r["seeded"] == "1"), key=lambda r: int(r["topic"]))
    seed_ids = seed_term_ids([SeedTopic(r["theme"], tuple(r["terms"].split())) for r in seeded], dictionary.token2id)
    seeds = [lda.seed + r for r in range(1, params.runs)]
    run.log(f"quality: {len(seeds)} more runs at K={lda.k}" + (f" + {len(seed_ids)} seeded" if seed_ids else "")
            + f" for stability (seeds {', '.join(map(str, seeds))}), {run.jobs} jobs")
    others = train_many(ModelRun(dictionary, run.require(CORPUS), seed_ids=seed_ids),
                        [dataclasses.replace(lda, seed=s) for s in seeds], run.jobs, "quality: models")
    reference = top_words(phi, vocab, params.n_words)
    matches = match_runs(reference, [other["words"] for other in others], params.n_words)
    stability = topic_stability(matches, k)
    run.write_rows(STABILITY_RUNS, ((t + 1, labels[t], other["seed"], m[t][0] + 1, m[t][1])
                                    for other, m in zip(others, matches) for t in range(k)))
    run.save_figure(PLOT_TOPIC_QUALITY, plot_topic_quality(labels, stability,
                                                           np.array([float(r["npmi"]) for r in summary])))
    # Every run's coherence on the lda stage's reference, so run-to-run spread can be read.
    reference_long = top_words(phi, vocab, DIVERSITY_TOP_N)
    words = [reference_long] + [other["words"] for other in others]
    cooc = Cooccurrence.from_texts(run.reference_texts(), sorted({w for t in words for topic in t for w in topic[:NPMI_TOP_N]}))
    run.write_rows(RUNS, ((seed, float(np.mean(npmi_per_topic(w, cooc=cooc))), topic_diversity(w))
                          for seed, w in zip([lda.seed, *seeds], words)))
    run.write_params(params)
    # A seeded topic is the same theme's topic in every run (topic s): compared without the theme's
    # own terms, which its constraint puts in it whatever else it learns.
    own = [set(r["terms"].split()) for r in seeded]
    without_own = [stability_without_terms(reference_long[s], [other["words"][s] for other in others], own[s],
                                           params.n_words) for s in range(len(seeded))]
    without_own += [float("nan")] * (k - len(seeded))
    run.write_rows(TOPIC_STABILITY, ((t + 1, labels[t], r["theme"], float(r["share"]), float(r["npmi"]),
                                      float(stability[t]), nan_to_none(without_own[t]))
                                     for t, r in enumerate(summary)))
    run.write_basis(QUALITY_BASIS, DOCUMENT_TOPICS, basis)
    robust = int(np.sum(stability >= 0.5))
    run.log(f"quality: {robust} of {k} topics come back in most runs (mean top-{params.n_words} Jaccard >= 0.5); "
            f"mean stability {np.nanmean(stability):.2f}")
