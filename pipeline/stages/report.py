"""report: every stage's results -> report.html (one self-contained page, written last) and
explorer.html (the interactive topic explorer alone). Stages whose results are missing get a
note in their section, not an error. The stability runs (quality) come after this stage: their
results are shown only when they are of this model, and `make topics` then writes the page again."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from ..artifacts import (ARTIFACTS, CLEANING_REPORT, CORPUS_INDEX, DOCUMENTS, DOCUMENT_TOPICS, EXPLORER, EXPLORER_BASIS, EXPLORER_DATA,
                         K_CHOICE, K_SWEEP_PLOT, K_SWEEP_SUMMARY, KEYWORDS, MODEL, PENDING_ATTRIBUTE, PLOT_DOCUMENT_TOPICS,
                         PLOT_PREVALENCE_BY_PLACE, PLOT_PREVALENCE_BY_YEAR, PLOT_THEME_RATE_BY_PLACE,
                         PLOT_THEME_RATE_BY_YEAR, PLOT_THEMES_BY_PLACE, PLOT_THEMES_BY_REPORT, PLOT_THEMES_BY_YEAR,
                         PLOT_PLACES_EVER, PLOT_THEME_ADOPTION, PLOT_TOPIC_QUALITY, PLOT_TOPIC_WORDS, PREVALENCE_BY_YEAR,
                         QUALITY_BASIS,
                         REMOVED_LINES, REPORT, REPRESENTATIVE, SEEDED_TOPICS, TERM_CANDIDATES, THEME_ADOPTION,
                         THEME_CONTEXTS, THEME_COUNTS, THEME_RATE_BY_YEAR, THEME_TOPICS, THEME_VALIDITY, TOPIC_STABILITY,
                         TOPIC_SUMMARY, EMERGING_TERMS, PLOT_THEME_MAP, PLOT_THEME_TERMS, STOPWORD_CANDIDATES, THEME_TERMS,
                         TOPICS, STAGES, Artifact, Run, params_artifact)
from ..files import table_parts
from ..figures.style import cjk_font_path
from ..params import ReportParams, SegmentParams
from ..report.assets import figure, human_size, ldavis_assets, render_pages
from ..report.context import (COLLAPSE_ROWS, EXPLORER_ID, SECTIONS, SUMMARY_ROWS, VERSIONED_PACKAGES,
                              attach_paragraphs, build_documents, cleaning_overview, corpus_summary, csv_preview,
                              document_topic_table, dominant_topics, emerging_terms, keyword_table, model_facts,
                              package_versions, snippet, theme_examples, theme_findings, theme_summary, theme_wording,
                              topic_summaries)
from ..text.tokens import SEGMENTERS

FIGURES = {  # name in the template -> (artifact, title)
    "theme_adoption": (PLOT_THEME_ADOPTION, "提及主题词的报告比例 Share of reports mentioning each theme, by year"),
    "theme_adoption_places": (PLOT_PLACES_EVER, "累计采用 Share of places that have mentioned each theme"),
    "theme_terms": (PLOT_THEME_TERMS, "主题词的语境 What each theme is said with"),
    "theme_map": (PLOT_THEME_MAP, "各省 Share of each province's reports mentioning each theme"),
    "topic_words": (PLOT_TOPIC_WORDS, "各主题高频词 Top words per topic"),
    "document_topics": (PLOT_DOCUMENT_TOPICS, "报告 × 主题 Topic share per report"),
    "themes_by_report": (PLOT_THEMES_BY_REPORT, "报告 × 主题词 Themes per report"),
    "themes_by_year": (PLOT_THEMES_BY_YEAR, "年份 × 主题词 Themes by year"),
    "themes_by_place": (PLOT_THEMES_BY_PLACE, "地区 × 主题词 Themes by place"),
}
# The quality section: model quality, the K sweep, and results by year and place.
QUALITY_FIGURES = (PLOT_TOPIC_QUALITY, K_SWEEP_PLOT, PLOT_PREVALENCE_BY_YEAR, PLOT_THEME_RATE_BY_YEAR,
                   PLOT_PREVALENCE_BY_PLACE, PLOT_THEME_RATE_BY_PLACE)
QUALITY_TABLES = (TOPIC_STABILITY, SEEDED_TOPICS, K_SWEEP_SUMMARY, PREVALENCE_BY_YEAR, THEME_RATE_BY_YEAR, TERM_CANDIDATES,
                  STOPWORD_CANDIDATES)
QUALITY_NOTES = (K_CHOICE,)


def _rows(run: Run, artifact: Artifact) -> list[dict[str, str]]:
    return list(_streamed(run, artifact))


def _streamed(run: Run, artifact: Artifact) -> Iterator[dict[str, str]]:
    """An artifact's rows read as they are used, for the tables with a row per report and more
    (tfidf's keywords: a million rows, 1 GB of dicts at a gigabyte of text)."""
    return run.rows(artifact) if run.exists(artifact) else iter(())


def _inventory(run: Run, shown: Callable[[Artifact], bool]) -> list[dict[str, Any]]:
    """Every output file of the contract that is ``shown`` (a heatmap's SVG beside its PNG), with
    size, time and what it holds."""
    artifacts = [a for a in ARTIFACTS if a not in (REPORT, EXPLORER)] + [params_artifact(s) for s in STAGES]
    notes = {a.path: a.note for a in artifacts if shown(a)}
    entries = []
    for relative, note in sorted(notes.items()):
        path = run.out / relative
        for found in (*table_parts(path), path.with_suffix(".svg") if path.suffix == ".png" else None):
            if found is None or found.name.startswith(".") or not found.is_file():
                continue
            stat = found.stat()
            entries.append({"path": found.relative_to(run.out).as_posix(), "size": stat.st_size, "note": note,
                            "modified": dt.datetime.fromtimestamp(stat.st_mtime).strftime("%Y-%m-%d %H:%M")})
    return entries


def _quality_section(run: Run, shown: Callable[[Artifact], bool]) -> dict[str, Any]:
    figures = [figure(run.out, a.path, Path(a.path).stem) for a in QUALITY_FIGURES if shown(a)]
    tables = [{"path": a.path, **csv_preview(_rows(run, a))} for a in QUALITY_TABLES if shown(a)]
    notes = [{"path": a.path, "text": snippet(run.path(a).read_text(encoding="utf-8"), 5000)}
             for a in QUALITY_NOTES if shown(a)]
    return {"exists": bool(figures or tables or notes), "figures": figures, "tables": tables, "notes": notes}


def _segmenter_package(run: Run) -> tuple[str, ...]:
    """The package of the segmenter the run used, if not jieba (which is always listed)."""
    if not run.exists(params_artifact("segment")):
        return ()
    segmenter = run.read_params("segment", SegmentParams).segmenter
    return (SEGMENTERS[segmenter][0],) if segmenter in SEGMENTERS and segmenter != "jieba" else ()


def run(run: Run, params: ReportParams) -> Path:
    started = dt.datetime.now().astimezone()
    docs = build_documents(run.rows(DOCUMENTS))
    report_rows = _rows(run, CLEANING_REPORT)
    dominant = dominant_topics(*run.document_topics()[:3]) if run.exists(DOCUMENT_TOPICS) else {}
    # The stability runs come after this page (Make writes it again when they are done): their
    # results are shown only if they are of this model, and their absence is said.
    stability_current = run.based_on(QUALITY_BASIS, DOCUMENT_TOPICS)

    def shown(artifact: Artifact) -> bool:
        return artifact.at(run.out).is_file() and (artifact.stage != "quality" or stability_current)

    topics = topic_summaries(_rows(run, TOPIC_SUMMARY), _rows(run, TOPICS),
                             _rows(run, TOPIC_STABILITY) if shown(TOPIC_STABILITY) else [], dominant,
                             _rows(run, THEME_VALIDITY))
    attach_paragraphs(topics, _rows(run, REPRESENTATIVE), docs)
    labels = {t["topic"]: t["label"] for t in topics}
    theme_counts = _rows(run, THEME_COUNTS)

    model = dictionary = None
    if run.exists(MODEL):
        model, dictionary = run.load_model()
    explorer_data, explorer_error = None, ""
    if params.explorer and model is not None:
        if run.based_on(EXPLORER_BASIS, DOCUMENT_TOPICS):
            explorer = json.loads(run.path(EXPLORER_DATA).read_text(encoding="utf-8"))
            explorer_data, explorer_error = explorer["data"], explorer["error"]
        else:
            explorer_error = (f"{EXPLORER_DATA.path} is missing or of another model: make topics (or the explorer "
                              "stage) prepares it")
    n_modelled = sum(1 for _ in run.rows(CORPUS_INDEX)) if run.exists(CORPUS_INDEX) else None

    context = {
        "sections": SECTIONS,
        "generated": started.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "output_dir": str(run.out.resolve()),
        "corpus": corpus_summary(docs, report_rows),
        "params": [(f"{stage}: {key}", ", ".join(map(str, value)) if isinstance(value, list) else str(value))
                   for stage, values in run.all_params() if shown(params_artifact(stage))
                   for key, value in values.items()],
        "model_facts": model_facts(model, n_modelled) if model is not None else [],
        "versions": package_versions(VERSIONED_PACKAGES + _segmenter_package(run)),
        "files": _inventory(run, shown),
        "cleaning": cleaning_overview(report_rows, _streamed(run, REMOVED_LINES)) if report_rows else None,
        "topics": topics,
        "mean_npmi": float(np.mean([t["npmi"] for t in topics])) if topics else None,
        "documents": document_topic_table(dominant, docs, labels),
        "themes": theme_summary(theme_counts, _rows(run, THEME_TOPICS), docs, labels),
        "findings": theme_findings(_rows(run, THEME_ADOPTION), theme_counts, docs, topics),
        "theme_wording": theme_wording(_rows(run, THEME_TERMS)),
        "emerging": emerging_terms(_rows(run, EMERGING_TERMS)),
        "theme_examples": theme_examples(_streamed(run, THEME_CONTEXTS), docs),
        "keywords": keyword_table(_streamed(run, KEYWORDS), docs),
        "quality": _quality_section(run, shown),
        "stability_pending": bool(topics) and not stability_current,
        "pending_attribute": PENDING_ATTRIBUTE,
        "figures": {name: figure(run.out, a.path, title) for name, (a, title) in FIGURES.items()},
        "explorer": {"id": EXPLORER_ID, "data": explorer_data, "error": explorer_error,
                     "file": EXPLORER.path if explorer_data else "", "labels": labels},
        "assets": ldavis_assets() if explorer_data else {},
        "collapse_rows": COLLAPSE_ROWS,
        "summary_rows": SUMMARY_ROWS,
        "paths": {"cleaning_report": CLEANING_REPORT.path, "removed_lines": REMOVED_LINES.path, "topics": TOPICS.path,
                  "theme_counts": THEME_COUNTS.path, "keywords": KEYWORDS.path, "theme_contexts": THEME_CONTEXTS.path,
                  "theme_adoption": THEME_ADOPTION.path, "document_topics": DOCUMENT_TOPICS.path,
                  "theme_terms": THEME_TERMS.path, "emerging_terms": EMERGING_TERMS.path,
                  "stopword_candidates": STOPWORD_CANDIDATES.path},
    }
    templates = ["report.html.j2"] + (["explorer.html.j2"] if explorer_data else [])
    html, *explorer_html = render_pages(templates, context, cjk_font_path())
    if explorer_html:
        run.write_text(EXPLORER, explorer_html[0])
    else:
        run.path(EXPLORER).unlink(missing_ok=True)
    run.write_params(params)
    run.write_text(REPORT, html)
    seconds = (dt.datetime.now().astimezone() - started).total_seconds()
    state = ("ready to open, without stability across seeds yet: make topics computes it, then writes the "
             "page again" if context["stability_pending"] else "final")
    run.log(f"report: {state}: {run.path(REPORT)} ({human_size(len(html.encode()))}, {seconds:.1f} s)"
            + (f"; the explorer alone in {run.path(EXPLORER)}" if explorer_data else ""))
    return run.path(REPORT)
