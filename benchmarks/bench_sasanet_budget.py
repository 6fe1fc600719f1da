"""Benchmark: SASANet's attribution error against its training budget (a frontier of error
against training seconds), to give the reconstruction a fair chance before judging it.

For every dataset with at most 13 features and every setting of ``SETTINGS`` (width of the
transformers, orders per row averaged into L_s's target), one SASANet is trained for twice
the book's epochs without early stopping, keeping its weights every tenth of the run
(``snapshot_every``). At each snapshot: the error of phi against the exact Shapley values of
the model's own value function read in index order (RMSE / sd, on the first ``--rows`` test
rows; the same measure as ``bench_sasanet_cost.py``) and the training seconds so far (the
run's seconds times the share of its epochs). The book's default (width 32, one order,
early stopping) is measured the same way from its cached model.

The rule for replacing the book's default is ``sasanet_runs.choose_setting``: a point of a
curve must cost at most ``MAX_COST`` times the default's training seconds and have a lower
error than the default's on every dataset; of those, the lowest median relative error. Jobs
run two at a time, one thread each, like ``bench_comparison.py``. Results go to
``benchmarks/results/sasanet_budget.json``, read by the chapter "SASANet against baselines".
Run with ``make benchmark``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from attribution_book import cluster

RESULTS = Path(__file__).resolve().parent / "results" / "sasanet_budget.json"
DATASETS = ("fair", "randhie", "diabetes", "wine")  # real, n <= 13: exact enumeration
SETTINGS = tuple(
    {"width": width, "shapley_orders": orders} for width in (16, 32, 64) for orders in (1, 4)
)
MAX_COST = 2.0  # a new default may cost at most this many times today's training time
SNAPSHOTS = 10


def _error(model, X) -> float:
    """RMSE / sd of phi against the exact Shapley values of v_x read in index order."""
    from attribution_book import sasanet_runs

    return sasanet_runs.normalized_rmse(*sasanet_runs.phi_and_exact(model, X, fixed_order=True))


def _default(job):
    from attribution_book import sasanet_runs

    dataset, rows = job
    model = sasanet_runs.trained(dataset)
    *_, X_test, _ = sasanet_runs.dataset(dataset)
    return {
        "dataset": dataset,
        "setting": "default",
        "epochs": model.epochs_,
        "seconds": model.fit_seconds_,
        "error": _error(model, X_test[:rows]),
    }


def _curve(job):
    from attribution_book import sasanet_runs

    dataset, setting, rows = job
    book_epochs = sasanet_runs.EXPERIMENTS[dataset][1]["epochs"]
    epochs = 2 * book_epochs
    model = sasanet_runs.trained(
        dataset,
        epochs=epochs,
        patience=epochs,
        snapshot_every=epochs // SNAPSHOTS,
        **setting,
    )
    *_, X_test, _ = sasanet_runs.dataset(dataset)
    points = []
    for k, (trained_epochs, _) in enumerate(model.snapshots_):
        points.append(
            {
                "epochs": trained_epochs,
                "epochs / book's": trained_epochs / book_epochs,
                "seconds": model.fit_seconds_ * trained_epochs / model.epochs_,
                "error": _error(model.at_snapshot(k), X_test[:rows]),
            }
        )
    return {"dataset": dataset, "setting": setting, "points": points}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=None, help="local workers (default: cores)")
    parser.add_argument(
        "--scheduler",
        default=None,
        help="an existing Dask scheduler's address (default: a local cluster)",
    )
    parser.add_argument("--rows", type=int, default=10, help="test rows whose error is measured")
    parser.add_argument("--datasets", nargs="*", default=list(DATASETS))
    args = parser.parse_args()
    start = time.perf_counter()
    jobs = [(d, s, args.rows) for s in reversed(SETTINGS) for d in args.datasets]
    with cluster.client(args.scheduler, args.jobs) as pool:
        workers = len(pool.scheduler_info()["workers"])
        defaults = {
            r["dataset"]: r
            for r in cluster.map_jobs(
                pool, _default, [(d, args.rows) for d in args.datasets], "defaults"
            )
        }
        curves = cluster.map_jobs(pool, _curve, jobs, "curves")
    from attribution_book import sasanet_runs

    chosen = sasanet_runs.choose_setting(defaults, curves, MAX_COST)
    out = {
        **cluster.provenance(),
        "jobs": workers,
        "torch threads": 1,
        "rows": args.rows,
        "seconds": time.perf_counter() - start,
        "max cost": MAX_COST,
        "defaults": defaults,
        "curves": curves,
        "chosen": chosen,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=1))
    for d, r in defaults.items():
        print(f"{d:10s} default: {r['seconds']:.0f} s, error {r['error']:.3f}")
    print(f"chosen: {chosen}")
    print(f"written {RESULTS} after {out['seconds']:.0f} s")


if __name__ == "__main__":
    main()
