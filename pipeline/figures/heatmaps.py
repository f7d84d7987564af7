"""Heatmaps that stay readable from 5 to 500 rows: labelled rows, or groups of rows."""
from __future__ import annotations

import numpy as np

from .layout import clamp, column_labels_layout, shorten
from .style import subplots

MAX_LABELLED_ROWS = 60  # more rows than this and row labels would be unreadably small
MAX_ANNOTATED_CELLS = 400  # print values in heatmap cells only up to this many cells
HEATMAP_CMAP = "YlGnBu"
ZOOMABLE = ("png", "svg")  # formats of a heatmap of many rows: SVG where zooming pays, as its labels get small

def heatmap_size(n_rows: int, n_cols: int, labelled: bool) -> tuple[float, float]:
    """Figure size in inches: a fixed height per labelled row, a capped height otherwise."""
    width = clamp(0.7 * n_cols + 3.2, 6.5, 14.0)
    if labelled:
        height = clamp(0.3 * n_rows + 2.2, 3.0, 0.3 * MAX_LABELLED_ROWS + 2.2)
    else:
        height = clamp(0.02 * n_rows + 4.0, 6.0, 14.0)
    return width, height


def dominant_topic_order(theta: np.ndarray) -> tuple[np.ndarray, list[tuple[int, int, int]]]:
    """Rows grouped by dominant topic, strongest first within a group.

    Returns the row order and the groups as ``(topic_index, first_row, end_row)`` in that order.
    """
    dominant = theta.argmax(axis=1)
    order = np.lexsort((-theta.max(axis=1), dominant))
    groups = []
    start = 0
    for topic in dict.fromkeys(dominant[order].tolist()):
        size = int((dominant == topic).sum())
        groups.append((int(topic), start, start + size))
        start += size
    return order, groups


# Average-linkage clustering holds every pair of rows: 12 GB for the 54,000 reports of a gigabyte
# (a nation's townships). Past this many rows, whose labels no figure can show anyway, rows are
# grouped by their largest column instead.
MAX_CLUSTERED_ROWS = 2000


def cluster_order(matrix: np.ndarray) -> np.ndarray:
    """Rows ordered so that similar rows are adjacent: by average-linkage clustering up to
    :data:`MAX_CLUSTERED_ROWS` rows, beyond that by the column where each row is largest, then by
    that value, largest first; identity if too few."""
    if matrix.shape[0] < 3:
        return np.arange(matrix.shape[0])
    # sqrt dampens a few very frequent themes so they do not decide the whole order.
    damped = np.sqrt(np.clip(matrix, 0, None))
    if matrix.shape[0] > MAX_CLUSTERED_ROWS:
        largest = damped.argmax(axis=1)
        return np.lexsort((-damped.max(axis=1), largest))
    from scipy.cluster.hierarchy import leaves_list, linkage

    return leaves_list(linkage(damped, method="average", metric="euclidean"))


def topic_group_labels(groups: list[tuple[int, int, int]], names: list[str]) -> list[tuple[str, int, int]]:
    """Groups from :func:`dominant_topic_order` labelled "T3 学习·… (30)" for plot_heatmap."""
    return [(f"{shorten(names[topic], 12)} ({end - start})", start, end) for topic, start, end in groups]


def plot_heatmap(
    matrix: np.ndarray,
    row_labels: list[str],
    column_labels: list[str],
    title: str,
    colorbar: str,
    fmt: str = "{:.2f}",
    groups: list[tuple[str, int, int]] | None = None,
    row_axis_label: str = "",
    scale_columns: bool = False,
):
    """A heatmap that stays readable from 5 to 500 rows.

    Up to ``MAX_LABELLED_ROWS`` rows every row is labelled (and values are printed in small
    enough grids); beyond that, rows are unlabelled and ``groups`` (label, first_row, end_row)
    label runs of rows instead. The colour scale is capped at the 99th percentile so one
    outlier does not wash out the rest; the colour bar says so with an arrow.

    ``scale_columns``: colour each column on its own scale (share of the column's highest
    value, shown under its label), so a rare theme is visible beside a frequent one; printed
    values stay the real ones. NaN cells (e.g. years without reports) are left blank.
    """

    n_rows, n_cols = matrix.shape
    labelled = n_rows <= MAX_LABELLED_ROWS
    width, height = heatmap_size(n_rows, n_cols, labelled)
    figure, axis = subplots(figsize=(width, height))
    values = matrix
    if scale_columns:
        column_max = np.nanmax(np.where(np.isnan(matrix), 0, matrix), axis=0) if n_rows else np.zeros(n_cols)
        matrix = np.divide(matrix, column_max, out=np.zeros_like(matrix, dtype=float), where=column_max > 0)
        matrix[np.isnan(values)] = np.nan
        annotated = labelled and n_rows * n_cols <= MAX_ANNOTATED_CELLS
        title = (f"{title}\ncolour: each column on its own scale (its maximum, in {colorbar}, under its name)"
                 + (f"; numbers: {colorbar}" if annotated else ""))
        colorbar = "share of the column's maximum"
    finite = matrix[~np.isnan(matrix)]
    high = float(finite.max()) if finite.size else 1.0
    vmax = float(np.percentile(finite, 99)) if finite.size > 200 and not scale_columns else high
    vmax = vmax if vmax > 0 else (high or 1.0)
    image = axis.imshow(np.ma.masked_invalid(matrix), aspect="auto", cmap=HEATMAP_CMAP, vmin=0, vmax=vmax,
                        interpolation="nearest")
    column_width = (width - 3.2) / max(1, n_cols)
    labels, rotation = column_labels_layout(column_labels, column_width, 8.5)
    if scale_columns:
        labels = [f"{label}\nmax {fmt.format(m)}" for label, m in zip(labels, column_max)]
    axis.set_xticks(range(n_cols), labels, rotation=rotation, fontsize=8.5, ha="center", va="top")
    axis.tick_params(axis="x", length=0)
    if labelled:
        axis.set_yticks(range(n_rows), row_labels, fontsize=9 if n_rows <= 30 else 7.5)
    elif groups:
        axis.set_yticks([(start + end - 1) / 2 for _, start, end in groups],
                        [label for label, _, _ in groups], fontsize=8.5)
    else:
        axis.set_yticks([])
    if groups:
        for _, start, _ in groups[1:]:
            axis.axhline(start - 0.5, color="white", linewidth=1.5 if labelled else 1.0)
    if row_axis_label:
        axis.set_ylabel(row_axis_label)
    axis.set_title(title)
    for spine in axis.spines.values():
        spine.set_visible(False)
    figure.colorbar(image, ax=axis, label=colorbar, fraction=0.035, pad=0.02, extend="max" if vmax < high else "neither")
    if labelled and n_rows * n_cols <= MAX_ANNOTATED_CELLS:
        for r in range(n_rows):
            for c in range(n_cols):
                if not np.isnan(values[r, c]):
                    axis.text(c, r, fmt.format(values[r, c]), ha="center", va="center", fontsize=7.5,
                              color="white" if matrix[r, c] > 0.6 * vmax else "#222222")
    figure.tight_layout()
    return figure
