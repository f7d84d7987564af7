"""Per-report tables carry the metadata CSV's columns: every stage that writes one row per
report (documents, lda, tfidf, themes) adds them after the report's key columns, through
artifacts.Run.document_info."""
from __future__ import annotations

import shutil

from conftest import output_text, quiet_run, read_table, repo_inputs
from pipeline.params import BootstrapParams, FilterParams, LdaParams, SegmentParams, SweepParams, TfidfParams
from pipeline.stages import filter as filter_, lda, segment, themes, tfidf


def test_metadata_columns_flow_to_every_per_report_table(messy_run, tmp_path):
    """segment, filter, lda, tfidf and themes, in process, on the cleaned messy corpus: each
    per-report table carries the metadata CSV's columns (tiny LDA settings: only the tables
    matter here)."""
    clean_dir, _ = messy_run
    shutil.copytree(clean_dir, tmp_path / "clean")
    inputs = repo_inputs()
    segment.run(quiet_run(tmp_path, "segment"), inputs, SegmentParams())
    filter_.run(quiet_run(tmp_path, "filter"), inputs, FilterParams())
    lda.run(quiet_run(tmp_path, "lda"), repo_inputs(), LdaParams(k=2, passes=1, iterations=10), SweepParams())
    tfidf.run(quiet_run(tmp_path, "tfidf"), TfidfParams(top_n=5))
    themes.run(quiet_run(tmp_path, "themes"), inputs, BootstrapParams(n_boot=50))
    for table in ("clean/documents.csv", "lda/document_topics.csv", "tfidf/keywords.csv", "themes/theme_counts.csv"):
        rows = read_table(tmp_path / table)
        assert rows and {"year", "region", "coder"} <= set(rows[0]), table
        assert {r["region"] for r in rows if r["doc_id"] == "003_4bf76c9d5e1e5dd2"} == {"粤西"}, table
        assert {r["year"] for r in rows if r["doc_id"] == "003_4bf76c9d5e1e5dd2"} == {"2021"}, table


def test_a_reports_own_place_names_are_not_its_keywords(seed_output):
    from pipeline.text.places import own_places
    from pipeline.topics.keywords import COUNT_FRAGMENT, place_fragments

    documents = {r["doc_id"]: r for r in read_table(seed_output / "clean" / "documents.csv")}
    keywords = read_table(seed_output / "tfidf" / "keywords.csv")
    assert keywords
    for row in keywords:
        assert row["term"] not in place_fragments(own_places(documents[row["doc_id"]])), row
        assert not COUNT_FRAGMENT.match(row["term"])
    assert not {"岭北镇", "北镇", "海城镇", "一号", "余人次"} & {r["term"] for r in keywords}
    # The segmenter keeps the reports' place names whole: no 北镇 cut from 岭北镇.
    assert "岭北镇" in output_text(seed_output / "segment" / "segmented.tsv.gz", "utf-8").split()
