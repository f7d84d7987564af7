"""Themes across metadata: topic prevalence and theme frequency by year and by place, with
bootstrap-over-reports intervals.

Both are pooled, length-weighted rates of a group of reports: topic prevalence is the share of
the group's text the model gives to a topic (report mixes weighted by report length); theme
frequency is the group's occurrences per 10,000 characters (total count / total characters).
Reports, not paragraphs, are resampled: paragraphs of one report are not independent.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from .files import PipelineError, read_csv, write_csv

N_BOOTSTRAP = 2000
MIN_REPORTS = 3  # fewer reports than this in a group: no interval (a bootstrap of 1-2 is not one)


@dataclass(frozen=True)
class GroupEstimate:
    """One group's pooled estimate per column, its percentile interval (NaN when the group has
    fewer than ``min_reports`` reports) and size."""

    point: np.ndarray
    low: np.ndarray
    high: np.ndarray
    n_reports: int
    weight: float


def pooled(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean of each column of ``values`` (reports x columns) with report ``weights``."""
    return weights @ values / weights.sum()


def bootstrap_pooled(values: np.ndarray, weights: np.ndarray, n_boot: int = N_BOOTSTRAP, seed: int = 0,
                     level: float = 0.95, min_reports: int = MIN_REPORTS) -> GroupEstimate:
    """:func:`pooled` and its percentile bootstrap interval, resampling reports with replacement.

    All resamples at once: a (n_boot x reports) matrix of draw counts times the weighted values.
    """
    values = np.asarray(values, dtype=float).reshape(len(weights), -1)
    weights = np.asarray(weights, dtype=float)
    point = pooled(values, weights)
    n = len(weights)
    if n < max(2, min_reports):
        nan = np.full_like(point, np.nan)
        return GroupEstimate(point, nan, nan.copy(), n, float(weights.sum()))
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n, size=(n_boot, n))
    counts = np.zeros((n_boot, n))
    np.add.at(counts, (np.repeat(np.arange(n_boot), n), draws.ravel()), 1.0)
    resampled = (counts @ (weights[:, None] * values)) / (counts @ weights)[:, None]
    tail = (1 - level) / 2
    low, high = np.quantile(resampled, [tail, 1 - tail], axis=0)
    return GroupEstimate(point, low, high, n, float(weights.sum()))


def estimate_groups(groups: dict[str, list[int]], values: np.ndarray, weights: np.ndarray, seed: int = 0,
                    n_boot: int = N_BOOTSTRAP, min_reports: int = MIN_REPORTS) -> dict[str, GroupEstimate]:
    """:func:`bootstrap_pooled` for each group (name -> report rows), each with its own stream."""
    return {name: bootstrap_pooled(values[rows], weights[rows], n_boot, seed + i, min_reports=min_reports)
            for i, (name, rows) in enumerate(groups.items())}


def year_order(name: str) -> tuple:
    """Years in numeric order; anything else (unknown) after them."""
    return (0, int(name)) if name.isdigit() else (1, name)


# ---------------------------------------------------------------------------------------------
# I/O shell
# ---------------------------------------------------------------------------------------------


