"""Choosing K: per-K summaries of the sweep and the one-standard-error rule."""
from __future__ import annotations

import numpy as np
import pytest

from pipeline.topics.choose_k import (K_RULE, KSummary, choice_note, choose_k, eligible_ks, most_coherent,
                                      npmi_threshold, pooled_se, summarise_sweep)


def summary(k, npmi, se=0.01, diversity=0.9, n=3):
    return KSummary(k, n, npmi, se, diversity, 0.8, 100.0)


def test_choose_k_one_standard_error_rule():
    sweep = [summary(3, 0.10), summary(4, 0.195), summary(5, 0.20), summary(6, 0.18)]
    assert choose_k(sweep) == 4  # within one SE of the best (5), and simpler
    sweep = [summary(3, 0.10), summary(4, 0.15), summary(5, 0.20)]
    assert choose_k(sweep) == 5
    # A K whose topics repeat each other is not eligible, however coherent.
    sweep = [summary(3, 0.10), summary(4, 0.30, diversity=0.3), summary(5, 0.12)]
    assert choose_k(sweep) == 5


def test_summarise_sweep_means_and_standard_errors():
    rows = [{"k": k, "npmi": v, "diversity": 1.0, "exclusivity": 0.9, "perplexity": 10.0}
            for k, v in ((3, 0.1), (3, 0.3), (4, 0.2), (4, 0.2))]
    s3, s4 = summarise_sweep(rows)
    assert (s3.k, s3.n_models, s3.npmi, s4.npmi_se) == (3, 2, pytest.approx(0.2), 0.0)
    assert s3.npmi_se == pytest.approx(np.std([0.1, 0.3], ddof=1) / np.sqrt(2))


def test_the_sweep_goes_coarse_then_fills_in_next_to_the_choice():
    from pipeline.topics.choose_k import coarse_grid, refinements

    ks = list(range(3, 16))
    assert coarse_grid(ks) == [3, 5, 7, 9, 11, 13, 15]
    assert coarse_grid(list(range(3, 15))) == [3, 5, 7, 9, 11, 13, 14]  # the last K is always tried
    assert refinements(ks, set(coarse_grid(ks)), 9) == [8, 10]
    assert refinements(ks, set(coarse_grid(ks)) | {8, 10}, 9) == []  # done: both neighbours trained
    assert refinements(ks, set(coarse_grid(ks)), 3) == [4]


def test_the_note_explains_the_choice_with_the_rules_own_numbers():
    sweep = [summary(3, 0.10), summary(4, 0.30, diversity=0.3), summary(5, 0.195), summary(6, 0.20)]
    assert [s.k for s in eligible_ks(sweep)] == [3, 5, 6]
    assert most_coherent(sweep).k == 6  # K=4 is more coherent but not eligible
    assert npmi_threshold(sweep) == pytest.approx(0.20 - pooled_se(sweep))
    assert choose_k(sweep) == 5
    note = choice_note(sweep, n_seeded=2)
    assert note.startswith("K chosen: 5\n") and K_RULE in note and "the 2 seeded topics" in note
    assert f"Best mean NPMI +0.2000 at K=6; pooled standard error {pooled_se(sweep):.4f}" in note
    assert f"mean NPMI >= {npmi_threshold(sweep):+.4f}." in note
    assert [line[:3] for line in note.splitlines() if line.endswith("<- chosen")] == ["5  "]
    assert "seeded" not in choice_note(sweep)
    # No K is diverse enough: every K is eligible rather than none.
    assert eligible_ks([summary(3, 0.1, diversity=0.2)]) == [summary(3, 0.1, diversity=0.2)]
