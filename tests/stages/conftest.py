"""A messy real-world corpus and its clean stage, shared by the stage tests that read it."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import corpus_variants as cv
from conftest import SEEDS, run_stage


@pytest.fixture(scope="session")
def messy_corpus(tmp_path_factory, variant_files) -> Path:
    """The seeds, every variant of seed 003, four damaged files, an old .doc and a metadata CSV."""
    corpus = tmp_path_factory.mktemp("messy") / "corpus"
    shutil.copytree(SEEDS, corpus)
    for variant in cv.VARIANTS:
        shutil.copy(variant_files["003", variant], corpus)
    cv.write_corrupt_inputs(corpus / "downloads")
    (corpus / "downloads" / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0" + bytes(100))
    (corpus / "metadata.csv").write_text(
        "file,year,region,coder\n003_4bf76c9d5e1e5dd2.txt,2021,粤西,王\n001_b15026bdeddbedce,,粤北,李\nmissing.txt,2000,,\n",
        encoding="utf-8-sig")
    return corpus


@pytest.fixture(scope="session")
def messy_run(messy_corpus, tmp_path_factory) -> tuple[Path, str]:
    """The clean command on the messy corpus with two jobs: (clean/ folder, its log)."""
    output = tmp_path_factory.mktemp("messy_out")
    result = run_stage("--output", str(output), "--jobs", "2", "clean", "--input", str(messy_corpus))
    return output / "clean", result.stderr
