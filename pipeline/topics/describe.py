"""Describing topics, one rule each: the label, the share of the corpus, the rankings of a
topic's words, and its representative paragraphs."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .prevalence import pooled

LABEL_WORDS = 3  # words in a topic's label
SEEDED_LABEL_WORDS = 2  # learned words after a seeded topic's theme


def topic_label(topic: int, words: Sequence[str], theme: str = "", n_words: int = LABEL_WORDS) -> str:
    """"T3 调解·矛盾纠纷·信访": the topic number (1-based, as in every table) and its first
    words by relevance (λ=0.6), which favours a topic's own words over the corpus's common ones.
    A seeded topic is named by its theme in brackets, then the words it learned beyond the
    theme's own terms (give ``words`` without them): "T1 [枫桥经验] 调解·信访"."""
    if theme:
        return f"T{topic + 1} [{theme}] " + "·".join(list(words)[:SEEDED_LABEL_WORDS])
    return f"T{topic + 1} " + "·".join(list(words)[:n_words])


def topic_share(theta: np.ndarray, n_tokens: np.ndarray) -> np.ndarray:
    """Each topic's share of the modelled text: the token-weighted mean of the mixes (paragraphs
    or reports x K) -- the one definition every table and figure uses."""
    return pooled(np.asarray(theta, dtype=float), np.asarray(n_tokens, dtype=float))


class RepresentativeParagraphs:
    """The paragraphs most about each topic, one per report first (so one long report cannot
    fill the list), fed the paragraph mixes a chunk at a time (stm's findThoughts, spread over
    reports).

    Holds every paragraph's mix in the model's float type (K numbers a paragraph: 12 MB for the
    100 MB bench corpus at K=24), so each topic is ranked once, by numpy, at the end.
    """

    def __init__(self, n: int):
        self.n = n
        self._doc_ids: list[str] = []
        self._positions: list[np.ndarray] = []
        self._mixes: list[np.ndarray] = []

    def add(self, doc_ids: Sequence[str], positions: Sequence[int], theta: np.ndarray) -> None:
        """The mixes (paragraphs x K) of the paragraphs ``(doc_ids[i], positions[i])``."""
        self._doc_ids += doc_ids
        self._positions.append(np.asarray(positions, dtype=np.int64))
        self._mixes.append(np.asarray(theta))

    def chosen(self) -> dict[int, list[tuple[float, str, int]]]:
        """topic (0-based) -> ``[(weight, doc_id, position)]``, best first; ties: the report
        first in name order, then the earlier paragraph."""
        if not self._mixes:
            return {}
        positions = np.concatenate(self._positions)
        names, doc_codes = np.unique(np.array(self._doc_ids, dtype=object), return_inverse=True)  # codes sort as names
        chosen = {}
        for topic in range(self._mixes[0].shape[1]):  # a topic's column at a time: all of them were a second copy
            weight = np.concatenate([mixes[:, topic] for mixes in self._mixes])
            chosen[topic] = [(float(weight[i]), names[doc_codes[i]], int(positions[i]))
                             for i in _one_per_report_first(np.lexsort((positions, doc_codes, -weight)), doc_codes, self.n)]
        return chosen


def _one_per_report_first(ranked: np.ndarray, doc_codes: np.ndarray, n: int) -> list[int]:
    """The first ``n`` of ``ranked`` (paragraph indices, best first) from distinct reports, then
    the best of the rest if there are fewer reports than ``n``; in rank order."""
    if n <= 0:
        return []
    chosen: list[int] = []
    seen: set[int] = set()
    for i in ranked:
        if doc_codes[i] not in seen:
            chosen.append(i)
            seen.add(doc_codes[i])
            if len(chosen) == n:
                break
    if len(chosen) < n:  # fewer reports than n: every one was scanned
        taken = set(chosen)
        chosen += [i for i in ranked[:n] if i not in taken][:n - len(chosen)]
        return ranked[np.isin(ranked, chosen)].tolist()
    return chosen
