"""A stand-in for `python -m pipeline`, for tests of the Makefile's dependencies.

Called as the Makefile calls the pipeline (`--output DIR [--jobs N] <stage> [options]`), it
appends the stage's name to $STAND_IN_LOG and touches the stage's target (and nothing else),
so Make's own logic, stamps included, runs for real while each stage costs milliseconds.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from pipeline.artifacts import STAGES


def main(argv: list[str]) -> None:
    output = Path(argv[argv.index("--output") + 1])
    stage = next(arg for arg in argv if arg in STAGES)
    with open(os.environ["STAND_IN_LOG"], "a", encoding="utf-8") as log:
        log.write(stage + "\n")
    target = STAGES[stage].target.at(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.touch()


if __name__ == "__main__":
    main(sys.argv[1:])
