"""report.html and the plots behind it: escaping, the CSV formula guard, figure layout, wiring.

The browser checks (drawing, images, console, the explorer's slider) are in test_browser.py;
the hostile corpus built here is shared with them.
"""
from __future__ import annotations

import ast
import csv
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, SEEDS

from pipeline import plots, report
from pipeline.files import safe_cell

HOSTILE = {
    "script": "<script>alert(1)</script>",
    "hyperlink": '=HYPERLINK("http://example.invalid/x","点我")',
    "cmd": "+cmd|' /C calc'!A0",
    "minus": "-1",
    "sum": "@SUM(1+1)",
    "img": '"><img src=x onerror=alert(2)>',
}
HOSTILE_THEMES = ("<b>加粗</b>", "+法治", "@依法行政", "-矛盾")
FORMULA_START = ("=", "+", "-", "@")
MAX_REPORT_BYTES = 10_000_000


# ---- fixtures ------------------------------------------------------------------------------------


def build_hostile_corpus(folder: Path) -> tuple[Path, Path]:
    """The seeds with hostile titles, places and an extra column in metadata.csv, a hostile
    paragraph in one report, and hostile theme names. Returns (corpus, themes file)."""
    corpus = folder / "corpus"
    shutil.copytree(SEEDS, corpus)
    files = sorted(p.name for p in corpus.glob("*.txt"))
    titles = [HOSTILE["script"], HOSTILE["hyperlink"], HOSTILE["cmd"], HOSTILE["minus"], HOSTILE["sum"]]
    with open(corpus / "metadata.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "title", "town", "note"])
        for i, (name, title) in enumerate(zip(files, titles)):
            writer.writerow([name, title, HOSTILE["img"] if i == 0 else "", HOSTILE["sum"] if i % 2 else HOSTILE["cmd"]])
    # A paragraph that starts like a formula and carries markup, inside a real report.
    first = corpus / files[0]
    text = first.read_text(encoding="utf-8")
    lines = text.splitlines()
    lines.insert(len(lines) // 2, HOSTILE["hyperlink"] + HOSTILE["script"] + "依法行政工作持续推进,法治政府建设取得新成效,群众满意度不断提升。")
    first.write_text("\n".join(lines) + "\n", encoding="utf-8")
    themes = folder / "themes.txt"
    themes.write_text((ROOT / "config" / "themes.txt").read_text(encoding="utf-8") + "\n" + "\n".join(HOSTILE_THEMES) + "\n",
                      encoding="utf-8")
    return corpus, themes


def hostile_run(tmp_path_factory) -> Path:
    """Every stage, in process (fast: one interpreter, few passes), on the hostile corpus.

    Built once per session under the base temp folder, so test_browser.py reuses it (a fixture
    imported into another module would be a second fixture and run twice).
    """
    from pipeline.clean import run_clean
    from pipeline.lda import LdaParams, run_lda
    from pipeline.segment import run_filter, run_segment
    from pipeline.themes import run_themes
    from pipeline.tfidf import run_tfidf

    folder = tmp_path_factory.getbasetemp() / "hostile"
    out = folder / "out"
    if (out / "report.html").is_file():
        return out
    shutil.rmtree(folder, ignore_errors=True)  # an interrupted earlier build
    folder.mkdir()
    corpus, themes = build_hostile_corpus(folder)
    quiet = lambda message: None  # noqa: E731
    run_clean(corpus, out, ROOT / "config" / "boilerplate.txt", log=quiet)
    run_segment(out, [ROOT / "config" / "domain_terms.txt"], 1, log=quiet)
    run_filter(out, [ROOT / "stopwords"], log=quiet)
    run_lda(out, LdaParams(k=4, passes=3), log=quiet)
    run_tfidf(out, log=quiet)
    run_themes(out, themes, log=quiet)
    plots.run_plots(out, log=quiet)
    # A quality/ folder from "another stage", with hostile cells, to show it is rendered too.
    (out / "quality").mkdir()
    with open(out / "quality" / "k_sweep.csv", "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([["k", "note"], [4, "'" + HOSTILE["hyperlink"]], [6, HOSTILE["script"]]])
    report.run_report(out, log=quiet)
    return out


@pytest.fixture(scope="session")
def hostile_output(tmp_path_factory) -> Path:
    return hostile_run(tmp_path_factory)


# ---- pure helpers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [*HOSTILE.values(), "plain 文本", "'quoted", "''=x", ""])
def test_unguard_undoes_exactly_the_formula_guard(value):
    guarded = safe_cell(value)
    assert report.unguard(guarded) == value
    if value[:1] in FORMULA_START:
        assert guarded.startswith("'")


def test_parse_stamp_keeps_parameters_and_skips_file_listings():
    stamp = "000_a.txt 3451 1762.5\n001 b.txt 10 1.0\ninput=/data/seeds metadata=\n"
    assert report.parse_stamp(stamp) == [("input", "/data/seeds"), ("metadata", "")]
    assert report.parse_stamp("stopwords=stopwords/a.txt stopwords/b.txt\n") == [("stopwords", "stopwords/a.txt stopwords/b.txt")]
    assert report.parse_stamp("K=8 SEED=42 PASSES=0\n") == [("K", "8"), ("SEED", "42"), ("PASSES", "0")]


def test_highlight_marks_longest_words_and_keeps_text():
    text = "推进依法行政,建设法治政府,法治宣传"
    pieces = report.highlight(text, ["法治", "法治政府", "依法行政"])
    assert "".join(p for p, _ in pieces) == text
    assert [p for p, marked in pieces if marked] == ["依法行政", "法治政府", "法治"]


def test_representatives_prefer_distinct_reports_then_fill():
    items = [(0.99, "a", 1), (0.98, "a", 2), (0.97, "a", 3), (0.50, "b", 1)]
    assert report.pick_representatives(items, 2) == [(0.99, "a", 1), (0.50, "b", 1)]
    assert report.pick_representatives(items, 3) == [(0.99, "a", 1), (0.98, "a", 2), (0.50, "b", 1)]


def test_best_paragraphs_streams_rows_per_topic():
    rows = [{"doc_id": d, "position": str(p), "topic": str(t), "weight": str(w)}
            for d, p, t, w in [("a", 0, 1, 0.9), ("a", 0, 2, 0.1), ("a", 1, 1, 0.2), ("a", 1, 2, 0.8),
                               ("b", 0, 1, 0.6), ("b", 0, 2, 0.4)]]
    best = report.best_paragraphs(rows, n=2)
    assert best[1] == [(0.9, "a", 0), (0.6, "b", 0)]
    assert best[2] == [(0.8, "a", 1), (0.4, "b", 0)]


def test_script_safe_and_tojson_cannot_close_a_script_element():
    assert "</script" not in report.script_safe("var s = '</script><script>alert(1)</SCRIPT>';").lower()
    env = report.template_environment()
    rendered = env.from_string("<p title='{{ x }}'>{{ x }}</p><script>var d = {{ x|tojson }};</script>").render(x=HOSTILE["script"] + "'\"")
    assert "<script>alert" not in rendered
    assert rendered.count("<script>") == 1 and rendered.count("</script>") == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered


def test_href_cannot_become_a_scheme():
    assert report.href("quality/javascript:alert(1).csv") == "quality/javascript%3Aalert%281%29.csv"
    assert not report.href("javascript:alert(1)").startswith("javascript:")


def test_relevance_ranking_follows_lambda():
    data = {"tinfo": {"Category": ["Default", "Topic1", "Topic1", "Topic1"], "Term": ["x", "common", "rare", "mid"],
                      "logprob": [0, -1.0, -5.0, -2.0], "loglift": [0, 0.1, 3.0, 1.0]}}
    assert report.relevance_ranking(data, 1, 1.0) == ["common", "mid", "rare"]
    assert report.relevance_ranking(data, 1, 0.0) == ["rare", "mid", "common"]


# ---- every CSV writer goes through the guard ------------------------------------------------------


def test_no_csv_writer_bypasses_files_py():
    """Static proof: only pipeline/files.py may create CSV writers; everything else uses
    CsvTable/write_csv (and so safe_cell)."""
    offenders = []
    for path in sorted((ROOT / "pipeline").glob("*.py")):
        if path.name == "files.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("writer", "DictWriter", "to_csv", "savetxt"):
                if not (isinstance(node.value, ast.Name) and node.value.id == "self"):
                    offenders.append(f"{path.name}:{node.lineno} .{node.attr}")
    assert offenders == []


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
    tables = [p for p in hostile_output.rglob("*.csv") if "quality" not in p.parts]
    assert len(tables) >= 10
    unsafe = [(p.relative_to(hostile_output).as_posix(), cell) for p in tables for cell in _cells(p)
              if cell.startswith(FORMULA_START) and not _is_number(cell)]
    assert unsafe == []
    documents = (hostile_output / "clean" / "documents.csv").read_text(encoding="utf-8-sig")
    for value in ("hyperlink", "cmd", "minus", "sum"):
        assert "'" + HOSTILE[value].replace('"', '""') in documents, value  # kept, but guarded
    paragraphs = (hostile_output / "clean" / "paragraphs.csv").read_text(encoding="utf-8-sig")
    assert "'" + HOSTILE["hyperlink"].replace('"', '""') in paragraphs
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
        assert "quality/k_sweep.csv" in html


# ---- the report on the seeds ------------------------------------------------------------------------


def test_make_topics_writes_the_report(seed_output):
    page = seed_output / "report.html"
    size = page.stat().st_size
    print(f"\nreport.html for the seeds: {size / 1e6:.2f} MB")
    assert 100_000 < size < MAX_REPORT_BYTES
    assert (seed_output / "explorer.html").stat().st_size < MAX_REPORT_BYTES
    html = page.read_text(encoding="utf-8")
    ids = re.findall(r'<section id="sec-(\w+)"', html)
    assert ids == ["summary", "cleaning", "topics", "heatmap", "themes", "keywords", "quality", "explorer"]
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
    for relative in ("clean/paragraphs.csv", "lda/topics.csv", "tfidf/keywords.csv", "themes/theme_counts.csv",
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


def test_report_without_model_still_renders(seed_output, tmp_path):
    """Sections whose inputs are missing say so instead of failing."""
    partial = tmp_path / "out"
    shutil.copytree(seed_output / "clean", partial / "clean")
    report.run_report(partial, log=lambda message: None)
    html = (partial / "report.html").read_text(encoding="utf-8")
    assert html.count("Not available") >= 3
    assert not (partial / "explorer.html").exists()


def test_explorer_numbering_matches_the_tables(seed_output):
    model, dictionary = report.load_model(seed_output)
    data = report.explorer_from_outputs(seed_output, model, dictionary)
    assert data["topic.order"] == list(range(1, model.num_topics + 1))  # T3 is "3" in the map
    assert len(data["mdsDat"]["x"]) == model.num_topics
    for topic in range(1, model.num_topics + 1):
        at_one = report.relevance_ranking(data, topic, 1.0)
        assert at_one and at_one != report.relevance_ranking(data, topic, 0.0)


# ---- figures ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def font():
    return plots.use_chinese_font()


@pytest.mark.parametrize("n_reports", [5, 500])
def test_report_topic_heatmap_is_readable_at_any_size(font, n_reports):
    rng = np.random.default_rng(0)
    theta = rng.dirichlet(np.full(8, 0.3), size=n_reports)
    names = [f"T{t + 1} 依法行政·矛盾纠纷·法治政府" for t in range(8)]
    order, groups = plots.dominant_topic_order(theta)
    assert sorted(order.tolist()) == list(range(n_reports))
    assert [g[2] - g[1] for g in groups] == [int((theta.argmax(1) == g[0]).sum()) for g in groups]
    labels = [f"某某县某某镇{i} 20{10 + i % 15}" for i in range(n_reports)]
    figure = plots.plot_heatmap(theta[order], [labels[i] for i in order], names, "报告 × 主题", "share",
                                groups=plots.topic_group_labels(groups, names), row_axis_label=f"{n_reports} 篇报告")
    width, height = figure.get_size_inches()
    assert 6 <= width <= 16 and 3 <= height <= 20
    assert plots.text_overlaps(figure) == []
    tick_texts = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    if n_reports > plots.MAX_LABELLED_ROWS:
        assert len(tick_texts) == len(groups)  # group labels, not 500 unreadable ones
    else:
        assert len(tick_texts) == n_reports
    from matplotlib import pyplot

    pyplot.close(figure)


def test_theme_grids_and_bar_grids_do_not_overlap(font):
    themes = ["枫桥经验", "综合行政执法", "矛盾纠纷", "法律明白人", "重大行政决策", "三项制度", "放管服",
              "一站式", "网格化", "法律顾问", "营商环境", "普法", "习近平法治思想"]
    rates = np.random.default_rng(1).gamma(0.5, 10, size=(40, len(themes)))
    figure = plots.plot_heatmap(rates[plots.cluster_order(rates)], [f"县{i} 2024" for i in range(40)], themes, "报告 × 主题词", "per 10k", "{:.1f}")
    assert plots.text_overlaps(figure) == []
    panels = [(f"某某省某某市某某县某某镇人民政府 202{i} ({'x' * 12})", [(f"词{j}", 1.0 / (j + 1)) for j in range(10)]) for i in range(6)]
    figure = plots.plot_bar_grid(panels, "TF-IDF")
    assert plots.text_overlaps(figure) == []
    figure = plots.plot_coherence([f"T{i} 依法行政·法治·建设" for i in range(1, 9)], {"c_npmi": list(np.linspace(-0.2, 0.1, 8)), "c_v": list(np.linspace(0.3, 0.8, 8))})
    assert plots.text_overlaps(figure) == []
    from matplotlib import pyplot

    pyplot.close("all")


def test_column_labels_wrap_chinese_or_turn_vertical():
    labels, rotation = plots.column_labels_layout(["枫桥经验", "习近平法治思想"], 0.85, 8.5)
    assert rotation == 0 and labels == ["枫桥经验", "习近平法\n治思想"]
    labels, rotation = plots.column_labels_layout(["一个非常非常非常非常非常非常长的主题名称"], 0.5, 8.5)
    assert rotation == 90


def test_place_level_and_pooled_rates():
    docs = [{"county": "遂溪县", "town": "岭北镇"}, {"county": "遂溪县", "town": "遂城镇"},
            {"county": "海丰县", "town": "海城镇"}, {"county": "", "town": "上社镇"}, {"county": "海丰县", "town": ""}]
    assert plots.choose_place_level(docs) == "county"  # 80% known, two values
    assert plots.choose_place_level([{"town": "a"}, {"town": "b"}, {"county": "c"}]) == "town"
    assert plots.choose_place_level([{"year": "2020"}]) is None
    counts = [{"doc_id": "a", "theme": "普法", "count": "2"}, {"doc_id": "b", "theme": "普法", "count": "0"},
              {"doc_id": "c", "theme": "普法", "count": "9"}]
    groups, themes, rates, n = plots.group_theme_rates(counts, {"a": 10_000, "b": 30_000, "c": 5_000},
                                                       {"a": "2020", "b": "2020", "c": plots.UNKNOWN})
    assert groups == ["2020", plots.UNKNOWN] and themes == ["普法"] and n == [2, 1]
    assert rates[:, 0].tolist() == pytest.approx([0.5, 18.0])  # pooled: 2 per 40,000 characters
    many = {f"d{i}": 1000 for i in range(50)}
    groups, _, _, n = plots.group_theme_rates([], many, {d: f"p{int(d[1:]) % 40}" for d in many}, max_groups=10)
    assert len(groups) == 10 and groups[-1].startswith("其他") and sum(n) == 50
