"""Term discovery: candidate multiword policy terms mined from the corpus, and the one step
that adds accepted candidates to the domain dictionary.

Candidates are runs of 2-4 adjacent jieba tokens (from segment/segmented.tsv, so punctuation
still separates them) that jieba keeps apart but the corpus keeps together. Two measures:

- cohesion: the pointwise mutual information of the weakest split (枫桥 | 经验), in bits;
  high when the parts occur together far more often than chance.
- freedom: the smaller of the left and right branching entropies, in bits: how varied the
  tokens before and after the candidate are. A fragment of a longer term has one fixed
  neighbour (entropy near 0); a term of its own appears in many contexts.

score = cohesion x freedom x log2(count): all three must be good for a high rank.
"""
from __future__ import annotations

import math
import re
from itertools import accumulate
from array import array
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np

from ..params import MiningParams

_CJK_TOKEN = re.compile(r"^[\u4e00-\u9fff]+$")
_BOUNDARY = None  # stands for the start or end of a run: every one counts as a distinct neighbour
ACCEPT_MARKS = {"y", "yes", "x", "1", "✓", "√", "是", "接受", "ok", "true"}
ACCEPT_HEADER = "# --- accepted from term discovery (make accept-terms) ---"


@dataclass
class Candidate:
    parts: tuple[str, ...]
    count: int = 0
    reports: set[str] = field(default_factory=set)
    left: Counter = field(default_factory=Counter)
    right: Counter = field(default_factory=Counter)
    examples: list[tuple[str, str]] = field(default_factory=list)
    cohesion: float = 0.0
    freedom: float = 0.0
    score: float = 0.0

    @property
    def term(self) -> str:
        return "".join(self.parts)


def runs(tokens: Sequence[str]) -> Iterator[list[str]]:
    """Maximal stretches of Chinese-character tokens: punctuation, numbers and Latin split them."""
    run: list[str] = []
    for token in tokens:
        if _CJK_TOKEN.match(token):
            run.append(token)
        elif run:
            yield run
            run = []
    if run:
        yield run


def branching_entropy(neighbours: Counter, boundaries: int) -> float:
    """Entropy (bits) of the neighbour distribution; each run boundary is a distinct neighbour."""
    total = sum(neighbours.values()) + boundaries
    if total == 0:
        return 0.0
    probabilities = [c / total for c in neighbours.values()] + [1 / total] * boundaries
    return -sum(p * math.log2(p) for p in probabilities)


