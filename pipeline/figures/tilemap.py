"""China's provinces as a tile grid (one square each, roughly where it lies): a map drawn offline,
with no boundary data, on which every province has the same weight whatever its area."""
from __future__ import annotations

import math
from typing import Mapping
from .style import subplots

# (row, column) of each provincial-level unit: north at the top, west on the left.
TILES = {
    "黑龙江省": (0, 7),
    "内蒙古自治区": (1, 4), "北京市": (1, 5), "辽宁省": (1, 6), "吉林省": (1, 7),
    "新疆维吾尔自治区": (2, 0), "甘肃省": (2, 2), "宁夏回族自治区": (2, 3), "山西省": (2, 4), "河北省": (2, 5),
    "天津市": (2, 6),
    "青海省": (3, 1), "陕西省": (3, 2), "河南省": (3, 3), "山东省": (3, 4),
    "西藏自治区": (4, 0), "四川省": (4, 1), "重庆市": (4, 2), "湖北省": (4, 3), "安徽省": (4, 4), "江苏省": (4, 5),
    "上海市": (4, 6),
    "云南省": (5, 1), "贵州省": (5, 2), "湖南省": (5, 3), "江西省": (5, 4), "浙江省": (5, 5),
    "广西壮族自治区": (6, 2), "广东省": (6, 3), "福建省": (6, 4), "台湾省": (6, 5),
    "海南省": (7, 3), "香港特别行政区": (7, 4), "澳门特别行政区": (7, 5),
}
_SHORT = {"内蒙古自治区": "内蒙古", "新疆维吾尔自治区": "新疆", "宁夏回族自治区": "宁夏", "西藏自治区": "西藏",
          "广西壮族自治区": "广西", "香港特别行政区": "香港", "澳门特别行政区": "澳门", "黑龙江省": "黑龙江"}


def short_name(province: str) -> str:
    return _SHORT.get(province, province.removesuffix("省").removesuffix("市"))


def plot_province_tiles(shares: Mapping[str, Mapping[str, tuple[int, int]]], min_reports: int, title: str):
    """One tile map per theme: each province coloured by the share of its reports that mention
    the theme, with the reports behind it; a province with fewer than ``min_reports`` reports is
    hatched and left uncoloured, one with none is blank. ``shares``: theme -> province ->
    ``(reports mentioning, reports)``."""
    from matplotlib import colormaps
    from matplotlib.patches import Rectangle

    themes = list(shares)
    columns = min(3, max(1, len(themes)))
    rows = math.ceil(len(themes) / columns) or 1
    figure, axes = subplots(rows, columns, figsize=(4.6 * columns, 4.4 * rows + 0.6), squeeze=False)
    cmap = colormaps["Blues"]
    for index, axis in enumerate(axes.flat):
        axis.set_axis_off()
        if index >= len(themes):
            continue
        theme = themes[index]
        for province, (row, column) in TILES.items():
            mentioning, reports = shares[theme].get(province, (0, 0))
            enough = reports >= min_reports
            share = mentioning / reports if reports else 0.0
            face = cmap(0.15 + 0.85 * share) if enough else "white"
            axis.add_patch(Rectangle((column, -row), 0.94, 0.94, facecolor=face, edgecolor="#999999", linewidth=0.6,
                                     hatch="///" if 0 < reports < min_reports else None))
            dark = enough and share > 0.55
            label = f"{short_name(province)}\n{100 * share:.0f}%\n({reports})" if enough else \
                f"{short_name(province)}\n({reports})" if reports else short_name(province)
            axis.text(column + 0.47, -row + 0.47, label, ha="center", va="center", fontsize=6.5,
                      color="white" if dark else ("#333333" if reports else "#bbbbbb"))
        axis.set_xlim(-0.1, 8.1)
        axis.set_ylim(-7.2, 1.1)
        axis.set_aspect("equal")
        axis.set_title(theme, fontsize=11)
    figure.suptitle(title, fontsize=11)
    figure.text(0.5, 0.005, f"tile: province, share of its reports mentioning the theme (reports); hatched: fewer than "
                            f"{min_reports} reports, no share shown; grey name: no report", ha="center", fontsize=8)
    figure.tight_layout(rect=(0, 0.02, 1, 0.97))
    return figure
