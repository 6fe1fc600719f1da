"""Benchmark: SASANet's one-pass attribution against post-hoc Shapley estimators run on
SASANet itself, at equal error.

The game is SASANet's own value function v_x(S) = f_c(x_S) with each subset read in the
order of the feature indices (one deterministic value per subset; "masking" = dropping
features from the input set). The reference is its exact Shapley values (all 2^n subsets).
Per test row of the wine model (13 features, the predicted class):

- SASANet: ``attribute`` (one forward pass of the Shapley module), time per row;
- shapiq's KernelSHAP (pairing trick) and permutation sampling (``PermutationSamplingSV``)
  on the same game at growing budgets (model evaluations), time per row;

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
from pathlib import Path

import numpy as np
import torch
from timing import best_of  # benchmarks/ is on the path when a script runs

RESULTS = Path(__file__).resolve().parent / "results" / "sasanet_cost.json"
BUDGETS = (32, 64, 128, 256, 512, 1024, 2048, 4096)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10, help="test rows explained")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", default="full")
    args = parser.parse_args()
    torch.set_num_threads(1)

    from shapiq.approximator import KernelSHAP, PermutationSamplingSV

    from unified_attribution import games, sasanet

    model = sasanet.trained("wine", profile=args.profile)
    *_, X_test, _ = sasanet.dataset("wine")
    X = X_test[:args.rows]
    outputs = model.predict(X)
    n = X.shape[1]
    masks = ((np.arange(2 ** n)[:, None] >> np.arange(n)[None, :]) & 1).astype(bool)

    def game_for(x, output):
        def game(coalitions: np.ndarray) -> np.ndarray:
            rows = np.repeat(x[None], len(coalitions), axis=0)
            return model.value(rows, np.asarray(coalitions, dtype=bool), fixed_order=True)[:, output]
        return game

    exact, sasanet_error, sasanet_time = [], [], []
    curves = {"KernelSHAP": {b: [[], []] for b in BUDGETS}, "permutation sampling": {b: [[], []] for b in BUDGETS}}
    for x, output in zip(X, outputs):
        game = game_for(x, int(output))
        reference = games.Effects.from_values(game(masks)).shapley()
        exact.append(reference)
        scale = reference.std()
        seconds, (_, phi) = best_of(args.repeat, lambda: model.attribute(x[None]))
        sasanet_time.append(seconds)
        sasanet_error.append(float(np.sqrt(np.mean((phi[0, :, output] - reference) ** 2)) / scale))
        for budget in BUDGETS:
            for label, make in (("KernelSHAP", lambda: KernelSHAP(n, pairing_trick=True, random_state=0)),
                                ("permutation sampling", lambda: PermutationSamplingSV(n, random_state=0))):
                seconds, values = best_of(args.repeat, lambda: make().approximate(budget, game))
                estimate = np.array([values[(i,)] for i in range(n)])
                curves[label][budget][0].append(seconds)
                curves[label][budget][1].append(float(np.sqrt(np.mean((estimate - reference) ** 2)) / scale))

    sasanet_summary = {"seconds per row": float(np.median(sasanet_time)),
                       "error (RMSE / sd)": float(np.median(sasanet_error))}
    estimators = {}
    for label, by_budget in curves.items():
        points = [{"budget": b, "seconds per row": float(np.median(t)), "error (RMSE / sd)": float(np.median(e))}
                  for b, (t, e) in by_budget.items()]
        matching = [p for p in points if p["error (RMSE / sd)"] <= sasanet_summary["error (RMSE / sd)"]]
        first = matching[0] if matching else None
        estimators[label] = {"curve": points, "first budget at SASANet's error": first,
                             "time ratio to SASANet": (first["seconds per row"] / sasanet_summary["seconds per row"])
                             if first else None}
    result = {"machine": platform.platform(), "torch threads": 1, "rows": len(X), "features": n,
              "repeat": args.repeat, "SASANet": sasanet_summary, "estimators": estimators}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    print(f"SASANet one pass: {sasanet_summary['seconds per row'] * 1e3:.2f} ms per row, "
          f"error {sasanet_summary['error (RMSE / sd)']:.3f} of sd (median over {len(X)} rows)")
    for label, info in estimators.items():
        for p in info["curve"]:
            print(f"  {label:22s} budget {p['budget']:5d}: {p['seconds per row'] * 1e3:8.2f} ms, "
                  f"error {p['error (RMSE / sd)']:.3f}")
        first = info["first budget at SASANet's error"]
        if first:
            print(f"  {label}: SASANet's error reached at budget {first['budget']}, "
                  f"{info['time ratio to SASANet']:.0f}x SASANet's time")
        else:
            print(f"  {label}: SASANet's error not reached up to budget {BUDGETS[-1]}")
    print(f"written {RESULTS}")


if __name__ == "__main__":
    main()
