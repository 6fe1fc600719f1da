"""The models SASANet is compared with, each with the same tuning budget, and their scores.

:data:`MODELS`: SASANet and six baselines, each a grid of :data:`GRID_SIZE` configurations (the
one with the best validation score at seed 0 is kept); :func:`fit_and_score` fits one and
scores it (:func:`prediction_metrics`: AUC and accuracy for classification, RMSE for
regression). The baselines are scikit-learn's, LightGBM's and interpret's (EBM) own
estimators; nothing here re-implements a model.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .. import sasanet_runs

DATASETS = ("fair", "randhie", "breast_cancer", "diabetes", "wine", "synthetic")


SEEDS = tuple(range(10))  # as the paper: 10 runs


GRID_SIZE = 3


SELF_ATTRIBUTING = ("linear", "ebm")  # models whose prediction is a sum of feature terms


BLACK_BOXES = ("mlp", "hist_gb", "lightgbm")


@dataclass(frozen=True)
class Model:
    """A model family: ``make(task, seed, **config)`` builds an unfitted estimator."""

    label: str
    kind: str  # "self-attributing", "black box", "interpretable" or "SASANet"
    grid: tuple[dict, ...]
    make: Callable | None  # None: SASANet (trained through sasanet_runs.trained)


def _linear(task, seed, C):
    from sklearn.linear_model import LogisticRegression, Ridge

    if task == "regression":
        return Ridge(alpha=1.0 / C)
    return LogisticRegression(C=C, max_iter=2000)


def _tree(task, seed, max_depth):
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    cls = DecisionTreeRegressor if task == "regression" else DecisionTreeClassifier
    return cls(max_depth=max_depth, min_samples_leaf=5, random_state=seed)


def _mlp(task, seed, hidden):
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.preprocessing import StandardScaler

    options = dict(
        hidden_layer_sizes=hidden,
        early_stopping=True,
        max_iter=1000,
        n_iter_no_change=20,
        random_state=seed,
    )
    if task == "regression":
        return TransformedTargetRegressor(MLPRegressor(**options), transformer=StandardScaler())
    return MLPClassifier(**options)


def _hist_gb(task, seed, learning_rate, max_leaf_nodes):
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    cls = HistGradientBoostingRegressor if task == "regression" else HistGradientBoostingClassifier
    return cls(
        learning_rate=learning_rate,
        max_leaf_nodes=max_leaf_nodes,
        max_iter=500,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=20,
        random_state=seed,
    )


def _lightgbm(task, seed, learning_rate, num_leaves, n_estimators):
    """LightGBM, the paper's black box; rows and columns subsampled so the seed matters."""
    from lightgbm import LGBMClassifier, LGBMRegressor

    cls = LGBMRegressor if task == "regression" else LGBMClassifier
    return cls(
        learning_rate=learning_rate,
        num_leaves=num_leaves,
        n_estimators=n_estimators,
        subsample=0.8,
        subsample_freq=1,
        colsample_bytree=0.8,
        random_state=seed,
        n_jobs=1,
        deterministic=True,
        verbose=-1,
    )


def _ebm(task, seed, interactions, learning_rate):
    from interpret.glassbox import ExplainableBoostingClassifier, ExplainableBoostingRegressor

    cls = ExplainableBoostingRegressor if task == "regression" else ExplainableBoostingClassifier
    return cls(interactions=interactions, learning_rate=learning_rate, n_jobs=1, random_state=seed)


MODELS: dict[str, Model] = {
    "sasanet": Model("SASANet", "SASANet", ({}, {"width": 64}, {"learning_rate": 1e-3}), None),
    "linear": Model(
        "logistic / ridge regression",
        "self-attributing",
        ({"C": 0.1}, {"C": 1.0}, {"C": 10.0}),
        _linear,
    ),
    "ebm": Model(
        "explainable boosting machine",
        "self-attributing",
        (
            {"interactions": 0, "learning_rate": 0.015},
            {"interactions": 0, "learning_rate": 0.05},
            {"interactions": 10, "learning_rate": 0.015},
        ),
        _ebm,
    ),
    "tree": Model(
        "decision tree",
        "interpretable",
        ({"max_depth": 3}, {"max_depth": 5}, {"max_depth": 8}),
        _tree,
    ),
    "mlp": Model(
        "MLP", "black box", ({"hidden": (32,)}, {"hidden": (64, 64)}, {"hidden": (128, 128)}), _mlp
    ),
    "hist_gb": Model(
        "histogram gradient boosting",
        "black box",
        (
            {"learning_rate": 0.03, "max_leaf_nodes": 15},
            {"learning_rate": 0.1, "max_leaf_nodes": 31},
            {"learning_rate": 0.1, "max_leaf_nodes": 7},
        ),
        _hist_gb,
    ),
    "lightgbm": Model(
        "LightGBM",
        "black box",
        (
            {"learning_rate": 0.05, "num_leaves": 15, "n_estimators": 300},
            {"learning_rate": 0.1, "num_leaves": 31, "n_estimators": 100},
            {"learning_rate": 0.03, "num_leaves": 7, "n_estimators": 500},
        ),
        _lightgbm,
    ),
}


