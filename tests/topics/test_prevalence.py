"""Prevalence and theme frequency by year and place: pooled estimates, bootstrap intervals, and
reports grouped (small groups pooled)."""
from __future__ import annotations

import numpy as np
import pytest

from pipeline.text.places import UNKNOWN, group_of
from pipeline.topics.prevalence import (bootstrap_pooled, estimate_groups, group_rows, pool_small_groups, pooled,
                                        theme_rates, year_order)


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


def test_reports_grouped_with_pooled_theme_rates_and_small_groups_pooled():
    doc_ids = ["a", "b", "c"]
    counts = np.array([[2.0], [0.0], [9.0]])  # one theme (普法), per report
    chars = np.array([10_000.0, 30_000.0, 5_000.0])
    documents = {"a": {"year": "2020"}, "b": {"year": "2020"}, "c": {"year": ""}}
    groups = group_rows(doc_ids, group_of(documents, "year"), year_order)
    assert list(groups) == ["2020", UNKNOWN] and [len(rows) for rows in groups.values()] == [2, 1]
    rates = theme_rates(counts, chars)
    pooled_rates = [pooled(rates[rows], chars[rows])[0] for rows in groups.values()]
    assert pooled_rates == pytest.approx([0.5, 18.0])  # pooled: 2 per 40,000 characters
    many = {f"d{i}": f"p{i % 40}" for i in range(50)}
    grouped = pool_small_groups(group_rows(list(many), many), max_groups=10)
    assert len(grouped) == 10 and list(grouped)[-1].startswith("其他")
    assert sum(len(rows) for rows in grouped.values()) == 50
