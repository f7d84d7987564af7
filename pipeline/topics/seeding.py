"""Seeded topics: a theme marked in themes.txt gets a topic of its own, next to the free topics
(keyword-assisted topic modelling, as keyATM does in R).

The topic is labelled (labelled LDA's constraint, in :mod:`batch_lda`): it takes words only in
the paragraphs that use one of the theme's terms, so what it learns is the theme's context. It
starts from those paragraphs; optionally its terms get a topic-word prior (gensim's ``eta`` as a
topics x terms matrix, ``seed_strength``). Whether it is about the theme is measured, not
assumed (:mod:`validity`). A theme is seeded only where its terms are common enough to hold a
topic: see :func:`choose_seeds`.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

import numpy as np

from ..params import LdaParams
from ..text.themes import Theme


@dataclass(frozen=True)
class SeedTopic:
    """A seeded topic: the theme it carries and that theme's terms in the model's vocabulary."""

    theme: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class SeedDecision:
    """Whether a theme gets a topic in this run, and why (or why not)."""

    theme: str
    marked: bool
    seeded: bool
    paragraphs: int
    reports: int
    reason: str


class KeywordCoverage:
    """The paragraphs and reports each theme term occurs in, counted as the tokens stream past
    (so the vocabulary pass over the corpus counts them too; keyATM's ``visualize_keywords``)."""

    def __init__(self, themes: Sequence[Theme]):
        self.themes = list(themes)
        self.paragraphs: dict[str, int] = defaultdict(int)  # term -> paragraphs
        self.reports: dict[str, set[str]] = defaultdict(set)  # term -> reports
        self.theme_paragraphs: dict[str, int] = defaultdict(int)
        self.theme_reports: dict[str, set[str]] = defaultdict(set)
        self.n_paragraphs = 0
        self._owners: dict[str, list[str]] = defaultdict(list)
        for theme in self.themes:
            for term in theme.terms:
                self._owners[term].append(theme.name)

    def observe(self, rows: Iterable[tuple[str, int, list[str]]]) -> Iterator[tuple[str, int, list[str]]]:
        """Pass ``(doc_id, position, tokens)`` rows through, counting on the way."""
        for row in rows:
            doc_id, _, tokens = row
            self.n_paragraphs += 1
            found = self._owners.keys() & set(tokens)
            for term in found:
                self.paragraphs[term] += 1
                self.reports[term].add(doc_id)
            for theme in {name for term in found for name in self._owners[term]}:
                self.theme_paragraphs[theme] += 1
                self.theme_reports[theme].add(doc_id)
            yield row

    def merge(self, other: "KeywordCoverage") -> None:
        """Add ``other``'s counts, of other paragraphs (counted in a worker process, say)."""
        self.n_paragraphs += other.n_paragraphs
        for mine, theirs in ((self.paragraphs, other.paragraphs), (self.theme_paragraphs, other.theme_paragraphs)):
            for key, n in theirs.items():
                mine[key] += n
        for mine, theirs in ((self.reports, other.reports), (self.theme_reports, other.theme_reports)):
            for key, reports in theirs.items():
                mine[key] |= reports

    def term_rows(self, vocabulary: dict[str, int]) -> list[tuple[str, str, int, int, int]]:
        """``(theme, term, in_vocabulary, paragraphs, reports)`` for every theme term."""
        return [(theme.name, term, int(term in vocabulary), self.paragraphs[term], len(self.reports[term]))
                for theme in self.themes for term in theme.terms]


def choose_seeds(coverage: KeywordCoverage, vocabulary: dict[str, int], n_paragraphs: int,
                 params: LdaParams) -> tuple[list[SeedDecision], list[SeedTopic]]:
    """Which marked themes get a topic: those with a term in the vocabulary whose terms occur in
    at least ``params.seed_min_share`` of the paragraphs (and in ``no_below``) and in
    ``params.seed_min_reports`` reports: rarer, a topic would be the handful of paragraphs that
    name the theme, not a theme of the corpus."""
    floor = max(params.no_below, int(np.ceil(params.seed_min_share * n_paragraphs)))
    decisions, seeds = [], []
    for theme in coverage.themes:
        in_vocabulary = tuple(t for t in theme.terms if t in vocabulary)
        paragraphs, reports = coverage.theme_paragraphs[theme.name], len(coverage.theme_reports[theme.name])
        seeded = False
        if not theme.seeded:
            reason = "not marked * in the themes file"
        elif not params.seeded:
            reason = "SEEDED=0: plain LDA"
        elif not in_vocabulary:
            reason = (f"none of its terms is in the model's vocabulary (a term in fewer than "
                      f"{params.no_below} paragraphs after stopwords, or not one jieba token, is not)")
        elif paragraphs < floor:
            reason = (f"in {paragraphs} paragraphs, fewer than {floor} (seed_min_share {params.seed_min_share:g} of "
                      f"{n_paragraphs}): too rare to hold a topic")
        elif reports < params.seed_min_reports:
            reason = f"in {reports} reports, fewer than {params.seed_min_reports} (seed_min_reports): too rare to hold a topic"
        else:
            seeded, reason = True, f"in {paragraphs} paragraphs (at least {floor}) of {reports} reports"
            seeds.append(SeedTopic(theme.name, in_vocabulary))
        decisions.append(SeedDecision(theme.name, theme.seeded, seeded, paragraphs, reports, reason))
    return decisions, seeds


def seed_term_ids(seeds: Sequence[SeedTopic], token2id: dict[str, int]) -> list[list[int]]:
    return [[token2id[t] for t in seed.terms] for seed in seeds]


def seed_prior(base_eta: float, n_free: int, seed_ids: Sequence[Sequence[int]], term_counts: np.ndarray,
               strength: float) -> np.ndarray:
    """The topics x terms prior: ``base_eta`` everywhere, plus ``strength`` times the term's
    corpus count for a seeded topic's own terms. Scaled by the count, the prior weighs the same
    on 5 reports and on 3,000: a seed term keeps at least about half its mass in its topic."""
    prior = np.full((len(seed_ids) + n_free, len(term_counts)), float(base_eta))
    for topic, ids in enumerate(seed_ids):
        prior[topic, ids] += strength * term_counts[ids]
    return prior
