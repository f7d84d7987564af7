"""The terms stage: candidate terms and stopword candidates on the seeds; accept-terms, which adds
the candidates a user marked (in a table Excel may have saved as GB18030) or named to the domain
dictionary, and accept-stopwords, which adds marked or named words to the genre stopword list."""
from __future__ import annotations

import csv
import shutil
from collections import Counter

import pytest

from conftest import ROOT, output_text, quiet_run, read_table, repo_inputs, run_stage
from pipeline.artifacts import Run
from pipeline.files import PipelineError
from pipeline.stages.terms import accept
from pipeline.text.tokens import load_domain_terms


def test_accept_marked_candidates_excel_gb18030(tmp_path):
    terms = tmp_path / "terms"
    terms.mkdir()
    rows = [("1", "党内法规制度", "是"), ("2", "法治宣传教育", "y"), ("3", "人民群众", "")]
    with open(terms / "term_candidates.csv", "w", encoding="gb18030", newline="") as handle:  # as Excel saves it
        csv.writer(handle).writerows([("rank", "term", "accept"), *rows])
    dictionary = tmp_path / "terms.txt"
    dictionary.write_text("法治政府\n", encoding="utf-8")
    themes = tmp_path / "themes.txt"
    themes.write_text("普法 = 法治宣传\n", encoding="utf-8")
    inputs = repo_inputs(dictionary=(str(dictionary),), themes=str(themes))
    with pytest.raises(PipelineError, match="法治宣传教育: contains the tracked theme term"):  # would swallow an alias
        accept(quiet_run(tmp_path, "terms"), inputs)
    assert dictionary.read_text(encoding="utf-8") == "法治政府\n"
    added = accept(quiet_run(tmp_path, "terms"), inputs, ["党内法规制度"])
    assert added == ["党内法规制度"] and "党内法规制度" in dictionary.read_text(encoding="utf-8")
    # Forced, the marked candidates go in: the one already added is reported, not added twice.
    log: list[str] = []
    assert accept(Run(tmp_path, "terms", log=log.append), inputs, force=True) == ["法治宣传教育"]
    assert "already there: 党内法规制度" in log[-1]
    assert dictionary.read_text(encoding="utf-8").splitlines()[-2:] == ["党内法规制度", "法治宣传教育"]


def test_accept_terms_command(tmp_path):
    dictionary = tmp_path / "terms.txt"
    dictionary.write_text("法治政府\n", encoding="utf-8")
    result = run_stage("--output", str(tmp_path), "accept-terms", "--dictionary", str(dictionary), "领导班子成员", "专职调解员")
    assert "accept-terms: added 2 to" in result.stderr
    assert dictionary.read_text(encoding="utf-8").splitlines()[-2:] == ["领导班子成员", "专职调解员"]
    refused = run_stage("--output", str(tmp_path), "accept-terms", "--dictionary", str(dictionary), "矛盾纠纷化解", check=False)
    assert refused.returncode == 2 and "矛盾纠纷" in refused.stderr


def test_term_candidates_on_the_seeds(seed_output):
    rows = read_table(seed_output / "terms" / "term_candidates.csv")
    known = {t for t, _ in load_domain_terms([ROOT / "config" / "domain_terms.txt"])}
    top = rows[:50]
    new_multiword = [r["term"] for r in top if len(r["parts"].split()) >= 2 and r["term"] not in known]
    assert len(new_multiword) >= 5, new_multiword
    assert [int(r["rank"]) for r in rows] == list(range(1, len(rows) + 1))
    scores = [float(r["score"]) for r in rows]
    assert scores == sorted(scores, reverse=True)
    for row in top:
        assert int(row["count"]) >= 3 and int(row["n_reports"]) >= 2
        assert f"【{row['term']}】" in row["example"] and row["example_report"]
    # Candidates that would swallow a tracked theme are flagged, not hidden.
    flagged = {r["term"]: r["swallows_theme"] for r in rows if r["swallows_theme"]}
    assert all(any(t in term for t in themes.split()) for term, themes in flagged.items())


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


def test_stopword_candidates_count_the_models_tokens_per_report(seed_output):
    """Each candidate's count and share of reports are those of the model's tokens
    (segment/tokens.tsv.gz), counted here one line at a time."""
    counts, reports, doc_ids = Counter(), Counter(), set()
    seen: dict[str, set[str]] = {}
    for line in output_text(seed_output / "segment" / "tokens.tsv.gz", "utf-8").splitlines():
        doc_id, _, tokens = line.split("\t")
        doc_ids.add(doc_id)
        counts.update(tokens.split())
        seen.setdefault(doc_id, set()).update(tokens.split())
    for words in seen.values():
        reports.update(words)
    rows = read_table(seed_output / "terms" / "stopword_candidates.csv")
    assert rows
    for row in rows:
        assert int(row["count"]) == counts[row["term"]], row
        assert float(row["report_share"]) == round(reports[row["term"]] / len(doc_ids), 4), row
