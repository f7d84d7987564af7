"""Is a theme's topic about the theme? Measured on the corpus, not assumed from the prior.

A seeded topic is trained as a labelled topic (it takes words only in paragraphs that name its
theme), so where it weighs in the model's own mixes says nothing: that is the constraint. And it
may learn its paragraphs' own wording, so it is measured on paragraphs it never trained on: one
paragraph in five is held out (``batch_lda.held_out_rows``), and the measures are computed on
that fold, those naming the theme against those that do not, in the corpus's proportion. They
ask the trained topic, set free of the constraint, where it would weigh:

- **theme precision**: with every paragraph allowed every topic, take the ``n`` paragraphs where
  the topic weighs most, ``n`` being the number that name the theme; the share of them that do.
  A topic about a broad subject (employment, schools) fails it even if its word list starts with
  the theme's name.
- **masked AUC**: the same free inference with the seeded themes' own terms removed from every
  paragraph; how well the topic's weight ranks the paragraphs that name the theme above the
  others (the area under the ROC curve: 0.5 is chance). A topic that is only its word fails it.
- **stability without its own terms** (the quality stage): the topic's top words, its theme's
  terms left out, against the same topic of models trained with other seeds.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import sparse

from .batch_lda import held_out_rows
from .measures import jaccard


# A verdict on fewer held-out paragraphs naming the theme would be a coin toss: the topic is then
# not named, for want of evidence (a theme in 50 paragraphs has about 10 held out).
MIN_MEASURED = 10


@dataclass(frozen=True)
class ThemeValidity:
    """What was measured for one seeded theme's topic (``topic`` counts from 0)."""

    theme: str
    topic: int
    named_paragraphs: int  # paragraphs (modelled) that contain one of the theme's terms
    held_out: int  # ... of which the topic never saw in training: the named paragraphs measured
    top_named: int  # of the ``held_out`` measured paragraphs where the free topic weighs most, how many name it
    masked_auc: float
    carried_by: tuple[tuple[int, float], ...]  # free topics holding most of the theme's paragraphs' mass

    @property
    def precision(self) -> float:
        return self.top_named / self.held_out if self.held_out else float("nan")

    def verdict(self, min_precision: float, min_auc: float) -> tuple[bool, str]:
        """Whether the topic may bear its theme's name (measured on at least
        :data:`MIN_MEASURED` held-out paragraphs, precision and masked AUC at the minimums), and
        why, in words."""
        if self.held_out < MIN_MEASURED:
            return False, f"{self.held_out} held-out paragraphs name it, too few to measure it on (at least {MIN_MEASURED})"
        failed = []
        if not self.precision >= min_precision:
            failed.append(f"precision {self.precision:.2f} < {min_precision:g}")
        if not self.masked_auc >= min_auc:
            failed.append(f"masked AUC {self.masked_auc:.2f} < {min_auc:g}")
        if failed:
            return False, ", ".join(failed)
        return True, f"precision >= {min_precision:g} and masked AUC >= {min_auc:g}"


def theme_precision_hits(weights: np.ndarray, named: np.ndarray) -> int:
    """Of the ``named.sum()`` paragraphs with the largest ``weights``, how many are ``named``
    (ties broken by paragraph order, so the count is reproducible)."""
    n = int(named.sum())
    top = np.argsort(-weights, kind="stable")[:n]
    return int(named[top].sum())


def ranking_auc(weights: np.ndarray, named: np.ndarray) -> float:
    """The probability that a named paragraph outweighs an unnamed one (ties count half): the
    ROC AUC, NaN where either group is empty."""
    from sklearn.metrics import roc_auc_score

    if named.all() or not named.any():
        return float("nan")
    return float(roc_auc_score(named, weights))


