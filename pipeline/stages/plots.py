"""plots: lda/, tfidf/ -> plots/*.png (and *.svg for the report x topic heatmap). The themes
stage draws the figures of the tracked themes."""
from __future__ import annotations

from collections import defaultdict

from ..artifacts import KEYWORDS, PLOT_DOCUMENT_TOPICS, PLOT_KEYWORDS, PLOT_TOPIC_WORDS, PLOTS_DONE, TOPICS, Run
from ..figures.bars import plot_bar_grid
from ..figures.heatmaps import ZOOMABLE, dominant_topic_order, plot_heatmap, topic_group_labels
from ..params import PlotParams
from ..text.places import report_label, unique_labels


def run(run: Run, params: PlotParams) -> None:
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
    doc_ids, topic_ids, theta, _ = run.document_topics()
    order, groups = dominant_topic_order(theta)
    topic_names = [labels[int(t)] for t in topic_ids]
    doc_labels = unique_labels([report_label(documents[d]) for d in doc_ids], doc_ids)
    figure = plot_heatmap(theta[order], [doc_labels[i] for i in order], topic_names,
                          "报告 × 主题 Topic share per report", "share of report",
                          groups=topic_group_labels(groups, topic_names),
                          row_axis_label=f"{len(doc_ids)} 篇报告, 按主导主题分组 (grouped by dominant topic)")
    written += run.save_figure(PLOT_DOCUMENT_TOPICS, figure, ZOOMABLE)

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

