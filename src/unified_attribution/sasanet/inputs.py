"""What SASANet accepts as data: features, labels and validation labels, checked, as tensors.
Each refusal says what was wrong and what to do."""

from __future__ import annotations

import numpy as np
import torch

from ..aliases import ArrayLike
from ..checks import is_whole


def features(
    X: ArrayLike,
    categorical: dict,
    n_features: int | None = None,
    names: list[str] | None = None,
) -> torch.Tensor:
    """``X`` (rows x features; an array or a DataFrame) as float32. ``categorical``: {column:
    number of categories}, whose columns must hold integers 0..k-1. For a fitted model,
    ``n_features`` and the column ``names`` it was fitted on (a DataFrame's columns must be
    those, in that order)."""
    given = [str(c) for c in X.columns] if hasattr(X, "columns") else None
    if given is not None and names is not None and given != names:
        raise ValueError(
            f"X's columns {given} are not the columns the model was fitted on, in "
            f"order: {names}; select them as X[{names}]"
        )
    if hasattr(X, "toarray") or hasattr(X, "tocsr"):
        raise TypeError(
            "X is a sparse matrix; SASANet takes dense arrays: pass X.toarray() (it has at "
            "most 16 features, so the dense array is small)"
        )
    if np.iscomplexobj(X):
        raise ValueError("Complex data not supported: pass the real part (X.real) or split it")
    if given is not None:  # a DataFrame: name the columns that are not numbers
        bad = [c for c in X.columns if not _numeric(X[c])]
        if bad:
            raise ValueError(
                f"X's columns {bad} hold values that are not numbers (text, or missing "
                "values pd.NA): encode text as integers 0..k-1 (and list those columns in "
                "categorical=) and impute missing values first"
            )
    try:
        X = np.array(X, dtype=np.float32)  # a copy: torch needs a writable array
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"X could not be read as numbers ({err}): encode text columns as integers and "
            "impute missing values first"
        ) from None
    if X.ndim != 2:
        raise ValueError(
            f"X must be a 2-d array (samples x features), got shape {X.shape}; Reshape your "
            "data: X.reshape(1, -1) for one row, X.reshape(-1, 1) for one feature"
        )
    if X.shape[1] == 0:
        raise ValueError(f"X has 0 feature(s) (shape={X.shape}) while a minimum of 1 is required.")
    if not np.isfinite(X).all():
        rows = np.flatnonzero(~np.isfinite(X).all(axis=1))
        raise ValueError(
            f"X contains NaN or infinite values (rows {rows[:5].tolist()}...): "
            f"impute or drop them first"
        )
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(
            f"X has {X.shape[1]} features, but SASANet is expecting {n_features} features as "
            "input: pass the columns it was fitted on"
        )
    for i, k in categorical.items():
        if not (is_whole(i) and 0 <= i < X.shape[1]):
            raise ValueError(
                f"categorical names feature {i!r}, but X has features 0..{X.shape[1] - 1}: "
                "give each categorical feature by its column index"
            )
        column = X[:, int(i)]
        if (column != np.round(column)).any() or column.min() < 0 or column.max() >= k:
            raise ValueError(f"categorical feature {i} must hold integers 0..{k - 1}")
    return torch.as_tensor(X)


def _numeric(column) -> bool:
    """Whether a DataFrame column holds numbers only: no text, and no pd.NA in a nullable
    column (a float column's NaN is left to the finiteness check, which names its rows)."""
    import pandas as pd

    nullable = isinstance(column.dtype, pd.api.extensions.ExtensionDtype)
    return pd.api.types.is_numeric_dtype(column) and not (nullable and column.isna().any())


def targets(y: ArrayLike, task: str) -> tuple[torch.Tensor, int]:
    """(labels as a tensor, the number of outputs): float32 values for regression; 0/1 for a
    binary task (one output); 0..K-1, each present, for a multiclass task (K outputs)."""
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-d, got shape {y.shape}")
    if not (np.issubdtype(y.dtype, np.number) or y.dtype == bool):
        try:  # numbers stored as objects or text read as numbers
            y = y.astype(np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                f"y must hold numbers, got values like {y[:3].tolist()} ({y.dtype}): encode "
                "class labels as 0..K-1 (e.g. np.unique(y, return_inverse=True)[1])"
            ) from None
    if task == "regression":
        y = y.astype(np.float32)
        if not np.isfinite(y).all():
            raise ValueError("y contains NaN or infinite values")
        return torch.as_tensor(y), 1
    if not np.issubdtype(y.dtype, np.integer) and (y != np.round(y)).any():
        raise ValueError(
            f"a {task} task needs integer class labels, got values like {y[:3]}; "
            f"for a numeric target use task='regression'"
        )
    labels = np.unique(y)
    if task == "binary" and not set(labels.tolist()) <= {0, 1}:
        raise ValueError(
            f"a binary task needs labels 0 and 1, got {labels.tolist()[:10]}; "
            f"use task='multiclass' for more classes"
        )
    if task == "multiclass" and (
        len(labels) < 2 or not np.array_equal(labels, np.arange(len(labels)))
    ):
        raise ValueError(
            f"a multiclass task needs labels 0..K-1 with K >= 2, each present, got "
            f"{labels.tolist()[:10]}; relabel them (e.g. np.unique(y, return_inverse=True))"
        )
    n_outputs = 1 if task == "binary" else int(labels.max()) + 1
    return torch.as_tensor(y.astype(np.int64)), n_outputs


def validation_targets(y: ArrayLike, task: str, n_outputs: int) -> torch.Tensor:
    """Validation labels: any subset of the training classes (a class may be absent), never
    a class the training labels do not have."""
    if task == "regression":
        return targets(y, task)[0]
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y_val must be 1-d, got shape {y.shape}")
    classes = 2 if task == "binary" else n_outputs
    if y.size == 0:
        return torch.as_tensor(y.astype(np.int64))  # refused by fit: no validation rows
    if (y != np.round(y)).any() or y.min() < 0 or y.max() >= classes:
        unseen = sorted(set(np.unique(y).tolist()) - set(range(classes)))
        raise ValueError(
            f"y_val holds labels {unseen[:10]} that are not training classes "
            f"0..{classes - 1}; validate on the classes the model is trained on"
        )
    return torch.as_tensor(y.astype(np.int64))
