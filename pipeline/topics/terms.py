"""Term discovery: candidate multiword policy terms mined from the corpus, and the one step
that adds accepted candidates to the domain dictionary.

Candidates are runs of 2-4 adjacent jieba tokens (from segment/segmented.tsv.gz, so punctuation
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
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np

from ..files import PipelineError
from ..params import MiningParams
from ..text.chars import HAN_WORD
from ..text.decoding import user_csv

ACCEPT_MARKS = {"y", "yes", "x", "1", "✓", "√", "是", "接受", "ok", "true"}
ACCEPT_HEADER = "# --- accepted from term discovery (make accept-terms) ---"


@dataclass
class Candidate:
    parts: tuple[str, ...]
    count: int = 0
    n_reports: int = 0
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
        if HAN_WORD.fullmatch(token):
            run.append(token)
        elif run:
            yield run
            run = []
    if run:
        yield run


def branching_entropy(counts: Sequence[int], boundaries: int) -> float:
    """Entropy (bits) of a neighbour distribution, given as each neighbour's count; each of the
    ``boundaries`` run boundaries is a distinct neighbour."""
    total = sum(counts) + boundaries
    if total == 0:
        return 0.0
    probabilities = [c / total for c in counts] + [1 / total] * boundaries
    return -sum(p * math.log2(p) for p in probabilities)


class _Sample:
    """The runs of the mined paragraphs as flat arrays: every run's token ids one after another,
    and for each token its run, its report and the characters before it."""

    def __init__(self, paragraphs: Iterable[tuple[str, Sequence[str]]]):
        ids: dict[str, int] = {}
        report_ids: dict[str, int] = {}
        codes, ends, run_reports = array("i"), array("q"), array("i")
        for report, tokens in paragraphs:
            report_id = report_ids.setdefault(report, len(report_ids))
            for run in runs(tokens):
                codes.extend([ids.setdefault(t, len(ids)) for t in run])
                ends.append(len(codes))
                run_reports.append(report_id)
        if len(codes) >= 2**31:
            raise PipelineError(f"term mining: {len(codes):,} tokens in the sample; set sample_tokens below 2**31")
        self.vocab, self.reports = list(ids), list(report_ids)
        # 32-bit: a sample is bounded by MiningParams.sample_tokens (checked above)
        self.token = np.frombuffer(codes, dtype=np.int32)
        self.run_end = np.frombuffer(ends, dtype=np.int64)  # exclusive
        self.run_start = np.concatenate([[0], self.run_end[:-1]]).astype(np.int64)
        self.run_of = np.repeat(np.arange(len(ends), dtype=np.int32), self.run_end - self.run_start)
        self.report_of = np.frombuffer(run_reports, dtype=np.int32)[self.run_of]
        self.token_chars = np.array([len(t) for t in self.vocab], dtype=np.int32)[self.token]
        self.chars_before = np.concatenate([[0], np.cumsum(self.token_chars, dtype=np.int64)])

    def text(self, start: int, end: int) -> str:
        return "".join(self.vocab[t] for t in self.token[start:end].tolist())


def _numbered(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each distinct key's occurrences, and each key's number (0, 1, ... in key order), 32-bit."""
    _, number, count = np.unique(keys, return_inverse=True, return_counts=True)
    return count, number.ravel().astype(np.int32)


