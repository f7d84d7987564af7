"""Installed where jieba-next cannot be (no wheel for the platform, as on Linux aarch64, and no
Rust to build its sdist): the project installs with jieba alone, and the pipeline's tables on the
seeds are byte for byte those of this environment, where jieba-next cuts.

A fresh virtual environment gets the project (a snapshot of this working tree, so that both runs
run the same code) under a constraints file that pins every other package to this environment's
release and jieba-next to a release that does not exist: the core install must not need it.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from pipeline.artifacts import STAGES
from pipeline.text.tokens import ACCELERATOR_EXTRA

ENV = {**os.environ, "TQDM_DISABLE": "1"}
SNAPSHOT = ("pipeline", "config", "stopwords", "seeds", "pyproject.toml", "README.md")
IMPOSSIBLE = "jieba-next==0.0.0"  # no such release: pip cannot install jieba-next at all
NOTE = (f"segment: jieba-next not installed; segmenting with jieba (same tokens, slower). "
        f"pip install '.[{ACCELERATOR_EXTRA}]' to speed it up")


def _run(*command: str | Path, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([str(c) for c in command], cwd=cwd, env=ENV, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, command))} failed ({result.returncode}):\n"
                             f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def _snapshot(destination: Path) -> Path:
    destination.mkdir()
    for name in SNAPSHOT:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(source, destination / name)
    return destination


def _run_pipeline(python: str | Path, tree: Path, output: Path) -> str:
    """Every stage in the order Make runs them (two workers where a stage has them); their stderr."""
    errors = []
    for stage in STAGES:
        options = ["--runs", "2"] if stage == "quality" else []  # fewer stability models: quicker, same on both sides
        errors.append(_run(python, "-m", "pipeline", "--output", output, "--jobs", "2", stage, *options, cwd=tree).stderr)
    return "".join(errors)


def _tables(output: Path) -> list[Path]:
    return sorted(p.relative_to(output) for p in output.rglob("*")
                  if p.name.endswith((".csv", ".tsv", ".csv.gz", ".tsv.gz")))


@pytest.mark.slow
def test_install_without_jieba_next_gives_the_same_tables(tmp_path):
    if _run(sys.executable, "-c", "import jieba_next", check=False).returncode != 0:
        pytest.skip("jieba-next is not installed in this environment: no accelerated run to compare with")
    probe = _run(sys.executable, "-m", "pip", "index", "versions", "jieba", "--timeout", "15", "--retries", "1",
                 check=False)
    if probe.returncode != 0:
        pytest.skip(f"the package index is unreachable (pip index versions jieba: {probe.stderr.strip()[-300:]})")

    tree = _snapshot(tmp_path / "tree")
    freeze = _run(sys.executable, "-m", "pip", "freeze", "--exclude-editable").stdout.splitlines()
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("\n".join([line for line in freeze if not line.lower().replace("_", "-").startswith(
        ("jieba-next", "fazhi-topics"))] + [IMPOSSIBLE, ""]), encoding="utf-8")

    venv = tmp_path / "venv"
    created = _run(sys.executable, "-m", "venv", venv, check=False)
    if created.returncode != 0:
        pytest.skip(f"python -m venv does not work here: {created.stderr.strip()[-300:]}")
    python = venv / "bin" / "python"
    installed = _run(python, "-m", "pip", "install", "--quiet", "-c", constraints, "-e", tree, check=False)
    assert installed.returncode == 0, ("the core install failed with jieba-next impossible to install "
                                       f"(does it still need it?):\n{installed.stdout[-3000:]}\n{installed.stderr[-3000:]}")
    assert _run(python, "-c", "import jieba_next", check=False).returncode != 0

    accelerated, plain = tmp_path / "with_jieba_next", tmp_path / "without_jieba_next"
    accelerated_errors = _run_pipeline(sys.executable, tree, accelerated)
    plain_errors = _run_pipeline(python, tree, plain)
    assert "jieba-next" not in accelerated_errors
    assert [line for line in plain_errors.splitlines() if "jieba-next" in line] == [NOTE]

    tables = _tables(accelerated)
    assert len(tables) >= 12 and "segment/segmented.tsv.gz" in map(str, tables)
    assert _tables(plain) == tables
    different = [str(t) for t in tables if (accelerated / t).read_bytes() != (plain / t).read_bytes()]
    assert not different, f"tables that differ without jieba-next: {different}"
