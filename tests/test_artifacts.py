"""The contract's record of parameters: each stage writes the parameters it ran with (and the
input files it reads) to params/<stage>.json, which later stages and the report read back."""
from __future__ import annotations

import json

import pytest

from pipeline.artifacts import Run
from pipeline.params import FilterParams, Inputs


def test_a_stage_records_its_parameters_and_only_the_inputs_it_reads(tmp_path):
    run = Run(tmp_path, "filter", log=lambda message: None)
    inputs = Inputs(input="/data/seeds", metadata="", stopwords=("stopwords/a.txt", "stopwords/b.txt"))
    run.write_params(inputs, FilterParams(keep_numbers=True))
    recorded = json.loads((tmp_path / "params" / "filter.json").read_text(encoding="utf-8"))
    # The input folder and the other word lists are not the filter stage's inputs: not recorded.
    assert recorded == {"stopwords": ["stopwords/a.txt", "stopwords/b.txt"], "min_chars": 2, "keep_numbers": True}
    report = Run(tmp_path, "report")
    assert report.all_params() == [("filter", recorded)]
    assert report.read_params("filter", FilterParams) == FilterParams(keep_numbers=True)


def test_the_run_order_comes_from_the_graph_not_the_declaration():
    import random

    from pipeline.artifacts import STAGES, run_order

    declared = list(STAGES.values())
    shuffled = declared[:]
    random.Random(0).shuffle(shuffled)
    assert run_order(shuffled) == list(STAGES)
    position = {name: i for i, name in enumerate(STAGES)}
    for spec in declared:
        assert all(position[before] < position[spec.name] for before in spec.after), spec.name
        assert all(position[shown] > position[spec.name] for shown in spec.shows), spec.name


def test_a_stage_reading_an_undeclared_stage_or_a_cycle_is_refused():
    import pytest

    from pipeline.artifacts import PARAGRAPHS, TOKENS, Stage, run_order

    with pytest.raises(ValueError, match="undeclared"):
        run_order([Stage("a", "", PARAGRAPHS, ("nowhere",))])
    with pytest.raises(ValueError, match="twice"):
        run_order([Stage("a", "", PARAGRAPHS), Stage("a", "", TOKENS)])
    with pytest.raises(ValueError, match="cycle"):
        run_order([Stage("a", "", PARAGRAPHS, ("b",)), Stage("b", "", PARAGRAPHS, ("a",))])


def test_the_parts_of_a_long_table_are_its_own_not_leftovers(tmp_path):
    """A table past Excel's rows goes on in parts (files.CsvTable): they belong to the table, and
    which version of it a later stage used covers every part."""
    from pipeline.artifacts import DOCUMENT_TOPICS, Run, leftover_files

    table = DOCUMENT_TOPICS.at(tmp_path)
    table.parent.mkdir(parents=True)
    table.write_text("a\n1\n", encoding="utf-8")
    part = table.with_name(table.stem + "_part2.csv")
    part.write_text("a\n2\n", encoding="utf-8")
    stray = table.with_name("topic_terms_part2.csv")
    stray.write_text("a\n3\n", encoding="utf-8")
    assert leftover_files(tmp_path) == [stray]
    run = Run(tmp_path, "report")
    assert [row["a"] for row in run.rows(DOCUMENT_TOPICS)] == ["1", "2"]
    before = run.fingerprint(DOCUMENT_TOPICS)
    part.write_text("a\n4\n", encoding="utf-8")
    assert run.fingerprint(DOCUMENT_TOPICS) != before


def test_report_topic_shares_of_an_older_layout_ask_for_the_lda_stage_again(tmp_path):
    """lda/document_topics.csv is a row per report, a column per topic headed by its label; one
    in the older long layout (a row per report and topic) is refused with what to do."""
    from pipeline.artifacts import DOCUMENT_TOPICS, TOPIC_SUMMARY, Run
    from pipeline.files import PipelineError, write_csv

    TOPIC_SUMMARY.at(tmp_path).parent.mkdir(parents=True)
    write_csv(TOPIC_SUMMARY.at(tmp_path), ["topic", "label"], [[1, "T1 调解·信访"], [2, "T2 执法·检查"]])
    write_csv(DOCUMENT_TOPICS.at(tmp_path), ["doc_id", "n_tokens", "T1 调解·信访", "T2 执法·检查"],
              [["a", 10, 0.25, 0.75], ["b", 20, 1.0, 0.0]])
    doc_ids, topics, shares, tokens = Run(tmp_path, "report").document_topics()
    assert doc_ids == ["a", "b"] and topics == [1, 2] and shares.tolist() == [[0.25, 0.75], [1.0, 0.0]]
    assert tokens.tolist() == [10, 20]
    write_csv(DOCUMENT_TOPICS.at(tmp_path), ["doc_id", "n_tokens", "topic", "label", "weight"], [["a", 10, 1, "T1", 0.25]])
    with pytest.raises(PipelineError, match="rerun the lda stage"):
        Run(tmp_path, "report").document_topics()


def test_the_stages_beside_the_model_yield_it_the_cores(seed_output, tmp_path, monkeypatch):
    """make topics runs tfidf and wording beside the lda stage: they lower their own priority
    (their workers inherit it), so that the model, the critical path, is not slowed; the model
    and the stages after it do not."""
    import os
    import shutil

    from conftest import ROOT
    from pipeline import cli
    from pipeline.artifacts import STAGES

    assert [s for s in STAGES if STAGES[s].yields] == ["tfidf", "wording"]
    assert "lda" not in STAGES["tfidf"].after and "lda" not in STAGES["wording"].after  # they can run beside it
    niceness = [0]

    def nice(increment: int) -> int:  # as os.nice, for this test process alone (it keeps its priority)
        niceness[0] += increment
        return niceness[0]

    monkeypatch.setattr(os, "nice", nice)
    monkeypatch.chdir(ROOT)
    out = tmp_path / "out"
    shutil.copytree(seed_output, out)
    for stage in ("terms", "tfidf", "tfidf"):  # a process running two of them is lowered once
        cli.main(["--output", str(out), stage], standalone_mode=False)
        assert niceness == [0 if stage == "terms" else cli.YIELDING_NICENESS]