def mine_terms(paragraphs: Callable[[], Iterable[tuple[str, Sequence[str]]]], settings: MiningParams = MiningParams(),
               n_examples: int = 2) -> list[Candidate]:
    """Rank candidate terms in ``(report id, tokens)`` paragraphs, best first.

    ``paragraphs`` is called twice (two passes). The first counts every run of 1 to
    ``max_tokens`` tokens by the hash of the run, in a flat array: memory grows with the
    tokens read, not with the distinct n-grams of a real vocabulary. The second follows only
    the runs seen ``min_count`` times or more. Candidates whose first or last part is a single
    character, or whose length is outside ``min_term_chars..max_term_chars``, are not kept. Ties are broken by the term itself. Stopwords and the dictionary
    apply afterwards (:func:`proposable`), so a stopword edit does not mine again.
    """
    keys = array("q")
    n_tokens = 0
    for _, tokens in paragraphs():
        for run in runs(tokens):
            n_tokens += len(run)
            for n in range(1, settings.max_tokens + 1):
                keys.extend(hash(tuple(run[i:i + n])) for i in range(len(run) - n + 1))
    unique, occurrences = np.unique(np.frombuffer(keys, dtype=np.int64), return_counts=True)
    del keys
    frequent = occurrences >= settings.min_count
    counts = dict(zip(unique[frequent].tolist(), occurrences[frequent].tolist()))
    del unique, occurrences

    found: dict[tuple[str, ...], Candidate] = {}
    for report, tokens in paragraphs():
        for run in runs(tokens):
            lengths = [len(token) for token in run]
            ends = list(accumulate(lengths, initial=0))  # characters before each token
            for n in range(2, settings.max_tokens + 1):
                for i in range(len(run) - n + 1):
                    # a single character cannot start or end a candidate; its length must fit
                    if (lengths[i] < 2 or lengths[i + n - 1] < 2
                            or not settings.min_term_chars <= ends[i + n] - ends[i] <= settings.max_term_chars):
                        continue
                    parts = tuple(run[i:i + n])
                    if hash(parts) not in counts:
                        continue
                    candidate = found.get(parts) or found.setdefault(parts, Candidate(parts))
                    candidate.count += 1
                    candidate.reports.add(report)
                    candidate.left[run[i - 1] if i > 0 else _BOUNDARY] += 1
                    candidate.right[run[i + n] if i + n < len(run) else _BOUNDARY] += 1
                    if len(candidate.examples) < n_examples and report not in {r for r, _ in candidate.examples}:
                        context = "".join(run[max(0, i - 6):i]) + "【" + "".join(parts) + "】" + "".join(run[i + n:i + n + 6])
                        candidate.examples.append((report, context))
    ranked = []
    for parts, candidate in found.items():
        # The exact count decides (a hash shared by two runs could have let a rare one through).
        split_counts = [(counts.get(hash(parts[:i])), counts.get(hash(parts[i:]))) for i in range(1, len(parts))]
        if (candidate.count < settings.min_count or len(candidate.reports) < settings.min_reports
                or any(a is None or b is None for a, b in split_counts)):
            continue
        candidate.cohesion = min(math.log2(candidate.count * n_tokens / (a * b)) for a, b in split_counts)
        boundaries_left = candidate.left.pop(_BOUNDARY, 0)
        boundaries_right = candidate.right.pop(_BOUNDARY, 0)
        candidate.freedom = min(branching_entropy(candidate.left, boundaries_left),
                                branching_entropy(candidate.right, boundaries_right))
        if candidate.cohesion < settings.min_cohesion or candidate.freedom < settings.min_freedom:
            continue
        candidate.score = candidate.cohesion * candidate.freedom * math.log2(candidate.count)
        ranked.append(candidate)
    ranked.sort(key=lambda c: (-c.score, c.term))
    return ranked


def proposable(parts: Sequence[str], stopwords: set[str] | frozenset[str], known: set[str] | frozenset[str]) -> bool:
    """A mined candidate is proposed unless a stopword starts or ends it or the dictionary has it."""
    return parts[0] not in stopwords and parts[-1] not in stopwords and "".join(parts) not in known


def swallowed_terms(term: str, protected: Iterable[str]) -> list[str]:
    """Protected terms (tracked themes) that ``term`` contains but is not: adding ``term`` to
    the dictionary would make jieba keep it whole, and the theme would stop being a token."""
    return sorted(p for p in protected if p != term and p in term)


# ---------------------------------------------------------------------------------------------
# Accepting candidates into the dictionary
# ---------------------------------------------------------------------------------------------


def check_term(term: str) -> str | None:
    """Why ``term`` cannot be a dictionary entry, or None."""
    if not term or any(ch.isspace() for ch in term) or "#" in term:
        return "a term cannot be empty or contain white space or '#'"
    return None


def add_terms(dictionary_text: str, terms: Sequence[str]) -> tuple[str, list[str]]:
    """``dictionary_text`` with ``terms`` appended under the accepted-terms header (added once);
    returns the new text and the terms actually added (ones already present are skipped)."""
    present = {line.split("#", 1)[0].split()[0] for line in dictionary_text.splitlines() if line.split("#", 1)[0].strip()}
    new = [t for t in dict.fromkeys(terms) if t not in present]
    if not new:
        return dictionary_text, []
    text = dictionary_text if dictionary_text.endswith("\n") or not dictionary_text else dictionary_text + "\n"
    if ACCEPT_HEADER not in text:
        text += "\n" + ACCEPT_HEADER + "\n"
    return text + "".join(t + "\n" for t in new), new


def marked_candidates(rows: Iterable[dict[str, str]]) -> list[str]:
    """Terms whose ``accept`` cell is marked (y, yes, x, 1, ✓, 是 ...)."""
    return [row["term"].strip() for row in rows if (row.get("accept") or "").strip().lower() in ACCEPT_MARKS]
