"""themes: clean/ -> themes/: every occurrence of a tracked theme in context
(theme_contexts.csv), counts per report and term (theme_counts.csv, written last, and
theme_term_counts.csv), when and where each theme is taken up (theme_adoption*.csv), its
frequency by year and place with bootstrap intervals (theme_frequency_by_*.csv), and their
figures. From the cleaned text alone: a stopword edit or a new model does not rerun it."""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from ..artifacts import (PARAGRAPHS, PLOT_PLACES_EVER, PLOT_THEME_ADOPTION, PLOT_THEME_MAP, PLOT_THEME_RATE_BY_PLACE,
                         PLOT_THEME_RATE_BY_YEAR, PLOT_THEMES_BY_PLACE, PLOT_THEMES_BY_REPORT, PLOT_THEMES_BY_YEAR,
                         THEME_ADOPTION, THEME_ADOPTION_BY_PROVINCE, THEME_CONTEXTS, THEME_COUNTS, THEME_RATE_BY_PLACE,
                         THEME_RATE_BY_YEAR, THEME_TERM_COUNTS, Run)
from ..figures.heatmaps import ZOOMABLE, cluster_order, plot_heatmap
from ..figures.panels import plot_place_panels, plot_places_ever, plot_year_panels
from ..figures.tilemap import TILES, plot_province_tiles
from ..params import BootstrapParams, Inputs
from ..text.places import choose_place_level, place_name, report_label, unique_labels
from ..text.structure import section_name
from ..text.themes import CONTEXT_CHARS, load_themes, theme_matcher
from ..topics.adoption import adoption_rows, dated_places
from ..topics.prevalence import (GroupEstimate, dimension_title, estimate_groups, fill_year_gaps, is_year, nan_to_none,
                                 pool_small_groups, pooled, reports_by, theme_rates, year_cell)

MAX_PLACES = 30  # themes by place: the places with most reports; the rest are pooled


def run(run: Run, inputs: Inputs, boot: BootstrapParams) -> None:
    themes = load_themes(inputs.themes)
    pattern, owner = theme_matcher(themes)
    extra, doc_rows = run.document_info()
    documents = run.documents()
    place_of = {d: place_name(row) for d, row in documents.items()}

    term_counts: dict[str, dict[str, int]] = {doc_id: dict.fromkeys(owner, 0) for doc_id in doc_rows}
    chars: dict[str, int] = dict.fromkeys(doc_rows, 0)
    with run.table(THEME_CONTEXTS) as contexts:
        for row in run.rows(PARAGRAPHS):
            doc_id, text = row["doc_id"], row["text"]
            chars[doc_id] += len(text)
            for match in pattern.finditer(text):
                term = match.group(0)
                term_counts[doc_id][term] += 1
                contexts.write([owner[term], term, doc_id, documents[doc_id].get("year", ""), place_of[doc_id],
                                section_name(row), text[max(0, match.start() - CONTEXT_CHARS):match.start()], term,
                                text[match.end():match.end() + CONTEXT_CHARS]])
    counts = {doc_id: {t.name: sum(c[term] for term in t.terms) for t in themes} for doc_id, c in term_counts.items()}

    run.write_rows(THEME_TERM_COUNTS, ([doc_id, theme.name, term, by_term[term]]
                                       for doc_id, by_term in term_counts.items() for theme in themes for term in theme.terms))
    names = [t.name for t in themes]
    adoption = _write_adoption(run, documents, place_of, counts, names, boot)
    doc_ids = list(counts)
    count_matrix = np.array([[counts[d][name] for name in names] for d in doc_ids], dtype=float).reshape(-1, len(names))
    char_counts = np.array([float(chars[d]) for d in doc_ids])
    rates = theme_rates(count_matrix, char_counts)
    level = choose_place_level(documents.values())
    _frequency_by_group(run, documents, doc_ids, names, level, count_matrix, char_counts, rates, boot)
    _heatmaps(run, documents, doc_ids, names, level, char_counts, rates)
    _adoption_figures(run, documents, place_of, names, adoption, boot)
    _province_map(run, documents, counts, names, boot.min_reports)
    with run.table(THEME_COUNTS, extra) as table:
        for i, doc_id in enumerate(doc_ids):
            for j, name in enumerate(names):
                table.write([doc_id, *doc_rows[doc_id], name, counts[doc_id][name], float(rates[i, j])])
        run.write_params(inputs, boot)
    found = {t.name: sum(1 for c in counts.values() if c[t.name]) for t in themes}
    run.log("themes: reports mentioning each theme: " + ", ".join(f"{k} {v}/{len(counts)}" for k, v in found.items()))


