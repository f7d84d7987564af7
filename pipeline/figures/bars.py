"""Bar charts: small multiples of ranked words, and per-topic quality."""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from .layout import shorten
from .style import subplots, topic_colors

def plot_bar_grid(panels: list[tuple[str, list[tuple[str, float]]]], xlabel: str, columns: int = 4, colors: list | None = None):
    """Small multiples of horizontal bar charts: one panel per (title, [(word, value)])."""
    from matplotlib.ticker import MaxNLocator

    columns = max(1, min(columns, len(panels)))
    rows = math.ceil(len(panels) / columns)
    n_bars = max((len(items) for _, items in panels), default=1)
    panel_width = 3.4
    figure, axes = subplots(rows, columns, figsize=(panel_width * columns, (0.26 * n_bars + 1.0) * rows), squeeze=False)
    colors = colors or topic_colors(len(panels))
    for index, axis in enumerate(axes.flat):
        if index >= len(panels):
            axis.axis("off")
            continue
        title, items = panels[index]
        words = [w for w, _ in items][::-1]
        values = [v for _, v in items][::-1]
        axis.barh(range(len(words)), values, color=colors[index % len(colors)], height=0.75)
        axis.set_yticks(range(len(words)), words)
        # Titles are cut to the panel's width so neighbouring titles never run into each other.
        axis.set_title(shorten(title, panel_width * 72 / 11 * 0.8), fontsize=10)
        axis.xaxis.set_major_locator(MaxNLocator(nbins=4))
        axis.tick_params(axis="x", labelsize=7)
        axis.set_xlabel(xlabel, fontsize=8)
        axis.margins(y=0.01)
    figure.tight_layout(h_pad=1.2, w_pad=1.0)
    return figure

def plot_topic_quality(labels: Sequence[str], stability: np.ndarray, npmi: np.ndarray):
    """Two bar panels per topic: stability across seeds and NPMI coherence."""

    figure, axes = subplots(1, 2, figsize=(9, 0.42 * len(labels) + 1.2), sharey=True)
    y = np.arange(len(labels))[::-1]
    axes[0].barh(y, stability, color="C0")
    axes[0].axvline(0.5, color="0.5", linestyle=":", linewidth=1)
    axes[0].set_xlim(0, 1)
    axes[0].set_xlabel("稳定性 stability (mean top-word Jaccard across seeds)")
    axes[0].set_yticks(y, labels)
    axes[1].barh(y, npmi, color=["C2" if v >= 0 else "C1" for v in npmi])
    axes[1].axvline(0, color="0.3", linewidth=0.8)
    axes[1].set_xlabel("NPMI 一致性 coherence")
    axes[0].set_title("每个主题的稳定性与一致性 (topic stability and coherence)", loc="left")
    figure.tight_layout()
    return figure


def plot_theme_terms(terms: dict[str, tuple[int, int, list]], top: int, min_paragraphs: int):
    """Each theme's most distinguishing terms over all years (weighted log-odds z), one panel
    per theme, titled with the paragraphs and reports behind it; a theme named in fewer than
    ``min_paragraphs`` paragraphs gets an empty panel that says so."""
    panels = [(f"{theme} ({paragraphs:,} 段 / {reports:,} 篇)" if paragraphs >= min_paragraphs
               else f"{theme}: {paragraphs} 段 < {min_paragraphs}, too few",
               [(r.term, r.z) for r in ranked[:top]]) for theme, (paragraphs, reports, ranked) in terms.items()]
    figure = plot_bar_grid(panels or [("—", [])], "z (weighted log-odds vs other paragraphs)")
    figure.suptitle("主题词的语境 What each theme is said with: terms of the paragraphs naming it, against all others",
                    fontsize=11, y=1.02)
    return figure
