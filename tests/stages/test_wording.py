"""The wording stage on the seeds: what each theme is said with, and the one-step command that
tracks an emerging term as a theme (accept-theme)."""
from __future__ import annotations

import shutil
from collections import defaultdict

from conftest import ROOT, read_table, run_stage


def test_a_themes_terms_are_not_its_own_words_nor_place_names_and_are_ranked(seed_output, tmp_path):
    assert (seed_output / "themes" / "theme_terms.csv").is_file()  # no theme is named in 30 paragraphs of the seeds:
    out = tmp_path / "out"  # the stage again, with thresholds five reports can meet
    shutil.copytree(seed_output, out)
    run_stage("--output", str(out), "wording", "--min-paragraphs", "3", "--min-count", "2")
    rows = read_table(out / "themes" / "theme_terms.csv")
    assert rows, "no theme has terms on the seeds"
    documents = read_table(out / "clean" / "documents.csv")
    places = {d[level] for d in documents for level in ("province", "city", "county", "town") if d[level]}
    places |= {p[:-1] for p in places if len(p) > 2}
    themes = {line.lstrip("* ").split("=")[0].strip(): line for line in
              (ROOT / "config" / "themes.txt").read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")}
    by_group = defaultdict(list)
    for row in rows:
        by_group[(row["theme"], row["period"])].append(row)
        assert row["theme"] not in row["term"] and row["term"] not in themes[row["theme"]], row
        assert row["term"] not in places, row
        assert int(row["count_theme"]) >= 2 and int(row["paragraphs"]) >= 3
    for group in by_group.values():
        z = [float(r["z"]) for r in group]
        assert z == sorted(z, reverse=True) and min(z) > 0
        assert [int(r["rank"]) for r in group] == list(range(1, len(group) + 1))
    assert (out / "themes" / "theme_terms.png").stat().st_size > 10_000


def test_accept_theme_tracks_a_term_and_keeps_it_whole(tmp_path):
    themes, dictionary = tmp_path / "themes.txt", tmp_path / "domain_terms.txt"
    shutil.copy(ROOT / "config" / "themes.txt", themes)
    shutil.copy(ROOT / "config" / "domain_terms.txt", dictionary)
    run_stage("--output", str(tmp_path / "out"), "accept-theme", "--themes", str(themes), "--dictionary", str(dictionary),
              "新质生产力")
    from pipeline.text.themes import load_themes

    assert "新质生产力" in [t.name for t in load_themes(themes)]
    from pipeline.text.tokens import load_domain_terms

    assert "新质生产力" in {term for term, _ in load_domain_terms([dictionary])}
    # One that would hide a tracked theme, or that carries the theme file's syntax, is refused.
    for name in ("综合行政执法体制改革", "新质=生产力"):
        refused = run_stage("--output", str(tmp_path / "out"), "accept-theme", "--themes", str(themes), "--dictionary",
                            str(dictionary), name, check=False)
        assert refused.returncode == 2 and name in refused.stderr
    assert "综合行政执法体制改革" not in themes.read_text(encoding="utf-8")


def test_counts_merged_from_chunks_of_reports_in_workers_are_one_passs(seed_output, tmp_path, monkeypatch):
    """The stage counts whole reports in worker processes and merges their counts in order: with
    a chunk per report or so, and two processes, its tables are the one-chunk run's, byte for byte."""
    from pipeline import cli
    from pipeline.stages import wording

    monkeypatch.chdir(ROOT)
    monkeypatch.setattr("os.nice", lambda increment: 0)  # the stage lowers its priority: not this test process's
    low = ["--min-paragraphs", "2", "--min-count", "2", "--min-reports", "1"]  # thresholds five reports meet
    outputs = {}
    for jobs, chunk_lines in ((1, wording.CHUNK_LINES), (2, 3)):
        outputs[jobs] = tmp_path / f"jobs{jobs}"
        shutil.copytree(seed_output, outputs[jobs])
        monkeypatch.setattr(wording, "CHUNK_LINES", chunk_lines)
        cli.main(["--output", str(outputs[jobs]), "--jobs", str(jobs), "wording", *low], standalone_mode=False)
    for table in ("themes/theme_terms.csv", "themes/emerging_terms.csv"):
        assert len(read_table(outputs[1] / table)) > 10, table
        assert (outputs[2] / table).read_bytes() == (outputs[1] / table).read_bytes(), table
