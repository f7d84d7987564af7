"""Small multiples of group estimates, one panel per topic or theme, drawn so that they never
suggest more than the data holds:

- years on a true time axis (a gap of three years looks like one), with a strip of the number
  of reports behind each year above the panels;
- every panel on one value axis, so panels can be compared;
- a filled point with its 95% bootstrap interval where a group has ``min_reports`` or more
  reports, a hollow point without one where it has fewer, and lines only between neighbouring
  years that both have enough reports;
- the title says whether any group has an interval at all.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from ..text.places import UNKNOWN
from ..topics.prevalence import MIN_REPORTS, GroupEstimate, is_year
from .style import new_figure, subplots

POINT_SIZE = 4


def interval_note(estimates: Mapping[str, GroupEstimate], min_reports: int, unit: str) -> str:
    """What the bars mean, or that there are none."""
    if any(e.n_reports >= min_reports for e in estimates.values()):
        return (f"bars: 95% bootstrap interval over reports ({unit}s of >= {min_reports} reports); "
                f"hollow: fewer reports, no interval")
    return f"no {unit} has {min_reports} or more reports: points without intervals"


def _draw(axis, x: np.ndarray, point: np.ndarray, low: np.ndarray, high: np.ndarray, enough: np.ndarray, color: str,
          vertical: bool) -> None:
    errors = np.vstack([point - low, high - point])[:, enough]
    if vertical:
        axis.errorbar(x[enough], point[enough], yerr=errors, fmt="o", markersize=POINT_SIZE, capsize=2, color=color)
        axis.plot(x[~enough], point[~enough], "o", markersize=POINT_SIZE, markerfacecolor="white", color=color)
        for a, b in zip(range(len(x) - 1), range(1, len(x))):  # lines only between neighbouring, well-supported years
            if enough[a] and enough[b] and x[b] - x[a] == 1:
                axis.plot(x[[a, b]], point[[a, b]], "-", color=color, linewidth=1, alpha=0.6)
    else:
        axis.errorbar(point[enough], x[enough], xerr=errors, fmt="o", markersize=POINT_SIZE, capsize=2, color=color)
        axis.plot(point[~enough], x[~enough], "o", markersize=POINT_SIZE, markerfacecolor="white", color=color)


def _grid(n_panels: int, columns: int, panel_height: float, header_height: float = 0.0):
    """A figure with ``n_panels`` axes sharing both axes, and an optional full-width header axis."""
    columns = max(1, min(columns, n_panels))
    n_rows = -(-n_panels // columns)
    ratios = ([header_height] if header_height else []) + [panel_height] * n_rows
    figure = new_figure(figsize=(3.2 * columns, sum(ratios) + 0.8), layout="constrained")
    spec = figure.add_gridspec(len(ratios), columns, height_ratios=ratios)
    header = figure.add_subplot(spec[0, :]) if header_height else None
    offset = 1 if header_height else 0
    axes, first = [], None
    for j in range(n_panels):
        axis = figure.add_subplot(spec[offset + j // columns, j % columns], sharex=header or first, sharey=first)
        first = first or axis
        axes.append(axis)
    return figure, header, axes


def plot_year_panels(names: Sequence[str], estimates: Mapping[str, GroupEstimate], title: str, ylabel: str,
                     min_reports: int = MIN_REPORTS, columns: int = 4, share_axis: bool = False):
    """One panel per topic or theme against the year. ``share_axis``: values are shares, drawn on 0..1."""
    years = [g for g in estimates if is_year(g)]
    unknown = sum(e.n_reports for g, e in estimates.items() if not is_year(g))
    x = np.array([int(y) for y in years])
    n = np.array([estimates[y].n_reports for y in years])
    enough = n >= min_reports
    figure, header, axes = _grid(len(names), columns, 2.2, 1.1)
    header.bar(x, n, color="#9aa7b8", width=0.8)
    header.set_ylabel("reports", fontsize=8)
    header.set_ylim(0, 1.35 * max(n.max(initial=0), 1))  # room for the counts above the bars
    if len(x) <= 30:
        for xi, ni in zip(x, n):
            header.annotate(str(ni), (xi, ni), ha="center", va="bottom", fontsize=7, xytext=(0, 1),
                            textcoords="offset points")
    header.tick_params(labelsize=8, labelbottom=False)
    header.set_title("reports per year" + (f" ({unknown} without a year are not drawn)" if unknown else ""),
                     loc="left", fontsize=9)
    for j, axis in enumerate(axes):
        values = [(estimates[y].point[j], estimates[y].low[j], estimates[y].high[j]) for y in years]
        point, low, high = (np.array(v) for v in zip(*values)) if values else (np.array([]),) * 3
        _draw(axis, x, point, low, high, enough, f"C{j % 10}", vertical=True)
        axis.set_title(names[j], loc="left", fontsize=9)
        axis.tick_params(labelsize=8)
        axis.xaxis.get_major_locator().set_params(integer=True)
    if share_axis:
        axes[0].set_ylim(-0.03, 1.03)
    drawn = {y: estimates[y] for y in years}
    figure.suptitle(f"{title}\n{interval_note(drawn, min_reports, 'year')}", x=0.01, ha="left", fontsize=10)
    figure.supylabel(ylabel, fontsize=9)
    return figure


def plot_place_panels(names: Sequence[str], estimates: Mapping[str, GroupEstimate], title: str, xlabel: str,
                      min_reports: int = MIN_REPORTS, columns: int = 4, max_groups: int = 30):
    """One panel per topic or theme, places down the side labelled with their number of reports;
    the ``max_groups`` places with most reports, unknown place last."""
    groups = sorted(estimates, key=lambda g: (g == UNKNOWN, -estimates[g].n_reports, g))[:max_groups]
    positions = np.arange(len(groups))
    enough = np.array([estimates[g].n_reports >= min_reports for g in groups])
    figure, _, axes = _grid(len(names), columns, 0.22 * len(groups) + 1.0)
    for j, axis in enumerate(axes):
        point, low, high = (np.array([getattr(estimates[g], a)[j] for g in groups]) for a in ("point", "low", "high"))
        _draw(axis, positions, point, low, high, enough, f"C{j % 10}", vertical=False)
        axis.set_title(names[j], loc="left", fontsize=9)
        axis.tick_params(labelsize=8)
        axis.set_yticks(positions, [f"{g} ({estimates[g].n_reports})" for g in groups], fontsize=8)
        if j % max(1, min(columns, len(names))):
            axis.tick_params(labelleft=False)
    if axes:
        axes[0].invert_yaxis()
    shown = "" if len(groups) == len(estimates) else f"; the {len(groups)} places with most reports"
    figure.suptitle(f"{title} (reports per place in brackets{shown})\n{interval_note(estimates, min_reports, 'place')}",
                    x=0.01, ha="left", fontsize=10)
    figure.supxlabel(xlabel, fontsize=9)
    return figure


def plot_places_ever(curves: Mapping[str, tuple[np.ndarray, np.ndarray]], n_places: int, title: str):
    """Cumulative adoption: per theme, the share of the ``n_places`` places with a dated report
    that have mentioned it in that year or before (steps on a true time axis), themes ordered by
    their final share."""
    from matplotlib import pyplot as plt

    figure, axis = subplots(figsize=(9, 5), layout="constrained")
    ranked = sorted(curves, key=lambda theme: -curves[theme][1][-1] if len(curves[theme][1]) else 0)
    for j, theme in enumerate(ranked):
        years, share = curves[theme]
        style = "-" if j < 10 else "--"
        axis.step(years, share, where="post", linestyle=style, color=f"C{j % 10}",
                  label=f"{theme} ({share[-1]:.0%})" if len(share) else theme)
    axis.set_ylim(-0.02, 1.02)
    axis.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    axis.xaxis.get_major_locator().set_params(integer=True)
    axis.set_ylabel(f"share of the {n_places} places with a dated report")
    axis.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), title="theme (share by the last year)",
                title_fontsize=8, frameon=False)
    axis.set_title(title, loc="left", fontsize=10)
    axis.grid(alpha=0.3)
    return figure