def word_shares(gamma: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Each topic's share of a paragraph's words (``gamma`` less the prior ``alpha``), not of its
    posterior mix: there the prior gives every topic alpha / (K alpha + words), a large share of a
    five-word paragraph that uses none of it, and a ranking by it would rank short paragraphs."""
    words = np.maximum(gamma - alpha, 0)
    return words / np.maximum(words.sum(axis=1, keepdims=True), 1e-12)


def without_terms(counts: sparse.csr_matrix, term_ids: Sequence[int]) -> sparse.csr_matrix:
    """``counts`` (documents x terms) with the given terms' columns removed (set to 0)."""
    keep = np.ones(counts.shape[1], dtype=counts.dtype)
    keep[list(term_ids)] = 0
    masked = sparse.csr_matrix(counts @ sparse.diags(keep))
    masked.eliminate_zeros()
    return masked


class ThemeValidityCounter:
    """Accumulates, a chunk of paragraphs at a time, what :class:`ThemeValidity` needs for each
    seeded topic: how many paragraphs name the theme, the model's (constrained) mixes summed over
    them and, on the held-out fold only, which paragraphs name it and the free topic's weight in
    each, unmasked and masked."""

    def __init__(self, themes: Sequence[str], seed_ids: Sequence[Sequence[int]]):
        self.themes, self.seed_ids = list(themes), [list(ids) for ids in seed_ids]
        self.all_ids = sorted({i for ids in self.seed_ids for i in ids})
        self.n_named = np.zeros(len(self.seed_ids), dtype=np.int64)
        self.mass = np.zeros((len(self.seed_ids), 0))
        self.fold_named: list[np.ndarray] = []
        self.free: list[np.ndarray] = []
        self.masked: list[np.ndarray] = []

    def add(self, model, counts: sparse.csr_matrix, mixes: np.ndarray, rng: np.random.RandomState) -> None:
        """One chunk: its term ``counts`` and the model's ``mixes`` for it. ``rng`` draws the
        free inferences' starts (not the model's own random state, so the model's outputs do not
        depend on whether this ran)."""
        n_seeded = len(self.seed_ids)
        counts = sparse.csr_matrix(counts, dtype=model.dtype)
        named = model.allowed_topics(counts, holdout=False)[:, :n_seeded] > 0
        self.n_named += named.sum(axis=0)
        mass = named.T.astype(np.float64) @ mixes  # seeded topics x all topics
        self.mass = mass if not self.mass.size else self.mass + mass
        held = held_out_rows(counts)
        fold = counts[held]
        free, _ = model.infer_counts(fold, random_state=rng)
        masked, _ = model.infer_counts(without_terms(fold, self.all_ids), random_state=rng)
        self.fold_named.append(named[held])
        self.free.append(word_shares(free, model.alpha)[:, :n_seeded])
        self.masked.append(word_shares(masked, model.alpha)[:, :n_seeded])

    def results(self, n_carriers: int = 3) -> list[ThemeValidity]:
        # Measured on the held-out fold, which the labelled topics never trained on: the paragraphs
        # naming the theme in it against those not naming it, in the corpus's proportion.
        named, free, masked = (np.concatenate(parts) for parts in (self.fold_named, self.free, self.masked))
        n_seeded = len(self.seed_ids)
        out = []
        for s, theme in enumerate(self.themes):
            others = self.mass[s, n_seeded:] / max(self.mass[s].sum(), 1e-12)
            carriers = tuple((n_seeded + int(t), float(others[t])) for t in np.argsort(-others, kind="stable")[:n_carriers])
            out.append(ThemeValidity(theme, s, int(self.n_named[s]), int(named[:, s].sum()),
                                     theme_precision_hits(free[:, s], named[:, s]),
                                     ranking_auc(masked[:, s], named[:, s]), carriers))
        return out


def stability_without_terms(reference: Sequence[str], others: Sequence[Sequence[str]], own: set[str], n: int) -> float:
    """Mean Jaccard overlap of a topic's top ``n`` words and the same topic's in other runs, the
    theme's ``own`` terms left out of every list."""
    def top(words: Sequence[str]) -> list[str]:
        return [w for w in words if w not in own][:n]

    return float(np.mean([jaccard(top(reference), top(other)) for other in others])) if others else float("nan")