def _group_rows(doc_ids: Sequence[str], key: dict[str, str]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, doc_id in enumerate(doc_ids):
        groups[key[doc_id]].append(i)
    return dict(groups)


def _cell(x: float):
    return None if np.isnan(x) else float(x)


def run_prevalence(output_dir: str | Path, n_boot: int = N_BOOTSTRAP, min_reports: int = MIN_REPORTS,
                   seed: int = 0, log=print) -> None:
    """lda/document_topics.csv + themes/theme_counts.csv + clean/documents.csv -> quality/
    prevalence_by_{year,place}.csv, theme_frequency_by_{year,place}.csv and their plots
    (theme_frequency_by_place.csv written last)."""
    from .plots import UNKNOWN, choose_place_level

    out = Path(output_dir)
    quality = out / "quality"
    documents = {row["doc_id"]: row for row in read_csv(out / "clean" / "documents.csv")}
    if not documents:
        raise PipelineError(f"{out / 'clean' / 'documents.csv'}: no reports")
    doc_ids = list(documents)
    chars = np.array([float(documents[d]["n_chars"] or 0) for d in doc_ids])
    index = {d: i for i, d in enumerate(doc_ids)}

    topic_rows = list(read_csv(out / "lda" / "document_topics.csv"))
    topics = sorted({int(r["topic"]) for r in topic_rows})
    labels = {int(r["topic"]): r["label"] for r in topic_rows}
    theta = np.zeros((len(doc_ids), len(topics)))
    modelled = np.zeros(len(doc_ids), dtype=bool)
    for r in topic_rows:
        theta[index[r["doc_id"]], int(r["topic"]) - 1] = float(r["weight"])
        modelled[index[r["doc_id"]]] = True

    count_rows = list(read_csv(out / "themes" / "theme_counts.csv"))
    themes = list(dict.fromkeys(r["theme"] for r in count_rows))
    t_index = {t: i for i, t in enumerate(themes)}
    counts = np.zeros((len(doc_ids), len(themes)))
    for r in count_rows:
        counts[index[r["doc_id"]], t_index[r["theme"]]] = float(r["count"])
    # Per-report rates; pooled with character weights they give total count / total characters.
    rates = np.divide(1e4 * counts, chars[:, None], out=np.zeros_like(counts), where=chars[:, None] > 0)

    level = choose_place_level(documents.values())
    dimensions = {
        "year": {d: documents[d].get("year") or UNKNOWN for d in doc_ids},
        "place": {d: (documents[d].get(level) or UNKNOWN) if level else UNKNOWN for d in doc_ids},
    }
    tables = []  # written after every plot, theme_frequency_by_place.csv last (the Make target)
    for dimension, key in dimensions.items():
        order = year_order if dimension == "year" else (lambda g: (g == UNKNOWN, g))
        extra = () if dimension == "year" else ("place_level",)
        extra_value = () if dimension == "year" else (level or "",)

        # Topic prevalence: only reports with a modelled paragraph have a topic mix.
        rows_t = {g: [i for i in rows if modelled[i]] for g, rows in _group_rows(doc_ids, key).items()}
        rows_t = {g: rows for g, rows in sorted(rows_t.items(), key=lambda kv: order(kv[0])) if rows}
        topic_est = estimate_groups(rows_t, theta, chars, seed, n_boot, min_reports)
        tables.append((quality / f"prevalence_by_{dimension}.csv",
                       (*extra, dimension, "topic", "label", "n_reports", "n_chars", "prevalence", "ci_low", "ci_high"),
                       [[*extra_value, g, t, labels[t], e.n_reports, int(e.weight), float(e.point[j]), _cell(e.low[j]),
                         _cell(e.high[j])] for g, e in topic_est.items() for j, t in enumerate(topics)]))

        rows_f = dict(sorted(_group_rows(doc_ids, key).items(), key=lambda kv: order(kv[0])))
        theme_est = estimate_groups(rows_f, rates, chars, seed, n_boot, min_reports)
        group_counts = {g: counts[rows].sum(axis=0) for g, rows in rows_f.items()}
        tables.append((quality / f"theme_frequency_by_{dimension}.csv",
                       (*extra, dimension, "theme", "n_reports", "n_chars", "count", "per_10k_chars", "ci_low", "ci_high"),
                       [[*extra_value, g, theme, e.n_reports, int(e.weight), int(group_counts[g][j]), float(e.point[j]),
                         _cell(e.low[j]), _cell(e.high[j])] for g, e in theme_est.items() for j, theme in enumerate(themes)]))

        title_dim = "年份 year" if dimension == "year" else f"地区 place ({level or '—'})"
        _save_panels([labels[t] for t in topics], topic_est, f"主题占比 × {title_dim}", "topic share",
                     dimension == "year", min_reports, quality / f"prevalence_by_{dimension}.png")
        _save_panels(themes, theme_est, f"主题词频率 × {title_dim} (per 10,000 characters)", "per 10k chars",
                     dimension == "year", min_reports, quality / f"theme_frequency_by_{dimension}.png")
    for path, columns, rows in tables:
        write_csv(path, columns, rows)
    with_ci = sum(1 for rows in _group_rows(doc_ids, dimensions["year"]).values() if len(rows) >= min_reports)
    log(f"prevalence: {len(topics)} topics and {len(themes)} themes by year and by {level or 'place (none known)'}; "
        f"{with_ci} year group(s) have >= {min_reports} reports and get a {n_boot}-resample bootstrap interval")


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


def _save_panels(names, estimates, title, ylabel, along_x, min_reports: int, path: Path) -> None:
    from .plots import save_figure, use_chinese_font

    use_chinese_font()
    save_figure(plot_group_panels(names, estimates, title, ylabel, along_x, min_reports), path)