def _write_adoption(run: Run, documents: dict, place_of: dict[str, str], counts: dict[str, dict[str, int]],
                    names: list[str], boot: BootstrapParams) -> list[list]:
    """theme_adoption.csv over all reports (returned), and by province over the reports whose
    province is known."""
    def table(doc_ids: list[str]):
        mentioned = np.array([[counts[d][name] > 0 for name in names] for d in doc_ids], dtype=bool).reshape(-1, len(names))
        year_of = {d: documents[d].get("year", "") for d in doc_ids}
        return adoption_rows(doc_ids, year_of, place_of, mentioned, names, boot.boot_seed, boot.n_boot, boot.min_reports)

    def cells(row: list) -> list:  # the year group as a number, or empty
        return [row[0], year_cell(row[1]), *row[2:]]

    rows = list(table(list(counts)))
    run.write_rows(THEME_ADOPTION, map(cells, rows))
    provinces = sorted({documents[d].get("province", "") for d in counts} - {""})
    run.write_rows(THEME_ADOPTION_BY_PROVINCE, ([province, *cells(row)] for province in provinces
                                                for row in table([d for d in counts
                                                                  if documents[d].get("province") == province])))
    return rows


def _frequency_by_group(run: Run, documents: dict, doc_ids: list[str], names: list[str], level: str | None,
                        counts: np.ndarray, chars: np.ndarray, rates: np.ndarray, boot: BootstrapParams) -> None:
    """theme_frequency_by_year and _by_place: pooled occurrences per 10,000 characters, with
    bootstrap-over-reports intervals, and their figures."""
    outputs = {"year": (THEME_RATE_BY_YEAR, PLOT_THEME_RATE_BY_YEAR, plot_year_panels),
               "place": (THEME_RATE_BY_PLACE, PLOT_THEME_RATE_BY_PLACE, plot_place_panels)}
    for dimension, (table, figure, plot) in outputs.items():
        prefix = () if dimension == "year" else (level or "",)
        title = dimension_title(dimension, level)
        grouped = reports_by(documents, doc_ids, dimension, level)
        estimates = estimate_groups(grouped, rates, chars, boot.boot_seed, boot.n_boot, boot.min_reports)
        group_counts = {g: counts[rows].sum(axis=0) for g, rows in grouped.items()}
        run.save_figure(figure, plot(names, estimates, f"主题词频率 × {title} (per 10,000 characters)", "per 10k chars",
                                     boot.min_reports))
        cell = year_cell if dimension == "year" else str
        run.write_rows(table, ([*prefix, cell(g), theme, e.n_reports, int(e.weight), int(group_counts[g][j]),
                                float(e.point[j]), nan_to_none(e.low[j]), nan_to_none(e.high[j])]
                               for g, e in estimates.items() for j, theme in enumerate(names)))


def _heatmaps(run: Run, documents: dict, doc_ids: list[str], names: list[str], level: str | None, chars: np.ndarray,
              rates: np.ndarray) -> None:
    """Reports x themes (clustered), and themes pooled by year and by place."""
    order = cluster_order(rates)
    labels = unique_labels([report_label(documents[d]) for d in doc_ids], doc_ids)
    run.save_figure(PLOT_THEMES_BY_REPORT, plot_heatmap(
        rates[order], [labels[i] for i in order], names,
        "报告 × 主题词 Tracked themes per report (per 10,000 characters)", "per 10k chars", "{:.1f}",
        row_axis_label=f"{len(doc_ids)} 篇报告, 按相似度聚类排序 (clustered)", scale_columns=True), ZOOMABLE)

    def by_group(dimension: str, max_groups: int | None = None):
        grouped = reports_by(documents, doc_ids, dimension, level)
        grouped = pool_small_groups(grouped, max_groups) if max_groups else fill_year_gaps(grouped)
        matrix = np.array([pooled(rates[rows], chars[rows]) if rows else np.full(len(names), np.nan)
                           for rows in grouped.values()])
        return [f"{g} ({len(rows)} 篇)" for g, rows in grouped.items()], matrix

    groups, matrix = by_group("year")
    run.save_figure(PLOT_THEMES_BY_YEAR, plot_heatmap(
        matrix, groups, names, "年份 × 主题词 Tracked themes by year (per 10,000 characters, pooled)", "per 10k chars",
        "{:.1f}", scale_columns=True))
    if level:
        groups, matrix = by_group("place", MAX_PLACES)
        run.save_figure(PLOT_THEMES_BY_PLACE, plot_heatmap(
            matrix, groups, names, f"地区 ({level}) × 主题词 Tracked themes by place (per 10,000 characters, pooled)",
            "per 10k chars", "{:.1f}", scale_columns=True))
    else:
        run.path(PLOT_THEMES_BY_PLACE).unlink(missing_ok=True)
        run.log(f"themes: no report has a place; {run.path(PLOT_THEMES_BY_PLACE).name} skipped")


