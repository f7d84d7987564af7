"""The lda stage: its topics described once on the seeds (label, share, NPMI, word rankings,
representative paragraphs), a K the corpus cannot support refused, and K=auto (slow)."""
from __future__ import annotations

import shutil
import time

import pytest

from conftest import read_table, run_make, run_stage
from pipeline.artifacts import K_SWEEP_SUMMARY
from pipeline.params import LdaParams
from pipeline.topics.validity import MIN_MEASURED

RANKINGS = {"probability": "top_words", "relevance": "relevant_words", "frex": "frex_words"}


SEEDED_THEMES = ["枫桥经验", "综合行政执法", "重大行政决策"]  # marked * in config/themes.txt and common enough


def test_topics_are_described_on_the_seeds(seed_output):
    lda = seed_output / "lda"
    summary = read_table(lda / "topic_summary.csv")
    k = len(summary)
    assert k == LdaParams.k + len(SEEDED_THEMES) == len({r["topic"] for r in read_table(lda / "topics.csv")})
    assert sum(float(r["share"]) for r in summary) == pytest.approx(1.0, abs=1e-4)
    own_terms = {r["theme"]: r["terms"].split() for r in read_table(lda / "seeded_topics.csv")}
    for row in summary:
        assert -1.0 <= float(row["npmi"]) <= 1.0
        assert all(len(row[column].split()) == 10 for column in RANKINGS.values())
        # The label: the topic number and its top three words by relevance (λ=0.6); a seeded
        # topic's: its theme where it is named after it, then its top words by relevance beyond
        # the theme's own terms.
        words = row["relevant_words"].split()
        seeded = int(row["topic"]) <= len(SEEDED_THEMES)
        if seeded:
            learned = [w for w in words if w not in own_terms[SEEDED_THEMES[int(row["topic"]) - 1]]]
            name = f"[{row['theme']}] " if row["theme"] else ""
            assert row["label"] == f"T{row['topic']} {name}" + "·".join(learned[:2 if row["theme"] else 3])
        else:
            assert row["label"] == f"T{row['topic']} " + "·".join(words[:3])
    labels = {r["topic"]: r["label"] for r in summary}
    assert {(r["topic"], r["label"]) for r in read_table(lda / "topics.csv")} == set(labels.items())

    words = read_table(lda / "topic_words.csv")
    assert {r["ranking"] for r in words} == set(RANKINGS)
    assert len(words) == 3 * k * 10

    paragraphs = read_table(lda / "representative_paragraphs.csv")
    assert len(paragraphs) == LdaParams.n_paragraphs * k
    assert all(r["text"] and r["year"] and r["place"] and r["label"] == labels[r["topic"]] for r in paragraphs)
    assert sum(1 for r in paragraphs if r["section"]) > len(paragraphs) / 2
    for t in range(1, k + 1):
        mine = [r for r in paragraphs if r["topic"] == str(t)]
        weights = [float(r["weight"]) for r in mine]
        assert weights == sorted(weights, reverse=True)
        assert len({r["doc_id"] for r in mine}) == len(mine)  # one per report first: the seeds have five
    assert not (seed_output / "lda" / "k_sweep.csv").exists()  # K was fixed


def test_seeded_topics_come_first_and_bear_a_name_only_where_measured_valid(seed_output):
    lda = seed_output / "lda"
    summary = read_table(lda / "topic_summary.csv")
    validity = read_table(lda / "theme_validity.csv")
    assert [r["theme"] for r in validity] == SEEDED_THEMES
    assert [r["topic"] for r in validity] == ["1", "2", "3"]
    for row, topic in zip(validity, summary):
        held_out, naming = int(row["held_out_naming"]), int(row["paragraphs_naming"])
        assert 0 <= held_out <= naming and naming > 0
        precision = float(row["precision"]) if row["precision"] else float("nan")
        auc = float(row["masked_auc"]) if row["masked_auc"] else float("nan")
        if held_out:
            assert precision == pytest.approx(int(row["top_paragraphs_naming"]) / held_out)
        valid = held_out >= MIN_MEASURED and precision >= LdaParams.theme_min_precision and auc >= LdaParams.theme_min_auc
        assert row["named"] == str(int(valid)), row
        assert row["reason"] and (valid or "<" in row["reason"] or "too few" in row["reason"])
        # The name is the measure's to give: in the topic's label and theme column only if valid.
        assert topic["theme"] == (row["theme"] if valid else "")
        assert (f"[{row['theme']}]" in topic["label"]) == valid
        assert row["label"] == topic["label"]
        assert all(int(t) > len(SEEDED_THEMES) and 0 <= float(w) <= 1
                   for t, w in (pair.split(":") for pair in row["carried_by"].split()))
    assert all(not r["theme"] for r in summary[len(SEEDED_THEMES):])
    decisions = {r["theme"]: r for r in read_table(lda / "seeded_topics.csv")}
    assert [t for t, r in decisions.items() if r["seeded"] == "1"] == SEEDED_THEMES
    assert [decisions[t]["topic"] for t in SEEDED_THEMES] == ["1", "2", "3"]
    # 放管服 is marked but in 2 paragraphs of the seeds: too rare for the vocabulary, so not seeded, and why.
    assert decisions["放管服"]["marked"] == "1" and decisions["放管服"]["seeded"] == "0"
    assert "vocabulary" in decisions["放管服"]["reason"]
    assert decisions["普法"]["reason"] == "not marked * in the themes file"
    coverage = read_table(lda / "keyword_coverage.csv")
    fengqiao = next(r for r in coverage if r["term"] == "枫桥经验")
    assert (fengqiao["in_vocabulary"], fengqiao["reports"]) == ("1", "3")  # as theme_counts.csv counts
    stability = read_table(seed_output / "quality" / "topic_stability.csv")
    assert [r["topic"] for r in stability] == [r["topic"] for r in summary]  # seeded beside the free topics
    assert all(r["npmi"] and r["stability"] and r["share"] for r in stability)
    # Stability without the theme's own terms: measured for each seeded topic, and only for them.
    assert all(bool(r["stability_without_theme_terms"]) == (i < len(SEEDED_THEMES)) for i, r in enumerate(stability))


