"""Bar charts: small multiples of ranked words, and per-topic quality, with no two texts
overlapping."""
from __future__ import annotations

import numpy as np

from pipeline.figures.bars import plot_bar_grid, plot_topic_quality
from pipeline.figures.layout import text_overlaps


def test_bar_grids_and_topic_quality_do_not_overlap(font):
    panels = [(f"某某省某某市某某县某某镇人民政府 202{i} ({'x' * 12})", [(f"词{j}", 1.0 / (j + 1)) for j in range(10)]) for i in range(6)]
    figure = plot_bar_grid(panels, "TF-IDF")
    assert text_overlaps(figure) == []
    # The per-topic quality figure (stability and NPMI) replaced the coherence figure.
    figure = plot_topic_quality([f"T{i} 依法行政·法治·建设" for i in range(1, 9)], np.linspace(0.1, 0.9, 8),
                                np.linspace(-0.2, 0.1, 8))
    assert text_overlaps(figure) == []
    from matplotlib import pyplot

    pyplot.close("all")
