"""Time and peak memory of a command and all its child processes (for make bench and make eval)."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Collection

import psutil

ROOT = Path(__file__).resolve().parents[2]


def tree_rss_mb(process: psutil.Process) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total / 1e6


def tree_pss_mb(process: psutil.Process) -> float:
    """Proportional set size of a process and all its descendants, in MB: a page shared by n of
    them counts 1/n in each (Linux only; 0 elsewhere). Summed resident sizes count a page that
    forked workers share with their parent once per process, so they overstate what the tree
    needs; this is what it occupies."""
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += getattr(p.memory_full_info(), "pss", 0)
        except psutil.Error:
            pass
    return total / 1e6


def stage_rss_mb(process: psutil.Process, stages: Collection[str], cache: dict[tuple[int, float], str | None]) -> dict[str, float]:
    """Resident memory (MB) of a process tree by pipeline stage: each process counts for the stage
    named on the command line of the nearest of it and its ancestors that runs ``-m pipeline``
    (worker processes included). ``cache`` remembers each process's stage between samples."""
    def stage(p: psutil.Process) -> str | None:
        for q in [p, *p.parents()]:
            command = q.cmdline()
            if "pipeline" in command and "-m" in command:
                return next((a for a in command if a in stages), None)
        return None

    totals: dict[str, float] = {}
    for p in process.children(recursive=True):
        try:
            key = (p.pid, p.create_time())  # a pid is reused in a long run: by another stage's process
            if cache.get(key) is None:  # not yet known: before its exec, a stage's process is make's shell
                cache[key] = stage(p)
            if cache[key] is not None:
                totals[cache[key]] = totals.get(cache[key], 0.0) + p.memory_info().rss / 1e6
        except psutil.Error:
            pass
    return totals


def timed(command: list[str], cwd: Path = ROOT, watch: Path | None = None, changes: list[float] | None = None,
          stage_peaks: dict[str, float] | None = None, pss_peak: list[float] | None = None,
          log: Path | None = None) -> tuple[float, float, str]:
    """Run ``command``; return (seconds, peak RSS of its process tree in MB, its output),
    sampling memory every 50 ms. Exits with the command's output if it fails. With ``watch``,
    appends to ``changes`` the seconds at which that file was replaced, each time it was. With
    ``stage_peaks`` (stage name -> MB, its keys the stages to look for), records each stage's
    peak (:func:`stage_rss_mb`). With ``pss_peak``, appends the tree's peak
    :func:`tree_pss_mb` (sampled every 0.5 s: reading it costs more). With ``log``, writes the
    output there, each line after the seconds at which it came: when each stage started and ended,
    and so which ran side by side."""
    def stamp() -> int | None:
        return watch.stat().st_mtime_ns if watch is not None and watch.exists() else None

    last = stamp()
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "TQDM_DISABLE": "1"})
    peak = 0.0
    handle = psutil.Process(process.pid)
    output: list[str] = []
    arrived: list[float] = []

    def read() -> None:
        for line in process.stdout:
            output.append(line)
            arrived.append(time.perf_counter() - start)

    reader = threading.Thread(target=read)
    reader.start()
    stage_cache: dict[tuple[int, float], str | None] = {}
    pss, samples = 0.0, 0
    while process.poll() is None:
        try:
            peak = max(peak, tree_rss_mb(handle))
            if pss_peak is not None and samples % 10 == 0:
                pss = max(pss, tree_pss_mb(handle))
            samples += 1
            if stage_peaks is not None:
                for name, mb in stage_rss_mb(handle, stage_peaks.keys(), stage_cache).items():
                    stage_peaks[name] = max(stage_peaks[name], mb)
        except psutil.Error:
            pass
        if watch is not None and changes is not None and stamp() != last:
            last = stamp()
            changes.append(time.perf_counter() - start)
        time.sleep(0.05)
    reader.join()
    seconds = time.perf_counter() - start
    if log is not None:
        log.write_text("".join(f"{t:8.1f} {line}" for t, line in zip(arrived, output)), encoding="utf-8")
    if pss_peak is not None:
        pss_peak.append(pss)
    if watch is not None and changes is not None and stamp() != last:  # written after the last poll
        changes.append(seconds)
    if process.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{''.join(output)[-5000:]}")
    return seconds, peak, "".join(output)