def _grouped_by_first_occurrence(key: np.ndarray, other: np.ndarray, n_other: int):
    """The distinct ``(key, other)`` pairs of two aligned arrays, ordered by key and then by first
    occurrence: ``(their keys, counts, first indexes)``."""
    pairs, first, count = np.unique(key.astype(np.int64) * n_other + other, return_index=True, return_counts=True)
    order = np.lexsort((first, pairs // n_other))
    return pairs[order] // n_other, count[order], first[order]


def _per_key(keys: np.ndarray, values: list, wanted: np.ndarray) -> list[list]:
    """``values`` (aligned with the sorted ``keys``) split into one list per key of ``wanted``."""
    bounds = np.searchsorted(keys, np.concatenate([wanted, wanted + 1]))
    return [values[a:b] for a, b in zip(bounds[:len(wanted)].tolist(), bounds[len(wanted):].tolist())]


def _freedom(sample: _Sample, n: int, at: np.ndarray, number: np.ndarray, chosen: np.ndarray,
             left_in_run: np.ndarray) -> np.ndarray:
    """The smaller branching entropy of the neighbours before and after each ``chosen`` n-gram
    (its occurrences start ``at``), neighbours counted in first-seen order."""
    freedom = np.full(len(chosen), np.inf)
    for has, neighbour in ((at > sample.run_start[sample.run_of[at]], at - 1), (left_in_run[at] > n, at + n)):
        keys, counts, _ = _grouped_by_first_occurrence(number[has], sample.token[neighbour[has]], len(sample.vocab))
        boundaries = np.bincount(number[~has], minlength=chosen[-1] + 1)[chosen].tolist()
        freedom = np.minimum(freedom, [branching_entropy(c, b)
                                       for c, b in zip(_per_key(keys, counts.tolist(), chosen), boundaries)])
    return freedom


def _examples(sample: _Sample, n: int, at: np.ndarray, number: np.ndarray, chosen: np.ndarray,
              n_examples: int) -> list[list[tuple[str, str]]]:
    """For each ``chosen`` n-gram, ``(report, context)`` of its first occurrence in each of the
    first ``n_examples`` reports it occurs in: six tokens either side, within the run."""
    keys, _, first = _grouped_by_first_occurrence(number, sample.report_of[at], len(sample.reports))
    examples = []
    for starts in _per_key(keys, at[first].tolist(), chosen):
        found = []
        for p in starts[:n_examples]:
            run = sample.run_of[p]
            found.append((sample.reports[sample.report_of[p]],
                          sample.text(max(sample.run_start[run], p - 6), p) + "【" + sample.text(p, p + n) + "】"
                          + sample.text(p + n, min(sample.run_end[run], p + n + 6))))
        examples.append(found)
    return examples


def mine_terms(paragraphs: Callable[[], Iterable[tuple[str, Sequence[str]]]], settings: MiningParams = MiningParams(),
               n_examples: int = 2) -> list[Candidate]:
    """Rank candidate terms in ``(report id, tokens)`` paragraphs, best first.

    Every run of 1 to ``max_tokens`` tokens is counted exactly, on arrays of token ids: an
    n-gram is numbered by ``np.unique`` from its (n-1)-gram prefix's number and its last token,
    so memory grows with the tokens read, not with the distinct n-grams of a real vocabulary.
    Candidates whose first or last part is a single character, or whose length is outside
    ``min_term_chars..max_term_chars``, are not kept. Ties are broken by the term itself, then
    by first occurrence. Stopwords and the dictionary apply afterwards (:func:`proposable`), so
    a stopword edit does not mine again.
    """
    sample = _Sample(paragraphs())
    token, n_tokens = sample.token, len(sample.token)
    n_vocab, n_reports_all = max(1, len(sample.vocab)), max(1, len(sample.reports))
    left_in_run = (sample.run_end[sample.run_of] - np.arange(n_tokens)).astype(np.int32)  # tokens from each to its run's end
    token_chars = sample.token_chars
    numbers, counts = {1: token}, {1: np.bincount(token, minlength=n_vocab)}  # n -> each position's n-gram; counts
    ranked: list[tuple] = []
    for n in range(2, settings.max_tokens + 1):
        at = np.flatnonzero(left_in_run >= n)  # where an n-gram starts
        count, number = _numbered(numbers[n - 1][at].astype(np.int64) * n_vocab + token[at + n - 1])
        if n < settings.max_tokens:  # a longer n-gram's prefix and the splits need it
            numbers[n] = np.full(n_tokens, -1, dtype=np.int32)
            numbers[n][at] = number
        counts[n] = count
        # a single character cannot start or end a candidate; its length must fit
        chars = sample.chars_before[at + n] - sample.chars_before[at]
        eligible = ((token_chars[at] >= 2) & (token_chars[at + n - 1] >= 2) & (chars >= settings.min_term_chars)
                    & (chars <= settings.max_term_chars) & (count[number] >= settings.min_count))
        at, number = at[eligible], number[eligible]
        n_reports = np.bincount(np.unique(number.astype(np.int64) * n_reports_all + sample.report_of[at]) // n_reports_all,
                                minlength=len(count))
        wanted = n_reports[number] >= settings.min_reports
        at, number = at[wanted], number[wanted]
        chosen, first = np.unique(number, return_index=True)
        first_at = at[first]
        # Cohesion: the weakest split's PMI, on exact counts.
        ratio = np.full(len(chosen), np.inf)
        for i in range(1, n):
            a, b = counts[i][numbers[i][first_at]], counts[n - i][numbers[n - i][first_at + i]]
            ratio = np.minimum(ratio, count[chosen] * n_tokens / (a * b))
        cohesion = np.array([math.log2(r) for r in ratio.tolist()])
        cohesive = cohesion >= settings.min_cohesion
        chosen, first_at, cohesion = chosen[cohesive], first_at[cohesive], cohesion[cohesive]
        if not chosen.size:
            continue
        occurs = np.isin(number, chosen)
        at, number = at[occurs], number[occurs]
        freedom = _freedom(sample, n, at, number, chosen, left_in_run)
        free = freedom >= settings.min_freedom
        chosen, first_at, cohesion, freedom = chosen[free], first_at[free], cohesion[free], freedom[free]
        for key, start, coh, free_bits, examples in zip(chosen.tolist(), first_at.tolist(), cohesion.tolist(),
                                                        freedom.tolist(), _examples(sample, n, at, number, chosen, n_examples)):
            parts = tuple(sample.vocab[t] for t in token[start:start + n].tolist())
            candidate = Candidate(parts, int(count[key]), int(n_reports[key]), examples, coh, free_bits,
                                  coh * free_bits * math.log2(count[key]))
            ranked.append((-candidate.score, candidate.term, int(sample.run_of[start]), n, start, candidate))
    ranked.sort(key=lambda entry: entry[:5])
    return [entry[-1] for entry in ranked]


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


def add_terms(dictionary_text: str, terms: Sequence[str], header: str = ACCEPT_HEADER) -> tuple[str, list[str]]:
    """``dictionary_text`` (a word list) with ``terms`` appended under ``header`` (added once);
    returns the new text and the terms actually added (ones already present are skipped)."""
    present = {line.split("#", 1)[0].split()[0] for line in dictionary_text.splitlines() if line.split("#", 1)[0].strip()}
    new = [t for t in dict.fromkeys(terms) if t not in present]
    if not new:
        return dictionary_text, []
    text = dictionary_text if dictionary_text.endswith("\n") or not dictionary_text else dictionary_text + "\n"
    if header not in text:
        text += "\n" + header + "\n"
    return text + "".join(t + "\n" for t in new), new


def marked_candidates(rows: Iterable[dict[str, str]]) -> list[str]:
    """Terms whose ``accept`` cell is marked (y, yes, x, 1, ✓, 是 ...)."""
    return [row["term"].strip() for row in rows if (row.get("accept") or "").strip().lower() in ACCEPT_MARKS]


def marked_in(path: Path) -> list[str]:
    """The terms a person marked in the accept column of a candidate table (saved by Excel, say)."""
    columns, rows = user_csv(path.read_bytes(), str(path))
    if rows and "accept" not in columns:
        raise PipelineError(f"{path}: no 'accept' column; mark the terms to add there")
    return marked_candidates(rows)


def append_to_list(path: Path, words: Sequence[str], header: str) -> list[str]:
    """Append ``words`` to the word list at ``path`` under ``header`` (see :func:`add_terms`),
    written atomically; returns the words added (those already listed are not)."""
    from ..files import atomic_open

    text = path.read_text(encoding="utf-8-sig") if path.is_file() else ""
    new_text, added = add_terms(text, words, header)
    if added:
        with atomic_open(path) as handle:
            handle.write(new_text)
    return added


def added_note(command: str, path: Path, words: Sequence[str], added: Sequence[str], then: str) -> str:
    """What an accept command did: the words it added to ``path``, those already there, and what
    the next ``make topics`` will do with them (``then``)."""
    skipped = [w for w in words if w not in added]
    return (f"{command}: added {len(added)} to {path}: {' '.join(added) or '-'}"
            + (f"; already there: {' '.join(skipped)}" if skipped else "")
            + (f"; rerun `make topics` to {then}" if added else ""))
