"""prevalence: lda/ + clean/ -> prevalence/: topic shares by year and by place, with
bootstrap-over-reports intervals, and their figures. (Theme frequencies by year and place come
from the themes stage, which does not depend on the model.)"""
from __future__ import annotations

from ..artifacts import (DOCUMENT_TOPICS, PLOT_PREVALENCE_BY_PLACE, PLOT_PREVALENCE_BY_YEAR, PREVALENCE_BY_PLACE,
                         PREVALENCE_BY_YEAR, Run)
from ..figures.panels import plot_place_panels, plot_year_panels
from ..files import PipelineError
from ..params import BootstrapParams
from ..text.places import choose_place_level
from ..topics.prevalence import dimension_title, estimate_groups, nan_to_none, reports_by, year_cell

OUTPUTS = {  # dimension -> (table, figure, figure kind)
    "year": (PREVALENCE_BY_YEAR, PLOT_PREVALENCE_BY_YEAR, plot_year_panels),
    "place": (PREVALENCE_BY_PLACE, PLOT_PREVALENCE_BY_PLACE, plot_place_panels),
}


def run(run: Run, params: BootstrapParams) -> None:
    documents = run.documents()
    if not documents:
        raise PipelineError(f"{run.path(DOCUMENT_TOPICS)}: no reports")
    labels = run.topic_labels()
    # Topic mixes exist only for reports with a modelled paragraph; weighted by modelled tokens.
    topic_docs, topics, theta, tokens = run.document_topics()
    topic_names = [labels[int(t)] for t in topics]

    level = choose_place_level(documents.values())
    tables = []  # written after every figure, prevalence_by_place.csv last (the Make target)
    for dimension, (table, figure, plot) in OUTPUTS.items():
        prefix = () if dimension == "year" else (level or "",)
        title = dimension_title(dimension, level)
        estimates = estimate_groups(reports_by(documents, topic_docs, dimension, level), theta, tokens,
                                    params.boot_seed, params.n_boot, params.min_reports)
        cell = year_cell if dimension == "year" else str
        tables.append((table, [[*prefix, cell(g), int(t), labels[int(t)], e.n_reports, int(e.weight), float(e.point[j]),
                                nan_to_none(e.low[j]), nan_to_none(e.high[j])]
                               for g, e in estimates.items() for j, t in enumerate(topics)]))
        run.save_figure(figure, plot(topic_names, estimates, f"主题占比 × {title}", "topic share", params.min_reports))
    run.write_params(params)
    for artifact, rows in tables:
        run.write_rows(artifact, rows)
    with_ci = sum(1 for rows in reports_by(documents, topic_docs, "year").values() if len(rows) >= params.min_reports)
    run.log(f"prevalence: {len(topics)} topics by year and by {level or 'place (none known)'}; "
            f"{with_ci} year group(s) have >= {params.min_reports} reports and get a {params.n_boot}-resample "
            f"bootstrap interval")
