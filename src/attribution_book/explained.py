"""The output an attribution explains, per row, and SASANet's attribution of it.

One home for what the SASANet runs and the comparison with baselines both read: a
multiclass model's attribution explains the predicted class, a binary model's the logit, a
regression's the value.
"""

from __future__ import annotations

import numpy as np


def explained_output(model, X) -> np.ndarray:
    """The output an attribution explains per row: the predicted class of a multiclass model,
    0 otherwise (the logit of a binary model, the value of a regression)."""
    f = model.decision_function(X)
    return f.argmax(axis=1) if f.ndim == 2 else np.zeros(len(X), dtype=int)


def on_explained(values: np.ndarray, outputs: np.ndarray) -> np.ndarray:
    """Each row's explained output: column ``outputs[k]`` of row k of (N, K) values, or the
    (N,) values of a single-output model as they are."""
    return values[np.arange(len(values)), outputs] if values.ndim == 2 else values


def own_attribution(model, X) -> np.ndarray:
    """SASANet's phi (N, n) for the explained output of each row."""
    return model.attribute(X).at(explained_output(model, X))
