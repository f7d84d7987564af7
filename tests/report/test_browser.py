"""report.html in a real browser: Debian's headless Chromium, driven by Playwright's Python API.

No browser is downloaded: Playwright launches /usr/bin/chromium (installed by `.ci/run` with
`apt-get install -y chromium`). Every request other than the page itself is blocked and
recorded, so "works offline" is checked, not assumed.
"""
from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pytest

from conftest import ROOT
from pipeline.report.context import EXPLORER_ID
from pipeline.report.explorer import relevance_ranking
from pipeline.text.themes import load_themes
from pipeline.topics.measures import RELEVANCE_LAMBDA
from report.hostile import HOSTILE, MAX_REPORT_BYTES

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DRAW_BUDGET_MS = 3000
SECTIONS = ["findings", "summary", "cleaning", "topics", "heatmap", "themes", "keywords", "quality", "explorer"]
TERMS = f"#{EXPLORER_ID} .terms"

# Resolves once the page is fully drawn: fonts loaded, every image decoded, LDAvis's SVG built,
# then two animation frames so the result has been painted. Returns ms since navigation start.
FULLY_DRAWN_JS = """async () => {
  await document.fonts.ready;
  await Promise.all([...document.images].map(img => img.decode().catch(() => null)));
  const svgReady = () => document.querySelector('#%s svg') !== null;
  while (!svgReady() && performance.now() < 20000) await new Promise(r => setTimeout(r, 10));
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now();
}""" % EXPLORER_ID

# The bar-chart terms top to bottom, or null while any of them is still moving (d3 keeps a
# __transition property on a node until its transitions have ended).
SETTLED_TERMS_JS = """(selector) => {
  const nodes = [...document.querySelectorAll(selector)];
  if (nodes.length === 0 || nodes.some(n => n.__transition)) return null;
  return nodes.sort((a, b) => a.getAttribute('y') - b.getAttribute('y')).map(n => n.textContent);
}"""


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory):
    """One headless Chromium with a fresh profile for the module's pages."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM), headless=True,
            args=FLAGS, viewport={"width": 1400, "height": 900}, device_scale_factor=1)
        yield context
        context.close()


class Page:
    """A page with its console errors, uncaught exceptions, dialogs and blocked requests recorded."""

    def __init__(self, context, path: Path):
        self.page = context.new_page()
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.blocked: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.url = path.resolve().as_uri()
        self.page.route("**/*", self._only_the_page)

    def _only_the_page(self, route):
        url = route.request.url
        if url.split("#")[0] == self.url or url.startswith("data:"):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def open(self) -> float:
        """Load the page; return ms from navigation start to fully drawn."""
        self.page.goto(self.url, wait_until="load")
        return self.page.evaluate(FULLY_DRAWN_JS)

    def settled_terms(self, different_from: list[str] | None = None) -> list[str]:
        """The explorer's terms once their animation has ended (and differ, if asked)."""
        self.page.wait_for_function(
            f"([selector, old]) => {{ const t = ({SETTLED_TERMS_JS})(selector); "
            "return t && (old === null || t.join() !== old.join()) ? t : null; }",
            arg=[TERMS, different_from], timeout=10_000, polling=100)
        return self.page.evaluate(SETTLED_TERMS_JS, TERMS)

    def close(self):
        self.page.close()


@pytest.fixture(scope="module")
def seed_page(browser_context, seed_output):
    page = Page(browser_context, seed_output / "report.html")
    drawn_ms = page.open()
    print(f"\nreport.html ({(seed_output / 'report.html').stat().st_size / 1e6:.2f} MB): fully drawn in {drawn_ms:.0f} ms")
    page.drawn_ms = drawn_ms
    yield page
    page.close()


