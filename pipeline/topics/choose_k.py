"""Choosing K: the K sweep's per-K summaries and the rule that picks K from them."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..files import PipelineError

MIN_DIVERSITY = 0.5
K_RULE = (
    "K is the smallest number of topics whose mean NPMI (over the sweep's seeds) is within one "
    "standard error of the best mean NPMI, among the K whose mean topic diversity is at least "
    f"{MIN_DIVERSITY} (topics that mostly repeat each other's top words can score a high NPMI). "
    "The standard error pools the seed-to-seed variance of every K, since a handful of seeds "
    "per K estimates it poorly. The one-standard-error rule prefers the simpler model when a "
    "larger K is not clearly more coherent; held-out perplexity and exclusivity are "
    "reported alongside but do not vote: perplexity keeps falling with K and is known to "
    "disagree with human judgement of topics."
)

SWEEP_PLAN = (
    "Coarse to fine: the sweep trains every other K of the range first, then the neighbours of "
    "the K the rule chooses, until the chosen K's neighbours are all trained (the K left out are "
    "not next to the choice). Sweep models have one start each "
    "(the final model keeps its restarts): they compare K, they are not the model reported."
)


@dataclass(frozen=True)
class KSummary:
    """The sweep's measures for one K, averaged over seeds (``npmi_se``: standard error)."""

    k: int
    n_models: int
    npmi: float
    npmi_se: float
    diversity: float
    exclusivity: float
    perplexity: float


def summarise_sweep(rows: Sequence[dict]) -> list[KSummary]:
    """Per-model sweep rows (k, npmi, diversity, exclusivity, perplexity) -> per-K means."""
    summaries = []
    for k in sorted({r["k"] for r in rows}):
        group = [r for r in rows if r["k"] == k]
        npmi = np.array([r["npmi"] for r in group])
        se = float(npmi.std(ddof=1) / math.sqrt(len(npmi))) if len(npmi) > 1 else 0.0
        mean = {m: float(np.mean([r[m] for r in group])) for m in ("diversity", "exclusivity", "perplexity")}
        summaries.append(KSummary(k, len(group), float(npmi.mean()), se, **mean))
    return summaries


def pooled_se(summaries: Sequence[KSummary]) -> float:
    """Standard error of a K's mean NPMI from the within-K variance pooled over all K."""
    usable = [s for s in summaries if s.n_models > 1]
    if not usable:
        return 0.0
    return float(math.sqrt(np.mean([s.npmi_se ** 2 * s.n_models for s in usable]) / np.mean([s.n_models for s in usable])))


def coarse_grid(ks: Sequence[int]) -> list[int]:
    """The sweep's first round: every other K of ``ks``, both ends included."""
    return sorted(set(ks[::2]) | {ks[-1]}) if ks else []


def refinements(ks: Sequence[int], trained: set[int], chosen: int) -> list[int]:
    """The next round: the neighbours of the K chosen so far that are in ``ks`` but not trained."""
    i = list(ks).index(chosen)
    return [k for k in ks[max(0, i - 1):i + 2] if k not in trained]


def eligible_ks(summaries: Sequence[KSummary], min_diversity: float = MIN_DIVERSITY) -> list[KSummary]:
    """The K the rule may choose: those whose mean topic diversity is at least ``min_diversity``
    (every K when none is, so there is always a choice)."""
    return [s for s in summaries if s.diversity >= min_diversity] or list(summaries)


def most_coherent(summaries: Sequence[KSummary], min_diversity: float = MIN_DIVERSITY) -> KSummary:
    """The eligible K with the best mean NPMI (ties: the smaller K), which the rule measures from."""
    return max(eligible_ks(summaries, min_diversity), key=lambda s: (s.npmi, -s.k))


def npmi_threshold(summaries: Sequence[KSummary], min_diversity: float = MIN_DIVERSITY) -> float:
    """The least mean NPMI a K needs to be chosen: one pooled standard error below the best."""
    return most_coherent(summaries, min_diversity).npmi - pooled_se(summaries)


def choose_k(summaries: Sequence[KSummary], min_diversity: float = MIN_DIVERSITY) -> int:
    """Apply :data:`K_RULE` to the sweep's per-K summaries."""
    if not summaries:
        raise PipelineError("K sweep: no models to choose from")
    threshold = npmi_threshold(summaries, min_diversity)
    return min(s.k for s in eligible_ks(summaries, min_diversity) if s.npmi >= threshold)


def choice_note(summaries: Sequence[KSummary], n_seeded: int = 0) -> str:
    """lda/k_choice.txt: the K :func:`choose_k` chooses, the rule and the sweep's plan, the numbers
    the rule was applied to, and one line per K. ``n_seeded``: seeded topics every model had
    besides its K free ones."""
    chosen, best, se = choose_k(summaries), most_coherent(summaries), pooled_se(summaries)
    seeded = [f"K counts the free topics; every model of the sweep also had the {n_seeded} seeded topics, "
              f"which come on top."] if n_seeded else []
    note = [f"K chosen: {chosen}", "", "Rule: " + K_RULE, "", SWEEP_PLAN, *seeded, "",
            f"Best mean NPMI {best.npmi:+.4f} at K={best.k}; pooled standard error {se:.4f}; "
            f"so the smallest eligible K with mean NPMI >= {npmi_threshold(summaries):+.4f}.", "",
            "k  npmi (se)          diversity  exclusivity  perplexity"]
    note += [f"{s.k:<3}{s.npmi:+.4f} ({s.npmi_se:.4f})  {s.diversity:.3f}      {s.exclusivity:.3f}"
             f"        {s.perplexity:.1f}{'   <- chosen' if s.k == chosen else ''}" for s in summaries]
    return "\n".join(note) + "\n"


def split_holdout(n: int, share: float, seed: int) -> np.ndarray:
    """Boolean mask of held-out paragraphs: a seeded random ``share``, at least one of each kind."""
    mask = np.random.RandomState(seed).random_sample(n) < share
    if n >= 2 and mask.all():
        mask[0] = False
    if n >= 2 and not mask.any():
        mask[-1] = True
    return mask

