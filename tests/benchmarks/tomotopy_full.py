"""tomotopy's LDA at full strength on a finished run: every modelled paragraph, trained until the
log-likelihood per word changes by less than 0.1% in 100 iterations, and scored with the same
NPMI code and reference paragraphs as the pipeline's topics.

    .venv/bin/python tests/benchmarks/tomotopy_full.py OUTPUT K SEED

(`make eval` samples corpora over 3 million tokens for tomotopy; this is the check that the
sample does not handicap it: docs/themes.md.)"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.eval_corpora import BowCorpus, CORPUS, NPMI_TOP_N, Cooccurrence, npmi_per_topic  # noqa: E402
from pipeline.artifacts import RUNS, Run  # noqa: E402

CONVERGED = 0.001  # relative change of the log-likelihood per word over one step
STEP, MAX_ITERATIONS = 100, 2000


def main(out: Path, k: int, seed: int) -> None:
    import tomotopy as tp

    run = Run(out, "report")
    _, dictionary = run.load_model()
    model = tp.LDAModel(k=k, seed=seed)
    for bow in BowCorpus.load(run.require(CORPUS)):
        if words := [dictionary[int(t)] for t, c in bow for _ in range(int(c))]:
            model.add_doc(words)
    start, last, iterations = time.perf_counter(), None, 0
    while iterations < MAX_ITERATIONS:
        model.train(STEP, workers=2)
        iterations += STEP
        ll = model.ll_per_word
        print(f"iteration {iterations}: log-likelihood per word {ll:.4f}, {time.perf_counter() - start:.0f} s", flush=True)
        if last is not None and abs(ll - last) < CONVERGED * abs(last):
            break
        last = ll
    topics = [[w for w, _ in model.get_topic_words(t, NPMI_TOP_N)] for t in range(k)]
    cooc = Cooccurrence.from_texts(run.reference_texts(), sorted({w for topic in topics for w in topic}))
    pipeline = [float(r["npmi"]) for r in run.rows(RUNS)]
    print(f"TOMOTOPY_FULL seed={seed} k={k} iterations={iterations} seconds={time.perf_counter() - start:.0f} "
          f"npmi={np.mean(npmi_per_topic(topics, cooc=cooc)):.4f} npmi_pipeline_runs={np.mean(pipeline):.4f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
