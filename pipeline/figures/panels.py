"""Small multiples of group estimates: one panel per topic or theme, groups by year or place."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..topics.prevalence import MIN_REPORTS, GroupEstimate

def plot_group_panels(names: Sequence[str], estimates: dict[str, GroupEstimate], title: str, ylabel: str,
                      along_x: bool, min_reports: int = MIN_REPORTS, columns: int = 4, max_groups: int = 30):
    """Small multiples, one per topic or theme: the pooled value of each group (years along x,
    or places down y) with its bootstrap interval where there is one."""
    from matplotlib import pyplot as plt

    groups = list(estimates)
    if len(groups) > max_groups:  # keep the places with most reports
        groups = sorted(groups, key=lambda g: -estimates[g].n_reports)[:max_groups]
    columns = max(1, min(columns, len(names)))
    n_rows = -(-len(names) // columns)
    height = 2.3 if along_x else 0.22 * len(groups) + 1.0
    figure, axes = plt.subplots(n_rows, columns, figsize=(3.2 * columns, height * n_rows), squeeze=False, layout="constrained")
    positions = np.arange(len(groups))
    for j, axis in enumerate(axes.flat):
        if j >= len(names):
            axis.axis("off")
            continue
        point = np.array([estimates[g].point[j] for g in groups])
        low = np.array([estimates[g].low[j] for g in groups])
        high = np.array([estimates[g].high[j] for g in groups])
        has = ~np.isnan(low)
        errors = np.vstack([np.where(has, point - low, 0), np.where(has, high - point, 0)])
        if along_x:
            axis.errorbar(positions, point, yerr=errors, fmt="-o", markersize=3, capsize=2, color=f"C{j % 10}")
            axis.set_xticks(positions, groups, rotation=45 if len(groups) > 5 else 0, fontsize=8)
        else:
            axis.errorbar(point, positions, xerr=errors, fmt="o", markersize=3, capsize=2, color=f"C{j % 10}")
            axis.set_yticks(positions, groups, fontsize=8)
            axis.invert_yaxis()
        axis.set_title(names[j], loc="left", fontsize=9)
        axis.tick_params(labelsize=8)
    figure.suptitle(f"{title}; bars: 95% bootstrap interval over reports (groups of >= {min_reports} reports)",
                    x=0.01, ha="left", fontsize=10)
    figure.supylabel(ylabel, fontsize=9) if along_x else figure.supxlabel(ylabel, fontsize=9)
    return figure
