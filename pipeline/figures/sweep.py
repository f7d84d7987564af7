"""The K sweep's measures against K."""
from __future__ import annotations

from typing import Sequence

from ..topics.choose_k import KSummary
from .style import subplots


def plot_k_sweep(summaries: Sequence[KSummary], rows: Sequence[dict], chosen: int):
    """One panel per measure against K: per-seed points, the mean line, the chosen K marked."""

    panels = [("npmi", "NPMI 一致性 (headline)"), ("diversity", "主题多样性 diversity"),
              ("exclusivity", "排他性 exclusivity"), ("perplexity", "留出困惑度 held-out perplexity")]
    figure, axes = subplots(1, len(panels), figsize=(3.1 * len(panels), 2.9))
    ks = [s.k for s in summaries]
    for axis, (measure, title) in zip(axes, panels):
        axis.scatter([r["k"] for r in rows], [r[measure] for r in rows], s=9, color="0.65", zorder=1)
        means = [getattr(s, measure) for s in summaries]
        if measure == "npmi":
            axis.errorbar(ks, means, yerr=[s.npmi_se for s in summaries], color="C0", capsize=2, zorder=2)
        else:
            axis.plot(ks, means, color="C0", zorder=2)
        axis.axvline(chosen, color="C3", linestyle="--", linewidth=1)
        axis.set_title(title, loc="left", fontsize=9)
        axis.set_xlabel("K")
        axis.set_xticks(ks if len(ks) <= 10 else ks[::2])
    figure.suptitle(f"K sweep: chosen K = {chosen} (red line)", x=0.01, ha="left", fontsize=10)
    figure.tight_layout()
    return figure
