"""Topic quality: coherence and the other K-sweep measures, choosing K, stability across seeds,
topic descriptions (probability, relevance, FREX) and representative paragraphs.

Every measure here is a pure function of arrays or token lists, so the benchmark can score
models from other libraries (scikit-learn, tomotopy) with exactly the same code.
"""
from __future__ import annotations

import dataclasses
import math
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from .files import CsvTable, PipelineError, atomic_open, read_csv, write_csv

NPMI_TOP_N = 10       # words per topic scored for coherence (the usual choice, as gensim's topn)
NPMI_WINDOW = 10      # tokens per sliding window (gensim's c_npmi default)
DIVERSITY_TOP_N = 25  # Dieng et al. (2020): unique share of the top 25 words of all topics
_EPSILON = 1e-12      # as gensim, so our NPMI equals its c_npmi on the same windows


# ---------------------------------------------------------------------------------------------
# Coherence: NPMI over sliding windows of reference texts
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cooccurrence:
    """Window counts for a set of words over reference texts.

    ``counts[i]`` is the number of windows containing word i, ``joint[i, j]`` the number
    containing both, ``n_windows`` the number of windows. Words absent from the texts have
    count 0; pairs involving them score the NPMI minimum, -1.
    """

    index: dict[str, int]
    counts: np.ndarray
    joint: np.ndarray
    n_windows: int

    @classmethod
    def from_texts(cls, texts: Iterable[Sequence[str]], words: Iterable[str], window: int = NPMI_WINDOW) -> "Cooccurrence":
        """Boolean sliding windows as in gensim's c_npmi: a text shorter than ``window`` is one
        window; a longer one gives ``len - window + 1`` windows. Other words keep their position."""
        from numpy.lib.stride_tricks import sliding_window_view
        from scipy import sparse

        index = {w: i for i, w in enumerate(dict.fromkeys(words))}
        n = len(index)
        joint = np.zeros((n, n), dtype=np.int64)
        counts = np.zeros(n, dtype=np.int64)
        n_windows = 0
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        row_offset = 0

        def flush() -> None:
            nonlocal rows, cols, row_offset, joint, counts
            if not rows:
                return
            r, c = np.concatenate(rows), np.concatenate(cols)
            matrix = sparse.csr_matrix((np.ones(len(r), dtype=np.int32), (r, c)), shape=(row_offset, n))
            matrix.sum_duplicates()
            matrix.data[:] = 1  # presence in a window, not the number of occurrences
            counts += np.asarray(matrix.sum(axis=0)).ravel()
            joint += (matrix.T @ matrix).toarray()
            rows, cols, row_offset = [], [], 0

        for text in texts:
            if not text:
                continue
            ids = np.fromiter((index.get(w, -1) for w in text), dtype=np.int64, count=len(text))
            n_text_windows = max(1, len(ids) - window + 1)
            n_windows += n_text_windows
            if not (ids >= 0).any():
                continue
            if len(ids) <= window:
                present = np.unique(ids[ids >= 0])
                rows.append(np.full(len(present), row_offset))
                cols.append(present)
            else:
                view = sliding_window_view(ids, window)
                w_idx, pos = np.nonzero(view >= 0)
                rows.append(row_offset + w_idx)
                cols.append(view[w_idx, pos])
            row_offset += n_text_windows
            if row_offset > 200_000:  # bound memory on large references
                flush()
        flush()
        np.fill_diagonal(joint, counts)
        return cls(index, counts, joint, n_windows)

    def npmi(self, a: str, b: str) -> float:
        """Normalised PMI of two words, gensim's formula; -1 when either word never occurs."""
        i, j = self.index.get(a), self.index.get(b)
        if i is None or j is None or self.counts[i] == 0 or self.counts[j] == 0:
            return -1.0
        n = self.n_windows
        p_joint = self.joint[i, j] / n
        pmi = math.log((p_joint + _EPSILON) / ((self.counts[i] / n) * (self.counts[j] / n)))
        return pmi / -math.log(p_joint + _EPSILON)


def topic_npmi(top_words: Sequence[str], cooc: Cooccurrence) -> float:
    """Mean NPMI over all pairs of a topic's top words (gensim's one-preceding segmentation)."""
    pairs = [(top_words[i], top_words[j]) for i in range(1, len(top_words)) for j in range(i)]
    if not pairs:
        return float("nan")
    return float(np.mean([cooc.npmi(a, b) for a, b in pairs]))


