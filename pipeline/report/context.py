"""What report.html shows, built from the stages' tables: pure functions, rows in, plain data
for the templates out.

Everything taken from the documents (titles, places, paragraphs, file names, CSV cells) reaches
the page only through Jinja2 with autoescaping on, and JSON inside <script> through ``tojson``.
"""
from __future__ import annotations

import platform
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np

from ..files import unguard
from ..text.places import place_name, report_label, unique_labels
from ..topics.prevalence import is_year

EXPLORER_ID = "ldavis-explorer"  # fixed, so the page is reproducible and tests can find it
N_WORDS = 12  # top words shown per topic
N_KEYWORDS = 10  # TF-IDF terms per report
SNIPPET_CHARS = 200  # representative paragraphs are cut to this length (full text in clean/paragraphs.csv.gz)
COLLAPSE_ROWS = 30  # longer tables start folded
MAX_QUALITY_ROWS = 12  # rows shown per table of the quality section (then a link to the CSV)
SUMMARY_ROWS = 20  # rows shown of a per-report table (then a link to the CSV)
VERSIONED_PACKAGES = ("fazhi-topics", "gensim", "jieba", "scikit-learn", "numpy", "scipy", "pandas",
                      "matplotlib", "pyLDAvis", "Jinja2", "mplfonts")

SECTIONS = (
    ("findings", "1 要点", "Findings"),
    ("summary", "2 运行概况", "Run summary"),
    ("cleaning", "3 清洗概况", "Cleaning summary"),
    ("topics", "4 主题", "Topics"),
    ("heatmap", "5 报告 × 主题", "Report-by-topic heatmap"),
    ("themes", "6 跟踪主题词", "Tracked themes"),
    ("keywords", "7 TF-IDF 关键词", "TF-IDF keywords per report"),
    ("quality", "8 模型质量", "Model quality"),
    ("explorer", "9 交互式主题浏览", "Interactive topic explorer"),
)
EXAMPLES_PER_THEME = 3  # occurrences in context shown per theme: the earliest, a middle and the latest report
TOP_PLACES = 3  # places named per theme on the first screen

# What each output file is, for the file list in the run summary.

# ---------------------------------------------------------------------------------------------
# Small pure helpers
# ---------------------------------------------------------------------------------------------


def unguard_row(row: dict[str, str]) -> dict[str, str]:
    return {key: unguard(value or "") for key, value in row.items()}


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def highlight(text: str, words: Sequence[str]) -> list[tuple[str, bool]]:
    """Split ``text`` into ``(segment, is_match)`` pieces marking the given words (longest first).

    The template escapes every segment and wraps matches in <mark>, so no HTML is built here.
    """
    words = sorted({w for w in words if w}, key=lambda w: (-len(w), w))
    if not words:
        return [(text, False)]
    pattern = re.compile("|".join(re.escape(w) for w in words))
    pieces, last = [], 0
    for match in pattern.finditer(text):
        if match.start() > last:
            pieces.append((text[last:match.start()], False))
        pieces.append((match.group(0), True))
        last = match.end()
    if last < len(text):
        pieces.append((text[last:], False))
    return pieces



# ---------------------------------------------------------------------------------------------
# Section builders (pure: rows in, plain data for the template out)
# ---------------------------------------------------------------------------------------------


@dataclass
class Doc:
    """One kept report, as the page shows it."""

    doc_id: str
    label: str
    title: str
    year: str
    place: str
    file: str
    n_paragraphs: int
    n_chars: int



def build_documents(rows: Iterable[dict[str, str]]) -> dict[str, Doc]:
    """clean/documents.csv rows -> reports keyed by id, with short unique labels."""
    rows = [unguard_row(r) for r in rows]
    labels = unique_labels([report_label(r) for r in rows], [r["doc_id"] for r in rows])
    return {r["doc_id"]: Doc(r["doc_id"], label, r.get("title", ""), r.get("year", ""), place_name(r), r.get("file", ""),
                             int(r.get("n_paragraphs") or 0), int(r.get("n_chars") or 0))
            for r, label in zip(rows, labels)}


def corpus_summary(docs: dict[str, Doc], report_rows: list[dict[str, str]]) -> dict[str, Any]:
    """Files read, kept, skipped; paragraphs, characters, years and places of the kept reports."""
    status = Counter(r.get("status", "") for r in report_rows)
    years = Counter(d.year for d in docs.values() if d.year)
    return {
        "files": len(report_rows) or len(docs),
        "kept": len(docs),
        "skipped": status.get("skipped", 0),
        "duplicates": status.get("duplicate", 0),
        "paragraphs": sum(d.n_paragraphs for d in docs.values()),
        "chars": sum(d.n_chars for d in docs.values()),
        "years": sorted(years.items()),
        "places": len({d.place for d in docs.values() if d.place}),
    }



