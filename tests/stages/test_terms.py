"""The terms stage: candidate terms on the seeds, and accept-terms, which adds the candidates a
user marked (in a table Excel may have saved as GB18030) or named to the domain dictionary."""
from __future__ import annotations

import csv

import pytest

from conftest import ROOT, quiet_run, read_table, repo_inputs, run_stage
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
