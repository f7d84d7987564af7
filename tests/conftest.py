"""Shared fixtures: the repository paths and one end-to-end run of `make topics` on the seeds.

The test tree mirrors the package: tests/text/, tests/topics/, tests/figures/ and tests/report/
test the pure modules of the same name, tests/stages/ the stages (in process, or one
`python -m pipeline` call), and tests/test_end_to_end.py the whole pipeline through Make.
"""
from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
PYTHON = sys.executable


# A stage's first line names its command: "<stage>: python -m pipeline --output DIR [--jobs N] <stage> ..."
STAGE_COMMAND = re.compile(r"-m pipeline --output \S+ +(?:--jobs \d+ +)?([a-z-]+)")


def stages_started(said: str) -> list[str]:
    """The stages a run started, in the order they started, from what it printed (stdout and
    stderr): commands that are not stages (leftovers) left out."""
    from pipeline.artifacts import STAGES

    return [name for name in STAGE_COMMAND.findall(said) if name in STAGES]


def run_make(*args: str, cwd: Path = ROOT, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run make in the repository with the test interpreter's venv on PATH."""
    full_env = {**os.environ, "TQDM_DISABLE": "1", **(env or {})}
    result = subprocess.run(["make", "--no-print-directory", *args], cwd=cwd, env=full_env, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"make {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def run_stage(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run `python -m pipeline *args` from the repository root: `--output DIR [--jobs N]` come
    before the stage's name, the stage's own options after it."""
    result = subprocess.run([PYTHON, "-m", "pipeline", *args], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "TQDM_DISABLE": "1"})
    if check and result.returncode != 0:
        raise AssertionError(f"pipeline {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def output_text(path: Path, encoding: str = "utf-8") -> str:
    """An output's text, decompressed where it is gzip (a name ending .gz)."""
    from pipeline.files import open_text

    with open_text(path, encoding) as handle:
        return handle.read()


def read_table(path: Path) -> list[dict[str, str]]:
    """A CSV output as dicts; every table starts with the UTF-8 BOM Excel needs to read Chinese
    (inside the compression, for a .csv.gz)."""
    text = output_text(path, "utf-8")
    assert text.startswith("\ufeff"), f"{path.name} lacks the UTF-8 BOM Excel needs"
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


@pytest.fixture(scope="session")
def seed_output(tmp_path_factory) -> Path:
    """`make topics` on the seeds into a fresh folder, shared by the tests that only read it."""
    output = tmp_path_factory.mktemp("seed_run") / "out"
    run_make("topics", f"OUTPUT={output}")
    return output


def project_copy(root: Path, n_reports: int = 2) -> Path:
    """A copy of the project at ``root`` (its own pipeline/, Makefile and config) sharing the
    test venv, with ``n_reports`` seed reports as its corpus in ``root/corpus``."""
    root.mkdir(parents=True)
    for name in ("pipeline", "config", "stopwords"):
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy2(ROOT / name, root / name)
    (root / "corpus").mkdir()
    for path in sorted(SEEDS.glob("*.txt"))[:n_reports]:
        shutil.copy2(path, root / "corpus" / path.name)
    (root / ".venv").symlink_to(ROOT / ".venv")
    return root


@pytest.fixture
def small_corpus(tmp_path) -> Path:
    """A writable copy of the seeds."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    return corpus


@pytest.fixture(scope="session")
def variant_files(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """Every variant (corpus_variants.VARIANTS) of every seed report, keyed by (seed prefix,
    variant); written once per session (the PDF and Word ones take a while)."""
    import corpus_variants as cv
    from pipeline.text.boilerplate import load_rules
    from pipeline.text.cleaning import clean_report
    from pipeline.text.readers import read_report

    rules = load_rules(ROOT / "config" / "boilerplate.txt")
    folder = tmp_path_factory.mktemp("variants")
    files = {}
    for seed in sorted(SEEDS.glob("*.txt")):
        title = clean_report(read_report(seed).text, rules).metadata["title"]
        for variant in cv.VARIANTS:
            files[seed.stem[:3], variant] = cv.write_variant(variant, seed, folder, title)
    return files


def repo_inputs(**overrides):
    """params.Inputs naming the repository's seeds, rules, dictionary, stopwords and themes by
    absolute path (the defaults are relative to the repository), with ``overrides``."""
    from pipeline.params import Inputs

    config = ROOT / "config"
    defaults = {"input": str(SEEDS), "rules": str(config / "boilerplate.txt"),
                "dictionary": (str(config / "domain_terms.txt"),), "stopwords": (str(ROOT / "stopwords"),),
                "themes": str(config / "themes.txt")}
    return Inputs(**{**defaults, **overrides})


def quiet_run(out: Path, stage: str, jobs: int = 1):
    """The artifacts.Run of ``stage`` on the output folder ``out``, logging nothing: how the
    tests run a stage in process."""
    from pipeline.artifacts import Run

    return Run(out, stage, jobs, log=lambda message: None)


@pytest.fixture(scope="session")
def hostile_output(tmp_path_factory) -> Path:
    """Every stage run in process on the hostile corpus of tests/report/hostile.py (once per
    session: the report's escaping tests and the browser tests share it)."""
    from report.hostile import hostile_run

    return hostile_run(tmp_path_factory.mktemp("hostile"))
