"""Stage 6, plots: PNG figures of topics, report-topic mixes, themes and TF-IDF keywords.

Chinese text needs a CJK font. We register Noto Sans CJK SC, shipped inside the ``mplfonts``
package, with matplotlib's font manager, so nothing has to be installed on the system.
"""
from __future__ import annotations

import math
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import numpy as np

from .files import PipelineError, atomic_path, read_csv

FONT_FILE = "NotoSansCJKsc-Regular.otf"


@lru_cache(maxsize=1)
def use_chinese_font() -> str:
    """Register the packaged Noto Sans CJK SC font and make it matplotlib's default; return its name."""
    import matplotlib

    matplotlib.use("Agg")
    import mplfonts
    from matplotlib import font_manager, pyplot as plt

    path = Path(mplfonts.__file__).parent / "fonts" / FONT_FILE
    if not path.is_file():
        raise PipelineError(f"{path}: CJK font missing from the mplfonts package; reinstall it")
    font_manager.fontManager.addfont(str(path))
    name = font_manager.FontProperties(fname=str(path)).get_name()
    plt.rcParams.update({
        "font.family": "sans-serif",
        "font.sans-serif": [name, "DejaVu Sans"],
        "axes.unicode_minus": False,  # the CJK font has no U+2212 minus sign
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 11,
        "axes.labelsize": 10,
    })
    return name


def save_figure(figure, path: Path) -> None:
    """Save atomically (PNG and, where useful, SVG chosen by the suffix), then close."""
    from matplotlib import pyplot as plt

    with atomic_path(path) as tmp:
        figure.savefig(tmp, format=path.suffix.lstrip("."), bbox_inches="tight")
    plt.close(figure)


def document_label(row: dict[str, str]) -> str:
    """A short human label for a report: place and year where known, else its id."""
    place = row.get("town") or row.get("county") or row.get("city") or ""
    label = f"{place} {row.get('year', '')}".strip()
    return label or row["doc_id"]


def unique_labels(labels: list[str], doc_ids: list[str]) -> list[str]:
    """Disambiguate repeated labels with the report id."""
    seen = defaultdict(int)
    for label in labels:
        seen[label] += 1
    return [f"{label} ({doc_id[:12]})" if seen[label] > 1 else label for label, doc_id in zip(labels, doc_ids)]


def plot_bar_grid(panels: list[tuple[str, list[tuple[str, float]]]], xlabel: str, columns: int = 4):
    """Small multiples of horizontal bar charts: one panel per (title, [(word, value)])."""
    from matplotlib import pyplot as plt

    columns = max(1, min(columns, len(panels)))
    rows = math.ceil(len(panels) / columns)
    n_bars = max((len(items) for _, items in panels), default=1)
    figure, axes = plt.subplots(rows, columns, figsize=(3.4 * columns, 0.28 * n_bars * rows + 0.9 * rows), squeeze=False)
    colors = plt.get_cmap("tab20").colors
    for index, axis in enumerate(axes.flat):
        if index >= len(panels):
            axis.axis("off")
            continue
        title, items = panels[index]
        words = [w for w, _ in items][::-1]
        values = [v for _, v in items][::-1]
        axis.barh(words, values, color=colors[index % len(colors)])
        axis.set_title(title, loc="left")
        axis.tick_params(axis="y", labelsize=9)
        axis.tick_params(axis="x", labelsize=8)
        axis.set_xlabel(xlabel, fontsize=8)
    figure.tight_layout()
    return figure


def plot_heatmap(matrix: np.ndarray, row_labels: list[str], column_labels: list[str], title: str, colorbar: str, fmt: str = "{:.2f}"):
    """A labelled heatmap; cell values are printed when there are few enough cells to read."""
    from matplotlib import pyplot as plt

    n_rows, n_cols = matrix.shape
    figure, axis = plt.subplots(figsize=(max(6.0, 0.9 * n_cols + 3), max(2.5, 0.32 * n_rows + 1.8)))
    image = axis.imshow(matrix, aspect="auto", cmap="YlGnBu")
    axis.set_xticks(range(n_cols), column_labels, rotation=40, ha="right", fontsize=9)
    axis.set_yticks(range(n_rows), row_labels, fontsize=9 if n_rows <= 40 else 6)
    axis.set_title(title, loc="left")
    figure.colorbar(image, ax=axis, label=colorbar, fraction=0.04)
    if n_rows * n_cols <= 400:
        high = np.nanmax(matrix) if matrix.size else 0
        for r in range(n_rows):
            for c in range(n_cols):
                axis.text(c, r, fmt.format(matrix[r, c]), ha="center", va="center", fontsize=7,
                          color="white" if matrix[r, c] > 0.6 * high else "black")
    figure.tight_layout()
    return figure


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
    """lda/, themes/, tfidf/ -> plots/*.png."""
    use_chinese_font()
    out = Path(output_dir)
    plots = out / "plots"
    documents = {row["doc_id"]: row for row in read_csv(out / "clean" / "documents.csv")}
    written = []

    topics: dict[str, list[tuple[str, float]]] = defaultdict(list)
    labels = {}
    for row in read_csv(out / "lda" / "topics.csv"):
        if int(row["rank"]) <= n_words:
            topics[row["topic"]].append((row["word"], float(row["weight"])))
            labels[row["topic"]] = row["label"]
    figure = plot_bar_grid([(f"T{t}", items) for t, items in topics.items()], "P(词 | 主题)")
    save_figure(figure, plots / "topic_words.png")
    written.append(plots / "topic_words.png")

    # Reports sorted by their dominant topic, so reports with similar mixes sit together.
    doc_ids, topic_ids, theta = _long_to_matrix(list(read_csv(out / "lda" / "document_topics.csv")), "doc_id", "topic", "weight")
    order = np.lexsort((-theta.max(axis=1), theta.argmax(axis=1)))
    doc_labels = unique_labels([document_label(documents[d]) for d in doc_ids], doc_ids)
    figure = plot_heatmap(theta[order], [doc_labels[i] for i in order], [labels[t] for t in topic_ids],
                          "报告 × 主题 (topic share per report)", "share")
    save_figure(figure, plots / "document_topics.png")
    written.append(plots / "document_topics.png")

    doc_ids_t, themes, per_10k = _long_to_matrix(list(read_csv(out / "themes" / "theme_counts.csv")), "doc_id", "theme", "per_10k_chars")
    labels_t = unique_labels([document_label(documents[d]) for d in doc_ids_t], doc_ids_t)
    figure = plot_heatmap(per_10k, labels_t, themes, "主题词 × 报告 (occurrences per 10,000 characters)", "per 10k chars", "{:.1f}")
    save_figure(figure, plots / "themes_by_report.png")
    written.append(plots / "themes_by_report.png")

    keywords: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for row in read_csv(out / "tfidf" / "keywords.csv"):
        if int(row["rank"]) <= n_words:
            keywords[row["doc_id"]].append((row["term"], float(row["score"])))
    shown = list(keywords)[:max_reports]
    kw_labels = unique_labels([document_label(documents[d]) for d in shown], shown)
    figure = plot_bar_grid([(label, keywords[d]) for label, d in zip(kw_labels, shown)], "TF-IDF")
    save_figure(figure, plots / "tfidf_keywords.png")
    written.append(plots / "tfidf_keywords.png")
    if len(keywords) > max_reports:
        log(f"plots: tfidf_keywords.png shows the first {max_reports} of {len(keywords)} reports; all are in tfidf/keywords.csv")
    log(f"plots: {len(written)} figures in {plots}")
    return written