def npmi_per_topic(topics: Sequence[Sequence[str]], texts: Sequence[Sequence[str]] | None = None,
                   cooc: Cooccurrence | None = None, top_n: int = NPMI_TOP_N) -> list[float]:
    """NPMI of each topic's first ``top_n`` words; pass a prebuilt ``cooc`` to score many models."""
    topics = [list(t)[:top_n] for t in topics]
    if cooc is None:
        if texts is None:
            raise ValueError("npmi_per_topic needs texts or cooc")
        cooc = Cooccurrence.from_texts(texts, (w for t in topics for w in t))
    return [topic_npmi(t, cooc) for t in topics]


# ---------------------------------------------------------------------------------------------
# Other measures of a topic-term matrix
# ---------------------------------------------------------------------------------------------


def top_word_ids(phi: np.ndarray, n: int) -> np.ndarray:
    """Topics x n term ids, most probable first (ties by id, reproducibly)."""
    return np.argsort(-phi, axis=1, kind="stable")[:, :n]


def top_words(phi: np.ndarray, vocab: Sequence[str], n: int) -> list[list[str]]:
    return [[vocab[i] for i in row] for row in top_word_ids(phi, n)]


def topic_diversity(topics: Sequence[Sequence[str]], top_n: int = DIVERSITY_TOP_N) -> float:
    """Share of unique words among all topics' top ``top_n`` words (1 = no word shared)."""
    words = [w for t in topics for w in list(t)[:top_n]]
    return len(set(words)) / len(words) if words else float("nan")


def exclusivity_per_topic(phi: np.ndarray, top_n: int = NPMI_TOP_N) -> np.ndarray:
    """Mean over each topic's top words of phi[k, w] / sum_j phi[j, w]: the share of the word's
    probability mass that belongs to this topic (1 = the word is this topic's alone, 1/K = shared
    evenly). The exclusivity half of stm's FREX, without the frequency half."""
    share = phi / phi.sum(axis=0, keepdims=True)
    ids = top_word_ids(phi, top_n)
    return np.take_along_axis(share, ids, axis=1).mean(axis=1)


def relevance(phi: np.ndarray, term_frequency: np.ndarray, lam: float = 0.6) -> np.ndarray:
    """LDAvis relevance (Sievert & Shirley 2014): lam*log p(w|k) + (1-lam)*log(p(w|k)/p(w)).
    lam = 0.6 is the value their user study found best for interpreting topics."""
    p_w = term_frequency / term_frequency.sum()
    log_phi = np.log(np.maximum(phi, 1e-300))
    return lam * log_phi + (1 - lam) * (log_phi - np.log(np.maximum(p_w, 1e-300)))


def frex(phi: np.ndarray, weight: float = 0.5) -> np.ndarray:
    """stm's FREX: the weighted harmonic mean of a word's rank (empirical CDF within the topic)
    in exclusivity and in frequency; weight = 0.5 balances the two as in stm's labelTopics."""
    exclusive = phi / phi.sum(axis=0, keepdims=True)

    def ecdf_rows(matrix: np.ndarray) -> np.ndarray:
        ranks = matrix.argsort(axis=1, kind="stable").argsort(axis=1, kind="stable") + 1
        return ranks / matrix.shape[1]

    return 1.0 / (weight / ecdf_rows(exclusive) + (1 - weight) / ecdf_rows(phi))


def short_label(topic: int, words: Sequence[str], n_words: int = 3) -> str:
    """"T3 调解·矛盾纠纷·信访": the topic number (1-based) and its first words."""
    return f"T{topic + 1} " + "·".join(list(words)[:n_words])


def completion_perplexity(phi: np.ndarray, heldout: Iterable[list[tuple[int, int]]],
                          infer: Callable[[list[tuple[int, int]]], np.ndarray]) -> float:
    """Held-out perplexity by document completion (Wallach et al. 2009): each held-out
    paragraph's tokens are dealt alternately into two halves; its topic mix is inferred from the
    first half and the second half is scored. exp(-log-likelihood per scored token).

    gensim's log_perplexity is not used: its bound charges the whole topic-word prior to the
    few held-out words, which on a small corpus swamps the score and grows with K.
    """
    log_likelihood, n_tokens = 0.0, 0
    for bow in heldout:
        tokens = [term for term, count in bow for _ in range(int(count))]
        if len(tokens) < 2:
            continue
        observed, scored = tokens[0::2], tokens[1::2]
        theta = infer(sorted(Counter(observed).items()))
        probabilities = theta @ phi[:, scored]
        log_likelihood += float(np.log(np.maximum(probabilities, 1e-300)).sum())
        n_tokens += len(scored)
    return math.exp(-log_likelihood / n_tokens) if n_tokens else float("nan")


