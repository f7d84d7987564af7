"""Progress of a long step, one way for every stage: a live bar in a terminal, or whole lines.

``make topics`` runs two stages side by side, and two live bars in one terminal overwrite each
other's line. So a bar is drawn only when the stage has the terminal to itself (stderr is a
terminal and no parallel make runs it); otherwise the progress is written as whole lines, each
starting with the step's name ("lda: train"), at most every :data:`LINE_SECONDS`.
TQDM_DISABLE=1 turns both off.
"""
from __future__ import annotations

import os
import sys
from typing import Any, Iterable

from tqdm import tqdm

LINE_SECONDS = 15.0  # between two progress lines: a long step says where it is a few times a minute
_LINE_FORMAT = "{desc}: {percentage:3.0f}% ({n_fmt}/{total_fmt} {unit}), {elapsed} so far, about {remaining} left"
_LINE_FORMAT_OPEN = "{desc}: {n_fmt} {unit} so far ({elapsed})"  # no total known


class _ProgressLines(tqdm):
    """tqdm that writes each update as a line of its own (tqdm's documented way to change how
    progress is shown is to override ``display``)."""

    def display(self, msg: str | None = None, pos: int | None = None) -> None:
        if msg == "" or self.n == 0:  # tqdm clearing its line, or the step only starting
            return
        self.fp.write((msg if msg is not None else self.__str__()).strip() + "\n")
        self.fp.flush()


def _bars_allowed() -> bool:
    if not sys.stderr.isatty():
        return False
    flags = os.environ.get("MAKEFLAGS", "")
    return "--jobserver" not in flags  # under make -j another stage may be drawing in the same terminal


def progress(iterable: Iterable | None = None, *, total: float | None = None, desc: str, unit: str = "it",
             unit_scale: bool = False) -> tqdm:
    """A tqdm progress meter for a step named ``desc`` ("stage: step"): used as tqdm is (iterate,
    ``update``, ``with``)."""
    options: dict[str, Any] = {"total": total, "desc": desc, "unit": unit, "unit_scale": unit_scale}
    if os.environ.get("TQDM_DISABLE"):
        return tqdm(iterable, disable=True, **options)
    if _bars_allowed():
        return tqdm(iterable, **options)
    known = total is not None or (iterable is not None and hasattr(iterable, "__len__"))
    return _ProgressLines(iterable, file=sys.stderr, mininterval=LINE_SECONDS, maxinterval=LINE_SECONDS * 4,
                          bar_format=_LINE_FORMAT if known else _LINE_FORMAT_OPEN, leave=False, **options)
