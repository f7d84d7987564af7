"""Stage 7, report: every result in one self-contained HTML page, plus an interactive explorer.

``report.html`` needs no network and no other file: figures are inlined as data URIs, the CJK
font is inlined as a subset holding only the characters the page uses, and the topic explorer
(pyLDAvis's intertopic map and relevance slider) has its JavaScript and CSS inlined from the
files the pyLDAvis package ships. ``explorer.html`` is the same explorer alone, full window.

Everything taken from the documents (titles, places, paragraphs, file names, CSV cells) reaches
the page only through Jinja2 with autoescaping on, and JSON inside <script> through ``tojson``,
which escapes ``<``, ``>``, ``&`` and ``'``. The core functions below are pure (rows in, plain
data out); :func:`run_report` does the reading and writing.
"""
from __future__ import annotations

import base64
import datetime as dt
import heapq
import io
import json
import platform
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence
from urllib.parse import quote

from .files import PipelineError, atomic_open, read_csv, safe_cell

REPORT_FILE = "report.html"
EXPLORER_FILE = "explorer.html"
EXPLORER_ID = "ldavis-explorer"  # fixed, so the page is reproducible and tests can find it
N_WORDS = 12  # top words shown per topic
N_PARAGRAPHS = 3  # representative paragraphs per topic
N_KEYWORDS = 10  # TF-IDF terms per report
SNIPPET_CHARS = 200  # representative paragraphs are cut to this length (full text in clean/paragraphs.csv)
COLLAPSE_ROWS = 30  # longer tables start folded
MAX_QUALITY_ROWS = 40  # rows shown per quality/ table
VERSIONED_PACKAGES = ("fazhi-topics", "gensim", "jieba", "scikit-learn", "numpy", "scipy", "pandas",
                      "matplotlib", "pyLDAvis", "Jinja2", "mplfonts")

SECTIONS = (
    ("summary", "1 运行概况", "Run summary"),
    ("cleaning", "2 清洗概况", "Cleaning summary"),
    ("topics", "3 主题", "Topics"),
    ("heatmap", "4 报告 × 主题", "Report-by-topic heatmap"),
    ("themes", "5 跟踪主题词", "Tracked themes"),
    ("keywords", "6 TF-IDF 关键词", "TF-IDF keywords per report"),
    ("quality", "7 模型质量", "Model quality"),
    ("explorer", "8 交互式主题浏览", "Interactive topic explorer"),
)

# What each output file is, for the file list in the run summary.
FILE_NOTES = {
    "clean/documents.csv": "one row per kept report: metadata (title, place, year, ...)",
    "clean/paragraphs.csv": "one row per kept paragraph or heading, with its section",
    "clean/cleaning_report.csv": "one row per input file: kept, skipped or duplicate, and why",
    "clean/removed_lines.csv": "lines removed as boilerplate, per file and rule, with examples",
    "segment/segmented.tsv": "jieba segmentation of every paragraph (cache, before stopwords)",
    "segment/tokens.tsv": "tokens per paragraph after stopwords and filters (model input)",
    "segment/vocabulary.csv": "token counts after filtering",
    "lda/topics.csv": "top words per topic with P(word | topic)",
    "lda/document_topics.csv": "topic shares per report",
    "lda/paragraph_topics.csv": "topic shares per modelled paragraph",
    "lda/coherence.csv": "coherence per topic (c_npmi, c_v) and their means",
    "lda/corpus.mm": "bag-of-words corpus of the modelled paragraphs (Matrix Market)",
    "lda/model/lda.gensim": "the trained gensim LdaModel",
    "lda/model/dictionary.gensim": "the model's gensim Dictionary",
    "tfidf/keywords.csv": "most distinctive terms per report (TF-IDF over reports)",
    "themes/theme_counts.csv": "tracked-theme occurrences per report, and per 10,000 characters",
    "themes/theme_term_counts.csv": "occurrences per report of each theme term and alias",
    "themes/theme_topics.csv": "which LDA topics carry each theme",
    "plots/topic_words.png": "top words per topic",
    "plots/document_topics.png": "report × topic heatmap (also .svg)",
    "plots/themes_by_report.png": "report × theme heatmap (also .svg)",
    "plots/themes_by_year.png": "themes by year",
    "plots/themes_by_place.png": "themes by place",
    "plots/coherence.png": "coherence per topic",
    "plots/tfidf_keywords.png": "TF-IDF keywords, first reports",
}
# The pages themselves are linked above the file list (and may not exist yet when it is made).
_SKIP_IN_INVENTORY = {REPORT_FILE, EXPLORER_FILE, "report.png"}


