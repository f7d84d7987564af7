"""Giving memory a process has freed back to the system.

glibc's malloc serves arrays below its mmap threshold (which rises to 32 MB once a larger array
is freed) from the heap, and pages freed there stay part of the process until it ends. Counting a
gigabyte of tokens in blocks of a few MB each left the blocks resident after they were copied
into one matrix (867 MB resident after counting, 469 MB with the heap trimmed), and the lda stage
held them through training.
"""
from __future__ import annotations

import functools
from typing import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        import ctypes

        trim = ctypes.CDLL(None).malloc_trim  # the C library the interpreter runs on
        trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
        return trim
    except (ImportError, OSError, TypeError, AttributeError):  # not glibc (macOS, Windows, musl): nothing to do
        return None


def release_freed_memory() -> None:
    """Return the heap's whole free pages to the system (glibc's ``malloc_trim(0)``, which since
    glibc 2.8 releases them anywhere in the heap, not only at its top); elsewhere, nothing."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
