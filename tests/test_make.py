"""Make knows what code each stage runs: touching any module of pipeline/ makes `make topics`
rerun every stage that loads it, directly or not.

What a stage loads is measured, not derived: the real pipeline runs once on a tiny corpus with
Python's import-time report on, which names every module each stage imported. Then each module
is touched in turn and `make topics` runs for real -- stamps, generated dependencies and all --
with a stand-in for the stage command (tests/stand_in_stage.py) that records the stage and
touches its target, so the loop over some forty modules takes seconds.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import ROOT, STAGE_COMMAND, project_copy
from pipeline.artifacts import STAGES

IMPORT_LINE = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*(pipeline(?:\.\w+)*)\s*$")
SMALL = ("K=2", "PASSES=1", "RUNS=2", "JOBS=1")


def make(project: Path, *args: str, env: dict | None = None) -> str:
    result = subprocess.run(["make", "--no-print-directory", *args], cwd=project, capture_output=False,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "TQDM_DISABLE": "1", **(env or {})})
    assert result.returncode == 0, result.stdout[-3000:]
    return result.stdout


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project sharing the test venv, with two seed reports as its corpus."""
    return project_copy(tmp_path_factory.mktemp("make") / "project")


def modules_loaded(log: str) -> dict[str, set[str]]:
    """Stage -> the pipeline modules it imported, from make's output with PYTHONPROFILEIMPORTTIME."""
    loaded: dict[str, set[str]] = defaultdict(set)
    stage = None
    for line in log.splitlines():
        command = STAGE_COMMAND.search(line)
        if command:
            stage = command.group(1)
        elif stage and (found := IMPORT_LINE.match(line)):
            loaded[stage].add(found.group(1))
    return loaded


def module_file(project: Path, module: str) -> Path:
    path = project / Path(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def test_touching_a_module_reruns_every_stage_that_loads_it(project):
    common = (f"INPUT={project / 'corpus'}", f"OUTPUT={project / 'out'}", *SMALL)
    # One stage at a time: each stage's import lines follow its command line.
    log = make(project, "-j1", "topics", *common, env={"PYTHONPROFILEIMPORTTIME": "1"})
    loaded = modules_loaded(log)
    assert set(loaded) == set(STAGES), log[-2000:]
    users: dict[str, set[str]] = defaultdict(set)
    for stage, modules in loaded.items():
        for module in modules:
            users[module].add(stage)
    assert len(users) >= 30, sorted(users)

    runs_log = project / "stand_in.log"
    stand_in = f"STAGE={sys.executable} {ROOT / 'tests' / 'stand_in_stage.py'} --output {project / 'out'}"
    env = {"STAND_IN_LOG": str(runs_log), "PYTHONPATH": str(project)}
    assert make(project, "topics", *common, stand_in, env=env).count("stand_in_stage") == 0  # nothing to redo
    missed = {}
    for module, stages in sorted(users.items()):
        runs_log.write_text("", encoding="utf-8")
        module_file(project, module).touch()
        make(project, "topics", *common, stand_in, env=env)
        rerun = set(runs_log.read_text(encoding="utf-8").split())
        if not stages <= rerun:
            missed[module] = sorted(stages - rerun)
    assert not missed, f"stages that load a module but did not rerun when it changed: {missed}"


def test_two_stages_run_side_by_side_and_the_heavy_ones_alone(project, tmp_path):
    """By default make runs two stages at a time where the graph allows (lda, the longest, beside
    another); a stage marked alone (much memory, or both cores) overlaps no other."""
    out, spans = tmp_path / "out", tmp_path / "spans.log"
    stand_in = f"STAGE={sys.executable} {ROOT / 'tests' / 'stand_in_stage.py'} --output {out}"
    make(project, "topics", f"INPUT={project / 'corpus'}", f"OUTPUT={out}", *SMALL, stand_in,
         env={"STAND_IN_LOG": str(tmp_path / "runs.log"), "STAND_IN_SPANS": str(spans), "STAND_IN_SECONDS": "1",
              "PYTHONPATH": str(project)})
    runs = [(stage, float(start), float(end)) for stage, start, end in map(str.split, spans.read_text().splitlines())]
    assert {stage for stage, _, _ in runs} == set(STAGES)
    side_by_side = {frozenset((a[0], b[0])) for i, a in enumerate(runs) for b in runs[i + 1:]
                    if a[1] < b[2] and b[1] < a[2]}
    assert any("lda" in pair for pair in side_by_side) and len(side_by_side) >= 3, side_by_side
    alone = {stage for stage, spec in STAGES.items() if spec.alone}
    assert alone >= {"clean", "segment", "themes", "mine", "report", "quality"}
    assert not [pair for pair in side_by_side if pair & alone], side_by_side


def test_editing_the_cli_or_the_parameters_reruns_every_stage(project):
    """The CLI and params.py hold every default: a change there may change any stage's output."""
    common = (f"INPUT={project / 'corpus'}", f"OUTPUT={project / 'out'}", *SMALL)
    runs_log = project / "stand_in.log"
    stand_in = f"STAGE={sys.executable} {ROOT / 'tests' / 'stand_in_stage.py'} --output {project / 'out'}"
    env = {"STAND_IN_LOG": str(runs_log), "PYTHONPATH": str(project)}
    make(project, "topics", *common, stand_in, env=env)
    for name in ("cli.py", "params.py"):
        runs_log.write_text("", encoding="utf-8")
        (project / "pipeline" / name).touch()
        make(project, "topics", *common, stand_in, env=env)
        assert set(runs_log.read_text(encoding="utf-8").split()) == set(STAGES), name
