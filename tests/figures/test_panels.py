"""Figures by year and place that never suggest more than the data holds."""
from __future__ import annotations

import numpy as np

from pipeline.figures.layout import text_overlaps
from pipeline.figures.panels import plot_place_panels, plot_year_panels
from pipeline.text.places import UNKNOWN
from pipeline.topics.prevalence import GroupEstimate


def _estimate(value: float, n: int, interval: bool) -> GroupEstimate:
    low = np.array([value - 0.1, value / 2]) if interval else np.full(2, np.nan)
    high = np.array([value + 0.1, value]) if interval else np.full(2, np.nan)
    return GroupEstimate(np.array([value, value / 2]), low, high, n, float(n))


def test_years_sit_on_a_true_time_axis_with_their_reports_and_no_line_through_single_reports(font):
    from matplotlib import pyplot

    estimates = {"2019": _estimate(0.2, 1, False), "2020": _estimate(0.4, 5, True), "2021": _estimate(0.5, 6, True),
                 "2024": _estimate(0.8, 4, True), UNKNOWN: _estimate(0.1, 2, False)}
    figure = plot_year_panels(["枫桥经验", "综合行政执法"], estimates, "title", "share", min_reports=3, share_axis=True)
    header, first, second = figure.axes
    assert [round(p.get_x() + p.get_width() / 2) for p in header.patches] == [2019, 2020, 2021, 2024]
    assert [p.get_height() for p in header.patches] == [1, 5, 6, 4]  # reports per year
    assert "2 without a year" in header.get_title(loc="left")
    lines = [line for line in first.get_lines() if line.get_linestyle() == "-"]
    joined = {tuple(line.get_xdata()) for line in lines}
    assert joined == {(2020, 2021)}  # not 2019 (one report) and not 2021 -> 2024 (a gap of years)
    assert first.get_shared_y_axes().joined(first, second)  # one value axis for every panel
    assert first.get_ylim() == (-0.03, 1.03)
    assert "95% bootstrap interval" in figure.get_suptitle()
    assert text_overlaps(figure) == []
    pyplot.close(figure)


def test_without_enough_reports_the_figure_says_so_instead_of_promising_bars(font):
    from matplotlib import pyplot

    estimates = {"2020": _estimate(0.4, 1, False), "2023": _estimate(0.5, 2, False)}
    figure = plot_year_panels(["A", "B"], estimates, "title", "share", min_reports=3)
    assert "no year has 3 or more reports" in figure.get_suptitle()
    assert "bootstrap" not in figure.get_suptitle()
    pyplot.close(figure)
    figure = plot_place_panels(["A", "B"], {"甲市": _estimate(0.4, 1, False), "乙市": _estimate(0.2, 4, True)},
                               "title", "share", min_reports=3)
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert labels == ["乙市 (4)", "甲市 (1)"]  # every place with its number of reports, most first
    pyplot.close(figure)