def cleaning_overview(report_rows: list[dict[str, str]], removed_rows: Iterable[dict[str, str]]) -> dict[str, Any]:
    """Status counts, the files that were not kept, and removed lines totalled per rule."""
    report_rows = [unguard_row(r) for r in report_rows]
    by_rule: dict[str, dict[str, Any]] = {}
    for row in (unguard_row(r) for r in removed_rows):
        entry = by_rule.setdefault(row["rule"], {"rule": row["rule"], "lines": 0, "files": 0, "examples": []})
        entry["lines"] += int(row.get("lines_removed") or 0)
        entry["files"] += 1
        if len(entry["examples"]) < 3 and row.get("examples"):
            entry["examples"].append(row["examples"].split(" | ")[0])
    return {
        "status": sorted(Counter(r.get("status", "") for r in report_rows).items()),
        "problems": [r for r in report_rows if r.get("status") != "kept"],
        "files": report_rows,
        "rules": sorted(by_rule.values(), key=lambda e: (-e["lines"], e["rule"])),
        "chars_in": sum(int(r.get("chars_in") or 0) for r in report_rows),
        "chars_out": sum(int(r.get("chars_out") or 0) for r in report_rows),
    }



def _number(value: str | None) -> float | None:
    return float(value) if value else None


def dominant_topics(doc_ids: Sequence[str], topics: Sequence[int], shares: np.ndarray) -> dict[str, tuple[int, float]]:
    """Each report's dominant topic and its share (ties: the lower topic number), from
    ``Run.document_topics``."""
    if not len(doc_ids):
        return {}
    order = np.argsort(topics, kind="stable")
    best = order[np.argmax(shares[:, order], axis=1)]
    return {doc_id: (topics[b], float(shares[i, b])) for i, (doc_id, b) in enumerate(zip(doc_ids, best))}


def topic_summaries(summary_rows: list[dict[str, str]], topic_rows: list[dict[str, str]],
                    stability_rows: list[dict[str, str]], dominant: dict[str, tuple[int, float]],
                    validity_rows: list[dict[str, str]] = (), n_words: int = N_WORDS) -> list[dict[str, Any]]:
    """Per topic: its one label, top words, share of the modelled text, NPMI, stability (when the
    quality stage's runs are of this model), the number of reports it dominates and, for a
    seeded theme's topic, what theme_validity.csv measured of it (``validity``)."""
    stability = {int(r["topic"]): r for r in stability_rows}
    validity = {int(r["topic"]): theme_validity(r, stability.get(int(r["topic"]))) for r in validity_rows}
    topics = {int(r["topic"]): {"topic": int(r["topic"]), "label": unguard(r["label"]), "words": [],
                                "theme": unguard(r.get("theme") or ""),
                                "share": float(r["share"]), "npmi": float(r["npmi"]),
                                "stability": _number(stability.get(int(r["topic"]), {}).get("stability")),
                                "validity": validity.get(int(r["topic"])), "dominant": 0, "paragraphs": []}
              for r in summary_rows}
    for row in topic_rows:
        if int(row["rank"]) <= n_words and int(row["topic"]) in topics:
            topics[int(row["topic"])]["words"].append((unguard(row["word"]), float(row["weight"])))
    for topic, _ in dominant.values():
        if topic in topics:
            topics[topic]["dominant"] += 1
    return [topics[t] for t in sorted(topics)]


def theme_validity(row: dict[str, str], stability_row: dict[str, str] | None) -> dict[str, Any]:
    """A row of lda/theme_validity.csv, typed, with the topic's stability without its theme's
    own terms where the quality stage has measured it."""
    row = unguard_row(row)
    stable = _number((stability_row or {}).get("stability_without_theme_terms"))
    return {"theme": row["theme"], "topic": int(row["topic"]), "named": row["named"] == "1", "reason": row["reason"],
            "paragraphs": int(row["paragraphs_naming"]), "held_out": int(row["held_out_naming"]),
            "hits": int(row["top_paragraphs_naming"]),
            "precision": _number(row["precision"]), "auc": _number(row["masked_auc"]), "stability": stable,
            "carried_by": [(int(t), float(w)) for t, w in (pair.split(":") for pair in row["carried_by"].split())]}


