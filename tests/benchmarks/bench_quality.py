"""`make bench-quality`: topic quality of the pipeline against three baselines, on the seeds or
any corpus (INPUT=).

K is the one the pipeline's K=auto sweep chooses (make ... K=auto). At that K, five seeds each:

  (a) pipeline   this pipeline's defaults (domain dictionary, stopwords, tuned gensim LDA);
  (b) naive      default jieba (no domain dictionary), only the generic stopword list
                 (stopwords/general.txt), then the same LDA as (a): what preprocessing buys;
  (c) sklearn    scikit-learn's LatentDirichletAllocation, library defaults, on (a)'s paragraphs
                 and vocabulary;
  (d) tomotopy   tomotopy's Gibbs-sampling LDA, library defaults, 1,000 iterations, on (a)'s
                 paragraphs and vocabulary.

Two more rows show gensim with its library defaults, on (b)'s and on (a)'s tokens: what the
model settings buy.

Every model's top 10 words per topic are scored against the same reference: the pipeline's
tokens of every paragraph (segment/tokens.tsv.gz), NPMI over sliding windows of 10 tokens as in
gensim's c_npmi (pipeline/topics/measures.py). Words a model has that the reference never has as a token
(naive segmentation cuts 矛盾纠纷 into 矛盾 / 纠纷) score the NPMI minimum, so the table also gives
a segmentation-neutral NPMI ("npmi_text"): co-occurrence of the words as substrings of the same
cleaned paragraph. Topic diversity: unique share of all topics' top 25 words.

The last line is machine-readable:
QUALITY K=<k> npmi_pipeline=<x> npmi_naive=<y> npmi_sklearn=<z> npmi_tomotopy=<t> diversity_pipeline=<x>
"""
from __future__ import annotations

import argparse
import logging
import math
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipeline.artifacts import DOCUMENTS, K_CHOICE, PARAGRAPHS, STAGES, TOKENS, Run  # noqa: E402
from pipeline.params import LdaParams  # noqa: E402
from pipeline.topics.measures import (DIVERSITY_TOP_N, NPMI_TOP_N, Cooccurrence, npmi_per_topic,  # noqa: E402
                                      top_words, topic_diversity)
from pipeline.topics.corpus import model_corpus, vocabulary  # noqa: E402
from pipeline.topics.train import topic_term_matrix, train_lda  # noqa: E402


@dataclass
class Result:
    name: str
    topics: list[list[list[str]]]  # per seed: topics x top words
    seconds: float

    def npmi(self, cooc: Cooccurrence) -> list[float]:
        return [float(np.mean(npmi_per_topic(t, cooc=cooc))) for t in self.topics]

    def diversity(self) -> float:
        return float(np.mean([topic_diversity(t, DIVERSITY_TOP_N) for t in self.topics]))


def run(command: list[str]) -> None:
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env={**os.environ, "TQDM_DISABLE": "1"})
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{result.stdout}\n{result.stderr}")


def corpus_of(output: Path, params: LdaParams):
    """The dictionary and modelled bags of words of an output folder's tokens.tsv.gz, as the lda
    stage builds them."""
    run = Run(output, "lda")
    dictionary, corpus, _ = model_corpus(run.token_rows(TOKENS), params)
    return dictionary, corpus


def gensim_topics(bows, dictionary, params: LdaParams, seeds: list[int], library_defaults: bool = False) -> Result:
    vocab = vocabulary(dictionary)
    topics, start = [], time.perf_counter()
    for seed in seeds:
        if library_defaults:
            from gensim.models import LdaModel

            model = LdaModel(bows, id2word=dictionary, num_topics=params.k, random_state=seed)
        else:
            model = train_lda(bows, dictionary, len(bows), replace(params, seed=seed))
        topics.append(top_words(topic_term_matrix(model), vocab, DIVERSITY_TOP_N))
    return Result("", topics, (time.perf_counter() - start) / len(seeds))


def sklearn_topics(bows, dictionary, k: int, seeds: list[int]) -> Result:
    from sklearn.decomposition import LatentDirichletAllocation

    matrix = bows.counts  # a BowCorpus: paragraphs x terms
    vocab = vocabulary(dictionary)
    topics, start = [], time.perf_counter()
    for seed in seeds:
        model = LatentDirichletAllocation(n_components=k, random_state=seed).fit(matrix)
        topics.append(top_words(model.components_ / model.components_.sum(axis=1, keepdims=True), vocab, DIVERSITY_TOP_N))
    return Result("", topics, (time.perf_counter() - start) / len(seeds))


def tomotopy_topics(bows, dictionary, k: int, seeds: list[int], iterations: int = 1000) -> Result:
    import tomotopy as tp

    documents = [[dictionary[term] for term, count in bow for _ in range(int(count))] for bow in bows]
    topics, start = [], time.perf_counter()
    for seed in seeds:
        model = tp.LDAModel(k=k, seed=seed)
        for document in documents:
            model.add_doc(document)
        model.train(iterations, workers=1)  # one worker: reproducible, and a fair speed comparison
        topics.append([[w for w, _ in model.get_topic_words(t, DIVERSITY_TOP_N)] for t in range(k)])
    return Result("", topics, (time.perf_counter() - start) / len(seeds))


