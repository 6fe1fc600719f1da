"""Benchmark: SASANet's one-pass attribution against post-hoc Shapley estimators run on
SASANet itself, at equal error.

The game is SASANet's own value function v_x(S) = f_c(x_S) with each subset read in the
order of the feature indices (one deterministic value per subset; "masking" = dropping
features from the input set). The reference is its exact Shapley values (all 2^n subsets).
Per test row of the book's SASANet (default configuration, seed 0) of every dataset with at
most 13 features (the predicted class of a multiclass model):

- SASANet: ``attribute`` (one forward pass of the Shapley module), time per row;
- shapiq's KernelSHAP (pairing trick) and permutation sampling (``PermutationSamplingSV``)
  on the same game at growing budgets (model evaluations, up to 2^n), time per row;

all timed in the same run, alternately, best of ``--repeat``. Errors are RMSE / sd of the
exact values. Reported: the error-against-time curves, and for each estimator the smallest
budget whose error is at most SASANet's, with its time ratio to SASANet (the paper claims
"faster and more precise"; issue target: >= 100x at equal or better error).

Results go to ``benchmarks/results/sasanet_cost.json``. Run with ``make benchmark``.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import torch
from timing import best_of  # benchmarks/ is on the path when a script runs

RESULTS = Path(__file__).resolve().parent / "results" / "sasanet_cost.json"
BUDGETS = (32, 64, 128, 256, 512, 1024, 2048, 4096)
DATASETS = ("synthetic", "fair", "randhie", "diabetes", "wine")  # n <= 13: exact enumeration


def measure(name: str, rows: int, repeat: int, profile: str) -> dict:
    """The error-against-time curves of one dataset's SASANet (book default, seed 0)."""
    from attribution_book import comparison, sasanet_runs

    model = sasanet_runs.trained(name, profile=profile)
    *_, X_test, _ = sasanet_runs.dataset(name)
    X = X_test[:rows]
    n = X.shape[1]
    budgets = [b for b in BUDGETS if b < 2**n] + [2**n]  # 2^n evaluations are exact

    sasanet_error, sasanet_time = [], []
    curves = {label: {b: [[], []] for b in budgets} for label in comparison.POSTHOC}
    for x, output in zip(X, comparison.explained_output(model, X)):
        game = comparison.value_game(model, x, int(output))
        reference = model.exact_shapley(x, output=int(output), fixed_order=True)  # the game's
        scale = reference.std()
        seconds, _ = best_of(repeat, lambda: model.attribute(x[None]))
        sasanet_time.append(seconds)
        own = comparison.own_attribution(model, x[None])[0]
        sasanet_error.append(float(np.sqrt(np.mean((own - reference) ** 2)) / scale))
        for budget in budgets:
            for label in comparison.POSTHOC:
                seconds, values = best_of(
                    repeat, lambda: comparison.posthoc_estimator(label, n).approximate(budget, game)
                )
                estimate = np.array([values[(i,)] for i in range(n)])
                curves[label][budget][0].append(seconds)
                curves[label][budget][1].append(
                    float(np.sqrt(np.mean((estimate - reference) ** 2)) / scale)
                )

    own = {
        "seconds per row": float(np.median(sasanet_time)),
        "error (RMSE / sd)": float(np.median(sasanet_error)),
    }
    estimators = {}
    for label, by_budget in curves.items():
        points = [
            {
                "budget": b,
                "seconds per row": float(np.median(t)),
                "error (RMSE / sd)": float(np.median(e)),
            }
            for b, (t, e) in by_budget.items()
        ]
        matching = [p for p in points if p["error (RMSE / sd)"] <= own["error (RMSE / sd)"]]
        first = matching[0] if matching else None
        estimators[label] = {
            "curve": points,
            "first budget at SASANet's error": first,
            "time ratio to SASANet": (first["seconds per row"] / own["seconds per row"])
            if first
            else None,
        }
    return {"features": n, "SASANet": own, "estimators": estimators}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10, help="test rows explained per dataset")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", default="full")
    parser.add_argument("--datasets", nargs="*", default=list(DATASETS))
    args = parser.parse_args()
    torch.set_num_threads(1)

    results = {}
    for name in args.datasets:
        results[name] = measure(name, args.rows, args.repeat, args.profile)
        own = results[name]["SASANet"]
        print(
            f"{name} ({results[name]['features']} features): SASANet one pass "
            f"{own['seconds per row'] * 1e3:.2f} ms per row, error {own['error (RMSE / sd)']:.3f} of sd"
        )
        for label, info in results[name]["estimators"].items():
            first = info["first budget at SASANet's error"]
            print(
                f"  {label:22s} "
                + (
                    f"reaches it at budget {first['budget']}, "
                    f"{info['time ratio to SASANet']:.1f}x SASANet's time"
                    if first
                    else "never reaches it"
                )
            )
    out = {
        "machine": platform.platform(),
        "date": time.strftime("%Y-%m-%d"),
        "torch threads": 1,
        "rows": args.rows,
        "repeat": args.repeat,
        "datasets": results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2))
    print(f"written {RESULTS}")


if __name__ == "__main__":
    main()
