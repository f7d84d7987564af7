"""A stand-in for `python -m pipeline`, for tests of the Makefile's dependencies.

Called as the Makefile calls the pipeline (`--output DIR [--jobs N] <stage> [options]`), it
appends the stage's name to $STAND_IN_LOG and touches the stage's target (and nothing else),
so Make's own logic, stamps included, runs for real while each stage costs milliseconds. With
$STAND_IN_SPANS set, it also lasts $STAND_IN_SECONDS and appends "stage start end" there.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from pipeline.artifacts import STAGES


def main(argv: list[str]) -> None:
    output = Path(argv[argv.index("--output") + 1])
    stage = next((arg for arg in argv if arg in STAGES), None)
    if stage is None:  # a command that is not a stage (leftovers): nothing to stand in for
        return
    started = time.time()
    time.sleep(float(os.environ.get("STAND_IN_SECONDS", 0)))
    with open(os.environ["STAND_IN_LOG"], "a", encoding="utf-8") as log:
        log.write(stage + "\n")
    target = STAGES[stage].target.at(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.touch()
    if "STAND_IN_SPANS" in os.environ:
        with open(os.environ["STAND_IN_SPANS"], "a", encoding="utf-8") as spans:
            spans.write(f"{stage} {started} {time.time()}\n")


if __name__ == "__main__":
    main(sys.argv[1:])