def substring_cooccurrence(texts: list[str], words: set[str]) -> Cooccurrence:
    """Segmentation-neutral reference: a word occurs in a paragraph if it is a substring of it;
    each paragraph is one window."""
    index = {w: i for i, w in enumerate(sorted(words))}
    present = np.array([[w in text for w in index] for text in texts], dtype=np.int64).reshape(len(texts), len(index))
    joint = present.T @ present
    return Cooccurrence(index, np.diag(joint).copy(), joint, len(texts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, default=ROOT / "seeds")
    parser.add_argument("--seed", type=int, default=42, help="first of the five seeds; also the sweep's seed")
    parser.add_argument("--seeds", type=int, default=5, help="models per method")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--k-range", default="3:15")
    parser.add_argument("--workdir", type=Path, default=ROOT / "outputs" / "bench_quality")
    args = parser.parse_args()
    logging.getLogger("gensim").setLevel(logging.WARNING)
    input_dir = args.input if args.input.is_absolute() else (Path.cwd() / args.input)

    pipeline_out, naive_out = args.workdir / "pipeline", args.workdir / "naive"
    make = ["make", "--no-print-directory", f"INPUT={input_dir}", f"OUTPUT={pipeline_out}", "K=auto",
            f"K_RANGE={args.k_range}", f"SEED={args.seed}", f"JOBS={args.jobs}"]
    start = time.perf_counter()
    run([*make, str(STAGES["lda"].target.at(pipeline_out))])
    print(f"pipeline up to the K=auto lda stage: {time.perf_counter() - start:.1f} s (make; cached stages are not rerun)", flush=True)
    pipeline_run = Run(pipeline_out, "quality")  # a stage downstream of lda, to read what lda wrote
    params = pipeline_run.read_params("lda", LdaParams)
    k, seeds = params.k, [args.seed + i for i in range(args.seeds)]

    # (b)'s tokens: the same cleaned paragraphs, default jieba, generic stopwords only.
    naive_out.mkdir(parents=True, exist_ok=True)
    shutil.copytree(PARAGRAPHS.at(pipeline_out).parent, PARAGRAPHS.at(naive_out).parent, dirs_exist_ok=True)
    empty = args.workdir / "no_dictionary.txt"
    empty.write_text("", encoding="utf-8")
    run([sys.executable, "-m", "pipeline", "--output", str(naive_out), "--jobs", str(args.jobs), "segment", "--dictionary", str(empty)])
    run([sys.executable, "-m", "pipeline", "--output", str(naive_out), "filter", "--stopwords", str(ROOT / "stopwords" / "general.txt")])

    dictionary, bows = corpus_of(pipeline_out, params)
    naive_dictionary, naive_bows = corpus_of(naive_out, params)
    lda_run = Run(pipeline_out, "lda")  # reads what the lda stage reads: clean/ and tokens.tsv.gz
    n_reports = sum(1 for _ in lda_run.rows(DOCUMENTS))
    print(f"corpus: {n_reports} reports; pipeline {len(bows)} modelled paragraphs, {len(dictionary)} terms; "
          f"naive {len(naive_bows)} paragraphs, {len(naive_dictionary)} terms", flush=True)
    print(f"K={k}, chosen by the pipeline's K=auto sweep (see {K_CHOICE.at(pipeline_out)}); "
          f"seeds {seeds[0]}..{seeds[-1]}", flush=True)

    results = {
        "(a) pipeline": gensim_topics(bows, dictionary, params, seeds),
        "(b) naive": gensim_topics(naive_bows, naive_dictionary, params, seeds),
        "(c) sklearn": sklearn_topics(bows, dictionary, k, seeds),
        "(d) tomotopy": tomotopy_topics(bows, dictionary, k, seeds),
        "    naive + gensim library defaults": gensim_topics(naive_bows, naive_dictionary, params, seeds, library_defaults=True),
        "    pipeline tokens + gensim library defaults": gensim_topics(bows, dictionary, params, seeds, library_defaults=True),
    }
    reference = [t for _, _, t in lda_run.token_rows(TOKENS) if t]
    words = {w for r in results.values() for seed_topics in r.topics for t in seed_topics for w in t[:NPMI_TOP_N]}
    cooc = Cooccurrence.from_texts(reference, sorted(words))
    texts = [row["text"] for row in lda_run.rows(PARAGRAPHS)]
    texts = texts[::max(1, math.ceil(len(texts) / 20_000))]  # evenly spread, as stages/lda.py's reference: bounded memory
    text_cooc = substring_cooccurrence(texts, words)

    print(f"\n{'method':<46}{'npmi':>9}{'(sd)':>9}{'diversity':>11}{'npmi_text':>11}{'s/model':>9}")
    summary = {}
    for name, result in results.items():
        npmi = result.npmi(cooc)
        text_npmi = float(np.mean(result.npmi(text_cooc)))
        summary[name] = (float(np.mean(npmi)), result.diversity())
        print(f"{name:<46}{np.mean(npmi):>+9.4f}{np.std(npmi, ddof=1) if len(npmi) > 1 else 0:>9.4f}"
              f"{result.diversity():>11.3f}{text_npmi:>+11.4f}{result.seconds:>9.2f}", flush=True)
    a, b, c, d = (summary[n][0] for n in ("(a) pipeline", "(b) naive", "(c) sklearn", "(d) tomotopy"))
    print(f"\npipeline NPMI minus: naive {a - b:+.4f}, scikit-learn {a - c:+.4f}, tomotopy {a - d:+.4f}")
    print(f"QUALITY K={k} npmi_pipeline={a:.4f} npmi_naive={b:.4f} npmi_sklearn={c:.4f} "
          f"npmi_tomotopy={d:.4f} diversity_pipeline={summary['(a) pipeline'][1]:.4f}")


if __name__ == "__main__":
    main()
