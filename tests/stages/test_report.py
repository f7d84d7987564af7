"""The report stage: report.html and explorer.html, with every value from the documents
escaped (a hostile corpus run through every stage in process) and the CSV formula guard on
every table; and the report of `make topics` on the seeds.

The browser checks (drawing, images, console, the explorer's slider) are in
tests/report/test_browser.py.
"""
from __future__ import annotations

import csv
import json
import re
import shutil
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import output_text, quiet_run
from pipeline.artifacts import EXPLORER_DATA
from pipeline.params import ReportParams
from pipeline.report.explorer import relevance_ranking
from pipeline.stages import report as report_stage
from report.hostile import FORMULA_START, HOSTILE, PARAGRAPH_FORMULA, MAX_REPORT_BYTES


def _cells(path: Path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.reader(handle):
            yield from row


def _is_number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


def test_hostile_values_are_neutralised_in_every_csv(hostile_output):
    """Dynamic proof: in every CSV any stage wrote, a cell starting like a formula is a number."""
    # Every table of every stage, but the one written by hand (a K sweep "from another run").
    tables = [p for p in hostile_output.rglob("*.csv") if p != hostile_output / "lda" / "k_sweep_summary.csv"]
    assert len(tables) >= 10
    unsafe = [(p.relative_to(hostile_output).as_posix(), cell) for p in tables for cell in _cells(p)
              if cell.startswith(FORMULA_START) and not _is_number(cell)]
    assert unsafe == []
    documents = (hostile_output / "clean" / "documents.csv").read_text(encoding="utf-8-sig")
    for value in ("hyperlink", "cmd", "minus", "sum"):
        assert "'" + HOSTILE[value].replace('"', '""') in documents, value  # kept, but guarded
    paragraphs = output_text(hostile_output / "clean" / "paragraphs.csv.gz", "utf-8-sig")
    assert "'" + PARAGRAPH_FORMULA.replace('"', '""') in paragraphs
    assert '\'=HYPERLINK("""",""点我"")政务公开' in paragraphs  # its URL removed by cleaning, guarded all the same
    themes = {cell for cell in _cells(hostile_output / "themes" / "theme_counts.csv")}
    assert {"'+法治", "'@依法行政", "'-矛盾", "<b>加粗</b>"} <= themes


class _TagCollector(HTMLParser):
    """Every start tag with its attributes, and every script's text, as a browser's parser sees them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def parse_html(path: Path) -> _TagCollector:
    parser = _TagCollector()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.mark.parametrize("page", ["report.html", "explorer.html"])
def test_hostile_text_is_escaped_in_the_pages(hostile_output, page):
    html = (hostile_output / page).read_text(encoding="utf-8")
    parsed = parse_html(hostile_output / page)
    # The only elements are the template's own: no <b>, no <img onerror>, no injected script.
    assert not any(tag == "b" for tag, _ in parsed.tags)
    assert not any("onerror" in attrs for _, attrs in parsed.tags)
    assert all(attrs.get("src", "").startswith("data:") for tag, attrs in parsed.tags if tag == "img")
    assert not any("alert(" in script for script in parsed.scripts)
    if page == "report.html":
        assert len(parsed.scripts) == 3  # d3, LDAvis, and our start-up script
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the title, shown as text
        assert "&lt;b&gt;加粗&lt;/b&gt;" in html  # a theme name
        # Titles are shown as written (unguarded): escaping, not the apostrophe, keeps them safe.
        assert "=HYPERLINK(&#34;http://example.invalid/x&#34;,&#34;点我&#34;)" in html
        assert "@SUM(1+1)" in html and "+cmd|&#39; /C calc&#39;!A0" in html
        assert "lda/k_sweep_summary.csv" in html


# ---- the report on the seeds ------------------------------------------------------------------------


def test_make_topics_writes_the_report(seed_output):
    page = seed_output / "report.html"
    size = page.stat().st_size
    print(f"\nreport.html for the seeds: {size / 1e6:.2f} MB")
    assert 100_000 < size < MAX_REPORT_BYTES
    assert (seed_output / "explorer.html").stat().st_size < MAX_REPORT_BYTES
    html = page.read_text(encoding="utf-8")
    ids = re.findall(r'<section id="sec-(\w+)"', html)
    assert ids == ["findings", "summary", "cleaning", "topics", "heatmap", "themes", "keywords", "quality", "explorer"]
    parsed = parse_html(page)
    # Self-contained: nothing is loaded from anywhere; links only point at local output files.
    for tag, attrs in parsed.tags:
        if tag in ("img", "script", "link", "iframe", "source", "embed", "object"):
            assert not attrs.get("src", "data:").startswith(("http", "//")), (tag, attrs)
            assert tag != "link" and tag != "iframe", tag
        if tag == "a" and "href" in attrs:
            href = attrs["href"]
            assert href.startswith("#") or not re.match(r"^[a-z]+:", href), href
            if not href.startswith("#"):
                assert (seed_output / href).exists(), href
    assert "@import" not in html and "url(http" not in html
    # Every stage's main output is listed in the run summary.
    for relative in ("clean/paragraphs.csv.gz", "lda/topics.csv", "tfidf/keywords.csv", "themes/theme_counts.csv",
                     "plots/document_topics.png", "plots/document_topics.svg", "explorer.html"):
        assert f'href="{relative}"' in html, relative
    # The CJK font travels with the page, cut down to what the page uses.
    font = re.search(r'url\("data:font/otf;base64,([A-Za-z0-9+/=]+)"\)', html)
    assert font and 20_000 < len(font.group(1)) < 2_000_000


def test_report_shows_every_topic_with_paragraphs(seed_output):
    html = (seed_output / "report.html").read_text(encoding="utf-8")
    labels = {row.split(",")[1] for row in (seed_output / "lda" / "topics.csv").read_text(encoding="utf-8-sig").splitlines()[1:]}
    for label in labels:
        assert label in html, label
    assert html.count('<article class="topic"') == len(labels)
    assert html.count("<blockquote>") >= len(labels)  # each topic has representative paragraphs
    assert "<mark>" in html


def test_report_states_each_theme_topics_measures_as_the_table_gives_them(seed_output):
    """What the page says of a theme's topic is what theme_validity.csv measured, and a theme
    whose topic failed is not shown under its name."""
    html = (seed_output / "report.html").read_text(encoding="utf-8")
    text = unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)))
    rows = list(csv.DictReader((seed_output / "lda" / "theme_validity.csv").open(encoding="utf-8-sig")))
    assert rows
    for row in rows:
        if row["precision"]:  # none held out: nothing measured, and the page says so (the reason)
            assert (f"{row['top_paragraphs_naming']} name {row['theme']}" in text), row["theme"]
        assert f"{row['held_out_naming']} of the {row['paragraphs_naming']} paragraphs naming {row['theme']}" in text
        if row["masked_auc"]:
            assert f"AUC {float(row['masked_auc']):.2f}" in text
        assert (f"[{row['theme']}]" in html) == (row["named"] == "1")
        if row["named"] == "0":
            assert f"not named after it: {row['reason']}" in text
    assert "holds" not in text or "of the theme's occurrences" not in text  # the claim that held by construction


def test_report_without_model_still_renders(seed_output, tmp_path):
    """Sections whose inputs are missing say so instead of failing."""
    partial = tmp_path / "out"
    shutil.copytree(seed_output / "clean", partial / "clean")
    report_stage.run(quiet_run(partial, "report"), ReportParams())
    html = (partial / "report.html").read_text(encoding="utf-8")
    assert html.count("Not available") >= 3
    assert not (partial / "explorer.html").exists()


def test_stability_of_an_earlier_model_is_not_shown(seed_output, tmp_path):
    """The report is written before the stability runs: while quality/ holds the runs of an
    earlier model (a stopword edit, or an interrupted run), the page says stability is on its way
    and shows none of the old values; once they are of this model, it shows them."""
    output = tmp_path / "out"
    shutil.copytree(seed_output, output)
    stability = {r["label"]: r["stability"] for r in csv.DictReader(
        (output / "quality" / "topic_stability.csv").read_text(encoding="utf-8-sig").splitlines())}
    first = next(iter(stability))

    report_stage.run(quiet_run(output, "report"), ReportParams())
    html = (output / "report.html").read_text(encoding="utf-8")
    assert 'data-pending-stage="' not in html
    assert f"stability {float(stability[first]):.2f}" in html and 'href="quality/topic_stability.csv"' in html

    basis = output / "quality" / "model.sha256"
    basis.write_text("0" * 64 + "  lda/document_topics.csv\n", encoding="utf-8")  # the runs of another model
    report_stage.run(quiet_run(output, "report"), ReportParams())
    html = (output / "report.html").read_text(encoding="utf-8")
    assert html.count('data-pending-stage="quality"') == 1 and "Stability across seeds is not yet computed" in html
    assert " · stability " not in html and 'href="quality/topic_stability.csv"' not in html
    assert "quality: runs" not in html  # nor the parameters they ran with
    basis.unlink()  # never ran (an interrupted first run): the same
    report_stage.run(quiet_run(output, "report"), ReportParams())
    assert 'data-pending-stage="quality"' in (output / "report.html").read_text(encoding="utf-8")


def test_explorer_of_another_model_is_not_shown(seed_output, tmp_path):
    """The explorer's data names the model it was prepared from; beside another model's tables
    (the explorer stage not rerun), the page says so instead of showing it."""
    output = tmp_path / "out"
    shutil.copytree(seed_output, output)
    (output / "explorer" / "model.sha256").write_text("0" * 64 + "  lda/document_topics.csv\n", encoding="utf-8")
    report_stage.run(quiet_run(output, "report"), ReportParams())
    assert "explorer/ldavis.json is missing or of another model" in (output / "report.html").read_text(encoding="utf-8")
    assert not (output / "explorer.html").exists()


def test_explorer_numbering_matches_the_tables(seed_output):
    run = quiet_run(seed_output, "report")
    model, _ = run.load_model()
    # what the page shows: the explorer stage's data
    data = json.loads(run.path(EXPLORER_DATA).read_text(encoding="utf-8"))["data"]
    assert data["topic.order"] == list(range(1, model.num_topics + 1))  # T3 is "3" in the map
    assert len(data["mdsDat"]["x"]) == model.num_topics
    for topic in range(1, model.num_topics + 1):
        at_one = relevance_ranking(data, topic, 1.0)
        assert at_one and at_one != relevance_ranking(data, topic, 0.0)
