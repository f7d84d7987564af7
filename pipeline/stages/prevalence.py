"""prevalence: lda/ + themes/ + clean/ -> prevalence/: topic shares and theme frequencies by year
and by place, with bootstrap-over-reports intervals, and their figures."""
from __future__ import annotations

import numpy as np

from ..artifacts import (DOCUMENT_TOPICS, PLOT_PREVALENCE_BY_PLACE, PLOT_PREVALENCE_BY_YEAR, PLOT_THEME_RATE_BY_PLACE,
                         PLOT_THEME_RATE_BY_YEAR, PREVALENCE_BY_PLACE, PREVALENCE_BY_YEAR, THEME_COUNTS,
                         THEME_RATE_BY_PLACE, THEME_RATE_BY_YEAR, Run)
from ..figures.panels import plot_place_panels, plot_year_panels
from ..figures.style import use_chinese_font
from ..files import PipelineError
from ..params import BootstrapParams
from ..text.places import choose_place_level, group_of, place_order
from ..topics.prevalence import estimate_groups, group_rows, nan_to_none, theme_rates, year_order

OUTPUTS = {  # dimension -> (topic table, theme table, topic figure, theme figure)
    "year": (PREVALENCE_BY_YEAR, THEME_RATE_BY_YEAR, PLOT_PREVALENCE_BY_YEAR, PLOT_THEME_RATE_BY_YEAR),
    "place": (PREVALENCE_BY_PLACE, THEME_RATE_BY_PLACE, PLOT_PREVALENCE_BY_PLACE, PLOT_THEME_RATE_BY_PLACE),
}


def run(run: Run, params: BootstrapParams) -> None:
    use_chinese_font()
    documents = run.documents()
    if not documents:
        raise PipelineError(f"{run.path(DOCUMENT_TOPICS)}: no reports")
    labels = run.topic_labels()
    # Topic mixes exist only for reports with a modelled paragraph; weighted by modelled tokens.
    topic_docs, topics, theta = run.matrix(DOCUMENT_TOPICS, "doc_id", "topic", "weight")
    n_tokens = {r["doc_id"]: float(r["n_tokens"]) for r in run.rows(DOCUMENT_TOPICS)}
    tokens = np.array([n_tokens[d] for d in topic_docs])
    doc_ids, themes, counts = run.matrix(THEME_COUNTS, "doc_id", "theme", "count")
    chars = np.array([float(documents[d]["n_chars"] or 0) for d in doc_ids])
    rates = theme_rates(counts, chars)
    topic_names = [labels[int(t)] for t in topics]

    level = choose_place_level(documents.values())
    tables = []  # written after every figure, theme_frequency_by_place.csv last (the Make target)
    for dimension, (topic_table, theme_table, topic_figure, theme_figure) in OUTPUTS.items():
        order = year_order if dimension == "year" else place_order
        key = group_of(documents, dimension, level)
        prefix = () if dimension == "year" else (level or "",)
        title = "年份 year" if dimension == "year" else f"地区 place ({level or '—'})"

        topic_est = estimate_groups(group_rows(topic_docs, key, order), theta, tokens, params.boot_seed,
                                    params.n_boot, params.min_reports)
        tables.append((topic_table, [[*prefix, g, int(t), labels[int(t)], e.n_reports, int(e.weight), float(e.point[j]),
                                      nan_to_none(e.low[j]), nan_to_none(e.high[j])]
                                     for g, e in topic_est.items() for j, t in enumerate(topics)]))
        grouped = group_rows(doc_ids, key, order)
        theme_est = estimate_groups(grouped, rates, chars, params.boot_seed, params.n_boot, params.min_reports)
        group_counts = {g: counts[rows].sum(axis=0) for g, rows in grouped.items()}
        tables.append((theme_table, [[*prefix, g, theme, e.n_reports, int(e.weight), int(group_counts[g][j]),
                                      float(e.point[j]), nan_to_none(e.low[j]), nan_to_none(e.high[j])]
                                     for g, e in theme_est.items() for j, theme in enumerate(themes)]))
        plot = plot_year_panels if dimension == "year" else plot_place_panels
        run.save_figure(topic_figure, plot(topic_names, topic_est, f"主题占比 × {title}", "topic share",
                                           params.min_reports))
        run.save_figure(theme_figure, plot(themes, theme_est, f"主题词频率 × {title} (per 10,000 characters)",
                                           "per 10k chars", params.min_reports))
    run.write_params(params)
    for artifact, rows in tables:
        run.write_rows(artifact, rows)
    with_ci = sum(1 for rows in group_rows(doc_ids, group_of(documents, "year")).values() if len(rows) >= params.min_reports)
    run.log(f"prevalence: {len(topics)} topics and {len(themes)} themes by year and by {level or 'place (none known)'}; "
            f"{with_ci} year group(s) have >= {params.min_reports} reports and get a {params.n_boot}-resample "
            f"bootstrap interval")
