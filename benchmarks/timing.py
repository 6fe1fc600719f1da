"""What the benchmark scripts share."""

from __future__ import annotations

import platform
import subprocess
import time


def best_of(repeat: int, fn):
    """(the shortest of ``repeat`` wall-clock times of ``fn()``, its last result)."""
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def provenance() -> dict:
    """Where and when a benchmark ran: machine, commit (short hash) and date."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    return {"machine": platform.platform(), "commit": commit, "date": time.strftime("%Y-%m-%d")}
