"""What the benchmark scripts share."""

from __future__ import annotations

import os
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


def one_thread() -> None:
    """Worker initializer: one BLAS and one torch thread per process (jobs run side by side)."""
    os.environ["OMP_NUM_THREADS"] = "1"
    import torch

    torch.set_num_threads(1)


def run_jobs(pool, function, jobs: list, what: str) -> list:
    """``pool.map(function, jobs)`` in order, with a progress line "what: i/n (seconds)"."""
    start = time.perf_counter()
    results = []
    for i, result in enumerate(pool.map(function, jobs), 1):
        results.append(result)
        print(
            f"\r  {what}: {i}/{len(jobs)} ({time.perf_counter() - start:.0f} s)", end="", flush=True
        )
    print()
    return results
