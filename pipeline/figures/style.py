"""The house style of every figure, and the CJK font that lets them show Chinese.

Chinese text needs a CJK font: we register Noto Sans CJK SC, shipped inside the ``mplfonts``
package, so nothing has to be installed on the system.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..files import PipelineError

FONT_FILE = "NotoSansCJKsc-Regular.otf"
PALETTE = "tab10"

STYLE = {
    "font.family": "sans-serif",
    "axes.unicode_minus": False,  # the CJK font has no U+2212 minus sign
    "text.parse_math": False,  # report titles and place names may contain "$"; never mathtext
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "figure.facecolor": "white",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.titlelocation": "left",
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 9,
    "axes.edgecolor": "#555555",
    "axes.grid": False,
    "svg.fonttype": "path",  # glyphs as outlines: the SVG renders without the font installed
    "svg.hashsalt": "fazhi-topics",  # stable element ids, so unchanged figures give identical files
}


def cjk_font_path() -> Path:
    """Noto Sans CJK SC inside the mplfonts package (never its bundled SimHei)."""
    import mplfonts

    path = Path(mplfonts.__file__).parent / "fonts" / FONT_FILE
    if not path.is_file():
        raise PipelineError(f"{path}: CJK font missing from the mplfonts package; reinstall it")
    return path


@lru_cache(maxsize=1)
def use_chinese_font() -> str:
    """Register the packaged CJK font, apply the house style; return the font's name.

    Cached because matplotlib's font manager and rcParams are process-wide anyway.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager, pyplot as plt

    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    name = font_manager.FontProperties(fname=str(path)).get_name()
    plt.rcParams.update({**STYLE, "font.sans-serif": [name, "DejaVu Sans"]})
    return name


def subplots(*args, **kwargs):
    """``matplotlib.pyplot.subplots`` in the house style with the CJK font: every figure of the
    pipeline is made here or by :func:`new_figure`, so none can miss the font."""
    use_chinese_font()
    from matplotlib import pyplot as plt

    return plt.subplots(*args, **kwargs)


def new_figure(**kwargs):
    """``matplotlib.pyplot.figure`` in the house style with the CJK font (see :func:`subplots`)."""
    use_chinese_font()
    from matplotlib import pyplot as plt

    return plt.figure(**kwargs)


def topic_colors(n: int) -> list:
    from matplotlib import pyplot as plt

    colors = plt.get_cmap(PALETTE).colors
    return [colors[i % len(colors)] for i in range(n)]