def topic_rankings(phi: np.ndarray, term_frequency: np.ndarray, n: int = 10, lam: float = 0.6,
                   frex_weight: float = 0.5) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """For each ranking (probability, relevance, frex): topics x n term ids and their scores."""
    scores = {"probability": phi, "relevance": relevance(phi, term_frequency, lam), "frex": frex(phi, frex_weight)}
    ranked = {}
    for name, matrix in scores.items():
        ids = np.argsort(-matrix, axis=1, kind="stable")[:, :n]
        ranked[name] = (ids, np.take_along_axis(matrix, ids, axis=1))
    return ranked


# ---------------------------------------------------------------------------------------------
# Matching topics across runs
# ---------------------------------------------------------------------------------------------


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    a, b = set(a), set(b)
    return len(a & b) / len(a | b) if a | b else 0.0


def match_topics(reference: Sequence[Sequence[str]], other: Sequence[Sequence[str]]) -> list[tuple[int, float]]:
    """Pair each reference topic with a distinct topic of another run, maximising the total
    top-word Jaccard overlap (Hungarian algorithm). Returns ``(other topic, jaccard)`` per
    reference topic; with fewer topics in ``other``, unmatched ones get ``(-1, 0.0)``."""
    from scipy.optimize import linear_sum_assignment

    overlap = np.array([[jaccard(r, o) for o in other] for r in reference]).reshape(len(reference), len(other))
    rows, cols = linear_sum_assignment(overlap, maximize=True)
    matched = {int(r): (int(c), float(overlap[r, c])) for r, c in zip(rows, cols)}
    return [matched.get(t, (-1, 0.0)) for t in range(len(reference))]


def topic_stability(reference: Sequence[Sequence[str]], runs: Sequence[Sequence[Sequence[str]]]) -> np.ndarray:
    """Per reference topic: mean Jaccard overlap with its matched topic over the other runs
    (1 = the same top words every time; near 0 = the topic does not come back)."""
    if not runs:
        return np.full(len(reference), np.nan)
    return np.array([[j for _, j in match_topics(reference, run)] for run in runs]).mean(axis=0)


# ---------------------------------------------------------------------------------------------
# Choosing K
# ---------------------------------------------------------------------------------------------

MIN_DIVERSITY = 0.5
K_RULE = (
    "K is the smallest number of topics whose mean NPMI (over the sweep's seeds) is within one "
    "standard error of the best mean NPMI, among the K whose mean topic diversity is at least "
    f"{MIN_DIVERSITY} (topics that mostly repeat each other's top words can score a high NPMI). "
    "The standard error pools the seed-to-seed variance of every K, since a handful of seeds "
    "per K estimates it poorly. The one-standard-error rule prefers the simpler model when a "
    "larger K is not clearly more coherent; held-out perplexity, c_v and exclusivity are "
    "reported alongside but do not vote: perplexity keeps falling with K and is known to "
    "disagree with human judgement of topics."
)


@dataclass(frozen=True)
class KSummary:
    """The sweep's measures for one K, averaged over seeds (``npmi_se``: standard error)."""

    k: int
    n_models: int
    npmi: float
    npmi_se: float
    c_v: float
    diversity: float
    exclusivity: float
    perplexity: float


def summarise_sweep(rows: Sequence[dict]) -> list[KSummary]:
    """Per-model sweep rows (k, npmi, c_v, diversity, exclusivity, perplexity) -> per-K means."""
    summaries = []
    for k in sorted({r["k"] for r in rows}):
        group = [r for r in rows if r["k"] == k]
        npmi = np.array([r["npmi"] for r in group])
        se = float(npmi.std(ddof=1) / math.sqrt(len(npmi))) if len(npmi) > 1 else 0.0
        mean = {m: float(np.mean([r[m] for r in group])) for m in ("c_v", "diversity", "exclusivity", "perplexity")}
        summaries.append(KSummary(k, len(group), float(npmi.mean()), se, **mean))
    return summaries


