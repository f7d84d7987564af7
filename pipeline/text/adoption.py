"""When and where a theme appears: per year, the reports and places that mention it, the places
mentioning it for the first time, and the share of places that have mentioned it so far.

A report "mentions" a theme when its cleaned text contains the theme's name or an alias at least
once (the counts of themes/theme_counts.csv). Reports without a year are counted in a group of
their own (:data:`places.UNKNOWN`), last, and never as a first mention.
"""
from __future__ import annotations

from typing import Iterator, Mapping, Sequence

import numpy as np

from ..topics.prevalence import GroupEstimate, estimate_groups, group_rows, is_year, nan_to_none, year_order
from .places import UNKNOWN


def adoption_rows(doc_ids: Sequence[str], year_of: Mapping[str, str], place_of: Mapping[str, str],
                  mentioned: np.ndarray, themes: Sequence[str], estimates: Mapping[str, GroupEstimate]
                  ) -> Iterator[list]:
    """One row per theme and year: ``theme, year, reports, reports_mentioning, share_reports,
    places, places_mentioning, first_mentions, ci_low, ci_high, places_ever_share``.

    ``mentioned`` is reports x themes (bool). ``estimates`` are the per-year bootstrap estimates
    of the share (see :func:`share_estimates`). ``place_of`` gives "" where a report's place is
    not known: such a report counts for the shares, not for the places. ``first_mentions``:
    the places whose first report mentioning the theme is from that year (a place's first
    report in the corpus may be one). ``places_ever_share``: of all the places with a dated
    report, the share that have mentioned the theme in this year or before (a cumulative
    adoption curve: it never falls; a place whose reports start late can only count from then).
    """
    groups = group_rows(doc_ids, {d: year_of[d] or UNKNOWN for d in doc_ids}, year_order)
    places = np.array([place_of[d] for d in doc_ids], dtype=object)
    dated_places = {p for year, rows in groups.items() if is_year(year) for p in places[rows] if p}
    for j, theme in enumerate(themes):
        first_year: dict[str, str] = {}
        for year, rows in groups.items():
            if is_year(year):
                for place in places[rows][mentioned[rows, j]]:
                    if place:
                        first_year.setdefault(place, year)
        ever = 0
        for year, rows in groups.items():
            estimate = estimates[year]
            year_places = {p for p in places[rows] if p}
            mentioning = {p for p in places[rows][mentioned[rows, j]] if p}
            first = sum(1 for y in first_year.values() if y == year) if is_year(year) else None
            if is_year(year):
                ever += first
            yield [theme, year, len(rows), int(mentioned[rows, j].sum()), float(estimate.point[j]), len(year_places),
                   len(mentioning), first, nan_to_none(estimate.low[j]), nan_to_none(estimate.high[j]),
                   ever / len(dated_places) if dated_places and is_year(year) else None]


def share_estimates(doc_ids: Sequence[str], year_of: Mapping[str, str], mentioned: np.ndarray, seed: int,
                    n_boot: int, min_reports: int) -> dict[str, GroupEstimate]:
    """Per year: the share of reports mentioning each theme, with a bootstrap over the year's reports."""
    groups = group_rows(doc_ids, {d: year_of[d] or UNKNOWN for d in doc_ids}, year_order)
    return estimate_groups(groups, mentioned.astype(float), np.ones(len(doc_ids)), seed, n_boot, min_reports)
