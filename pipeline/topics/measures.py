"""Measures of topics: NPMI coherence, diversity, exclusivity, relevance, FREX, held-out
perplexity, and stability (topics matched across runs).

Every measure is a pure function of arrays or token lists, so the benchmarks can score models
from other libraries (scikit-learn, tomotopy) with exactly the same code.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import numpy as np

NPMI_TOP_N = 10       # words per topic scored for coherence (the usual choice, as gensim's topn)
NPMI_WINDOW = 10      # tokens per sliding window (gensim's c_npmi default)
DIVERSITY_TOP_N = 25  # Dieng et al. (2020): unique share of the top 25 words of all topics
_EPSILON = 1e-12      # as gensim, so our NPMI equals its c_npmi on the same windows

RELEVANCE_LAMBDA = 0.6  # Sievert & Shirley (2014): the λ their user study found best for reading topics


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
    """Each topic's ``n`` most probable words (the terms of :func:`top_word_ids`)."""
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


def relevance_score(log_prob: np.ndarray, log_lift: np.ndarray, lam: float = RELEVANCE_LAMBDA) -> np.ndarray:
    """LDAvis relevance (Sievert & Shirley 2014) from its two parts: lam*log p(w|k) +
    (1-lam)*log(p(w|k)/p(w)). lam = 0.6 is the value their user study found best for
    interpreting topics; lam = 1 ranks by probability, lam = 0 by lift.

    The one formula: :func:`relevance` applies it to the model's matrices, and the explorer's
    checks to the log probabilities and lifts LDAvis itself lists."""
    return lam * log_prob + (1 - lam) * log_lift


def relevance(phi: np.ndarray, term_frequency: np.ndarray, lam: float = RELEVANCE_LAMBDA) -> np.ndarray:
    """:func:`relevance_score` of every topic (rows of ``phi``) and term, p(w) from the terms'
    occurrences in the modelled text.

    A term of the vocabulary that the modelled text never contains (it occurs only in
    paragraphs too short to model) has no lift: it ranks last, not first."""
    p_w = term_frequency / term_frequency.sum()
    log_phi = np.log(np.maximum(phi, 1e-300))
    with np.errstate(divide="ignore"):
        log_p = np.log(p_w)
    return np.where(p_w > 0, relevance_score(log_phi, log_phi - log_p, lam), -np.inf)


def frex(phi: np.ndarray, weight: float = 0.5) -> np.ndarray:
    """stm's FREX: the weighted harmonic mean of a word's rank (empirical CDF within the topic)
    in exclusivity and in frequency; weight = 0.5 balances the two as in stm's labelTopics."""
    exclusive = phi / phi.sum(axis=0, keepdims=True)

    def ecdf_rows(matrix: np.ndarray) -> np.ndarray:
        ranks = matrix.argsort(axis=1, kind="stable").argsort(axis=1, kind="stable") + 1
        return ranks / matrix.shape[1]

    return 1.0 / (weight / ecdf_rows(exclusive) + (1 - weight) / ecdf_rows(phi))


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


def topic_rankings(phi: np.ndarray, term_frequency: np.ndarray, n: int = 10, lam: float = RELEVANCE_LAMBDA,
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


def match_runs(reference: Sequence[Sequence[str]], runs: Sequence[Sequence[Sequence[str]]],
               top_n: int | None = None) -> list[list[tuple[int, float]]]:
    """:func:`match_topics` of the reference topics against each run's, on every topic's first
    ``top_n`` words (all of them when None): per run, ``(other topic, jaccard)`` per reference
    topic."""
    reference = [list(t)[:top_n] for t in reference]
    return [match_topics(reference, [list(t)[:top_n] for t in run]) for run in runs]


def topic_stability(matches: Sequence[Sequence[tuple[int, float]]], n_topics: int) -> np.ndarray:
    """Per reference topic: mean Jaccard overlap with its matched topic over the other runs,
    from :func:`match_runs` (1 = the same top words every time; near 0 = the topic does not come
    back; NaN for each of the ``n_topics`` when there are no other runs)."""
    if not matches:
        return np.full(n_topics, np.nan)
    return np.array([[j for _, j in run] for run in matches]).mean(axis=0)

