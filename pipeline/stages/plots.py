"""plots: lda/, themes/, tfidf/ -> plots/*.png (and *.svg for the heatmaps with many rows)."""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from ..artifacts import (DOCUMENT_TOPICS, KEYWORDS, PLOT_DOCUMENT_TOPICS, PLOT_KEYWORDS, PLOT_PLACES_EVER,
                         PLOT_THEME_ADOPTION, PLOT_THEMES_BY_PLACE, PLOT_THEMES_BY_REPORT, PLOT_THEMES_BY_YEAR,
                         PLOT_TOPIC_WORDS, PLOTS_DONE, THEME_ADOPTION, THEME_COUNTS, TOPICS, Run)
from ..figures.bars import plot_bar_grid
from ..figures.heatmaps import cluster_order, dominant_topic_order, plot_heatmap, topic_group_labels
from ..figures.style import use_chinese_font
from ..figures.panels import plot_places_ever, plot_year_panels
from ..params import BootstrapParams, PlotParams
from ..text.adoption import dated_places
from ..text.places import (choose_place_level, group_of, place_name, place_order, report_label,
                           unique_labels)
from ..topics.prevalence import (GroupEstimate, fill_year_gaps, group_rows, is_year, pool_small_groups, pooled,
                                 theme_rates, year_order)

ZOOMABLE = ("png", "svg")  # SVG only where zooming pays: heatmaps whose row labels get small
MAX_PLACES = 30  # themes by place: the places with most reports; the rest are pooled


def run(run: Run, params: PlotParams) -> None:
    use_chinese_font()
    documents = run.documents()
    labels = run.topic_labels()
    written = []

    topics: dict[int, list[tuple[str, float]]] = defaultdict(list)
    for row in run.rows(TOPICS):
        if int(row["rank"]) <= params.n_words:
            topics[int(row["topic"])].append((row["word"], float(row["weight"])))
    written += run.save_figure(PLOT_TOPIC_WORDS, plot_bar_grid([(f"T{t}", items) for t, items in topics.items()],
                                                               "P(词 | 主题)"))

    # Reports grouped by their dominant topic, so reports with similar mixes sit together.
    doc_ids, topic_ids, theta = run.matrix(DOCUMENT_TOPICS, "doc_id", "topic", "weight")
    order, groups = dominant_topic_order(theta)
    topic_names = [labels[int(t)] for t in topic_ids]
    doc_labels = unique_labels([report_label(documents[d]) for d in doc_ids], doc_ids)
    figure = plot_heatmap(theta[order], [doc_labels[i] for i in order], topic_names,
                          "报告 × 主题 Topic share per report", "share of report",
                          groups=topic_group_labels(groups, topic_names),
                          row_axis_label=f"{len(doc_ids)} 篇报告, 按主导主题分组 (grouped by dominant topic)")
    written += run.save_figure(PLOT_DOCUMENT_TOPICS, figure, ZOOMABLE)

    doc_ids, themes, counts = run.matrix(THEME_COUNTS, "doc_id", "theme", "count")
    chars = np.array([float(documents[d]["n_chars"] or 0) for d in doc_ids])
    rates = theme_rates(counts, chars)
    order = cluster_order(rates)
    theme_labels = unique_labels([report_label(documents[d]) for d in doc_ids], doc_ids)
    figure = plot_heatmap(rates[order], [theme_labels[i] for i in order], themes,
                          "报告 × 主题词 Tracked themes per report (per 10,000 characters)", "per 10k chars", "{:.1f}",
                          row_axis_label=f"{len(doc_ids)} 篇报告, 按相似度聚类排序 (clustered)", scale_columns=True)
    written += run.save_figure(PLOT_THEMES_BY_REPORT, figure, ZOOMABLE)

    def by_group(dimension: str, level: str | None = None, max_groups: int | None = None):
        order = year_order if dimension == "year" else place_order
        grouped = group_rows(doc_ids, group_of(documents, dimension, level), order)
        grouped = pool_small_groups(grouped, max_groups) if max_groups else fill_year_gaps(grouped)
        matrix = np.array([pooled(rates[rows], chars[rows]) if rows else np.full(len(themes), np.nan)
                           for rows in grouped.values()])
        return [f"{g} ({len(rows)} 篇)" for g, rows in grouped.items()], matrix

    names, matrix = by_group("year")
    written += run.save_figure(PLOT_THEMES_BY_YEAR, plot_heatmap(
        matrix, names, themes, "年份 × 主题词 Tracked themes by year (per 10,000 characters, pooled)", "per 10k chars",
        "{:.1f}", scale_columns=True))
    level = choose_place_level(documents.values())
    if level:
        names, matrix = by_group("place", level, MAX_PLACES)
        written += run.save_figure(PLOT_THEMES_BY_PLACE, plot_heatmap(
            matrix, names, themes, f"地区 ({level}) × 主题词 Tracked themes by place (per 10,000 characters, pooled)",
            "per 10k chars", "{:.1f}", scale_columns=True))
    else:
        run.path(PLOT_THEMES_BY_PLACE).unlink(missing_ok=True)
        run.log(f"plots: no report has a place; {run.path(PLOT_THEMES_BY_PLACE).name} skipped")

    written += _adoption_figures(run, themes)

    keywords: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for row in run.rows(KEYWORDS):
        if int(row["rank"]) <= params.n_words:
            keywords[row["doc_id"]].append((row["term"], float(row["score"])))
    shown = list(keywords)[:params.max_reports]
    keyword_labels = unique_labels([report_label(documents[d]) for d in shown], shown)
    written += run.save_figure(PLOT_KEYWORDS, plot_bar_grid([(label, keywords[d]) for label, d in zip(keyword_labels, shown)],
                                                            "TF-IDF", colors=["#4c72b0"]))
    if len(keywords) > params.max_reports:
        run.log(f"plots: {run.path(PLOT_KEYWORDS).name} shows the first {params.max_reports} of {len(keywords)} reports; "
                f"all are in {run.path(KEYWORDS)}")
    run.write_params(params)
    run.write_text(PLOTS_DONE, "")
    run.log(f"plots: {len(written)} files in {run.path(PLOTS_DONE).parent}")


