"""Fidelity by masking: drop the top-k features of a ranking from SASANet's input set and
measure the score drop and the change of the prediction (the paper's masking experiment
and the reviewers' measure)."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..explained import explained_output, on_explained
from .models import as_output, headline, prediction_metrics


def drop_top(ranking: np.ndarray, k: int) -> np.ndarray:
    """Masks (N, n) observing every feature except the k first of each row's ``ranking``
    (N, n) of feature indices, most important first."""
    ranking = np.asarray(ranking)
    if not 0 <= k <= ranking.shape[1]:
        raise ValueError(f"k must be between 0 and {ranking.shape[1]}, got {k}")
    mask = np.ones(ranking.shape, dtype=bool)
    np.put_along_axis(mask, ranking[:, :k], False, axis=1)
    return mask


def masking_curve(
    model, X, y, rankings: np.ndarray, ks=range(0, 6), orders: int | None = None
) -> list[dict]:
    """Drop the top-k features of ``rankings`` from SASANet's input set (no baseline value:
    the features are simply not observed) and report, per k, the test score of the masked
    predictions and the mean absolute change of the explained output (the logit of a binary
    model, the predicted class's logit of a multiclass one, the value of a regression) as a
    share of mean |v_x(N) - v_x(empty)|.

    Predictions are the value function v_x(S) = f_c(x_S) read in index order, the game the
    post-hoc estimators explain, or averaged over ``orders`` random orders of S; k = 0 is
    v_x(N), which differs from the output f(x) = b + sum_i Phi_i(x) by the Shapley module's
    error (see :func:`output_gap`)."""
    task = model.config.task
    target = explained_output(model, X)

    def value(mask):
        if orders is None:
            return model.value(X, mask, fixed_order=True)
        return model.value(X, mask, orders=orders)

    full = value(np.ones(X.shape, dtype=bool))
    empty = value(np.zeros(X.shape, dtype=bool))
    spread = float(np.mean(np.abs(on_explained(full - empty, target))))
    curve = []
    for k in ks:
        masked = value(drop_top(rankings, k))
        curve.append(
            {
                "k": int(k),
                **prediction_metrics(task, y, as_output(task, masked)),
                "prediction change": float(
                    np.mean(np.abs(on_explained(masked - full, target))) / spread
                ),
            }
        )
    return curve


def output_gap(model, X) -> float:
    """mean |f(x) - v_x(N)| / mean |v_x(N) - v_x(empty)| on the explained output: how far the
    model's output (Shapley module) is from its value function on the full set."""
    target = explained_output(model, X)
    full = model.value(X, np.ones(X.shape, dtype=bool), fixed_order=True)
    empty = model.value(X, np.zeros(X.shape, dtype=bool), fixed_order=True)
    return float(
        np.mean(np.abs(on_explained(model.decision_function(X) - full, target)))
        / np.mean(np.abs(on_explained(full - empty, target)))
    )


def ranking(attributions: np.ndarray) -> np.ndarray:
    """Feature indices of each row by decreasing |attribution| (ties by index)."""
    return np.argsort(-np.abs(np.asarray(attributions)), axis=1, kind="stable")


def subset_scores(model, X, y, sizes: Sequence[int], seed: int = 0) -> dict[int, float]:
    """The headline test score (:func:`headline`) of SASANet's predictions from random
    subsets of each size k in ``sizes`` (one subset per row, drawn uniformly; k = 0 is the
    prior, v(empty)), read from its value function in index order: how well a prediction
    from k observed features fits the label (the subset-prediction loss L_v's purpose)."""
    X = np.asarray(X)
    n = X.shape[1]
    bad = [k for k in sizes if not 0 <= int(k) <= n]
    if bad:
        raise ValueError(f"subset sizes must lie in 0..{n}, got {bad}")
    rng = np.random.default_rng(seed)
    task = model.config.task
    out = {}
    for k in sizes:
        order = np.argsort(rng.random(X.shape), axis=1)
        mask = np.zeros(X.shape, dtype=bool)
        np.put_along_axis(mask, order[:, : int(k)], True, axis=1)
        f = model.value(X, mask, fixed_order=True)
        out[int(k)] = prediction_metrics(task, y, as_output(task, f))[headline(task)[0]]
    return out


def mean_change(curve: list[dict]) -> float:
    """Mean prediction change of a masking curve over k >= 1."""
    return float(np.mean([p["prediction change"] for p in curve if p["k"] > 0]))


def mean_score_drop(curve: list[dict], task: str) -> float:
    """Mean loss of the headline score of a masking curve over k >= 1 against k = 0
    (positive: dropping the features made the predictions worse)."""
    name, sign = headline(task)
    start = next(p[name] for p in curve if p["k"] == 0)
    return float(np.mean([sign * (start - p[name]) for p in curve if p["k"] > 0]))
