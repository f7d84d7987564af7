"""Text layout for figures: column labels wrap (Chinese may break anywhere) or turn vertical."""
from __future__ import annotations

from pipeline.figures.layout import column_labels_layout


def test_column_labels_wrap_chinese_or_turn_vertical():
    labels, rotation = column_labels_layout(["枫桥经验", "习近平法治思想"], 0.85, 8.5)
    assert rotation == 0 and labels == ["枫桥经验", "习近平法\n治思想"]
    labels, rotation = column_labels_layout(["一个非常非常非常非常非常非常长的主题名称"], 0.5, 8.5)
    assert rotation == 90
