"""The wording stage on the seeds: what each theme is said with, stopword candidates, and the
one-step commands that adopt them (accept-stopwords, accept-theme)."""
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


def test_stopword_candidates_are_in_most_reports_and_no_theme_or_dictionary_term(seed_output):
    rows = read_table(seed_output / "terms" / "stopword_candidates.csv")
    assert rows
    from pipeline.text.themes import load_themes
    from pipeline.text.tokens import load_domain_terms

    dictionary = {term for term, _ in load_domain_terms([ROOT / "config" / "domain_terms.txt"])}

    themes = {t for theme in load_themes(ROOT / "config" / "themes.txt") for t in theme.terms}
    for row in rows:
        assert float(row["report_share"]) >= 0.5 and 0 <= float(row["topic_spread"]) <= 1
        assert row["term"] not in dictionary and row["term"] not in themes
        assert row["term"] in row["example"]
    scores = [float(r["report_share"]) * float(r["topic_spread"]) for r in rows]
    assert scores == sorted(scores, reverse=True)


def test_accept_stopwords_appends_the_marked_candidates_to_the_genre_list(seed_output, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(seed_output / "terms", out / "terms")
    candidates = (out / "terms" / "stopword_candidates.csv").read_text(encoding="utf-8-sig").splitlines()
    first = candidates[1].split(",")[1]
    candidates[1] = candidates[1] + "y"  # the accept column, as a user ticks it in Excel
    (out / "terms" / "stopword_candidates.csv").write_text("\ufeff" + "\n".join(candidates) + "\n", encoding="utf-8")
    general, genre = tmp_path / "general.txt", tmp_path / "genre.txt"
    shutil.copy(ROOT / "stopwords" / "general.txt", general)
    shutil.copy(ROOT / "stopwords" / "genre.txt", genre)
    before = genre.read_text(encoding="utf-8")
    result = run_stage("--output", str(out), "accept-stopwords", "--stopwords", str(general), "--stopwords", str(genre))
    assert genre.read_text(encoding="utf-8") == before + ("" if before.endswith("\n") else "\n") + \
        "\n# --- accepted from the stopword suggestions (make accept-stopwords) ---\n" + first + "\n"
    assert general.read_text(encoding="utf-8") == (ROOT / "stopwords" / "general.txt").read_text(encoding="utf-8")
    assert first in result.stderr
    # Named words, and a theme term refused.
    run_stage("--output", str(out), "accept-stopwords", "--stopwords", str(general), "--stopwords", str(genre), "推进落实")
    assert genre.read_text(encoding="utf-8").endswith(first + "\n推进落实\n")
    kept = genre.read_text(encoding="utf-8")
    refused = run_stage("--output", str(out), "accept-stopwords", "--stopwords", str(genre), "枫桥经验", check=False)
    assert refused.returncode == 2 and "枫桥经验" in refused.stderr and genre.read_text(encoding="utf-8") == kept


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

    out = tmp_path / "out"
    shutil.copytree(seed_output, out)
    monkeypatch.setattr(wording, "CHUNK_LINES", 3)
    monkeypatch.chdir(ROOT)
    cli.main(["--output", str(out), "--jobs", "2", "wording"], standalone_mode=False)
    for table in ("themes/theme_terms.csv", "themes/emerging_terms.csv", "terms/stopword_candidates.csv"):
        assert (out / table).read_bytes() == (seed_output / table).read_bytes(), table
    assert len(read_table(out / "terms" / "stopword_candidates.csv")) > 10
