"""Cleaning throughput on a 20 MB corpus made from the seeds (slow: `make test-all`).

The clean stage must not be the slowest stage: segmentation runs at about 2.2 MB/s with two
processes, i.e. at least 1.1 MB per CPU second. Cleaning with the same two processes must do
at least as well. The assertion is on CPU seconds (this process and its workers), which other
programs running on the machine barely change; wall-clock MB/s is printed (pytest -s) and
means something only on an otherwise idle machine.
"""
from __future__ import annotations

import os
import time

import pytest

import corpus_variants as cv
from pipeline.clean import run_clean
from conftest import ROOT

MEGABYTES = 20
SEGMENT_MB_PER_S = 2.2


@pytest.mark.slow
def test_cleaning_is_faster_than_segmentation(tmp_path):
    corpus_bytes = cv.write_large_corpus(tmp_path / "corpus", MEGABYTES)
    before_wall, before_cpu = time.perf_counter(), os.times()
    stats = run_clean(tmp_path / "corpus", tmp_path / "out", ROOT / "config" / "boilerplate.txt",
                      log=lambda message: None, jobs=2)
    wall, after_cpu = time.perf_counter() - before_wall, os.times()
    cpu = sum(after_cpu[:4]) - sum(before_cpu[:4])  # this process and its workers
    mb = corpus_bytes / 1e6
    print(f"\nclean: {mb:.1f} MB, {stats['kept']} reports in {wall:.1f} s = {mb / wall:.2f} MB/s "
          f"with 2 processes ({cpu:.1f} CPU s, {mb / cpu:.2f} MB per CPU second)")
    assert stats["kept"] > 0.9 * stats["files"]
    assert mb / cpu >= SEGMENT_MB_PER_S / 2
