"""The post-hoc rivals on SASANet's own game: shapiq's sampling estimators (KernelSHAP,
permutation sampling) one row at a time, and FastSHAP trained once for all rows."""

from __future__ import annotations

import numpy as np

from ..explained import explained_output, on_explained

POSTHOC = ("KernelSHAP", "permutation sampling")  # sampling estimators, one row at a time


def posthoc_estimator(name: str, n: int, seed: int = 0):
    """shapiq's KernelSHAP (pairing trick) or PermutationSamplingSV for n players."""
    from shapiq.approximator import KernelSHAP, PermutationSamplingSV

    if name == "KernelSHAP":
        return KernelSHAP(n, pairing_trick=True, random_state=seed)
    if name == "permutation sampling":
        return PermutationSamplingSV(n, random_state=seed)
    raise ValueError(f"estimator must be one of {', '.join(POSTHOC)}, got {name!r}")


def value_game(model, x: np.ndarray, output: int):
    """SASANet's own value function of one row as a shapiq game: boolean coalitions (M, n)
    -> v_x(S) of ``output``, each subset read in index order (one value per subset)."""

    def game(coalitions: np.ndarray) -> np.ndarray:
        values = model.value(
            np.repeat(np.asarray(x)[None], len(coalitions), axis=0),
            np.asarray(coalitions, dtype=bool),
            fixed_order=True,
        )
        return values[:, output] if values.ndim == 2 else values

    return game


def value_function(model):
    """SASANet's own value function for many rows at once, as FastSHAP takes it:
    (X (M, n), masks (M, n)) -> v_x(S) (M,) of the output each row's attribution explains,
    each subset read in index order (the game of :func:`value_game`, row by row)."""

    def value(X: np.ndarray, masks: np.ndarray) -> np.ndarray:
        values = model.value(X, np.asarray(masks, dtype=bool), fixed_order=True)
        if values.ndim == 1:
            return values
        # the explained class is a function of the row: one forward pass per distinct row
        # (FastSHAP repeats each row once per sampled mask), not one per coalition
        rows, inverse = np.unique(np.asarray(X), axis=0, return_inverse=True)
        return on_explained(values, explained_output(model, rows)[inverse.reshape(-1)])

    return value


FASTSHAP = {"hidden": (128, 128), "samples": 32, "epochs": 200, "seed": 0}


def fastshap_explainer(model, X_train):
    """FastSHAP (Jethani et al. 2022; :class:`unified_attribution.fastshap.FastSHAP`,
    options :data:`FASTSHAP`) trained on SASANet's own game (:func:`value_function`) over
    the rows of ``X_train``: the amortized post-hoc rival the paper compares with."""
    from unified_attribution.fastshap import FastSHAP

    return FastSHAP(**FASTSHAP).fit(value_function(model), X_train)


def posthoc_attribution(model, X, estimator: str, budget: int, seed: int = 0) -> np.ndarray:
    """Shapley values (N, n) of SASANet's own value function (:func:`value_game`) estimated
    by :func:`posthoc_estimator` with ``budget`` model evaluations per row."""
    n = X.shape[1]
    posthoc_estimator(estimator, n)  # an unknown name fails before any work
    budget = min(budget, 2**n)  # 2^n evaluations are already exact
    out = np.empty(X.shape, dtype=float)
    for row, (x, target) in enumerate(zip(X, explained_output(model, X))):
        estimate = posthoc_estimator(estimator, n, seed).approximate(
            budget, value_game(model, x, target)
        )
        out[row] = [estimate[(i,)] for i in range(n)]
    return out