def _province_map(run: Run, documents: dict, counts: dict[str, dict[str, int]], names: list[str],
                  min_reports: int) -> None:
    """theme_map.png: each province's share of reports mentioning each theme, on a tile map of
    China; only where reports of two provinces or more are known."""
    by_province: dict[str, list[str]] = defaultdict(list)
    for doc_id in counts:
        if documents[doc_id].get("province") in TILES:
            by_province[documents[doc_id]["province"]].append(doc_id)
    if len(by_province) < 2:
        run.path(PLOT_THEME_MAP).unlink(missing_ok=True)
        run.log(f"themes: reports of fewer than two provinces; {run.path(PLOT_THEME_MAP).name} skipped")
        return
    shares = {name: {province: (sum(1 for d in docs if counts[d][name]), len(docs))
                     for province, docs in by_province.items()} for name in names}
    run.save_figure(PLOT_THEME_MAP, plot_province_tiles(
        shares, min_reports, "各省提及主题词的报告比例 Share of each province's reports mentioning each theme, all years"))


def _adoption_figures(run: Run, documents: dict, place_of: dict[str, str], names: list[str], adoption: list[list],
                      boot: BootstrapParams) -> None:
    """theme_adoption.csv's rows drawn: the share of reports mentioning each theme by year, and
    the cumulative share of places that have mentioned it."""
    by_year: dict[str, dict[str, dict]] = defaultdict(dict)
    for row in adoption:
        cells = dict(zip(THEME_ADOPTION.columns, row))
        by_year[cells["year"]][cells["theme"]] = cells

    def column(rows: dict[str, dict], key: str) -> np.ndarray:
        return np.array([np.nan if rows[t][key] is None else float(rows[t][key]) for t in names])

    known = [year for year in by_year if is_year(year)]
    if not known:
        for artifact in (PLOT_THEME_ADOPTION, PLOT_PLACES_EVER):
            run.path(artifact).unlink(missing_ok=True)
        run.log("themes: no report has a year; the theme adoption figures are skipped")
        return
    estimates = {year: GroupEstimate(column(rows, "share_reports"), column(rows, "ci_low"), column(rows, "ci_high"),
                                     int(rows[names[0]]["reports"]), float(rows[names[0]]["reports"]))
                 for year, rows in by_year.items()}
    run.save_figure(PLOT_THEME_ADOPTION, plot_year_panels(
        names, estimates, "提及主题词的报告比例 Share of reports mentioning each theme, by year", "share of reports",
        boot.min_reports, share_axis=True))
    if any(by_year[y][names[0]]["places"] for y in known):
        ever = {t: (np.array([int(y) for y in known]), np.array([float(by_year[y][t]["places_ever_share"] or 0)
                                                              for y in known])) for t in names}
        n_places = len(dated_places({d: r["year"] for d, r in documents.items()}, place_of))
        run.save_figure(PLOT_PLACES_EVER, plot_places_ever(
            ever, n_places, "累计采用 Cumulative adoption: share of all places with a dated report that have "
                            "mentioned each theme by each year"))
    else:
        run.path(PLOT_PLACES_EVER).unlink(missing_ok=True)
        run.log(f"themes: no report has both a year and a place; {run.path(PLOT_PLACES_EVER).name} skipped")
