"""Describing topics, one rule each: the label, the share of the corpus, the rankings of a
topic's words, and its representative paragraphs."""
from __future__ import annotations

import heapq
from collections import defaultdict
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
    fill the list), fed one paragraph mix at a time (stm's findThoughts, spread over reports).

    Keeps the best ``n`` per (topic, report): enough to choose from, in memory that grows with
    reports x K, not with paragraphs.
    """

    def __init__(self, n: int):
        self.n = n
        self._heaps: dict[tuple[int, str], list[tuple[float, int]]] = defaultdict(list)

    def add(self, doc_id: str, position: int, theta: np.ndarray) -> None:
        for topic, weight in enumerate(theta):
            item = (float(weight), -position)  # ties: the earlier paragraph wins
            heap = self._heaps[(topic, doc_id)]
            if len(heap) < self.n:
                heapq.heappush(heap, item)
            elif item > heap[0]:
                heapq.heapreplace(heap, item)

    def chosen(self) -> dict[int, list[tuple[float, str, int]]]:
        """topic (0-based) -> ``[(weight, doc_id, position)]``, best first."""
        candidates: dict[int, list[tuple[float, str, int]]] = defaultdict(list)
        for (topic, doc_id), heap in self._heaps.items():
            candidates[topic].extend((w, doc_id, -p) for w, p in heap)
        return {topic: _one_per_report_first(items, self.n) for topic, items in sorted(candidates.items())}


def _one_per_report_first(items: list[tuple[float, str, int]], n: int) -> list[tuple[float, str, int]]:
    ranked = sorted(items, key=lambda x: (-x[0], x[1], x[2]))
    chosen, seen = [], set()
    for item in ranked:
        if item[1] not in seen and len(chosen) < n:
            chosen.append(item)
            seen.add(item[1])
    chosen += [item for item in ranked if item not in chosen][:n - len(chosen)]
    return sorted(chosen, key=lambda x: (-x[0], x[1], x[2]))
