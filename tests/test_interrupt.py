"""Ctrl-C or a kill mid-stage leaves nothing Make would take as finished; the next run completes."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from benchmarks.synthetic import make_corpus
from conftest import ROOT, output_text, run_make, stages_started



@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("interrupt") / "corpus"
    make_corpus(folder, megabytes=1.0, seed=7)
    return folder


def _interruptible() -> None:
    # A test suite started in the background (`nohup make test &`) inherits SIGINT ignored, and
    # make and Python keep ignoring it: a terminal's Ctrl-C is what is tested, so it is restored.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_make(corpus: Path, output: Path, passes: int = 1) -> subprocess.Popen:
    # Its own process group, so a signal reaches make and every stage process, as Ctrl-C does.
    return subprocess.Popen(["make", "--no-print-directory", "topics", f"INPUT={corpus}", f"OUTPUT={output}",
                             f"PASSES={passes}", "K=4", "RUNS=2"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "TQDM_DISABLE": "1"}, start_new_session=True,
                            preexec_fn=_interruptible)


def wait_for(process: subprocess.Popen, predicate, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if process.poll() is not None:
            raise AssertionError(f"make ended before the stage started:\n{process.stdout.read()}")
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the stage to start")
        time.sleep(0.05)


def stage_pids(name: str, output: Path) -> list[int]:
    """Processes of `python -m pipeline --output <output> [--jobs N] <name> ...` (the stage and its
    workers): this test's, not those of another run on the machine."""
    folder = re.sub(r"([.\[\](){}*+?|^$\\])", r"\\\1", str(output))  # a literal in pgrep's extended regex
    pattern = f"-m pipeline --output {folder} +(--jobs [0-9]+ +)?{name}( |$)"
    result = subprocess.run(["pgrep", "-f", "--", pattern], capture_output=True, text=True)
    return [int(pid) for pid in result.stdout.split()]


def test_ctrl_c_during_segmentation(corpus, tmp_path):
    output = tmp_path / "out"
    process = start_make(corpus, output)
    wait_for(process, lambda: any((output / "segment").glob(".segmented.tsv.gz.*.tmp")))
    time.sleep(0.5)
    os.killpg(process.pid, signal.SIGINT)
    log, _ = process.communicate(timeout=60)
    assert process.returncode != 0
    assert not (output / "segment" / "segmented.tsv.gz").exists()
    assert not list((output / "segment").glob("*.tmp")), "Ctrl-C must not leave temporary files"
    assert (output / "clean" / "paragraphs.csv.gz").exists()  # the finished stage before it stays

    run_make("topics", f"INPUT={corpus}", f"OUTPUT={output}", "PASSES=1", "K=4", "RUNS=2")
    lines = output_text(output / "segment" / "segmented.tsv.gz", "utf-8").splitlines()
    paragraphs = output_text(output / "clean" / "paragraphs.csv.gz", "utf-8-sig").count("\n") - 1
    assert len(lines) >= 500 and (output / "plots" / ".complete").exists()
    assert len(lines) <= paragraphs


def test_kill_during_lda(corpus, tmp_path):
    output = tmp_path / "out"
    process = start_make(corpus, output, passes=50)  # long enough to be caught mid-training
    wait_for(process, lambda: stage_pids("lda", output))
    time.sleep(1.0)
    for pid in stage_pids("lda", output):
        os.kill(pid, signal.SIGKILL)
    process.communicate(timeout=60)
    assert process.returncode != 0
    assert not (output / "lda" / "document_topics.csv").exists()

    result = run_make("topics", f"INPUT={corpus}", f"OUTPUT={output}", "PASSES=1", "K=4", "RUNS=2")
    ran = stages_started(result.stdout + result.stderr)
    assert "segment" not in ran  # finished stages are not redone
    assert "lda" in ran
    assert (output / "lda" / "document_topics.csv").exists() and (output / "plots" / ".complete").exists()