def pooled_se(summaries: Sequence[KSummary]) -> float:
    """Standard error of a K's mean NPMI from the within-K variance pooled over all K."""
    usable = [s for s in summaries if s.n_models > 1]
    if not usable:
        return 0.0
    return float(math.sqrt(np.mean([s.npmi_se ** 2 * s.n_models for s in usable]) / np.mean([s.n_models for s in usable])))


def choose_k(summaries: Sequence[KSummary], min_diversity: float = MIN_DIVERSITY) -> int:
    """Apply :data:`K_RULE` to the sweep's per-K summaries."""
    if not summaries:
        raise PipelineError("K sweep: no models to choose from")
    eligible = [s for s in summaries if s.diversity >= min_diversity] or list(summaries)
    best = max(eligible, key=lambda s: (s.npmi, -s.k))
    return min(s.k for s in eligible if s.npmi >= best.npmi - pooled_se(summaries))


# ---------------------------------------------------------------------------------------------
# Training many models: the K sweep and the stability runs share one worker
# ---------------------------------------------------------------------------------------------

_SHARED: dict = {}  # per worker process: dictionary and reference texts, set once by _init_worker


def _init_worker(dictionary, texts: list[list[str]] | None) -> None:
    import logging

    logging.getLogger("gensim").setLevel(logging.WARNING)
    _SHARED["dictionary"], _SHARED["texts"] = dictionary, texts


def _train_task(task: tuple) -> dict:
    """Train one model; return its top words and the measures that need the model itself."""
    from gensim.corpora import MmCorpus

    from .lda import LdaParams, topic_term_matrix, train_lda

    params_dict, corpus, heldout = task
    params = LdaParams(**params_dict)
    dictionary = _SHARED["dictionary"]
    corpus = MmCorpus(str(corpus)) if isinstance(corpus, (str, Path)) else corpus
    model = train_lda(corpus, dictionary, len(corpus), params)
    phi = topic_term_matrix(model)
    vocab = [dictionary[i] for i in range(len(dictionary))]
    result = {"k": params.k, "seed": params.seed, "words": top_words(phi, vocab, DIVERSITY_TOP_N),
              "exclusivity": float(exclusivity_per_topic(phi).mean())}
    if heldout is not None:
        def infer(bow):
            gamma, _ = model.inference([bow])
            return gamma[0] / gamma[0].sum()

        heldout = MmCorpus(str(heldout)) if isinstance(heldout, (str, Path)) else heldout
        result["perplexity"] = completion_perplexity(phi, heldout, infer)
    if _SHARED["texts"] is not None:
        from gensim.models import CoherenceModel

        scorer = CoherenceModel(topics=[w[:NPMI_TOP_N] for w in result["words"]], texts=_SHARED["texts"],
                                dictionary=dictionary, coherence="c_v", processes=1)
        result["c_v"] = float(scorer.get_coherence())
    return result


def train_many(tasks: list[tuple], dictionary, texts: list[list[str]] | None, jobs: int) -> list[dict]:
    """Run :func:`_train_task` over ``tasks``, in ``jobs`` processes; results in task order
    (each model depends only on its own seed, so results do not depend on ``jobs``)."""
    import multiprocessing
    import os

    from tqdm import tqdm

    jobs = max(1, min(jobs, len(tasks)))
    progress = tqdm(total=len(tasks), desc="models", unit="model", disable=None)
    try:
        if jobs == 1:
            _init_worker(dictionary, texts)
            try:
                results = []
                for task in tasks:
                    results.append(_train_task(task))
                    progress.update()
                return results
            finally:
                _SHARED.clear()  # in this process it is not a worker's: do not keep it
        context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        with context.Pool(jobs, initializer=_init_worker, initargs=(dictionary, texts)) as pool:
            results = []
            for result in pool.imap(_train_task, tasks):
                results.append(result)
                progress.update()
            return results
    finally:
        progress.close()


