"""Text layout for figures: widths of mixed Chinese and Latin text, shortening, wrapping, and a
check that no two texts of a figure overlap."""
from __future__ import annotations

import math
import re
from typing import Sequence

# Characters a CJK font draws one em wide: radicals, CJK punctuation, kana and ideographs
# (U+2E80-U+9FFF), compatibility ideographs and full-width forms. A question of width, not the
# Han characters of text/chars.py: "。", "（" and kana are wide and not Han.
_WIDE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")


def text_width_em(text: str) -> float:
    """Approximate rendered width in em: CJK and full-width characters 1 em, others about 0.6."""
    return sum(1.0 if _WIDE.match(ch) else 0.6 for ch in text)


def shorten(text: str, max_em: float) -> str:
    """Cut ``text`` to at most ``max_em`` wide, marking the cut with an ellipsis."""
    if text_width_em(text) <= max_em:
        return text
    out = ""
    for ch in text:
        if text_width_em(out + ch) > max_em - 1:
            break
        out += ch
    return out + "…"


def _split_wide(part: str, max_em: float) -> list[str]:
    """Cut a too-wide run into pieces; Chinese may break between any two characters."""
    if text_width_em(part) <= max_em or not _WIDE.search(part):
        return [part]
    # Balanced pieces (4 + 3, not 6 + 1): an orphaned last character reads badly.
    n = math.ceil(text_width_em(part) / max_em)
    size = math.ceil(len(part) / n)
    return [part[i:i + size] for i in range(0, len(part), size)]


def wrap_label(text: str, max_em: float, max_lines: int = 3) -> str | None:
    """Break a label at spaces and "·" (or inside Chinese words) into lines no wider than
    ``max_em``; None if it cannot fit in ``max_lines`` lines."""
    parts = [piece for part in re.split(r"(?<=[ ·])", text) for piece in _split_wide(part, max_em)]
    lines: list[str] = []
    for part in parts:
        if lines and text_width_em((lines[-1] + part).strip()) <= max_em:
            lines[-1] += part
        else:
            lines.append(part)
    lines = [line.strip() for line in lines if line.strip()]
    if len(lines) > max_lines or any(text_width_em(line) > max_em for line in lines):
        return None
    return "\n".join(lines)


def column_labels_layout(labels: Sequence[str], column_width_in: float, fontsize: float) -> tuple[list[str], int]:
    """Horizontal, wrapped column labels if they all fit their column, else vertical ones.

    Returns ``(labels, rotation)``. Rotated-by-40° labels look tidy but collide with long
    neighbours; horizontal or vertical text never does.
    """
    max_em = column_width_in * 72 / fontsize * 0.92
    wrapped = [wrap_label(label, max_em, max_lines=4) for label in labels]
    if all(w is not None for w in wrapped):
        return [w for w in wrapped if w is not None], 0
    return list(labels), 90


# ---------------------------------------------------------------------------------------------
# Sizes and orderings (pure)
# ---------------------------------------------------------------------------------------------


def clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def text_overlaps(figure, tolerance_px: float = 1.0) -> list[tuple[str, str]]:
    """Pairs of visible texts whose drawn boxes overlap (for tests and sanity checks)."""
    from matplotlib.text import Text

    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    # Tick labels outside the view limits exist as artists but are never drawn.
    hidden = set()
    for axes in figure.axes:
        for axis, limits in ((axes.xaxis, axes.get_xlim()), (axes.yaxis, axes.get_ylim())):
            low, high = sorted(limits)
            for tick in axis.get_major_ticks():
                if not low - 1e-9 <= tick.get_loc() <= high + 1e-9:
                    hidden.update((id(tick.label1), id(tick.label2)))
    texts = [t for t in figure.findobj(Text)
             if t.get_visible() and t.get_text().strip() and id(t) not in hidden]
    boxes = [t.get_window_extent(renderer) for t in texts]
    overlaps = []
    for i in range(len(texts)):
        a = boxes[i]
        for j in range(i + 1, len(texts)):
            b = boxes[j]
            if (min(a.x1, b.x1) - max(a.x0, b.x0) > tolerance_px) and (min(a.y1, b.y1) - max(a.y0, b.y0) > tolerance_px):
                overlaps.append((texts[i].get_text(), texts[j].get_text()))
    return overlaps


# ---------------------------------------------------------------------------------------------
# I/O shell
# ---------------------------------------------------------------------------------------------