def test_seeded_0_gives_plain_lda_and_a_rare_theme_is_not_seeded(seed_output, tmp_path):
    from conftest import quiet_run, repo_inputs
    from pipeline.params import SweepParams
    from pipeline.stages import lda

    output = tmp_path / "out"
    for stage in ("clean", "segment", "params"):
        shutil.copytree(seed_output / stage, output / stage)
    themes = tmp_path / "themes.txt"
    themes.write_text("* 枫桥经验\n* 法律明白人\n普法\n", encoding="utf-8")
    lda.run(quiet_run(output, "lda"), repo_inputs(themes=str(themes)), LdaParams(), SweepParams())
    decisions = {r["theme"]: r for r in read_table(output / "lda" / "seeded_topics.csv")}
    assert decisions["枫桥经验"]["seeded"] == "1"
    assert decisions["法律明白人"]["seeded"] == "0"  # in 2 paragraphs: below NO_BELOW, not in the vocabulary
    assert "vocabulary" in decisions["法律明白人"]["reason"]
    lda.run(quiet_run(output, "lda"), repo_inputs(themes=str(themes)), LdaParams(seeded=False), SweepParams())
    summary = read_table(output / "lda" / "topic_summary.csv")
    assert len(summary) == LdaParams.k and not any(r["theme"] for r in summary)
    assert {r["reason"] for r in read_table(output / "lda" / "seeded_topics.csv") if r["theme"] != "普法"} == {
        "SEEDED=0: plain LDA"}


def test_k_larger_than_the_corpus_fails_clearly(seed_output, tmp_path):
    output = tmp_path / "out"
    shutil.copytree(seed_output, output)
    before = (output / "lda" / "document_topics.csv").read_bytes()
    result = run_stage("--output", str(output), "lda", "-k", "100000", check=False)
    assert result.returncode == 2
    assert "K=100000 (plus 3 seeded) is larger than the corpus allows" in result.stderr
    assert (output / "lda" / "document_topics.csv").read_bytes() == before


@pytest.mark.slow
def test_k_auto_on_the_seeds_within_budget(tmp_path):
    output = tmp_path / "out"
    start = time.perf_counter()
    run_make("topics", "K=auto", f"OUTPUT={output}")
    seconds = time.perf_counter() - start
    assert seconds < 180, f"make topics K=auto took {seconds:.0f} s"
    sweep = read_table(output / "lda" / "k_sweep_summary.csv")
    assert list(sweep[0]) == list(K_SWEEP_SUMMARY.columns)
    chosen = [int(r["k"]) for r in sweep if r["chosen"] == "1"]
    assert len(chosen) == 1
    assert len(read_table(output / "lda" / "topic_summary.csv")) == chosen[0] + len(SEEDED_THEMES)
    assert f"K chosen: {chosen[0]}" in (output / "lda" / "k_choice.txt").read_text(encoding="utf-8")
    # A fixed K afterwards: the sweep's outputs are stale and removed.
    run_make("topics", "K=6", f"OUTPUT={output}")
    assert not (output / "lda" / "k_sweep.csv").exists()
    assert len(read_table(output / "lda" / "topic_summary.csv")) == 6 + len(SEEDED_THEMES)


def test_paragraphs_counted_in_workers_give_the_one_process_stages_tables(seed_output, tmp_path, monkeypatch):
    """The stage counts whole reports in worker processes and merges them in order: with a chunk
    of a report or so and two processes, every table it writes is the one-process run's, byte for
    byte (gensim's saved pickles record the time, and are not compared)."""
    from conftest import ROOT
    from pipeline import cli
    from pipeline.stages import lda

    monkeypatch.chdir(ROOT)
    outputs = {}
    for jobs, chunk_lines in ((1, lda.CHUNK_LINES), (2, 3)):
        outputs[jobs] = tmp_path / f"jobs{jobs}"
        shutil.copytree(seed_output, outputs[jobs])
        monkeypatch.setattr(lda, "CHUNK_LINES", chunk_lines)
        cli.main(["--output", str(outputs[jobs]), "--jobs", str(jobs), "lda"], standalone_mode=False)
    tables = sorted(p.relative_to(outputs[1]) for p in (outputs[1] / "lda").iterdir() if p.is_file())
    assert len(tables) >= 10
    for relative in tables:
        assert (outputs[2] / relative).read_bytes() == (outputs[1] / relative).read_bytes(), relative
