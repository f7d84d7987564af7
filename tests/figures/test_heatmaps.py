"""Heatmaps that stay readable from 5 to 500 rows, with no two texts overlapping."""
from __future__ import annotations

import numpy as np
import pytest

from pipeline.figures.heatmaps import (MAX_LABELLED_ROWS, cluster_order, dominant_topic_order, plot_heatmap,
                                       topic_group_labels)
from pipeline.figures.layout import text_overlaps


@pytest.mark.parametrize("n_reports", [5, 500])
def test_report_topic_heatmap_is_readable_at_any_size(font, n_reports):
    rng = np.random.default_rng(0)
    theta = rng.dirichlet(np.full(8, 0.3), size=n_reports)
    names = [f"T{t + 1} 依法行政·矛盾纠纷·法治政府" for t in range(8)]
    order, groups = dominant_topic_order(theta)
    assert sorted(order.tolist()) == list(range(n_reports))
    assert [g[2] - g[1] for g in groups] == [int((theta.argmax(1) == g[0]).sum()) for g in groups]
    labels = [f"某某县某某镇{i} 20{10 + i % 15}" for i in range(n_reports)]
    figure = plot_heatmap(theta[order], [labels[i] for i in order], names, "报告 × 主题", "share",
                          groups=topic_group_labels(groups, names), row_axis_label=f"{n_reports} 篇报告")
    width, height = figure.get_size_inches()
    assert 6 <= width <= 16 and 3 <= height <= 20
    assert text_overlaps(figure) == []
    tick_texts = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    if n_reports > MAX_LABELLED_ROWS:
        assert len(tick_texts) == len(groups)  # group labels, not 500 unreadable ones
    else:
        assert len(tick_texts) == n_reports
    from matplotlib import pyplot

    pyplot.close(figure)


def test_theme_grid_does_not_overlap(font):
    themes = ["枫桥经验", "综合行政执法", "矛盾纠纷", "法律明白人", "重大行政决策", "三项制度", "放管服",
              "一站式", "网格化", "法律顾问", "营商环境", "普法", "习近平法治思想"]
    rates = np.random.default_rng(1).gamma(0.5, 10, size=(40, len(themes)))
    figure = plot_heatmap(rates[cluster_order(rates)], [f"县{i} 2024" for i in range(40)], themes, "报告 × 主题词", "per 10k", "{:.1f}")
    assert text_overlaps(figure) == []
    from matplotlib import pyplot

    pyplot.close("all")


def test_a_rare_theme_is_visible_beside_a_frequent_one_with_column_scales(font):
    from matplotlib import pyplot

    rates = np.array([[56.0, 2.0], [10.0, 3.0], [0.0, 0.0], [np.nan, np.nan]])  # 普法, 枫桥经验; a year without reports
    figure = plot_heatmap(rates, ["2020", "2021", "2022", "2023 (0 篇)"], ["普法", "枫桥经验"], "年份 × 主题词",
                          "per 10k chars", "{:.1f}", scale_columns=True)
    colours = figure.axes[0].images[0].get_array()
    assert colours[0, 0] == 1.0 and colours[1, 1] == 1.0  # each column's maximum is full colour
    assert colours[1, 0] == pytest.approx(10 / 56) and colours[0, 1] == pytest.approx(2 / 3)
    assert colours.mask[3].all()  # the empty year stays blank, not zero
    printed = {t.get_text() for t in figure.axes[0].texts}
    assert {"56.0", "2.0", "3.0"} <= printed  # the printed numbers are the real values
    labels = [t.get_text() for t in figure.axes[0].get_xticklabels()]
    assert labels == ["普法\nmax 56.0", "枫桥经验\nmax 3.0"]
    assert "own scale" in figure.axes[0].get_title(loc="left") + figure.axes[0].get_title()
    pyplot.close(figure)


def test_a_nation_of_reports_is_ordered_without_pairwise_distances():
    """Past MAX_CLUSTERED_ROWS rows rows are grouped by their largest column, the strongest first.
    (Pairwise distances of these 100,000 rows would take 40 GB: clustering them fails.)"""
    from pipeline.figures.heatmaps import MAX_CLUSTERED_ROWS

    rng = np.random.default_rng(0)
    rates = rng.random((50 * MAX_CLUSTERED_ROWS, 13))
    order = cluster_order(rates)
    assert sorted(order.tolist()) == list(range(len(rates)))
    largest = rates[order].argmax(axis=1)
    assert (np.diff(largest) >= 0).all()  # grouped by the largest column
    for column in range(13):
        tops = rates[order][largest == column, column]
        assert (np.diff(tops) <= 0).all()  # strongest first within a group
