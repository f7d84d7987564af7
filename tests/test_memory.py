"""Freed memory goes back to the system where the allocator keeps it (glibc)."""
from __future__ import annotations

import numpy as np
import psutil
import pytest

from pipeline.memory import _malloc_trim, release_freed_memory


@pytest.mark.skipif(_malloc_trim() is None, reason="not glibc: its allocator returns memory itself")
def test_arrays_freed_in_the_heap_leave_the_process():
    """As counting's blocks do: mid-size arrays made after a larger one was freed come from the
    heap, and stay resident when freed until the heap is trimmed."""
    process = psutil.Process()
    large = np.ones(16 << 20, dtype=np.uint8)
    del large  # freeing it raises glibc's mmap threshold to its size
    blocks = [np.ones(4 << 20, dtype=np.uint8) for _ in range(50)]  # 200 MB in the heap
    pin = np.ones(1 << 16, dtype=np.uint8)  # above them: the heap's top cannot just shrink
    del blocks
    held = process.memory_info().rss
    release_freed_memory()
    assert held - process.memory_info().rss > 100 << 20
    del pin