def sweep_models(train, heldout, dictionary, texts: list[list[str]], params, ks: Sequence[int], n_seeds: int,
                 jobs: int = 1) -> list[dict]:
    """Train ``n_seeds`` models (seeds params.seed, +1, ...) per K on ``train`` and measure each:
    NPMI and c_v against ``texts``, topic diversity, exclusivity, and document-completion
    perplexity on ``heldout``. ``train``/``heldout``: lists of bags of words or MmCorpus paths."""
    base = dataclasses.asdict(params)
    tasks = [({**base, "k": k, "seed": params.seed + s}, train, heldout) for k in ks for s in range(n_seeds)]
    results = train_many(tasks, dictionary, texts, jobs)
    # One co-occurrence count for every model's top words: each model is then scored in microseconds.
    cooc = Cooccurrence.from_texts(texts, sorted({w for r in results for t in r["words"] for w in t[:NPMI_TOP_N]}))
    return [{"k": r["k"], "seed": r["seed"], "npmi": float(np.mean(npmi_per_topic(r["words"], cooc=cooc))),
             "c_v": r["c_v"], "diversity": topic_diversity(r["words"]), "exclusivity": r["exclusivity"],
             "perplexity": r["perplexity"]} for r in results]


def read_lda_params(output_dir: str | Path):
    """The parameters the lda stage trained with (lda/model/params.json)."""
    import json

    from .lda import LdaParams

    path = Path(output_dir) / "lda" / "model" / "params.json"
    if not path.is_file():
        raise PipelineError(f"{path}: not found; run the lda stage first")
    known = {f.name for f in dataclasses.fields(LdaParams)}  # tolerate files from other versions
    return LdaParams(**{k: v for k, v in json.loads(path.read_text(encoding="utf-8")).items() if k in known})