def attach_paragraphs(topics: list[dict[str, Any]], representative_rows: list[dict[str, str]],
                      docs: dict[str, Doc]) -> None:
    """Fill each topic's ``paragraphs`` from representative_paragraphs.csv, top words highlighted."""
    by_topic = {t["topic"]: t for t in topics}
    for row in (unguard_row(r) for r in representative_rows):
        topic = by_topic.get(int(row["topic"]))
        if topic is None:
            continue
        doc = docs.get(row["doc_id"])
        topic["paragraphs"].append({
            "weight": float(row["weight"]),
            "doc": doc.label if doc else row["doc_id"],
            "title": row["title"],
            "section": row["section"],
            "position": int(row["position"]),
            "pieces": highlight(snippet(row["text"]), [w for w, _ in topic["words"][:10]]),
        })


def document_topic_table(dominant: dict[str, tuple[int, float]], docs: dict[str, Doc],
                         labels: dict[int, str]) -> list[dict[str, Any]]:
    """One row per report (``dominant``: :func:`dominant_topics`): its dominant topic and share,
    sorted by topic then share."""
    rows = []
    for doc_id, (topic, share) in dominant.items():
        doc = docs.get(doc_id)
        rows.append({"doc": doc, "doc_id": doc_id, "topic": topic, "label": labels.get(topic, f"T{topic}"), "share": share})
    return sorted(rows, key=lambda r: (r["topic"], -r["share"], r["doc_id"]))


def theme_summary(count_rows: list[dict[str, str]], theme_topic_rows: list[dict[str, str]],
                  docs: dict[str, Doc], labels: dict[int, str]) -> list[dict[str, Any]]:
    """Per theme: total occurrences, reports mentioning it, pooled rate, and its main topic."""
    themes: dict[str, dict[str, Any]] = {}
    for row in count_rows:
        name = unguard(row["theme"])
        entry = themes.setdefault(name, {"theme": name, "count": 0, "reports": 0, "topic": None, "topic_share": 0.0})
        n = int(row["count"])
        entry["count"] += n
        entry["reports"] += n > 0
    total_chars = sum(d.n_chars for d in docs.values()) or 1
    for entry in themes.values():
        entry["rate"] = 1e4 * entry["count"] / total_chars
    for row in theme_topic_rows:
        entry = themes.get(unguard(row["theme"]))
        share = float(row["topic_share"])
        if entry is not None and share > entry["topic_share"]:
            entry["topic"], entry["topic_share"] = labels.get(int(row["topic"]), row["topic"]), share
    return list(themes.values())


def theme_findings(adoption_rows: list[dict[str, str]], count_rows: list[dict[str, str]], docs: dict[str, Doc],
                   topics: list[dict[str, Any]], top_places: int = TOP_PLACES) -> list[dict[str, Any]]:
    """The first screen, per theme: how widely it recurs (reports and places mentioning it),
    since when (first year; first year in which at least half the reports mention it, counted
    only in years with enough reports for an interval), where (the places with most
    occurrences) and its seeded topic. Most widespread first."""
    seeded = {t["theme"]: t for t in topics if t.get("theme")}
    measured = {t["validity"]["theme"]: t["validity"] for t in topics if t.get("validity")}
    findings: dict[str, dict[str, Any]] = {}
    for row in adoption_rows:
        name = unguard(row["theme"])
        entry = findings.setdefault(name, {"theme": name, "reports": 0, "mentioning": 0, "first_year": None,
                                           "majority_year": None, "latest": None, "topic": seeded.get(name),
                                           "validity": measured.get(name)})
        entry["reports"] += int(row["reports"])
        entry["mentioning"] += int(row["reports_mentioning"])
        if not is_year(row["year"]):
            continue
        if int(row["reports_mentioning"]) and entry["first_year"] is None:
            entry["first_year"] = row["year"]
        if row["ci_low"] and float(row["share_reports"]) >= 0.5 and entry["majority_year"] is None:
            entry["majority_year"] = row["year"]
        if int(row["reports"]):
            entry["latest"] = (row["year"], int(row["reports_mentioning"]), int(row["reports"]))
    occurrences: dict[str, Counter] = defaultdict(Counter)
    for row in count_rows:
        doc = docs.get(row["doc_id"])
        if int(row["count"]) and doc is not None and doc.place:
            occurrences[unguard(row["theme"])][doc.place] += int(row["count"])
    all_places = len({d.place for d in docs.values() if d.place})
    for name, entry in findings.items():
        entry["share"] = entry["mentioning"] / entry["reports"] if entry["reports"] else 0.0
        entry["places"] = len(occurrences[name])
        entry["all_places"] = all_places
        entry["top_places"] = sorted(occurrences[name].items(), key=lambda kv: (-kv[1], kv[0]))[:top_places]
    return sorted(findings.values(), key=lambda e: (-e["share"], e["theme"]))


