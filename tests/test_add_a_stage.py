"""Adding a stage touches two files: its declaration in pipeline/artifacts.py (the artifact it
writes and its Stage entry) and its module in pipeline/stages/. The Make rule, the CLI command
with its help, the run order and the report's list of files all come from the declaration.

The test does it, in a copy of the project: a `cooccurrence` stage that reads lda/ and writes one
CSV, then a real `make topics` on the seed run's results."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

from conftest import SEEDS, project_copy, read_table, stages_started
from pipeline.artifacts import STAGES

ARTIFACT = '''
TOPIC_PAIRS = A("cooccurrence/topic_pairs.csv", "cooccurrence", "each pair of topics: the correlation of their "
                "shares over the reports", ("topic_a", "topic_b", "correlation"))

'''
STAGE = '''
    Stage("cooccurrence", "Which topics go together in reports -> cooccurrence/topic_pairs.csv.", TOPIC_PAIRS,
          ("lda",)),'''
MODULE = '''"""Which topics go together: the correlation of two topics' shares over the reports."""
from __future__ import annotations

import numpy as np

from ..artifacts import TOPIC_PAIRS, Run


def run(run: Run) -> None:
    _, topics, shares, _ = run.document_topics()
    correlation = np.corrcoef(shares, rowvar=False)
    run.write_rows(TOPIC_PAIRS, ((a, b, float(correlation[i, j])) for i, a in enumerate(topics)
                                 for j, b in enumerate(topics) if i < j))
    run.write_params()
    run.log(f"cooccurrence: {len(topics)} topics in {run.path(TOPIC_PAIRS)}")
'''


def test_a_new_stage_is_declared_once_and_runs_in_make_topics(seed_output, tmp_path):
    project = project_copy(tmp_path / "project", n_reports=0)
    shutil.copytree(SEEDS, project / "seeds")
    contract = project / "pipeline" / "artifacts.py"
    text = contract.read_text(encoding="utf-8")
    text = text.replace("\ndef params_artifact", ARTIFACT + "\ndef params_artifact", 1)
    text = text.replace("_DECLARED = (", "_DECLARED = (" + STAGE, 1)
    contract.write_text(text, encoding="utf-8")
    (project / "pipeline" / "stages" / "cooccurrence.py").write_text(MODULE, encoding="utf-8")

    # The seed run's results, as if every stage had finished after the code was edited (Make would
    # otherwise rerun them all, since they all load artifacts.py): only the new stage is to run.
    out = project / "out"
    shutil.copytree(seed_output, out)
    now = time.time()
    for path in out.rglob("*"):
        os.utime(path, (now, now))
    for i, stage in enumerate([*STAGES.values(), STAGES["report"]], 1):  # the report last, as make topics ends
        os.utime(stage.target.at(out), (now + i, now + i))

    env = {**os.environ, "TQDM_DISABLE": "1", "PYTHONPATH": str(project)}
    result = subprocess.run(["make", "--no-print-directory", "topics", "OUTPUT=out"], cwd=project, env=env,
                            capture_output=True, text=True)
    said = result.stdout + result.stderr
    assert result.returncode == 0, said[-3000:]
    assert stages_started(said) == [], said  # this test's STAGES lacks the new stage: nothing it knows ran
    assert "-m pipeline --output out cooccurrence" in said and "leftovers:" not in said
    pairs = read_table(out / "cooccurrence" / "topic_pairs.csv")
    n_topics = len(read_table(out / "lda" / "topic_summary.csv"))
    assert len(pairs) == n_topics * (n_topics - 1) // 2
    assert all(-1 <= float(row["correlation"]) <= 1 for row in pairs)

    command = subprocess.run([sys.executable, "-m", "pipeline", "cooccurrence", "--help"], cwd=project, env=env,
                             capture_output=True, text=True)
    assert "Which topics go together in reports" in command.stdout and "cooccurrence/topic_pairs.csv" in command.stdout
