"""Prevalence and theme frequency by year and place: pooled estimates and bootstrap intervals."""
from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from pipeline.prevalence import bootstrap_pooled, estimate_groups, pooled, year_order


def read_table(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("seed", range(6))
def test_bootstrap_intervals_contain_the_point_estimate(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 40))
    values = rng.dirichlet([0.5] * 6, size=n)  # report topic mixes
    weights = rng.integers(1_000, 20_000, size=n).astype(float)  # report lengths
    estimate = bootstrap_pooled(values, weights, n_boot=1000, seed=seed)
    assert estimate.point == pytest.approx(pooled(values, weights))
    assert np.all(estimate.low <= estimate.point + 1e-12) and np.all(estimate.point <= estimate.high + 1e-12)
    assert np.all(estimate.low < estimate.high)  # reports differ: a real interval
    assert estimate.point.sum() == pytest.approx(1.0)


def test_pooled_theme_rate_is_total_count_over_total_characters():
    counts = np.array([[3.0, 0.0], [1.0, 5.0], [0.0, 2.0]])
    chars = np.array([1_000.0, 4_000.0, 5_000.0])
    rates = 1e4 * counts / chars[:, None]
    assert pooled(rates, chars) == pytest.approx(1e4 * counts.sum(axis=0) / chars.sum())


def test_small_groups_get_no_interval_and_results_are_reproducible():
    values = np.array([[0.2, 0.8], [0.6, 0.4]])
    estimate = bootstrap_pooled(values, np.array([1.0, 3.0]), min_reports=3)
    assert estimate.point == pytest.approx([0.5, 0.5]) and np.isnan(estimate.low).all() and np.isnan(estimate.high).all()
    rng = np.random.default_rng(0)
    values, weights = rng.random((10, 3)), rng.random(10) + 0.5
    groups = {"2020": list(range(5)), "2021": list(range(5, 10))}
    first, second = estimate_groups(groups, values, weights, seed=7), estimate_groups(groups, values, weights, seed=7)
    for name in groups:
        assert np.array_equal(first[name].low, second[name].low) and first[name].n_reports == 5


def test_interval_narrows_with_more_reports():
    rng = np.random.default_rng(1)
    widths = {}
    for n in (5, 80):
        values = rng.beta(2, 5, size=(n, 1))
        estimate = bootstrap_pooled(values, np.ones(n), n_boot=2000, seed=0)
        widths[n] = float(estimate.high[0] - estimate.low[0])
    assert widths[80] < widths[5] / 2


def test_years_sort_numerically_unknown_last():
    assert sorted(["2024", "(未注明)", "2019", "2021"], key=year_order) == ["2019", "2021", "2024", "(未注明)"]


def test_prevalence_outputs_on_the_seeds(seed_output):
    quality = seed_output / "quality"
    by_year = read_table(quality / "prevalence_by_year.csv")
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
    for row in read_table(quality / "theme_frequency_by_year.csv"):
        assert float(row["per_10k_chars"]) == pytest.approx(1e4 * totals[(row["year"], row["theme"])] / chars[row["year"]], rel=1e-5)

    by_place = read_table(quality / "prevalence_by_place.csv")
    assert {r["place_level"] for r in by_place} == {"town"}  # the seeds' county is known for 3 of 5 reports
    assert len({r["place"] for r in by_place}) == 5
    for name in ("prevalence_by_year", "prevalence_by_place", "theme_frequency_by_year", "theme_frequency_by_place"):
        assert (quality / f"{name}.png").stat().st_size > 0