assert all(len(m.grid) == GRID_SIZE for m in MODELS.values()), "unequal tuning budgets"


def task_of(dataset: str) -> str:
    """ "binary", "multiclass" or "regression": the task of a dataset of :data:`DATASETS`."""
    if dataset not in sasanet_runs.EXPERIMENTS:
        raise ValueError(
            f"unknown dataset {dataset!r}; choose one of {', '.join(sasanet_runs.EXPERIMENTS)}"
        )
    return sasanet_runs.EXPERIMENTS[dataset][0]


def prediction_metrics(task: str, y, output) -> dict[str, float]:
    """Test scores of ``output``: class probabilities (N, K) for classification (AUC, binary
    or one-vs-rest macro, and accuracy), predictions (N,) for regression (RMSE)."""
    from sklearn.metrics import accuracy_score, roc_auc_score

    output, y = np.asarray(output, dtype=float), np.asarray(y)
    if not np.all(np.isfinite(output)):
        raise ValueError("the model's output holds NaN or inf; it cannot be scored")
    if task == "regression":
        return {"RMSE": float(np.sqrt(np.mean((output.reshape(len(y)) - y) ** 2)))}
    if output.ndim != 2 or len(output) != len(y):
        raise ValueError(f"classification needs probabilities of shape (N, K); got {output.shape}")
    auc = (
        roc_auc_score(y, output[:, 1])
        if output.shape[1] == 2
        else roc_auc_score(y, output, multi_class="ovr")
    )
    return {"AUC": float(auc), "accuracy": float(accuracy_score(y, output.argmax(axis=1)))}


def headline(task: str) -> tuple[str, int]:
    """The score a model is chosen and judged by, and its direction (+1: higher is better)."""
    return ("RMSE", -1) if task == "regression" else ("AUC", +1)


def n_parameters(estimator) -> int | None:
    """Weights and biases of a fitted MLP (scikit-learn) or SASANet; None otherwise."""
    inner = getattr(estimator, "regressor_", estimator)
    if hasattr(inner, "coefs_"):
        return int(sum(w.size for w in inner.coefs_) + sum(b.size for b in inner.intercepts_))
    module = getattr(estimator, "module_", None)
    if module is not None:
        return int(sum(p.numel() for p in module.parameters()))
    return None


def fit_and_score(dataset: str, model: str, config: dict, seed: int, profile: str = "full") -> dict:
    """Fit one model on the training split of ``dataset`` (SASANet: cached, see
    ``sasanet_runs.trained``), return its validation and test scores, fit seconds and size."""
    task = task_of(dataset)
    X, y, X_val, y_val, X_test, y_test = sasanet_runs.dataset(dataset)
    spec = MODELS[model]
    if spec.make is None:
        estimator = sasanet_runs.trained(dataset, profile=profile, seed=seed, **config)
        seconds = estimator.fit_seconds_
    else:
        estimator = spec.make(task, seed, **config)
        start = time.perf_counter()
        estimator.fit(X, y)
        seconds = time.perf_counter() - start

    def output(X_part):
        return (
            estimator.predict(X_part) if task == "regression" else estimator.predict_proba(X_part)
        )

    return {
        "dataset": dataset,
        "model": model,
        "config": config,
        "seed": seed,
        "validation": prediction_metrics(task, y_val, output(X_val)),
        "test": prediction_metrics(task, y_test, output(X_test)),
        "fit seconds": float(seconds),
        "parameters": n_parameters(estimator),
    }


def best_config(runs: list[dict], task: str) -> dict:
    """The configuration with the best validation score among ``runs`` (one dataset, one
    model, seed 0); ties go to the first in the grid."""
    name, sign = headline(task)
    best = max(runs, key=lambda r: sign * r["validation"][name])
    return best["config"]


def tuning_gain(tuning: list[dict]) -> dict[str, dict[str, float]]:
    """{dataset: {model: gain}}: what choosing by validation gained on the test set, the test
    headline score of the configuration with the best validation score minus that of the
    worst, signed so that a positive gain is a better score (a grid whose configurations all
    score alike gains 0)."""
    grouped: dict = {}
    for run in tuning:
        grouped.setdefault(run["dataset"], {}).setdefault(run["model"], []).append(run)
    gains: dict = {}
    for dataset, by_model in grouped.items():
        name, sign = headline(task_of(dataset))
        for model, runs in by_model.items():
            if len({r["seed"] for r in runs}) != 1:
                raise ValueError(f"{model} on {dataset}: tuning runs come from one seed each")
            ordered = sorted(runs, key=lambda r: sign * r["validation"][name])
            gain = sign * (ordered[-1]["test"][name] - ordered[0]["test"][name])
            gains.setdefault(dataset, {})[model] = float(gain)
    return gains


def as_output(task: str, f: np.ndarray) -> np.ndarray:
    """Decision values -> what :func:`prediction_metrics` takes (probabilities or predictions)."""
    if task == "regression":
        return f
    if task == "binary":
        p = 1.0 / (1.0 + np.exp(-f))
        return np.stack([1 - p, p], axis=1)
    e = np.exp(f - f.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
