"""Benchmark: SASANet's one-pass attribution against post-hoc Shapley estimators run on
SASANet itself (KernelSHAP, permutation sampling, FastSHAP), at equal error and at equal
time, at the batch sizes a user meets; and where SASANet's own error comes from.

The game is SASANet's own value function v_x(S) = f_c(x_S) with each subset read in the
order of the feature indices (one deterministic value per subset; "masking" = dropping
features from the input set). The reference is its exact Shapley values (all 2^n subsets).
On the first ``--rows`` test rows of the book's SASANet (default configuration, seed 0) of
every dataset with at most 13 features (the predicted class of a multiclass model), every
error is the Shapley error: RMSE against the exact values pooled over the rows and features,
divided by the sd of the exact values (the book's Notation page; the Shapley chapter reports
the same number on the same rows):

- SASANet: ``attribute`` (one forward pass of the Shapley module); its error split into
  order inconsistency, intermediate gap and distillation (``sasanet_runs.error_decomposition``);
- FastSHAP (``unified_attribution.fastshap``): an explainer trained on SASANet's game over the
  training rows (its training seconds recorded), one forward pass plus v(N) and v(empty);
- shapiq's KernelSHAP (pairing trick) and permutation sampling on the same game at budgets
  32..2^n evaluations, one row at a time (a sampling estimator does not amortize).

Throughput: seconds per row of SASANet and FastSHAP at batch sizes ``BATCHES`` (test rows
tiled), best of ``--repeat``, timed in the same run as the estimators. (An earlier version
timed SASANet one row per call inside the estimators' loop: 1.3 ms per row, where a batch of
1,000 rows costs about 50 us per row; the fixed cost of a call dominates a single row.)
Reported: the error-against-time curves; per estimator the first budget at SASANet's error
and its time ratio to SASANet at each batch size; the error each reaches within SASANet's
time per row (none if its smallest budget already takes longer). The chapter computes the
break-even number of rows from the training seconds.

Results go to ``benchmarks/results/sasanet_cost.json``. Run with ``make benchmark``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from timing import best_of  # benchmarks/ is on the path when a script runs

from attribution_book.cluster import provenance
from attribution_book.sasanet_runs import SHAPLEY_ERROR_ROWS

RESULTS = Path(__file__).resolve().parent / "results" / "sasanet_cost.json"
BUDGETS = (32, 64, 128, 256, 512, 1024, 2048, 4096)
BATCHES = (1, 100, 10_000)
DATASETS = ("synthetic", "fair", "randhie", "diabetes", "wine")  # n <= 13: exact enumeration


def throughput(attribute, X: np.ndarray, repeat: int) -> dict[int, float]:
    """Seconds per row of ``attribute(batch)`` at each of :data:`BATCHES` (rows of X tiled)."""
    tiled = np.resize(X, (max(BATCHES), X.shape[1]))
    return {b: best_of(repeat, lambda: attribute(tiled[:b]))[0] / b for b in BATCHES}


def measure(name: str, rows: int, repeat: int, profile: str) -> dict:
    """Errors, curves and throughput on one dataset's SASANet (book default, seed 0)."""
    from attribution_book import comparison, explained, sasanet_runs

    model = sasanet_runs.trained(name, profile=profile)
    X_train, *_, X_test, _ = sasanet_runs.dataset(name)
    X = X_test[:rows]
    n = X.shape[1]
    budgets = [b for b in BUDGETS if b < 2**n] + [2**n]  # 2^n evaluations are exact
    value = comparison.value_function(model)
    explainer = comparison.fastshap_explainer(model, X_train)

    nrmse = sasanet_runs.normalized_rmse
    outputs = explained.explained_output(model, X)
    own, references = sasanet_runs.phi_and_exact(model, X, fixed_order=True)
    amortized = explainer.attribute(value, X)
    curves = {
        label: {b: [[], []] for b in budgets} for label in comparison.POSTHOC
    }  # times, estimates
    for x, output in zip(X, outputs):
        game = comparison.value_game(model, x, int(output))
        for budget in budgets:
            for label in comparison.POSTHOC:
                seconds, values = best_of(
                    repeat, lambda: comparison.posthoc_estimator(label, n).approximate(budget, game)
                )
                estimate = np.array([values[(i,)] for i in range(n)])
                curves[label][budget][0].append(seconds)
                curves[label][budget][1].append(estimate)

    one_pass = {
        "SASANet": {
            "Shapley error": nrmse(own, references),
            "evaluations per row": model.attribute(X[:1]).budget,
            "seconds per row": throughput(model.attribute, X, repeat),
            "training seconds": model.fit_seconds_,
            "error parts": sasanet_runs.error_decomposition(model, X),
        },
        "FastSHAP": {
            "Shapley error": nrmse(amortized.values, references),
            "evaluations per row": amortized.budget,
            "seconds per row": throughput(lambda B: explainer.attribute(value, B), X, repeat),
            "training seconds": explainer.fit_seconds_,
            "training evaluations": explainer.evaluations_,
            "training rows": len(X_train),
        },
    }
    own_error = one_pass["SASANet"]["Shapley error"]
    own_single = one_pass["SASANet"]["seconds per row"][1]
    estimators = {}
    for label, by_budget in curves.items():
        points = [
            {
                "budget": b,
                "seconds per row": float(np.median(t)),
                "Shapley error": nrmse(np.array(e), references),
            }
            for b, (t, e) in by_budget.items()
        ]
        first, first_fastshap = (
            next((p for p in points if p["Shapley error"] <= error), None)
            for error in (own_error, one_pass["FastSHAP"]["Shapley error"])
        )
        in_time = [p for p in points if p["seconds per row"] <= own_single]
        estimators[label] = {
            "curve": points,
            "first budget at SASANet's error": first,
            "first budget at FastSHAP's error": first_fastshap,
            "time ratio to SASANet": {
                b: first["seconds per row"] / seconds if first else None
                for b, seconds in one_pass["SASANet"]["seconds per row"].items()
            },
            "error within SASANet's time (one row)": (
                min(p["Shapley error"] for p in in_time) if in_time else None
            ),
        }
    return {"features": n, **one_pass, "estimators": estimators}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows",
        type=int,
        default=SHAPLEY_ERROR_ROWS,
        help="first test rows explained per dataset (as many as the Shapley chapter's)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed runs, best kept (>= 2)")
    parser.add_argument("--profile", default="full")
    parser.add_argument("--datasets", nargs="*", default=list(DATASETS))
    args = parser.parse_args()
    if args.repeat < 2:
        parser.error("--repeat must be at least 2: a first call pays one-off costs")
    torch.set_num_threads(1)

    from attribution_book import comparison

    start = time.perf_counter()
    results = {}
    for name in args.datasets:
        results[name] = measure(name, args.rows, args.repeat, args.profile)
        for label in ("SASANet", "FastSHAP"):
            info = results[name][label]
            print(
                f"{name} ({results[name]['features']} features): {label} Shapley error "
                f"{info['Shapley error']:.3f}, "
                + ", ".join(
                    f"{s * 1e6:.0f} us per row at {b}" for b, s in info["seconds per row"].items()
                )
            )
        for label, info in results[name]["estimators"].items():
            first = info["first budget at SASANet's error"]
            print(
                f"  {label:22s} "
                + (
                    f"reaches it at budget {first['budget']}, "
                    f"{info['time ratio to SASANet'][1]:.1f}x SASANet's time (one row)"
                    if first
                    else "never reaches it"
                )
            )
    out = {
        **provenance(),
        "seconds": round(time.perf_counter() - start),
        "torch threads": 1,
        "rows": args.rows,
        "repeat": args.repeat,
        "batches": list(BATCHES),
        "FastSHAP": {
            k: list(v) if isinstance(v, tuple) else v for k, v in comparison.FASTSHAP.items()
        },
        "datasets": results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2))
    print(f"written {RESULTS}")


if __name__ == "__main__":
    main()
