"""Stage 6, plots: figures of topics, report-topic mixes, themes, keywords and model quality.

Every figure is a PNG (inlined into report.html); the ones with many labels are also written
as SVG, which stays sharp when zoomed. Chinese text needs a CJK font: we register Noto Sans CJK
SC, shipped inside the ``mplfonts`` package, so nothing has to be installed on the system.

Figures must stay readable for 5 reports and for 500: heights grow with the number of rows up
to a cap; past ``MAX_LABELLED_ROWS`` rows, per-report labels give way to group labels, and
rows are sorted (by dominant topic) or clustered so that similar reports sit together.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from .files import PipelineError, atomic_path, read_csv

FONT_FILE = "NotoSansCJKsc-Regular.otf"
MAX_LABELLED_ROWS = 60  # more rows than this and row labels would be unreadably small
MAX_ANNOTATED_CELLS = 400  # print values in heatmap cells only up to this many cells
MAX_PLACES = 30  # themes by place: the places with most reports; the rest are pooled
PLACE_LEVELS = ("province", "city", "county", "town")
UNKNOWN = "(未注明)"
PALETTE = "tab10"
HEATMAP_CMAP = "YlGnBu"
# SVG only where zooming pays: heatmaps whose row labels get small with many reports.
ZOOMABLE = ("png", "svg")

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


def save_figure(figure, path: Path, formats: Sequence[str] = ("png",)) -> list[Path]:
    """Save atomically in each format (``path`` with its suffix replaced), then close."""
    from matplotlib import pyplot as plt

    written = []
    for fmt in formats:
        target = path.with_suffix("." + fmt)
        with atomic_path(target) as tmp:
            # No creation date in the metadata: re-running on the same data gives the same file.
            metadata = {"Date": None} if fmt == "svg" else {}
            figure.savefig(tmp, format=fmt, bbox_inches="tight", metadata=metadata)
        written.append(target)
    plt.close(figure)
    return written


# ---------------------------------------------------------------------------------------------
# Labels
# ---------------------------------------------------------------------------------------------


def document_label(row: dict[str, str]) -> str:
    """A short human label for a report: place and year where known, else its id."""
    place = row.get("town") or row.get("county") or row.get("city") or row.get("province") or ""
    label = f"{place} {row.get('year', '')}".strip()
    return label or row["doc_id"]


def unique_labels(labels: list[str], doc_ids: list[str]) -> list[str]:
    """Disambiguate repeated labels with the report id."""
    seen = Counter(labels)
    return [f"{label} ({doc_id[:12]})" if seen[label] > 1 else label for label, doc_id in zip(labels, doc_ids)]


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


def cluster_order(matrix: np.ndarray) -> np.ndarray:
    """Rows ordered by average-linkage clustering (similar rows adjacent); identity if too few."""
    if matrix.shape[0] < 3:
        return np.arange(matrix.shape[0])
    from scipy.cluster.hierarchy import leaves_list, linkage

    # sqrt dampens a few very frequent themes so they do not decide the whole order.
    return leaves_list(linkage(np.sqrt(np.clip(matrix, 0, None)), method="average", metric="euclidean"))


def topic_group_labels(groups: list[tuple[int, int, int]], names: list[str]) -> list[tuple[str, int, int]]:
    """Groups from :func:`dominant_topic_order` labelled "T3 学习·… (30)" for plot_heatmap."""
    return [(f"{shorten(names[topic], 12)} ({end - start})", start, end) for topic, start, end in groups]


def choose_place_level(documents: Iterable[dict[str, str]], min_coverage: float = 0.8) -> str | None:
    """The coarsest place level known for most reports and with at least two values.

    Falls back to the best-covered level; None when no report has a place.
    """
    documents = list(documents)
    if not documents:
        return None
    coverage = {level: sum(1 for d in documents if d.get(level)) / len(documents) for level in PLACE_LEVELS}
    distinct = {level: len({d[level] for d in documents if d.get(level)}) for level in PLACE_LEVELS}
    for level in PLACE_LEVELS:
        if coverage[level] >= min_coverage and distinct[level] >= 2:
            return level
    best = max(PLACE_LEVELS, key=lambda level: (coverage[level], -PLACE_LEVELS.index(level)))
    return best if coverage[best] > 0 else None


def group_theme_rates(
    counts: Iterable[dict[str, str]],
    doc_chars: dict[str, int],
    group_of: dict[str, str],
    max_groups: int | None = None,
) -> tuple[list[str], list[str], np.ndarray, list[int]]:
    """Pooled theme rates per 10,000 characters for groups of reports (a year, a place).

    ``counts`` are theme_counts.csv rows; ``group_of`` maps doc_id to its group. Pooling
    (total count / total characters) keeps a short report from weighing as much as a long one.
    With ``max_groups``, the groups with most reports are kept and the rest pooled as "其他".
    Returns ``(groups, themes, rates, n_reports_per_group)``.
    """
    counts = list(counts)
    themes = list(dict.fromkeys(row["theme"] for row in counts))
    n_reports = Counter(group_of[d] for d in doc_chars if d in group_of)
    groups = sorted(n_reports, key=lambda g: (g == UNKNOWN, g))
    if max_groups is not None and len(groups) > max_groups:
        keep = {g for g, _ in sorted(n_reports.items(), key=lambda kv: (-kv[1], kv[0]))[:max_groups - 1]}
        other = f"其他 {len(groups) - len(keep)} 处"
        group_of = {d: (g if g in keep else other) for d, g in group_of.items()}
        n_reports = Counter(group_of[d] for d in doc_chars if d in group_of)
        groups = sorted(keep, key=lambda g: (g == UNKNOWN, -n_reports[g], g)) + [other]
    g_index = {g: i for i, g in enumerate(groups)}
    t_index = {t: i for i, t in enumerate(themes)}
    totals = np.zeros((len(groups), len(themes)))
    chars = np.zeros(len(groups))
    for doc_id, n in doc_chars.items():
        if doc_id in group_of:
            chars[g_index[group_of[doc_id]]] += n
    for row in counts:
        if row["doc_id"] in group_of:
            totals[g_index[group_of[row["doc_id"]]], t_index[row["theme"]]] += int(row["count"])
    rates = np.divide(1e4 * totals, chars[:, None], out=np.zeros_like(totals), where=chars[:, None] > 0)
    return groups, themes, rates, [n_reports[g] for g in groups]


# ---------------------------------------------------------------------------------------------
# Figures (pure: data in, matplotlib Figure out)
# ---------------------------------------------------------------------------------------------


def topic_colors(n: int) -> list:
    from matplotlib import pyplot as plt

    colors = plt.get_cmap(PALETTE).colors
    return [colors[i % len(colors)] for i in range(n)]


def plot_bar_grid(panels: list[tuple[str, list[tuple[str, float]]]], xlabel: str, columns: int = 4, colors: list | None = None):
    """Small multiples of horizontal bar charts: one panel per (title, [(word, value)])."""
    from matplotlib import pyplot as plt
    from matplotlib.ticker import MaxNLocator

    columns = max(1, min(columns, len(panels)))
    rows = math.ceil(len(panels) / columns)
    n_bars = max((len(items) for _, items in panels), default=1)
    panel_width = 3.4
    figure, axes = plt.subplots(rows, columns, figsize=(panel_width * columns, (0.26 * n_bars + 1.0) * rows), squeeze=False)
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


def plot_heatmap(
    matrix: np.ndarray,
    row_labels: list[str],
    column_labels: list[str],
    title: str,
    colorbar: str,
    fmt: str = "{:.2f}",
    groups: list[tuple[str, int, int]] | None = None,
    row_axis_label: str = "",
):
    """A heatmap that stays readable from 5 to 500 rows.

    Up to ``MAX_LABELLED_ROWS`` rows every row is labelled (and values are printed in small
    enough grids); beyond that, rows are unlabelled and ``groups`` (label, first_row, end_row)
    label runs of rows instead. The colour scale is capped at the 99th percentile so one
    outlier does not wash out the rest; the colour bar says so with an arrow.
    """
    from matplotlib import pyplot as plt

    n_rows, n_cols = matrix.shape
    labelled = n_rows <= MAX_LABELLED_ROWS
    width, height = heatmap_size(n_rows, n_cols, labelled)
    figure, axis = plt.subplots(figsize=(width, height))
    high = float(np.nanmax(matrix)) if matrix.size else 1.0
    vmax = float(np.nanpercentile(matrix, 99)) if matrix.size > 200 else high
    vmax = vmax if vmax > 0 else (high or 1.0)
    image = axis.imshow(matrix, aspect="auto", cmap=HEATMAP_CMAP, vmin=0, vmax=vmax, interpolation="nearest")
    column_width = (width - 3.2) / max(1, n_cols)
    labels, rotation = column_labels_layout(column_labels, column_width, 8.5)
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
                axis.text(c, r, fmt.format(matrix[r, c]), ha="center", va="center", fontsize=7.5,
                          color="white" if matrix[r, c] > 0.6 * vmax else "#222222")
    figure.tight_layout()
    return figure


def plot_coherence(labels: list[str], measures: dict[str, list[float]]):
    """One panel per coherence measure: a bar per topic, the mean as a dashed line."""
    from matplotlib import pyplot as plt

    n = len(labels)
    figure, axes = plt.subplots(1, len(measures), figsize=(4.2 * len(measures) + 1.5, clamp(0.3 * n + 1.4, 2.6, 14)),
                                squeeze=False, sharey=True)
    colors = topic_colors(n)
    for axis, (measure, values) in zip(axes.flat, measures.items()):
        axis.barh(range(n), values, color=colors, height=0.7)
        axis.axvline(0, color="#555555", linewidth=0.8)
        axis.axvline(float(np.mean(values)), color="#d62728", linestyle="--", linewidth=1)
        axis.set_title(f"{measure} (mean {np.mean(values):.3f}, dashed)")
    axes.flat[0].invert_yaxis()  # T1 at the top; shared by every panel
    axes.flat[0].set_yticks(range(n), [shorten(label, 14) for label in labels])
    figure.suptitle("主题一致性 Topic coherence (higher is better; NPMI is the headline measure)",
                    x=0.01, ha="left", fontsize=11)
    figure.tight_layout()
    return figure


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


def _long_to_matrix(rows: list[dict[str, str]], row_key: str, column_key: str, value_key: str):
    row_ids = list(dict.fromkeys(r[row_key] for r in rows))
    column_ids = list(dict.fromkeys(r[column_key] for r in rows))
    r_index = {v: i for i, v in enumerate(row_ids)}
    c_index = {v: i for i, v in enumerate(column_ids)}
    matrix = np.zeros((len(row_ids), len(column_ids)))
    for r in rows:
        matrix[r_index[r[row_key]], c_index[r[column_key]]] = float(r[value_key])
    return row_ids, column_ids, matrix


def run_plots(output_dir: str | Path, n_words: int = 10, max_reports: int = 40, log=print) -> list[Path]:
    """lda/, themes/, tfidf/ -> plots/*.png (and *.svg for the figures with many labels)."""
    use_chinese_font()
    out = Path(output_dir)
    plots = out / "plots"
    documents = {row["doc_id"]: row for row in read_csv(out / "clean" / "documents.csv")}
    written: list[Path] = []

    topics: dict[str, list[tuple[str, float]]] = defaultdict(list)
    labels = {}
    for row in read_csv(out / "lda" / "topics.csv"):
        if int(row["rank"]) <= n_words:
            topics[row["topic"]].append((row["word"], float(row["weight"])))
            labels[row["topic"]] = row["label"]
    figure = plot_bar_grid([(f"T{t}", items) for t, items in topics.items()], "P(词 | 主题)")
    written += save_figure(figure, plots / "topic_words.png")

    # Reports grouped by their dominant topic, so reports with similar mixes sit together.
    doc_ids, topic_ids, theta = _long_to_matrix(list(read_csv(out / "lda" / "document_topics.csv")), "doc_id", "topic", "weight")
    order, groups = dominant_topic_order(theta)
    topic_names = [labels[t] for t in topic_ids]
    doc_labels = unique_labels([document_label(documents[d]) for d in doc_ids], doc_ids)
    figure = plot_heatmap(theta[order], [doc_labels[i] for i in order], topic_names,
                          "报告 × 主题 Topic share per report", "share of report",
                          groups=topic_group_labels(groups, topic_names),
                          row_axis_label=f"{len(doc_ids)} 篇报告, 按主导主题分组 (grouped by dominant topic)")
    written += save_figure(figure, plots / "document_topics.png", ZOOMABLE)

    count_rows = list(read_csv(out / "themes" / "theme_counts.csv"))
    doc_ids_t, themes, per_10k = _long_to_matrix(count_rows, "doc_id", "theme", "per_10k_chars")
    order = cluster_order(per_10k)
    labels_t = unique_labels([document_label(documents[d]) for d in doc_ids_t], doc_ids_t)
    figure = plot_heatmap(per_10k[order], [labels_t[i] for i in order], themes,
                          "报告 × 主题词 Tracked themes per report (per 10,000 characters)", "per 10k chars", "{:.1f}",
                          row_axis_label=f"{len(doc_ids_t)} 篇报告, 按相似度聚类排序 (clustered)")
    written += save_figure(figure, plots / "themes_by_report.png", ZOOMABLE)

    doc_chars = {d: int(row["n_chars"]) for d, row in documents.items()}
    by_year = {d: row.get("year") or UNKNOWN for d, row in documents.items()}
    groups_y, themes_y, rates_y, n_y = group_theme_rates(count_rows, doc_chars, by_year)
    figure = plot_heatmap(rates_y, [f"{g} ({n} 篇)" for g, n in zip(groups_y, n_y)], themes_y,
                          "年份 × 主题词 Tracked themes by year (per 10,000 characters, pooled)", "per 10k chars", "{:.1f}")
    written += save_figure(figure, plots / "themes_by_year.png")

    level = choose_place_level(documents.values())
    if level:
        by_place = {d: row.get(level) or UNKNOWN for d, row in documents.items()}
        groups_p, themes_p, rates_p, n_p = group_theme_rates(count_rows, doc_chars, by_place, MAX_PLACES)
        figure = plot_heatmap(rates_p, [f"{g} ({n} 篇)" for g, n in zip(groups_p, n_p)], themes_p,
                              f"地区 ({level}) × 主题词 Tracked themes by place (per 10,000 characters, pooled)",
                              "per 10k chars", "{:.1f}")
        written += save_figure(figure, plots / "themes_by_place.png")
    else:
        (plots / "themes_by_place.png").unlink(missing_ok=True)
        log("plots: no report has a place; themes_by_place.png skipped")

    coherence: dict[str, dict[str, float]] = defaultdict(dict)
    for row in read_csv(out / "lda" / "coherence.csv"):
        if row["topic"] != "all":
            coherence[row["measure"]][row["topic"]] = float(row["value"])
    if coherence:
        figure = plot_coherence(topic_names, {m: [v.get(t, 0.0) for t in topic_ids] for m, v in coherence.items()})
        written += save_figure(figure, plots / "coherence.png")

    keywords: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for row in read_csv(out / "tfidf" / "keywords.csv"):
        if int(row["rank"]) <= n_words:
            keywords[row["doc_id"]].append((row["term"], float(row["score"])))
    shown = list(keywords)[:max_reports]
    kw_labels = unique_labels([document_label(documents[d]) for d in shown], shown)
    figure = plot_bar_grid([(label, keywords[d]) for label, d in zip(kw_labels, shown)], "TF-IDF",
                           colors=["#4c72b0"])
    written += save_figure(figure, plots / "tfidf_keywords.png")
    if len(keywords) > max_reports:
        log(f"plots: tfidf_keywords.png shows the first {max_reports} of {len(keywords)} reports; all are in tfidf/keywords.csv")
    log(f"plots: {len(written)} files in {plots}")
    return written
