"""Shared fixtures: the repository paths and one end-to-end run of `make topics` on the seeds."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
PYTHON = sys.executable


def run_make(*args: str, cwd: Path = ROOT, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run make in the repository with the test interpreter's venv on PATH."""
    full_env = {**os.environ, "TQDM_DISABLE": "1", **(env or {})}
    result = subprocess.run(["make", "--no-print-directory", *args], cwd=cwd, env=full_env, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"make {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def run_stage(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run one `python -m pipeline` stage from the repository root."""
    result = subprocess.run([PYTHON, "-m", "pipeline", *args], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "TQDM_DISABLE": "1"})
    if check and result.returncode != 0:
        raise AssertionError(f"pipeline {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="session")
def seed_output(tmp_path_factory) -> Path:
    """`make topics` on the seeds into a fresh folder, shared by the tests that only read it."""
    output = tmp_path_factory.mktemp("seed_run") / "out"
    run_make("topics", f"OUTPUT={output}")
    return output


@pytest.fixture
def small_corpus(tmp_path) -> Path:
    """A writable copy of the seeds."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    return corpus