def _adoption_figures(run: Run, themes: list[str]) -> list:
    """theme_adoption.csv drawn: the share of reports mentioning each theme by year, and the
    cumulative share of places that have mentioned it."""
    boot = run.read_params("themes", BootstrapParams)
    by_year: dict[str, dict[str, dict]] = defaultdict(dict)
    for row in run.rows(THEME_ADOPTION):
        by_year[row["year"]][row["theme"]] = row

    def column(rows: dict[str, dict], key: str) -> np.ndarray:
        return np.array([float(rows[t][key]) if rows[t][key] else np.nan for t in themes])

    known = [year for year in by_year if is_year(year)]
    written: list = []
    if not known:
        for artifact in (PLOT_THEME_ADOPTION, PLOT_PLACES_EVER):
            run.path(artifact).unlink(missing_ok=True)
        run.log("plots: no report has a year; the theme adoption figures are skipped")
        return written
    estimates = {year: GroupEstimate(column(rows, "share_reports"), column(rows, "ci_low"), column(rows, "ci_high"),
                                     int(rows[themes[0]]["reports"]), float(rows[themes[0]]["reports"]))
                 for year, rows in by_year.items()}
    written += run.save_figure(PLOT_THEME_ADOPTION, plot_year_panels(
        themes, estimates, "提及主题词的报告比例 Share of reports mentioning each theme, by year", "share of reports",
        boot.min_reports, share_axis=True))
    if any(by_year[y][themes[0]]["places"] != "0" for y in known):
        ever = {t: (np.array([int(y) for y in known]), np.array([float(by_year[y][t]["places_ever_share"] or 0)
                                                              for y in known])) for t in themes}
        documents = run.documents()
        n_places = len(dated_places({d: r["year"] for d, r in documents.items()},
                                    {d: place_name(r) for d, r in documents.items()}))
        written += run.save_figure(PLOT_PLACES_EVER, plot_places_ever(
            ever, n_places, "累计采用 Cumulative adoption: share of all places with a dated report that have "
                            "mentioned each theme by each year"))
    else:
        run.path(PLOT_PLACES_EVER).unlink(missing_ok=True)
        run.log(f"plots: no report has both a year and a place; {run.path(PLOT_PLACES_EVER).name} skipped")
    return written