# ---------------------------------------------------------------------------------------------
# Small pure helpers
# ---------------------------------------------------------------------------------------------


def unguard(value: str) -> str:
    """Undo :func:`files.safe_cell`'s formula guard for display: the page shows the real text.

    HTML escaping, not the apostrophe, is what makes the text safe in the page.
    """
    if value.startswith("'") and safe_cell(value[1:]) == value:
        return value[1:]
    return value


def unguard_row(row: dict[str, str]) -> dict[str, str]:
    return {key: unguard(value or "") for key, value in row.items()}


def human_size(n_bytes: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n_bytes < 1024 or unit == "GB":
            return f"{n_bytes:.0f} {unit}" if unit == "B" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1024
    return ""  # unreachable


def parse_stamp(text: str) -> list[tuple[str, str]]:
    """``key=value`` pairs from a parameter stamp written by the Makefile.

    Only lines that start with ``key=`` count (the input stamp also lists every input file);
    a value runs to the next `` key=``, so lists of paths stay whole.
    """
    pairs = []
    for line in text.splitlines():
        if re.match(r"^\w+=", line):
            for chunk in re.split(r"\s+(?=\w+=)", line.strip()):
                key, _, value = chunk.partition("=")
                pairs.append((key, value))
    return pairs


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


def href(relative_path: str) -> str:
    """A relative link to an output file; every segment is URL-quoted, so no scheme can sneak in."""
    return quote(relative_path, safe="/")


def place_of(row: dict[str, str]) -> str:
    return " ".join(p for p in (row.get("province"), row.get("city"), row.get("county"), row.get("town")) if p)


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
    from .plots import document_label, unique_labels

    rows = [unguard_row(r) for r in rows]
    labels = unique_labels([document_label(r) for r in rows], [r["doc_id"] for r in rows])
    return {r["doc_id"]: Doc(r["doc_id"], label, r.get("title", ""), r.get("year", ""), place_of(r), r.get("file", ""),
                             int(r.get("n_paragraphs") or 0), int(r.get("n_chars") or 0))
            for r, label in zip(rows, labels)}


def corpus_summary(docs: dict[str, Doc], report_rows: list[dict[str, str]]) -> dict[str, Any]:
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


def cleaning_summary(report_rows: list[dict[str, str]], removed_rows: list[dict[str, str]]) -> dict[str, Any]:
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


def best_paragraphs(rows: Iterable[dict[str, str]], n: int = N_PARAGRAPHS) -> dict[int, list[tuple[float, str, int]]]:
    """The highest-weight paragraphs per topic from paragraph_topics.csv rows (streamed).

    Keeps the best ``n`` per (topic, report), enough for :func:`pick_representatives`.
    Returns ``topic -> [(weight, doc_id, position)]``.
    """
    heaps: dict[tuple[int, str], list[tuple[float, int]]] = defaultdict(list)
    for row in rows:
        key = (int(row["topic"]), row["doc_id"])
        item = (float(row["weight"]), -int(row["position"]))  # ties: the earlier paragraph wins
        heap = heaps[key]
        if len(heap) < n:
            heapq.heappush(heap, item)
        elif item > heap[0]:
            heapq.heapreplace(heap, item)
    candidates: dict[int, list[tuple[float, str, int]]] = defaultdict(list)
    for (topic, doc_id), heap in heaps.items():
        candidates[topic].extend((w, doc_id, -p) for w, p in heap)
    return {topic: pick_representatives(items, n) for topic, items in candidates.items()}


def pick_representatives(items: list[tuple[float, str, int]], n: int) -> list[tuple[float, str, int]]:
    """Top ``n`` by weight, one per report first (so one long report cannot fill the list)."""
    ranked = sorted(items, key=lambda x: (-x[0], x[1], x[2]))
    chosen, seen = [], set()
    for item in ranked:
        if item[1] not in seen and len(chosen) < n:
            chosen.append(item)
            seen.add(item[1])
    for item in ranked:
        if len(chosen) >= n:
            break
        if item not in chosen:
            chosen.append(item)
    return sorted(chosen, key=lambda x: (-x[0], x[1], x[2]))


def topic_summaries(
    topic_rows: list[dict[str, str]],
    coherence_rows: list[dict[str, str]],
    doc_topic_rows: list[dict[str, str]],
    docs: dict[str, Doc],
    n_words: int = N_WORDS,
) -> list[dict[str, Any]]:
    """Per topic: label, top words, corpus share, coherence and the reports it dominates."""
    topics: dict[int, dict[str, Any]] = {}
    for row in topic_rows:
        t = int(row["topic"])
        topic = topics.setdefault(t, {"topic": t, "label": unguard(row["label"]), "words": [], "coherence": {},
                                      "share": 0.0, "dominant": 0, "paragraphs": []})
        if int(row["rank"]) <= n_words:
            topic["words"].append((unguard(row["word"]), float(row["weight"])))
    for row in coherence_rows:
        if row["topic"] != "all" and int(row["topic"]) in topics:
            topics[int(row["topic"])]["coherence"][row["measure"]] = float(row["value"])
    weights: dict[str, dict[int, float]] = defaultdict(dict)
    for row in doc_topic_rows:
        weights[row["doc_id"]][int(row["topic"])] = float(row["weight"])
    total_chars = sum(docs[d].n_chars for d in weights if d in docs) or 1
    for doc_id, mix in weights.items():
        chars = docs[doc_id].n_chars if doc_id in docs else 0
        for t, w in mix.items():
            if t in topics:
                topics[t]["share"] += w * chars / total_chars
        if mix:
            dominant = max(mix, key=lambda t: (mix[t], -t))
            if dominant in topics:
                topics[dominant]["dominant"] += 1
    return [topics[t] for t in sorted(topics)]


def attach_paragraphs(topics: list[dict[str, Any]], best: dict[int, list[tuple[float, str, int]]],
                      paragraphs: dict[tuple[str, int], dict[str, str]], docs: dict[str, Doc]) -> None:
    """Fill each topic's ``paragraphs`` with text, report and section, top words highlighted."""
    for topic in topics:
        words = [w for w, _ in topic["words"][:10]]
        for weight, doc_id, position in best.get(topic["topic"], []):
            row = paragraphs.get((doc_id, position))
            if row is None:
                continue
            doc = docs.get(doc_id)
            topic["paragraphs"].append({
                "weight": weight,
                "doc": doc.label if doc else doc_id,
                "title": doc.title if doc else "",
                "section": " / ".join(s for s in (row.get("section"), row.get("subsection")) if s),
                "position": position,
                "pieces": highlight(snippet(row["text"]), words),
            })


def document_topic_table(doc_topic_rows: list[dict[str, str]], docs: dict[str, Doc], labels: dict[int, str]) -> list[dict[str, Any]]:
    """One row per report: its dominant topic and share, sorted by topic then share."""
    mixes: dict[str, dict[int, float]] = defaultdict(dict)
    for row in doc_topic_rows:
        mixes[row["doc_id"]][int(row["topic"])] = float(row["weight"])
    rows = []
    for doc_id, mix in mixes.items():
        topic = max(mix, key=lambda t: (mix[t], -t))
        doc = docs.get(doc_id)
        rows.append({"doc": doc, "doc_id": doc_id, "topic": topic, "label": labels.get(topic, f"T{topic}"), "share": mix[topic]})
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


def keyword_table(keyword_rows: Iterable[dict[str, str]], docs: dict[str, Doc], n: int = N_KEYWORDS) -> list[dict[str, Any]]:
    by_doc: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for row in keyword_rows:
        if int(row["rank"]) <= n:
            by_doc[row["doc_id"]].append((unguard(row["term"]), float(row["score"])))
    return [{"doc": docs.get(doc_id), "doc_id": doc_id, "terms": terms} for doc_id, terms in by_doc.items()]


def model_facts(model, n_paragraphs: int | None) -> list[tuple[str, str]]:
    """What the trained model says about itself (it knows the resolved number of passes)."""
    import numpy as np

    facts = [("topics (K)", str(model.num_topics)), ("vocabulary (terms)", str(model.num_terms)),
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


# ---------------------------------------------------------------------------------------------
# Explorer (pyLDAvis) data
# ---------------------------------------------------------------------------------------------


def prepare_explorer(phi, theta, doc_lengths, vocab: list[str], term_frequency, r_terms: int = 30) -> dict[str, Any]:
    """pyLDAvis.prepare on our own matrices, as plain JSON-ready data.

    Topics keep our numbering (``sort_topics=False``, 1-based) so "3" in the explorer is T3 in
    the tables. Terms that occur in no modelled paragraph are dropped: pyLDAvis divides by
    their frequency. One job: no worker processes for a second of work.
    """
    import numpy as np
    import pyLDAvis

    keep = np.asarray(term_frequency) > 0
    phi = np.asarray(phi, dtype=np.float64)[:, keep]
    phi /= phi.sum(axis=1, keepdims=True)
    theta = np.asarray(theta, dtype=np.float64)
    theta /= theta.sum(axis=1, keepdims=True)
    vocab = [term for term, k in zip(vocab, keep) if k]
    prepared = pyLDAvis.prepare(phi, theta, np.asarray(doc_lengths), vocab, np.asarray(term_frequency)[keep],
                                R=r_terms, n_jobs=1, sort_topics=False, start_index=1)
    return json.loads(prepared.to_json())


def relevance_ranking(data: dict[str, Any], topic: int, lam: float) -> list[str]:
    """The terms LDAvis lists for ``topic`` at relevance weight ``lam`` (for checks and tests)."""
    tinfo = data["tinfo"]
    rows = [(lam * lp + (1 - lam) * ll, term) for cat, term, lp, ll in
            zip(tinfo["Category"], tinfo["Term"], tinfo["logprob"], tinfo["loglift"]) if cat == f"Topic{topic}"]
    return [term for _, term in sorted(rows, key=lambda x: -x[0])]


def read_theta(path: Path, k: int) -> "Any":
    """paragraph_topics.csv -> a paragraphs x K array, in the file's (= corpus.mm's) order."""
    import numpy as np

    weights, topics = [], []
    for row in read_csv(path):
        topics.append(int(row["topic"]))
        weights.append(float(row["weight"]))
    if len(weights) % k or any(t != i % k + 1 for i, t in enumerate(topics)):
        raise PipelineError(f"{path}: expected K={k} rows per paragraph, in topic order")
    return np.asarray(weights).reshape(-1, k)


def corpus_counts(corpus_path: Path, n_terms: int):
    """Tokens per modelled paragraph and per term, from the model's bag-of-words corpus."""
    import numpy as np
    from gensim.corpora import MmCorpus

    lengths, frequency = [], np.zeros(n_terms)
    for bow in MmCorpus(str(corpus_path)):
        if bow:
            ids, counts = zip(*bow)
            np.add.at(frequency, np.asarray(ids, dtype=np.int64), counts)
            lengths.append(sum(counts))
        else:
            lengths.append(0)
    return np.asarray(lengths, dtype=np.float64), frequency


# ---------------------------------------------------------------------------------------------
# Inlined assets
# ---------------------------------------------------------------------------------------------


def script_safe(source: str) -> str:
    """Make JavaScript or CSS safe to inline: no ``</script`` or ``</style`` can end the element."""
    return re.sub(r"</(script|style)", r"<\\/\1", source, flags=re.IGNORECASE).replace("<!--", "<\\!--")


_LDAVIS_STATE_URL = "location.origin + location.pathname"


def ldavis_assets() -> dict[str, str]:
    """The d3, LDAvis JS and LDAvis CSS files pyLDAvis ships (what its save_html links from a CDN)."""
    from markupsafe import Markup
    from pyLDAvis import urls

    def read(path: str) -> str:
        return script_safe(Path(path).read_text(encoding="utf-8"))

    ldavis = read(urls.LDAVIS_LOCAL)
    # LDAvis saves its state in the URL with history.replaceState(location.origin + pathname):
    # on file:// pages Firefox's origin is "null", which makes that a cross-document URL and
    # throws. The page's own address without its fragment works in every browser.
    if _LDAVIS_STATE_URL not in ldavis:
        raise PipelineError(f"{urls.LDAVIS_LOCAL}: unexpected LDAvis version (pyLDAvis 3.4.1 is pinned)")
    ldavis = ldavis.replace(_LDAVIS_STATE_URL, 'location.href.split("#")[0]')
    # Markup: these are trusted package files, inlined verbatim (script_safe guards the tags).
    return {"d3": Markup(read(urls.D3_LOCAL)), "ldavis": Markup(ldavis), "css": Markup(read(urls.LDAVIS_CSS_LOCAL))}


def data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


_MIME = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif"}


@dataclass
class Figure:
    """An inlined image with links to its files on disk."""

    title: str
    src: str
    path: str
    svg: str = ""
    alt: str = ""


def figure(out: Path, relative: str, title: str) -> Figure | None:
    path = out / relative
    if not path.is_file():
        return None
    svg = path.with_suffix(".svg")
    return Figure(title, data_uri(path.read_bytes(), _MIME.get(path.suffix.lower(), "application/octet-stream")),
                  href(relative), href(svg.relative_to(out).as_posix()) if svg.is_file() and svg != path else "", title)


def font_subset_uri(font_path: Path, text: str) -> str:
    """The CJK font cut down to the characters in ``text``, as a data URI (kilobytes, not 16 MB).

    No OpenType layout features: Chinese needs none, and their closure doubles the glyphs.
    No bounding-box or timestamp recalculation: faster, and the same text gives the same bytes.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]  # keep the copyright and licence (SIL OFL) records
    options.hinting = False
    options.notdef_outline = True
    font = TTFont(str(font_path), lazy=True, recalcBBoxes=False, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text) | set(" 0123456789"))))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return data_uri(buffer.getvalue(), "font/otf")


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------


def template_environment():
    """Jinja2 with autoescaping on for every template, and strict undefined variables."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("pipeline", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # tojson still escapes < > & ' (so JSON cannot close a <script>); Chinese stays readable.
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}
    env.filters["size"] = human_size
    env.filters["href"] = href
    env.filters["thousands"] = lambda n: f"{n:,}"
    return env


def render_pages(templates: Sequence[str], context: dict[str, Any], font_path: Path | None) -> list[str]:
    """Render each template twice: once to learn which characters the pages use, then with one
    font subset holding them all (subsetting costs seconds; do it once)."""
    env = template_environment()
    pages = [env.get_template(name) for name in templates]
    drafts = [page.render(**context, font_uri="") for page in pages]
    if font_path is None:
        return drafts
    font_uri = font_subset_uri(font_path, "".join(drafts))
    return [page.render(**context, font_uri=font_uri) for page in pages]


# ---------------------------------------------------------------------------------------------
# I/O shell
# ---------------------------------------------------------------------------------------------


def _rows(path: Path) -> list[dict[str, str]]:
    return list(read_csv(path)) if path.is_file() else []


def file_inventory(out: Path) -> list[dict[str, Any]]:
    """Every output file (hidden files and the report itself aside) with size, time and purpose."""
    entries = []
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        relative = path.relative_to(out).as_posix()
        if any(part.startswith(".") for part in Path(relative).parts) or relative in _SKIP_IN_INVENTORY:
            continue
        stat = path.stat()
        entries.append({"path": relative, "size": stat.st_size, "note": FILE_NOTES.get(relative, ""),
                        "modified": dt.datetime.fromtimestamp(stat.st_mtime).strftime("%Y-%m-%d %H:%M")})
    return entries


def read_params(params_dir: Path) -> list[tuple[str, str]]:
    """The Makefile's parameter stamps (absent when stages were run by hand)."""
    pairs = []
    for path in sorted(params_dir.glob("*")) if params_dir.is_dir() else []:
        pairs.extend(parse_stamp(path.read_text(encoding="utf-8", errors="replace")))
    return pairs


def quality_section(out: Path) -> dict[str, Any]:
    """Whatever the quality stage left in OUTPUT/quality/: figures, tables and notes."""
    folder = out / "quality"
    found: dict[str, Any] = {"exists": folder.is_dir(), "figures": [], "tables": [], "notes": []}
    if not folder.is_dir():
        return found
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(out).as_posix()
        if not path.is_file() or path.name.startswith("."):
            continue
        suffix = path.suffix.lower()
        if suffix in _MIME and not (suffix == ".svg" and path.with_suffix(".png").is_file()):
            found["figures"].append(figure(out, relative, path.stem))
        elif suffix == ".csv":
            found["tables"].append({"path": relative, **csv_preview(list(read_csv(path)))})
        elif suffix in (".txt", ".md", ".json", ".log"):
            text = path.read_text(encoding="utf-8", errors="replace")
            found["notes"].append({"path": relative, "text": snippet(text, 5000)})
    return found


def load_model(out: Path):
    """The trained model and its dictionary, or (None, None) when the LDA stage has not run."""
    model_path = out / "lda" / "model" / "lda.gensim"
    if not model_path.is_file():
        return None, None
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel

    return LdaModel.load(str(model_path)), Dictionary.load(str(out / "lda" / "model" / "dictionary.gensim"))


def modelled_paragraphs(out: Path) -> int | None:
    """Paragraphs the model was trained on: the bag-of-words corpus header says."""
    path = out / "lda" / "corpus.mm"
    if not path.is_file():
        return None
    from gensim.corpora import MmCorpus

    return len(MmCorpus(str(path)))


def explorer_from_outputs(out: Path, model, dictionary) -> dict[str, Any]:
    """pyLDAvis data from the model's word distributions and the paragraph topic table."""
    from .lda import topic_term_matrix

    lengths, frequency = corpus_counts(out / "lda" / "corpus.mm", len(dictionary))
    theta = read_theta(out / "lda" / "paragraph_topics.csv", model.num_topics)
    if len(theta) != len(lengths):
        raise PipelineError(f"{out / 'lda'}: paragraph_topics.csv and corpus.mm disagree ({len(theta)} vs {len(lengths)} paragraphs)")
    keep = lengths > 0
    vocab = [dictionary[i] for i in range(len(dictionary))]
    return prepare_explorer(topic_term_matrix(model), theta[keep], lengths[keep], vocab, frequency)


def run_report(output_dir: str | Path, explorer: bool = True, log=print) -> Path:
    """OUTPUT/* -> OUTPUT/explorer.html and OUTPUT/report.html (written last)."""
    from .plots import cjk_font_path

    out = Path(output_dir)
    if not (out / "clean" / "documents.csv").is_file():
        raise PipelineError(f"{out / 'clean' / 'documents.csv'}: not found; run `make topics` first")
    started = dt.datetime.now().astimezone()
    docs = build_documents(read_csv(out / "clean" / "documents.csv"))
    report_rows = _rows(out / "clean" / "cleaning_report.csv")
    topic_rows = _rows(out / "lda" / "topics.csv")
    coherence_rows = _rows(out / "lda" / "coherence.csv")
    doc_topic_rows = _rows(out / "lda" / "document_topics.csv")

    topics = topic_summaries(topic_rows, coherence_rows, doc_topic_rows, docs)
    labels = {t["topic"]: t["label"] for t in topics}
    paragraph_topics = out / "lda" / "paragraph_topics.csv"
    best = best_paragraphs(read_csv(paragraph_topics)) if paragraph_topics.is_file() else {}
    wanted = {(d, p) for items in best.values() for _, d, p in items}
    paragraphs = {(r["doc_id"], int(r["position"])): unguard_row(r) for r in read_csv(out / "clean" / "paragraphs.csv")
                  if (r["doc_id"], int(r["position"])) in wanted} if wanted else {}
    attach_paragraphs(topics, best, paragraphs, docs)

    model, dictionary = load_model(out)
    explorer_data, explorer_error = None, ""
    if explorer and model is not None:
        try:
            explorer_data = explorer_from_outputs(out, model, dictionary)
        except Exception as err:  # the rest of the report is still worth having; say why loudly
            explorer_error = f"{type(err).__name__}: {err}"
            log(f"report: WARNING interactive explorer skipped: {explorer_error}")
    mean_coherence = {r["measure"]: float(r["value"]) for r in coherence_rows if r["topic"] == "all"}

    context = {
        "sections": SECTIONS,
        "generated": started.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "output_dir": str(out.resolve()),
        "corpus": corpus_summary(docs, report_rows),
        "params": read_params(out / ".params"),
        "model_facts": model_facts(model, modelled_paragraphs(out)) if model is not None else [],
        "versions": package_versions(),
        "files": file_inventory(out),
        "cleaning": cleaning_summary(report_rows, _rows(out / "clean" / "removed_lines.csv")) if report_rows else None,
        "topics": topics,
        "mean_coherence": mean_coherence,
        "documents": document_topic_table(doc_topic_rows, docs, labels),
        "themes": theme_summary(_rows(out / "themes" / "theme_counts.csv"), _rows(out / "themes" / "theme_topics.csv"), docs, labels),
        "keywords": keyword_table(_rows(out / "tfidf" / "keywords.csv"), docs),
        "quality": quality_section(out),
        "figures": {name: figure(out, f"plots/{name}.png", title) for name, title in (
            ("topic_words", "各主题高频词 Top words per topic"),
            ("document_topics", "报告 × 主题 Topic share per report"),
            ("themes_by_report", "报告 × 主题词 Themes per report"),
            ("themes_by_year", "年份 × 主题词 Themes by year"),
            ("themes_by_place", "地区 × 主题词 Themes by place"),
            ("coherence", "主题一致性 Topic coherence"),
        )},
        "explorer": {"id": EXPLORER_ID, "data": explorer_data, "error": explorer_error,
                     "file": EXPLORER_FILE if explorer_data else "", "labels": labels},
        "assets": ldavis_assets() if explorer_data else {},
        "collapse_rows": COLLAPSE_ROWS,
        "n_paragraphs_shown": N_PARAGRAPHS,
    }
    templates = ["report.html.j2"] + (["explorer.html.j2"] if explorer_data else [])
    html, *explorer_html = render_pages(templates, context, cjk_font_path())
    if explorer_html:
        with atomic_open(out / EXPLORER_FILE) as handle:
            handle.write(explorer_html[0])
    else:
        (out / EXPLORER_FILE).unlink(missing_ok=True)
    with atomic_open(out / REPORT_FILE) as handle:
        handle.write(html)
    seconds = (dt.datetime.now().astimezone() - started).total_seconds()
    log(f"report: {out / REPORT_FILE} ({human_size(len(html.encode()))}, {seconds:.1f} s)"
        + (f"; explorer also in {out / EXPLORER_FILE}" if explorer_data else ""))
    return out / REPORT_FILE