def theme_examples(context_rows: Iterable[dict[str, str]], docs: dict[str, Doc],
                   n: int = EXAMPLES_PER_THEME) -> dict[str, list[dict[str, Any]]]:
    """Per theme, ``n`` occurrences in context from different reports spread over time: the
    earliest report's first occurrence, the latest's, and ones between."""
    first: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)  # theme -> doc -> its first occurrence
    for row in context_rows:
        first[row["theme"]].setdefault(row["doc_id"], row)
    examples = {}
    for theme, by_doc in first.items():
        ordered = sorted(by_doc.values(), key=lambda r: (r["year"] or "9999", r["doc_id"]))
        picks = sorted({round(i * (len(ordered) - 1) / max(1, n - 1)) for i in range(n)}) if len(ordered) > 1 else [0]
        examples[unguard(theme)] = [{"doc": docs[r["doc_id"]].label if r["doc_id"] in docs else r["doc_id"],
                                     "section": unguard(r["section"]), "left": unguard(r["left"]),
                                     "match": unguard(r["match"]), "right": unguard(r["right"])}
                                    for r in (ordered[i] for i in picks)]
    return examples


def keyword_table(keyword_rows: Iterable[dict[str, str]], docs: dict[str, Doc], n: int = N_KEYWORDS) -> list[dict[str, Any]]:
    by_doc: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for row in keyword_rows:
        if int(row["rank"]) <= n:
            by_doc[row["doc_id"]].append((unguard(row["term"]), float(row["score"])))
    return [{"doc": docs.get(doc_id), "doc_id": doc_id, "terms": terms} for doc_id, terms in by_doc.items()]


def model_facts(model, n_paragraphs: int | None) -> list[tuple[str, str]]:
    """What the trained model says about itself (it knows the resolved number of passes)."""
    import numpy as np

    facts = [("topics (free + seeded)", str(model.num_topics)), ("vocabulary (terms)", str(model.num_terms)),
             ("passes", str(model.passes)), ("iterations", str(model.iterations))]
    if n_paragraphs is not None:
        facts.append(("modelled paragraphs", str(n_paragraphs)))
    alpha = np.asarray(model.alpha)
    facts.append(("alpha (learned, mean)", f"{alpha.mean():.4f}"))
    return facts


def package_versions(names: Sequence[str] = VERSIONED_PACKAGES) -> list[tuple[str, str]]:
    from importlib import metadata

    versions = [("Python", platform.python_version())]
    for name in names:
        try:
            versions.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            versions.append((name, "not installed"))
    versions.append(("platform", platform.platform(terse=True)))
    return versions


def csv_preview(rows: list[dict[str, str]], limit: int = MAX_QUALITY_ROWS) -> dict[str, Any]:
    columns = list(rows[0]) if rows else []
    return {"columns": columns, "rows": [[unguard(r.get(c) or "") for c in columns] for r in rows[:limit]],
            "total": len(rows)}




WORDING_TERMS = 8  # terms shown per theme and period, and per period of emerging terms


def theme_wording(rows: list[dict[str, str]], top: int = WORDING_TERMS) -> list[dict[str, Any]]:
    """themes/theme_terms.csv as the report shows it: per theme, its periods (all years first)
    with the paragraphs and reports behind each and the top terms."""
    themes: dict[str, dict[str, dict[str, Any]]] = {}
    for row in rows:
        period = themes.setdefault(unguard(row["theme"]), {}).setdefault(row["period"], {
            "period": row["period"], "paragraphs": int(row["paragraphs"]), "reports": int(row["reports"]), "terms": []})
        if len(period["terms"]) < top:
            period["terms"].append((unguard(row["term"]), float(row["z"])))
    return [{"theme": theme, "periods": list(periods.values())} for theme, periods in themes.items()]


def emerging_terms(rows: list[dict[str, str]], top: int = WORDING_TERMS * 2) -> list[dict[str, Any]]:
    """themes/emerging_terms.csv as the report shows it: per period, the reports in it and before
    it, and the terms that rose most (with their share of reports before and in the period)."""
    periods: dict[str, dict[str, Any]] = {}
    for row in rows:
        period = periods.setdefault(row["period"], {"period": row["period"], "n_in": int(row["n_reports_in"]),
                                                    "n_before": int(row["n_reports_before"]), "terms": []})
        if len(period["terms"]) < top:
            period["terms"].append((unguard(row["term"]), float(row["share_before"]), float(row["share_in"])))
    return list(periods.values())[::-1]  # the latest period first
