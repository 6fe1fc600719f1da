"""What the timing benchmarks share (a run's provenance: attribution_book.cluster.provenance)."""

from __future__ import annotations

import time


def best_of(repeat: int, fn):
    """(the shortest of ``repeat`` wall-clock times of ``fn()``, its last result)."""
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out