def test_report_draws_fast_offline_with_every_image_and_no_errors(seed_page, seed_output):
    page = seed_page.page
    assert (seed_output / "report.html").stat().st_size < MAX_REPORT_BYTES
    assert seed_page.drawn_ms < DRAW_BUDGET_MS
    images = page.evaluate("[...document.images].map(i => [i.alt, i.complete, i.naturalWidth])")
    assert len(images) >= 6
    assert [alt for alt, complete, width in images if not (complete and width > 0)] == []
    assert seed_page.blocked == []  # nothing but the file itself (and data: URIs) was requested
    assert seed_page.errors == []
    ids = page.evaluate("[...document.querySelectorAll('main > section')].map(s => s.id)")
    assert ids == [f"sec-{s}" for s in SECTIONS]
    for section in SECTIONS:
        assert page.locator(f"#sec-{section} h2").is_visible()
    # The first screen answers: one row per theme, the adoption figure right below.
    themes = load_themes(ROOT / "config" / "themes.txt")
    assert page.locator("#sec-findings table.findings tbody tr").count() == len(themes)
    assert page.locator("#sec-findings table.findings tbody tr").first.is_visible()
    assert page.locator("#sec-findings img").count() == 2
    assert page.locator("#sec-themes .examples blockquote mark").count() >= len(themes) - 1
    assert page.locator("article.topic").count() >= 2
    assert page.locator("#sec-topics blockquote").count() >= 2
    # The inlined CJK font is the one in use (no tofu where the system has no Chinese font).
    assert page.evaluate("document.fonts.check('16px \"Report CJK\"', '法治政府')")
    # A screenshot a person can look at: beside the outputs, and in the repository's outputs/.
    shot = seed_output / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000
    if (ROOT / "outputs").is_dir():
        shutil.copyfile(shot, ROOT / "outputs" / "report.png")
    print(f"screenshot: {shot} (copy in outputs/report.png)")


def embedded_explorer_data(html: str) -> dict:
    """The pyLDAvis data the page carries (one line of JSON; tojson escapes keep it parseable)."""
    match = re.search(r"var data = (\{.*?\});\n", html)
    assert match, "explorer data not found in the page"
    return json.loads(match.group(1))


def test_explorer_reorders_terms_when_the_relevance_slider_moves(seed_page, seed_output):
    page = seed_page.page
    data = embedded_explorer_data((seed_output / "report.html").read_text(encoding="utf-8"))
    slider = page.locator(f"#{EXPLORER_ID}-lambda")
    # The slider starts at the λ the labels and the text use.
    assert float(slider.input_value()) == RELEVANCE_LAMBDA
    assert page.locator(f"#{EXPLORER_ID}-lambda-value").inner_text() == str(RELEVANCE_LAMBDA)
    page.locator(f"#{EXPLORER_ID}-topic-up").click()  # select topic 1
    assert page.locator(f"#{EXPLORER_ID}-topic").input_value() == "1"
    at_start = seed_page.settled_terms()
    assert at_start == relevance_ranking(data, 1, RELEVANCE_LAMBDA)[:len(at_start)]

    slider.focus()
    page.keyboard.press("End")  # the keyboard moves it (our shim forwards keyup to LDAvis's mouseup)
    assert slider.input_value() == "1"
    at_one = seed_page.settled_terms(different_from=at_start)
    assert at_one == relevance_ranking(data, 1, 1.0)[:len(at_one)]

    box = slider.bounding_box()
    slider.click(position={"x": 2, "y": box["height"] / 2})  # a real click at the left end: λ ≈ 0
    lam = float(slider.input_value())
    assert lam <= 0.05
    assert page.locator(f"#{EXPLORER_ID}-lambda-value").inner_text() == slider.input_value()
    at_zero = seed_page.settled_terms(different_from=at_one)
    assert at_zero != at_one
    assert at_zero == relevance_ranking(data, 1, lam)[:len(at_zero)]

    slider.focus()
    page.keyboard.press("End")
    assert slider.input_value() == "1"
    assert seed_page.settled_terms(different_from=at_zero) == at_one
    assert seed_page.errors == []


def test_standalone_explorer_works_offline(browser_context, seed_output):
    page = Page(browser_context, seed_output / "explorer.html")
    try:
        drawn_ms = page.open()
        assert drawn_ms < DRAW_BUDGET_MS
        assert page.page.locator(f"#{EXPLORER_ID} svg circle.dot").count() == model_topics(seed_output)
        assert page.blocked == [] and page.errors == []
    finally:
        page.close()


def model_topics(output: Path) -> int:
    return len({line.split(",")[0] for line in (output / "lda" / "topics.csv").read_text(encoding="utf-8-sig").splitlines()[1:]})


def test_hostile_titles_render_as_text(browser_context, hostile_output):
    page = Page(browser_context, hostile_output / "report.html")
    try:
        started = time.perf_counter()
        page.open()
        assert time.perf_counter() - started < 10
        assert page.dialogs == []  # no alert() ran
        assert page.errors == [] and page.blocked == []
        text = page.page.inner_text("body")
        for value in HOSTILE.values():
            assert value in text, value
        assert page.page.locator("main b, main img[onerror]").count() == 0
        injected = page.page.evaluate("[...document.scripts].filter(s => s.textContent.includes('alert(')).length")
        assert injected == 0
    finally:
        page.close()
