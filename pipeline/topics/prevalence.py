"""Themes across metadata: topic prevalence and theme frequency by year and by place, with
bootstrap-over-reports intervals.

Both are pooled, length-weighted rates of a group of reports: topic prevalence is the share of
the group's modelled text the model gives to a topic (report mixes weighted by their modelled
tokens, as ``describe.topic_share``); theme frequency is the group's occurrences per 10,000
characters (total count / total characters).
Reports, not paragraphs, are resampled: paragraphs of one report are not independent.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np

from ..params import BootstrapParams
from ..text.places import group_of, place_order

N_BOOTSTRAP = BootstrapParams.n_boot
MIN_REPORTS = BootstrapParams.min_reports


@dataclass(frozen=True)
class GroupEstimate:
    """One group's pooled estimate per column, its percentile interval (NaN when the group has
    fewer than ``min_reports`` reports) and size."""

    point: np.ndarray
    low: np.ndarray
    high: np.ndarray
    n_reports: int
    weight: float


def pooled(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean of each column of ``values`` (reports x columns) with report ``weights``."""
    return weights @ values / weights.sum()


def bootstrap_pooled(values: np.ndarray, weights: np.ndarray, n_boot: int = N_BOOTSTRAP, seed: int = 0,
                     level: float = 0.95, min_reports: int = MIN_REPORTS) -> GroupEstimate:
    """:func:`pooled` and its percentile bootstrap interval, resampling reports with replacement.

    All resamples at once: a (n_boot x reports) matrix of draw counts times the weighted values.
    """
    values = np.asarray(values, dtype=float).reshape(len(weights), -1)
    weights = np.asarray(weights, dtype=float)
    point = pooled(values, weights)
    n = len(weights)
    if n < max(2, min_reports):
        nan = np.full_like(point, np.nan)
        return GroupEstimate(point, nan, nan.copy(), n, float(weights.sum()))
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n, size=(n_boot, n))
    counts = np.zeros((n_boot, n))
    np.add.at(counts, (np.repeat(np.arange(n_boot), n), draws.ravel()), 1.0)
    resampled = (counts @ (weights[:, None] * values)) / (counts @ weights)[:, None]
    tail = (1 - level) / 2
    low, high = np.quantile(resampled, [tail, 1 - tail], axis=0)
    return GroupEstimate(point, low, high, n, float(weights.sum()))


def estimate_groups(groups: dict[str, list[int]], values: np.ndarray, weights: np.ndarray, seed: int = 0,
                    n_boot: int = N_BOOTSTRAP, min_reports: int = MIN_REPORTS) -> dict[str, GroupEstimate]:
    """:func:`bootstrap_pooled` for each group (name -> report rows), each with its own stream."""
    return {name: bootstrap_pooled(values[rows], weights[rows], n_boot, seed + i, min_reports=min_reports)
            for i, (name, rows) in enumerate(groups.items())}


def is_year(name: str) -> bool:
    """Whether a group name is a year (the others: unknown, or a metadata CSV's free text)."""
    return len(name) == 4 and name.isdigit()


def year_cell(group: str) -> int | None:
    """A year group as a table's year cell: a number, or empty (None) for the reports without a
    year, so that the column loads as numbers in pandas, R and Excel. Figures keep the label."""
    return int(group) if is_year(group) else None


def year_order(name: str) -> tuple:
    """Years in numeric order; anything else (unknown) after them."""
    return (0, int(name)) if is_year(name) else (1, name)


def fill_year_gaps(groups: dict[str, list[int]]) -> dict[str, list[int]]:
    """Year groups with every year between the first and the last, empty where no report is
    from that year (a true time axis for figures with a row or point per year); other groups last."""
    years = [int(g) for g in groups if is_year(g)]
    if not years:
        return groups
    filled = {str(y): groups.get(str(y), []) for y in range(min(years), max(years) + 1)}
    return {**filled, **{g: rows for g, rows in groups.items() if not is_year(g)}}


def nan_to_none(x: float) -> float | None:
    """A table cell: NaN (no estimate) is written empty."""
    return None if np.isnan(x) else float(x)


def group_rows(doc_ids: Sequence[str], group_of: Mapping[str, str], order: Callable[[str], tuple] | None = None
               ) -> dict[str, list[int]]:
    """Group name -> the rows (positions in ``doc_ids``) of its reports, groups in ``order``."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, doc_id in enumerate(doc_ids):
        groups[group_of[doc_id]].append(i)
    return dict(sorted(groups.items(), key=lambda kv: order(kv[0]))) if order else dict(groups)


def reports_by(documents: Mapping[str, Mapping[str, str]], doc_ids: Sequence[str], dimension: str,
               level: str | None = None) -> dict[str, list[int]]:
    """:func:`group_rows` by year (in year order) or by place at ``level`` (by name): the groups
    every table and figure by year or place uses."""
    return group_rows(doc_ids, group_of(documents, dimension, level), year_order if dimension == "year" else place_order)


def dimension_title(dimension: str, level: str | None) -> str:
    """A figure title's words for the grouping: 年份 year, or 地区 place (county)."""
    return "年份 year" if dimension == "year" else f"地区 place ({level or '—'})"


def pool_small_groups(groups: dict[str, list[int]], max_groups: int) -> dict[str, list[int]]:
    """Keep the ``max_groups - 1`` groups with most reports; pool the rest as "其他 N 处"."""
    if len(groups) <= max_groups:
        return groups
    ranked = sorted(groups, key=lambda g: (-len(groups[g]), g))
    kept = {g: groups[g] for g in ranked[:max_groups - 1]}
    rest = [i for g in ranked[max_groups - 1:] for i in groups[g]]
    return {**kept, f"其他 {len(groups) - len(kept)} 处": sorted(rest)}


def theme_rates(counts: np.ndarray, chars: np.ndarray) -> np.ndarray:
    """Per-report occurrences per 10,000 characters (reports x themes); pooled with character
    weights they give a group's total count / total characters."""
    chars = np.asarray(chars, dtype=float)[:, None]
    return np.divide(1e4 * counts, chars, out=np.zeros_like(counts, dtype=float), where=chars > 0)
