"""When and where a theme appears: per year, the reports and places that mention it, the places
mentioning it for the first time, and the share of places that have mentioned it so far.

A report "mentions" a theme when its cleaned text contains the theme's name or an alias at least
once (the counts of themes/theme_counts.csv). Reports without a year are counted in a group of
their own (:data:`places.UNKNOWN`), last, and never as a first mention. Beside prevalence.py,
whose grouping and bootstrap over reports it shares: theme adoption is one more measure of
themes across years and places.
"""
from __future__ import annotations

from collections import Counter
from typing import Iterator, Mapping, Sequence

import numpy as np

from ..text.places import UNKNOWN
from .prevalence import MIN_REPORTS, N_BOOTSTRAP, estimate_groups, group_rows, is_year, nan_to_none, year_order


def dated_places(year_of: Mapping[str, str], place_of: Mapping[str, str]) -> set[str]:
    """The places with a report whose year is known: the base of the cumulative adoption share."""
    return {place_of[d] for d, year in year_of.items() if is_year(year) and place_of[d]}


def adoption_rows(doc_ids: Sequence[str], year_of: Mapping[str, str], place_of: Mapping[str, str],
                  mentioned: np.ndarray, themes: Sequence[str], seed: int = 0, n_boot: int = N_BOOTSTRAP,
                  min_reports: int = MIN_REPORTS) -> Iterator[list]:
    """One row per theme and year: ``theme, year, reports, reports_mentioning, share_reports,
    places, places_mentioning, first_mentions, ci_low, ci_high, places_ever_share``.

    ``mentioned`` is reports x themes (bool). The share of a year's reports mentioning a theme
    gets a bootstrap interval over those reports where there are ``min_reports`` of them.
    ``place_of`` gives "" where a report's place is not known: such a report counts for the
    shares, not for the places. ``first_mentions``: the places whose first report mentioning the
    theme is from that year (a place's first report in the corpus may be one).
    ``places_ever_share``: of the :func:`dated_places`, the share that have mentioned the theme
    in this year or before (a cumulative adoption curve: it never falls; a place whose reports
    start late can only count from then).
    """
    groups = group_rows(doc_ids, {d: year_of[d] or UNKNOWN for d in doc_ids}, year_order)
    estimates = estimate_groups(groups, mentioned.astype(float), np.ones(len(doc_ids)), seed, n_boot, min_reports)
    places = np.array([place_of[d] for d in doc_ids], dtype=object)
    n_dated = len(dated_places({d: year_of[d] for d in doc_ids}, place_of))
    for j, theme in enumerate(themes):
        first_year: dict[str, str] = {}
        for year, rows in groups.items():
            if is_year(year):
                for place in places[rows][mentioned[rows, j]]:
                    if place:
                        first_year.setdefault(place, year)
        firsts = Counter(first_year.values())
        ever = 0
        for year, rows in groups.items():
            estimate = estimates[year]
            dated = is_year(year)
            ever += firsts[year] if dated else 0
            yield [theme, year, len(rows), int(mentioned[rows, j].sum()), float(estimate.point[j]),
                   len({p for p in places[rows] if p}), len({p for p in places[rows][mentioned[rows, j]] if p}),
                   firsts[year] if dated else None, nan_to_none(estimate.low[j]), nan_to_none(estimate.high[j]),
                   ever / n_dated if n_dated and dated else None]