# ---------------------------------------------------------------------------------------------
# K sweep: I/O shell
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepSettings:
    """Which K to try and how: every K in range(k_min, k_max + 1, k_step) that the corpus can
    support (at most one topic per 5 training paragraphs), ``seeds`` models each, trained on
    all but a random ``holdout`` share of the paragraphs, which gives held-out perplexity."""

    k_min: int = 3
    k_max: int = 15
    k_step: int = 1
    seeds: int = 3
    holdout: float = 0.2
    jobs: int = 1

    def ks(self, n_train: int) -> list[int]:
        return [k for k in range(max(2, self.k_min), self.k_max + 1, max(1, self.k_step)) if k <= max(2, n_train // 5)]


SWEEP_OUTPUTS = ("k_sweep.csv", "k_sweep_summary.csv", "k_choice.txt", "k_sweep.png")


def split_holdout(n: int, share: float, seed: int) -> np.ndarray:
    """Boolean mask of held-out paragraphs: a seeded random ``share``, at least one of each kind."""
    mask = np.random.RandomState(seed).random_sample(n) < share
    if n >= 2 and mask.all():
        mask[0] = False
    if n >= 2 and not mask.any():
        mask[-1] = True
    return mask


def run_k_sweep(output_dir: str | Path, params, settings: SweepSettings = SweepSettings(), log=print) -> int:
    """segment/tokens.tsv -> quality/k_sweep.csv (one row per model), k_sweep_summary.csv (per K),
    k_choice.txt (the rule and the choice), k_sweep.png; returns the chosen K."""
    import logging
    import tempfile

    from gensim.corpora import MmCorpus

    from .lda import _BowStream, build_dictionary, sample_texts
    from .segment import read_token_table

    logging.getLogger("gensim").setLevel(logging.WARNING)
    out = Path(output_dir)
    quality = out / "quality"
    quality.mkdir(parents=True, exist_ok=True)
    for stale in quality.glob(".sweep.*"):  # left by a sweep that was killed
        shutil.rmtree(stale, ignore_errors=True)
    tokens_path = out / "segment" / "tokens.tsv"
    dictionary = build_dictionary((tokens for _, _, tokens in read_token_table(tokens_path)), params)
    bows = list(_BowStream(tokens_path, dictionary, params.min_tokens))
    held = split_holdout(len(bows), settings.holdout, params.seed)
    n_train = int((~held).sum())
    ks = settings.ks(n_train)
    if not ks:
        raise PipelineError(f"K sweep: {n_train} training paragraphs support no K in {settings.k_min}..{settings.k_max}")
    texts = sample_texts(tokens_path)
    log(f"k sweep: K in {ks[0]}..{ks[-1]}, {settings.seeds} seeds each, {n_train} training and "
        f"{int(held.sum())} held-out paragraphs, {settings.jobs} jobs")
    with tempfile.TemporaryDirectory(dir=quality, prefix=".sweep.") as tmp:
        train_path, heldout_path = Path(tmp) / "train.mm", Path(tmp) / "heldout.mm"
        MmCorpus.serialize(str(train_path), (b for b, h in zip(bows, held) if not h))
        MmCorpus.serialize(str(heldout_path), (b for b, h in zip(bows, held) if h))
        rows = sweep_models(train_path, heldout_path, dictionary, texts, params, ks, settings.seeds, settings.jobs)
    summaries = summarise_sweep(rows)
    chosen = choose_k(summaries)
    measures = ("npmi", "c_v", "diversity", "exclusivity", "perplexity")
    write_csv(quality / "k_sweep.csv", ("k", "seed", *measures), ([r["k"], r["seed"], *(r[m] for m in measures)] for r in rows))
    write_csv(quality / "k_sweep_summary.csv",
              ("k", "n_models", "npmi", "npmi_se", "c_v", "diversity", "exclusivity", "perplexity", "chosen"),
              ([s.k, s.n_models, s.npmi, s.npmi_se, s.c_v, s.diversity, s.exclusivity, s.perplexity, int(s.k == chosen)]
               for s in summaries))
    eligible = [s for s in summaries if s.diversity >= MIN_DIVERSITY] or summaries
    top = max(eligible, key=lambda s: (s.npmi, -s.k))
    note = [f"K chosen: {chosen}", "", "Rule: " + K_RULE, "",
            f"Best mean NPMI {top.npmi:+.4f} at K={top.k}; pooled standard error {pooled_se(summaries):.4f}; "
            f"so the smallest eligible K with mean NPMI >= {top.npmi - pooled_se(summaries):+.4f}.", "",
            "k  npmi (se)          c_v    diversity  exclusivity  perplexity"]
    note += [f"{s.k:<3}{s.npmi:+.4f} ({s.npmi_se:.4f})  {s.c_v:.4f}  {s.diversity:.3f}      {s.exclusivity:.3f}"
             f"        {s.perplexity:.1f}{'   <- chosen' if s.k == chosen else ''}" for s in summaries]
    with atomic_open(quality / "k_choice.txt") as handle:
        handle.write("\n".join(note) + "\n")
    _save_sweep_plot(summaries, rows, chosen, quality / "k_sweep.png")
    best = next(s for s in summaries if s.k == chosen)
    log(f"k sweep: chose K={chosen} (NPMI {best.npmi:+.4f}, diversity {best.diversity:.2f}); see {quality / 'k_choice.txt'}")
    return chosen


def remove_sweep_outputs(output_dir: str | Path, log=print) -> None:
    """A fixed K makes an earlier sweep's outputs stale: remove them."""
    removed = [p for p in (Path(output_dir) / "quality" / name for name in SWEEP_OUTPUTS) if p.is_file()]
    for path in removed:
        path.unlink()
    if removed:
        log(f"lda: fixed K; removed the earlier K sweep's {', '.join(p.name for p in removed)}")


def plot_k_sweep(summaries: Sequence[KSummary], rows: Sequence[dict], chosen: int):
    """One panel per measure against K: per-seed points, the mean line, the chosen K marked."""
    from matplotlib import pyplot as plt

    panels = [("npmi", "NPMI 一致性 (headline)"), ("c_v", "c_v 一致性"), ("diversity", "主题多样性 diversity"),
              ("exclusivity", "排他性 exclusivity"), ("perplexity", "留出困惑度 held-out perplexity")]
    figure, axes = plt.subplots(1, len(panels), figsize=(3.1 * len(panels), 2.9))
    ks = [s.k for s in summaries]
    for axis, (measure, title) in zip(axes, panels):
        axis.scatter([r["k"] for r in rows], [r[measure] for r in rows], s=9, color="0.65", zorder=1)
        means = [getattr(s, measure) for s in summaries]
        if measure == "npmi":
            axis.errorbar(ks, means, yerr=[s.npmi_se for s in summaries], color="C0", capsize=2, zorder=2)
        else:
            axis.plot(ks, means, color="C0", zorder=2)
        axis.axvline(chosen, color="C3", linestyle="--", linewidth=1)
        axis.set_title(title, loc="left", fontsize=9)
        axis.set_xlabel("K")
        axis.set_xticks(ks if len(ks) <= 10 else ks[::2])
    figure.suptitle(f"K sweep: chosen K = {chosen} (red line)", x=0.01, ha="left", fontsize=10)
    figure.tight_layout()
    return figure


def _save_sweep_plot(summaries, rows, chosen: int, path: Path) -> None:
    from .plots import save_figure, use_chinese_font

    use_chinese_font()
    save_figure(plot_k_sweep(summaries, rows, chosen), path)


# ---------------------------------------------------------------------------------------------
# Stability, descriptions, representative paragraphs: I/O shell
# ---------------------------------------------------------------------------------------------


def representative(theta: np.ndarray, n: int = 5) -> list[list[int]]:
    """Per topic, the rows of ``theta`` (paragraphs x topics) with the highest share of it,
    best first (ties by row, reproducibly): stm's findThoughts."""
    return [list(np.lexsort((np.arange(len(theta)), -theta[:, t]))[:n]) for t in range(theta.shape[1])]


def place_name(row: dict[str, str]) -> str:
    """"遂溪县岭北镇": the report's known place levels, coarse to fine."""
    return "".join(row.get(level, "") for level in ("province", "city", "county", "town"))


def run_quality(output_dir: str | Path, runs: int = 5, n_words: int = 10, n_paragraphs: int = 5,
                jobs: int = 1, log=print) -> None:
    """lda/ + clean/ -> quality/: stability.csv (each topic against each extra run),
    topic_words.csv (top words by probability, relevance and FREX), representative_paragraphs.csv,
    topic_quality.png, and topic_descriptions.csv (one row per topic, written last)."""
    import logging

    from gensim.corpora import Dictionary, MmCorpus
    from gensim.models import LdaModel

    from .lda import sample_texts, topic_term_matrix
    from .metadata import document_info

    logging.getLogger("gensim").setLevel(logging.WARNING)
    out = Path(output_dir)
    quality = out / "quality"
    quality.mkdir(parents=True, exist_ok=True)
    params = read_lda_params(out)
    model = LdaModel.load(str(out / "lda" / "model" / "lda.gensim"))
    dictionary = Dictionary.load(str(out / "lda" / "model" / "dictionary.gensim"))
    vocab = [dictionary[i] for i in range(len(dictionary))]
    phi = topic_term_matrix(model)
    k = phi.shape[0]
    labels = {int(r["topic"]): r["label"] for r in read_csv(out / "lda" / "topics.csv")}
    corpus_path = out / "lda" / "corpus.mm"

    # Stability: the same parameters with other seeds; each run's topics matched to ours.
    seeds = [params.seed + r for r in range(1, runs)]
    tasks = [({**dataclasses.asdict(params), "seed": s}, corpus_path, None) for s in seeds]
    log(f"quality: {len(tasks)} more runs at K={k} for stability (seeds {', '.join(map(str, seeds))}), {jobs} jobs")
    others = train_many(tasks, dictionary, None, jobs)
    reference = top_words(phi, vocab, n_words)
    matches = [match_topics(reference, [w[:n_words] for w in other["words"]]) for other in others]
    stability = np.array([[j for _, j in m] for m in matches]).mean(axis=0) if matches else np.full(k, np.nan)
    write_csv(quality / "stability.csv", ("topic", "label", "run_seed", "matched_topic", "top_word_jaccard"),
              ((t + 1, labels[t + 1], other["seed"], m[t][0] + 1, m[t][1])
               for other, m in zip(others, matches) for t in range(k)))

    # Descriptions: three rankings of each topic's words.
    term_frequency = np.zeros(len(dictionary))
    lengths = []
    for bow in MmCorpus(str(corpus_path)):
        lengths.append(sum(c for _, c in bow))
        for term, count in bow:
            term_frequency[int(term)] += count
    rankings = topic_rankings(phi, term_frequency, n_words)
    with CsvTable(quality / "topic_words.csv", ("topic", "label", "ranking", "rank", "word", "score")) as table:
        for name, (ids, scores) in rankings.items():
            for t in range(k):
                for r in range(ids.shape[1]):
                    table.write([t + 1, labels[t + 1], name, r + 1, vocab[ids[t, r]], float(scores[t, r])])

    # Representative paragraphs, from the lda stage's paragraph mixes.
    keys, theta_rows = _paragraph_theta(out / "lda" / "paragraph_topics.csv", k)
    theta = np.array(theta_rows)
    share = (theta * np.asarray(lengths, dtype=float)[:, None]).sum(axis=0) if len(lengths) == len(theta) else theta.sum(axis=0)
    share = share / share.sum()
    wanted = {keys[i]: None for rows in representative(theta, n_paragraphs) for i in rows}
    for row in read_csv(out / "clean" / "paragraphs.csv"):
        key = (row["doc_id"], int(row["position"]))
        if key in wanted:
            wanted[key] = row
    columns, documents = document_info(out)
    doc_rows = {d: dict(zip(columns, values)) for d, values in documents.items()}
    with CsvTable(quality / "representative_paragraphs.csv",
                  ("topic", "label", "rank", "weight", "doc_id", "title", "year", "place", "section", "position", "text")) as table:
        for t, rows in enumerate(representative(theta, n_paragraphs)):
            for rank, i in enumerate(rows, 1):
                doc_id, position = keys[i]
                paragraph, document = wanted[keys[i]] or {}, doc_rows.get(doc_id, {})
                section = " / ".join(x for x in (paragraph.get("section", ""), paragraph.get("subsection", "")) if x)
                table.write([t + 1, labels[t + 1], rank, float(theta[i, t]), doc_id, document.get("title", ""),
                             document.get("year", ""), place_name(document), section, position, paragraph.get("text", "")])

    npmi = npmi_per_topic(reference, sample_texts(out / "segment" / "tokens.tsv"))
    exclusivity = exclusivity_per_topic(phi, n_words)
    auto_labels = [short_label(t, [vocab[i] for i in rankings["relevance"][0][t]]) for t in range(k)]
    _save_quality_plot(auto_labels, stability, np.asarray(npmi), quality / "topic_quality.png")
    joined = {name: [" ".join(vocab[i] for i in ids[t]) for t in range(k)] for name, (ids, _) in rankings.items()}
    write_csv(quality / "topic_descriptions.csv",
              ("topic", "label", "auto_label", "share", "npmi", "exclusivity", "stability",
               "top_words", "relevant_words", "frex_words"),
              ([t + 1, labels[t + 1], auto_labels[t], float(share[t]), float(npmi[t]), float(exclusivity[t]),
                float(stability[t]), joined["probability"][t], joined["relevance"][t], joined["frex"][t]] for t in range(k)))
    robust = int(np.sum(stability >= 0.5))
    log(f"quality: {robust} of {k} topics come back in most runs (mean top-{n_words} Jaccard >= 0.5); "
        f"mean stability {np.nanmean(stability):.2f}, mean NPMI {np.mean(npmi):+.4f}")


def _paragraph_theta(path: Path, k: int) -> tuple[list[tuple[str, int]], list[np.ndarray]]:
    """paragraph_topics.csv (one row per paragraph and topic, in corpus order) -> keys, rows."""
    keys: list[tuple[str, int]] = []
    rows: list[np.ndarray] = []
    for row in read_csv(path):
        key = (row["doc_id"], int(row["position"]))
        if not keys or keys[-1] != key:
            keys.append(key)
            rows.append(np.zeros(k))
        rows[-1][int(row["topic"]) - 1] = float(row["weight"])
    return keys, rows


def plot_topic_quality(labels: Sequence[str], stability: np.ndarray, npmi: np.ndarray):
    """Two bar panels per topic: stability across seeds and NPMI coherence."""
    from matplotlib import pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(9, 0.42 * len(labels) + 1.2), sharey=True)
    y = np.arange(len(labels))[::-1]
    axes[0].barh(y, stability, color="C0")
    axes[0].axvline(0.5, color="0.5", linestyle=":", linewidth=1)
    axes[0].set_xlim(0, 1)
    axes[0].set_xlabel("稳定性 stability (mean top-word Jaccard across seeds)")
    axes[0].set_yticks(y, labels)
    axes[1].barh(y, npmi, color=["C2" if v >= 0 else "C1" for v in npmi])
    axes[1].axvline(0, color="0.3", linewidth=0.8)
    axes[1].set_xlabel("NPMI 一致性 coherence")
    axes[0].set_title("每个主题的稳定性与一致性 (topic stability and coherence)", loc="left")
    figure.tight_layout()
    return figure


def _save_quality_plot(labels, stability, npmi, path: Path) -> None:
    from .plots import save_figure, use_chinese_font

    use_chinese_font()
    save_figure(plot_topic_quality(labels, stability, npmi), path)
