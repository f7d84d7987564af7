"""The lda stage: its topics described once on the seeds (label, share, NPMI, word rankings,
representative paragraphs), a K the corpus cannot support refused, and K=auto (slow)."""
from __future__ import annotations

import shutil
import time

import pytest

from conftest import read_table, run_make, run_stage
from pipeline.artifacts import K_SWEEP_SUMMARY
from pipeline.params import LdaParams

RANKINGS = {"probability": "top_words", "relevance": "relevant_words", "frex": "frex_words"}


def test_topics_are_described_on_the_seeds(seed_output):
    lda = seed_output / "lda"
    summary = read_table(lda / "topic_summary.csv")
    k = len(summary)
    assert k == LdaParams.k == len({r["topic"] for r in read_table(lda / "topics.csv")})
    assert sum(float(r["share"]) for r in summary) == pytest.approx(1.0, abs=1e-4)
    for row in summary:
        assert -1.0 <= float(row["npmi"]) <= 1.0
        assert all(len(row[column].split()) == 10 for column in RANKINGS.values())
        # The label: the topic number and its top three words by relevance (λ=0.6).
        assert row["label"] == f"T{row['topic']} " + "·".join(row["relevant_words"].split()[:3])
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


def test_k_larger_than_the_corpus_fails_clearly(seed_output, tmp_path):
    output = tmp_path / "out"
    shutil.copytree(seed_output, output)
    before = (output / "lda" / "document_topics.csv").read_bytes()
    result = run_stage("--output", str(output), "lda", "-k", "100000", check=False)
    assert result.returncode == 2
    assert "K=100000 is larger than the corpus allows" in result.stderr
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
    assert len(read_table(output / "lda" / "topic_summary.csv")) == chosen[0]
    assert f"K chosen: {chosen[0]}" in (output / "lda" / "k_choice.txt").read_text(encoding="utf-8")
    # A fixed K afterwards: the sweep's outputs are stale and removed.
    run_make("topics", "K=6", f"OUTPUT={output}")
    assert not (output / "lda" / "k_sweep.csv").exists()
    assert len(read_table(output / "lda" / "topic_summary.csv")) == 6
