"""The quality stage on the seeds: each topic matched one-to-one in each extra run, and its
stability across runs."""
from __future__ import annotations

import hashlib

from conftest import read_table
from pipeline.params import QualityParams


def test_stability_outputs_on_the_seeds(seed_output):
    quality = seed_output / "quality"
    summary = read_table(seed_output / "lda" / "topic_summary.csv")
    k = len(summary)
    per_topic = read_table(quality / "topic_stability.csv")
    assert [(r["topic"], r["label"]) for r in per_topic] == [(r["topic"], r["label"]) for r in summary]
    for row in per_topic:
        assert 0.0 <= float(row["stability"]) <= 1.0

    stability = read_table(quality / "stability.csv")
    assert len(stability) == k * (QualityParams.runs - 1) == k * 4  # four more runs (RUNS=5), one row per topic and run
    for seed in {r["run_seed"] for r in stability}:  # matching is one-to-one within each run
        matched = [r["matched_topic"] for r in stability if r["run_seed"] == seed]
        assert sorted(matched) == sorted({*matched})
    assert (quality / "topic_quality.png").stat().st_size > 0
    # Written last: which model the runs were compared with (the report shows them only for it).
    digest = hashlib.sha256((seed_output / "lda" / "document_topics.csv").read_bytes()).hexdigest()
    assert (quality / "model.sha256").read_text(encoding="utf-8") == f"{digest}  lda/document_topics.csv\n"
