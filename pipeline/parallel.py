"""One ordered map over worker processes, with one interrupt policy, for every stage.

A task is a picklable callable object; whatever it needs (a tokenizer, texts, a dictionary) it
holds or builds lazily on first call, once per worker. With ``fork`` the workers inherit the
task from the parent without pickling it, so large read-only data (a corpus's texts) is shared.

- Results come back in input order, so outputs never depend on the number of jobs.
- A bounded window of chunks is in flight: memory stays flat however long the input.
- Workers ignore SIGINT: Ctrl-C reaches the whole process group, and the parent alone handles
  it (one message, no worker tracebacks); leaving the pool terminates the workers.
"""
from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
from collections import deque
from itertools import islice
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_JOBS = os.cpu_count() or 1  # --jobs / JOBS=: all cores unless told otherwise

_TASK: Callable | None = None  # the task of this worker process (set before forking, or by _init)


def _init(task: Callable | None) -> None:
    global _TASK
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if task is not None:  # spawn: the task arrives pickled
        _TASK = task


def _run_chunk(chunk: list) -> list:
    return [_TASK(item) for item in chunk]


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of ``size`` items (the last shorter) from a stream."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def ordered_map(task: Callable[[T], R], items: Iterable[T], jobs: int, chunksize: int = 1,
                window: int = 4) -> Iterator[R]:
    """``map(task, items)`` in ``jobs`` processes, results in input order.

    ``chunksize`` items travel together (fewer, larger messages for small items); at most
    ``window * jobs`` chunks are in flight.
    """
    global _TASK
    if jobs <= 1:
        yield from map(task, items)
        return
    method = "fork" if os.name == "posix" else "spawn"
    context = multiprocessing.get_context(method)
    _TASK = task
    gc.freeze()  # the garbage collector would touch (and so copy) every inherited page
    try:
        with context.Pool(jobs, initializer=_init, initargs=(None if method == "fork" else task,)) as pool:
            in_flight: deque = deque()
            for chunk in chunks(items, chunksize):
                in_flight.append(pool.apply_async(_run_chunk, (chunk,)))
                if len(in_flight) >= window * jobs:
                    yield from in_flight.popleft().get()
            while in_flight:
                yield from in_flight.popleft().get()
    finally:
        _TASK = None
        gc.unfreeze()


class Workers:
    """A ``map(function, items)`` (a list, in input order) over ``jobs`` processes kept for a
    block (:func:`worker_map`), for many small parallel steps in a row (each chunk's E-step);
    ``Workers()`` maps in this process alone. This process computes the first item while
    ``jobs - 1`` workers compute the others: it would only wait for them, and its item needs
    no pickling. Callers that split work read ``jobs`` to make as many items as processes."""

    def __init__(self, jobs: int = 1, pool=None):
        self.jobs, self._pool = (jobs, pool) if pool is not None else (1, None)

    def map(self, function: Callable[[T], R], items: Iterable[T]) -> list[R]:
        items = list(items)
        if self._pool is None or len(items) < 2:
            return list(map(function, items))
        there = self._pool.map_async(function, items[1:])  # items must not share memory function changes
        return [function(items[0]), *there.get()]


@contextlib.contextmanager
def worker_map(jobs: int) -> Iterator[Workers]:
    """:class:`Workers` over ``jobs`` processes for the block. ``function`` must be picklable
    (module level); the items travel by pickle, so the workers are fresh processes from a fork
    server (``spawn`` where there is none), not copies of this one: they hold none of its
    memory, and this process may fork others meanwhile."""
    if jobs <= 1:
        yield Workers()
        return
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    with multiprocessing.get_context(method).Pool(jobs - 1, initializer=_init, initargs=(None,)) as pool:
        yield Workers(jobs, pool)
