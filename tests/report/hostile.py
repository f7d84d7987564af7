"""A hostile corpus and every stage run on it in process: titles, places, a metadata column,
a paragraph and theme names that look like markup, scripts or spreadsheet formulas. Shared by
the report's escaping tests (tests/stages/test_report.py) and the browser tests
(tests/report/test_browser.py), through the session fixture ``hostile_output`` of
tests/conftest.py."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

from conftest import ROOT, SEEDS, quiet_run, repo_inputs

HOSTILE = {
    "script": "<script>alert(1)</script>",
    "hyperlink": '=HYPERLINK("http://example.invalid/x","点我")',
    "cmd": "+cmd|' /C calc'!A0",
    "minus": "-1",
    "sum": "@SUM(1+1)",
    "img": '"><img src=x onerror=alert(2)>',
}
# A formula inside report text (cleaning would remove a URL from it, as from any paragraph).
PARAGRAPH_FORMULA = '=HYPERLINK("example.invalid/x","点我")'
HOSTILE_THEMES = ("<b>加粗</b>", "+法治", "@依法行政", "-矛盾")
FORMULA_START = ("=", "+", "-", "@")
MAX_REPORT_BYTES = 10_000_000


def build_hostile_corpus(folder: Path) -> tuple[Path, Path]:
    """The seeds with hostile titles, places and an extra column in metadata.csv, a hostile
    paragraph in one report, and hostile theme names. Returns (corpus, themes file)."""
    corpus = folder / "corpus"
    shutil.copytree(SEEDS, corpus)
    files = sorted(p.name for p in corpus.glob("*.txt"))
    titles = [HOSTILE["script"], HOSTILE["hyperlink"], HOSTILE["cmd"], HOSTILE["minus"], HOSTILE["sum"]]
    with open(corpus / "metadata.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "title", "town", "note", "year"])
        for i, (name, title) in enumerate(zip(files, titles)):
            # The last report's year is a word: it has no year, and every table must say so with an empty cell.
            writer.writerow([name, title, HOSTILE["img"] if i == 0 else "", HOSTILE["sum"] if i % 2 else HOSTILE["cmd"],
                             "未知" if i == len(files) - 1 else ""])
    # A paragraph that starts like a formula and carries markup, inside a real report.
    first = corpus / files[0]
    text = first.read_text(encoding="utf-8")
    lines = text.splitlines()
    # A formula with a URL inside: cleaning takes the URL out, and what is left still starts like a formula.
    lines.insert(len(lines) // 3, HOSTILE["hyperlink"] + "政务公开工作扎实推进,群众满意度持续提升。")
    lines.insert(len(lines) // 2, PARAGRAPH_FORMULA + HOSTILE["script"] + "依法行政工作持续推进,法治政府建设取得新成效,群众满意度不断提升。")
    first.write_text("\n".join(lines) + "\n", encoding="utf-8")
    themes = folder / "themes.txt"
    themes.write_text((ROOT / "config" / "themes.txt").read_text(encoding="utf-8") + "\n" + "\n".join(HOSTILE_THEMES) + "\n",
                      encoding="utf-8")
    return corpus, themes


def hostile_run(folder: Path) -> Path:
    """Every stage, in process (fast: one interpreter, few passes and resamples), on the hostile
    corpus built in ``folder``; returns the output folder."""
    from pipeline.params import (CleanParams, FilterParams, LdaParams, PlotParams, BootstrapParams, QualityParams,
                                 MiningParams, ReportParams, SegmentParams, SweepParams, TermParams, TfidfParams)
    from pipeline.stages import clean, explorer, filter as filter_, lda, mine, plots, prevalence, quality, report, \
        segment, terms, tfidf, themes

    out = folder / "out"
    shutil.rmtree(folder, ignore_errors=True)  # an interrupted earlier build
    folder.mkdir(parents=True)
    corpus, themes_file = build_hostile_corpus(folder)
    inputs = repo_inputs(input=str(corpus), themes=str(themes_file))
    clean.run(quiet_run(out, "clean"), inputs, CleanParams())
    segment.run(quiet_run(out, "segment"), inputs, SegmentParams())
    filter_.run(quiet_run(out, "filter"), inputs, FilterParams())
    lda.run(quiet_run(out, "lda"), inputs, LdaParams(k=4, passes=3), SweepParams())
    tfidf.run(quiet_run(out, "tfidf"), TfidfParams())
    themes.run(quiet_run(out, "themes"), inputs, BootstrapParams(n_boot=200))
    plots.run(quiet_run(out, "plots"), PlotParams())
    quality.run(quiet_run(out, "quality"), QualityParams(runs=2))
    prevalence.run(quiet_run(out, "prevalence"), BootstrapParams(n_boot=200))
    explorer.run(quiet_run(out, "explorer"))
    mine.run(quiet_run(out, "mine"), MiningParams())
    terms.run(quiet_run(out, "terms"), inputs, TermParams())
    # A K-sweep table from "another run" (lda with K=auto), with hostile cells, to show that the
    # quality section renders what it finds too.
    with open(out / "lda" / "k_sweep_summary.csv", "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([["k", "note"], [4, "'" + HOSTILE["hyperlink"]], [6, HOSTILE["script"]]])
    report.run(quiet_run(out, "report"), ReportParams())
    return out
