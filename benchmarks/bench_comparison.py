"""Benchmark: SASANet against six baselines on six datasets (accuracy over seeds, training
time), and the fidelity of SASANet's self-attribution against post-hoc Shapley estimators
run on SASANet itself.

1. Tuning, the same budget for every model: each of the ``GRID_SIZE`` configurations of
   ``comparison.MODELS`` is fitted with seed 0 on the training split; the one with the best
   validation score (AUC, or RMSE for regression) is kept.
2. Accuracy: the kept configuration with seeds ``comparison.SEEDS`` (test scores, fit
   seconds, parameter counts). Splits are fixed (``sasanet_runs.dataset``); a seed changes only
   the model's own randomness (initialisation, batches, bagging, tie-breaking).
3. Fidelity: on the first ``--rows`` test rows, the top 1..5 features ranked by SASANet's
   phi, by shapiq's KernelSHAP and permutation sampling (``--budget`` evaluations of
   SASANet's own value function per row), by FastSHAP (``comparison.fastshap_explainer``,
   trained on that game over the training rows) and at random are dropped from SASANet's input set
   (kept configuration, seed 0); the score and the change of the prediction per k.

Jobs run on Dask (``attribution_book.cluster``: a local cluster of ``--jobs`` single-threaded
workers, or ``--scheduler ADDRESS``), each retried once; SASANets are cached like the book's
(``sasanet_runs.trained``), so a second run only re-fits the baselines. Results go to
``benchmarks/results/comparison.json``, which the chapter "SASANet against baselines" reads.
Run with ``make benchmark`` (17 minutes on two cores in the last run).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from attribution_book import cluster

RESULTS = Path(__file__).resolve().parent / "results" / "comparison.json"


def _fit(job):
    import warnings

    from attribution_book import comparison

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn convergence chatter; scores tell the story
        return comparison.fit_and_score(*job)


def _fidelity(job):
    from attribution_book import comparison, explained, sasanet_runs

    dataset, config, rows, budget = job
    model = sasanet_runs.trained(dataset, seed=0, **config)
    *_, X_test, y_test = sasanet_runs.dataset(dataset)
    X, y = X_test[:rows], y_test[:rows]
    attributions = {"SASANet": explained.own_attribution(model, X)}
    for estimator in comparison.POSTHOC:
        attributions[estimator] = comparison.posthoc_attribution(model, X, estimator, budget)
    X_train, *_ = sasanet_runs.dataset(dataset)
    explainer = comparison.fastshap_explainer(model, X_train)
    attributions["FastSHAP"] = explainer.attribute(comparison.value_function(model), X).values
    rankings = {name: comparison.ranking(a) for name, a in attributions.items()}
    rankings["random"] = np.random.default_rng(0).permuted(
        np.tile(np.arange(X.shape[1]), (len(X), 1)), axis=1
    )
    agreement = {
        name: float(np.mean(rankings[name][:, 0] == rankings["SASANet"][:, 0]))
        for name in (*comparison.POSTHOC, "FastSHAP", "random")
    }
    return dataset, {
        "curves": {name: comparison.masking_curve(model, X, y, r) for name, r in rankings.items()},
        "top-1 agreement with SASANet": agreement,
        "output gap": comparison.output_gap(model, X),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=None, help="local workers (default: cores)")
    parser.add_argument(
        "--scheduler",
        default=None,
        help="an existing Dask scheduler's address (default: a local cluster)",
    )
    parser.add_argument("--rows", type=int, default=100, help="test rows in the fidelity study")
    parser.add_argument("--budget", type=int, default=256, help="evaluations per row, post-hoc")
    parser.add_argument("--datasets", nargs="*", default=None)
    args = parser.parse_args()

    from attribution_book import comparison

    datasets = args.datasets or list(comparison.DATASETS)
    start = time.perf_counter()
    # longest first, so the two workers finish together
    order = ("sasanet", "ebm", "mlp", "lightgbm", "hist_gb", "linear", "tree")
    with cluster.client(args.scheduler, args.jobs) as pool:
        workers = len(pool.scheduler_info()["workers"])
        grid = [(d, m, c, 0) for m in order for d in datasets for c in comparison.MODELS[m].grid]
        tuning = cluster.map_jobs(pool, _fit, grid, "tuning")
        best = {
            d: {
                m: comparison.best_config(
                    [r for r in tuning if r["dataset"] == d and r["model"] == m],
                    comparison.task_of(d),
                )
                for m in order
            }
            for d in datasets
        }
        chosen = [r for r in tuning if r["config"] == best[r["dataset"]][r["model"]]]
        more = [
            (d, m, best[d][m], s) for m in order for d in datasets for s in comparison.SEEDS[1:]
        ]
        runs = chosen + cluster.map_jobs(pool, _fit, more, "seeds")
        fidelity = dict(
            cluster.map_jobs(
                pool,
                _fidelity,
                [(d, best[d]["sasanet"], args.rows, args.budget) for d in datasets],
                "fidelity",
            )
        )
    result = {
        **cluster.provenance(),
        "jobs": workers,
        "torch threads": 1,
        "seconds": time.perf_counter() - start,
        "seeds": list(comparison.SEEDS),
        "grid size": comparison.GRID_SIZE,
        "fidelity rows": args.rows,
        "fidelity budget": args.budget,
        "best": best,
        "tuning": tuning,
        "runs": runs,
        "fidelity": fidelity,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1))
    summary = comparison.summarize(runs)
    for d, by_model in summary.items():
        name, _ = comparison.headline(comparison.task_of(d))
        print(
            f"{d:14s} {name}: "
            + "  ".join(f"{m} {mean:.4f}±{sd:.4f}" for m, (mean, sd) in by_model.items())
        )
    print(f"written {RESULTS} after {result['seconds']:.0f} s")


if __name__ == "__main__":
    main()
