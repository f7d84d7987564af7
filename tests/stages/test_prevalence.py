"""Topic shares (prevalence stage) and theme frequencies (themes stage) by year and place on the
seeds: intervals only where a group is large enough, and the theme rates equal to the themes
stage's counts pooled."""
from __future__ import annotations

from collections import defaultdict

import pytest

from conftest import read_table
from pipeline.topics.prevalence import year_order


def test_prevalence_outputs_on_the_seeds(seed_output):
    prevalence = seed_output / "prevalence"
    by_year = read_table(prevalence / "prevalence_by_year.csv")
    k = len({r["topic"] for r in by_year})
    years = list(dict.fromkeys(r["year"] for r in by_year))
    assert years == sorted(years, key=year_order) and len(by_year) == k * len(years)
    for year in years:
        assert sum(float(r["prevalence"]) for r in by_year if r["year"] == year) == pytest.approx(1.0, abs=1e-4)
    for row in by_year:  # intervals only where the group is large enough, and then around the estimate
        if row["ci_low"]:
            assert int(row["n_reports"]) >= 3 and float(row["ci_low"]) <= float(row["prevalence"]) <= float(row["ci_high"])
        else:
            assert int(row["n_reports"]) < 3

    # Theme frequency by year equals the pooled rate of the themes stage's per-report counts.
    documents = {r["doc_id"]: r for r in read_table(seed_output / "clean" / "documents.csv")}
    totals: dict[tuple[str, str], float] = defaultdict(float)
    chars: dict[str, float] = defaultdict(float)
    for row in read_table(seed_output / "themes" / "theme_counts.csv"):
        totals[(documents[row["doc_id"]]["year"], row["theme"])] += int(row["count"])
    for doc in documents.values():
        chars[doc["year"]] += int(doc["n_chars"])
    for row in read_table(seed_output / "themes" / "theme_frequency_by_year.csv"):
        assert float(row["per_10k_chars"]) == pytest.approx(1e4 * totals[(row["year"], row["theme"])] / chars[row["year"]], rel=1e-5)

    by_place = read_table(prevalence / "prevalence_by_place.csv")
    assert {r["place_level"] for r in by_place} == {"town"}  # the seeds' county is known for 3 of 5 reports
    assert len({r["place"] for r in by_place}) == 5
    for figure in ("prevalence/prevalence_by_year", "prevalence/prevalence_by_place", "themes/theme_frequency_by_year",
                   "themes/theme_frequency_by_place"):
        assert (seed_output / f"{figure}.png").stat().st_size > 0
