"""Where the book's long jobs run: Dask distributed (the seed sweep, the benchmarks' loops).

By default a local cluster of single-threaded worker processes, one per core (two busy
threads per process on a two-core machine spin-wait and run many times slower); given an
address (or :data:`SCHEDULER_ENV`), an existing cluster, whose workers have this package
installed. Every job is retried once on failure; failures are reported by name once the
rest has finished.
"""

from __future__ import annotations

import os
from typing import Callable, Sequence

#: An existing scheduler's address (e.g. tcp://10.0.0.5:8786), used when none is given.
SCHEDULER_ENV = "UNIFIED_ATTRIBUTION_SCHEDULER"


def one_thread() -> None:
    """One BLAS and one torch thread in this process (run on every worker)."""
    os.environ["OMP_NUM_THREADS"] = "1"
    os.environ["MKL_NUM_THREADS"] = "1"
    import torch

    torch.set_num_threads(1)


def client(scheduler: str | None = None, workers: int | None = None, timeout: str = "10s"):
    """A Dask client on ``scheduler`` (default: :data:`SCHEDULER_ENV`), or on a new local
    cluster of ``workers`` single-threaded processes (default: one per core); every worker
    runs :func:`one_thread`. An address that does not answer within ``timeout`` is a
    ConnectionError naming it."""
    from distributed import Client, LocalCluster

    scheduler = scheduler or os.environ.get(SCHEDULER_ENV) or None
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if scheduler:
        try:
            found = Client(scheduler, timeout=timeout)
        except (OSError, TimeoutError) as err:
            raise ConnectionError(
                f"no Dask scheduler answers at {scheduler!r} ({err}); start one (dask "
                f"scheduler) or leave the address and {SCHEDULER_ENV} unset for a local cluster"
            ) from None
    else:
        os.environ.setdefault("OMP_NUM_THREADS", "1")  # the worker processes inherit it
        cluster = LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            dashboard_address=None,
        )
        found = Client(cluster)
    found.run(one_thread)
    return found


def gather(
    dask_client, function: Callable, jobs: Sequence, what: str, progress: bool = True, done: int = 0
) -> tuple[list, list]:
    """``function(job)`` for every job on the cluster, each retried once, with a progress bar
    ``what`` (starting at ``done`` jobs finished before); returns (the results in the order of
    ``jobs``, None where a job failed; the failures as (job, exception))."""
    from distributed import as_completed
    from tqdm.auto import tqdm

    futures = [dask_client.submit(function, job, retries=1, pure=False) for job in jobs]
    index = {f.key: i for i, f in enumerate(futures)}
    results, failures = [None] * len(jobs), []
    with tqdm(total=len(jobs) + done, initial=done, desc=what, disable=not progress) as bar:
        for future in as_completed(futures):
            job = jobs[index[future.key]]
            if future.status == "error":
                failures.append((job, future.exception()))
                bar.write(f"FAILED {what} {job!r} (after one retry)")
            else:
                results[index[future.key]] = future.result()
            bar.update(1)
    return results, failures


def map_jobs(
    dask_client, function: Callable, jobs: Sequence, what: str, progress: bool = True
) -> list:
    """:func:`gather` for jobs that must all succeed: the results in the order of ``jobs``;
    if any job still fails, RuntimeError names each failed job and its error, after the
    others have finished."""
    results, failures = gather(dask_client, function, jobs, what, progress)
    if failures:
        listed = "\n".join(f"  {job!r}: {type(e).__name__}: {e}" for job, e in failures)
        raise RuntimeError(f"{what}: {len(failures)} of {len(jobs)} jobs failed:\n{listed}")
    return results


def provenance() -> dict:
    """Where and when a run was made: machine, CPU model, torch build, commit, date (training
    is bit-identical only on the same CPU and torch build, so every stored run names them)."""
    import platform
    import subprocess
    import time
    from pathlib import Path

    import torch

    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        commit = ""
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        cpu = platform.processor()
    return {
        "machine": platform.platform(),
        "cpu": cpu or "unknown",
        "torch": torch.__version__,
        "commit": commit or "unknown",
        "date": time.strftime("%Y-%m-%d"),
    }
