"""Freed memory goes back to the system where the allocator keeps it (glibc)."""
from __future__ import annotations

import os

import numpy as np
import pytest

from pipeline.memory import _malloc_trim, release_freed_memory


def _resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(_malloc_trim() is None, reason="not glibc: its allocator returns memory itself")
def test_arrays_freed_in_the_heap_leave_the_process():
    """As counting's blocks do: mid-size arrays made after a larger one was freed come from the
    heap, and stay resident when freed until the heap is trimmed. Every other one is freed, so
    that the freed ones lie between live ones, where only trimming can return them."""
    large = np.ones(16 << 20, dtype=np.uint8)
    del large  # freeing it raises glibc's mmap threshold to its size: 4 MB arrays come from the heap
    blocks = [np.ones(4 << 20, dtype=np.uint8) for _ in range(60)]
    del blocks[::2]  # 120 MB freed, in 4 MB holes
    held = _resident_bytes()
    release_freed_memory()
    assert held - _resident_bytes() > 60 << 20
    del blocks
