"""What an autograded answer is compared with: the instructor's value, within a stated
tolerance, or a property the answer must have.

The autograder's tests (written by :mod:`attribution_book.bookbuild.assignment`) call
:func:`close` or one of :data:`CHECKS` on the student's variable; both are tested here
rather than in the generated tests.
"""

from __future__ import annotations

from typing import Callable

import numpy as np


def as_numbers(value: object) -> list | float:
    """``value`` as plain numbers (JSON-ready): a number, an array, a pandas Series or
    DataFrame, a dict (its values, in key order) or a list; None becomes NaN."""
    if value is None:
        return float("nan")
    if isinstance(value, dict):
        return [as_numbers(value[k]) for k in sorted(value, key=str)]
    if hasattr(value, "to_numpy"):  # pandas
        value = value.to_numpy()
    if isinstance(value, (list, tuple)):
        return [as_numbers(v) for v in value]
    array = np.asarray(value, dtype=float)
    return array.tolist() if array.ndim else float(array)


def close(answer: object, expected: object, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    """Whether ``answer`` equals ``expected`` element by element within ``atol + rtol *
    |expected|`` (NaN matches NaN: an estimator that never reached a target), with the same
    shape. An answer that cannot be read as numbers (``...``, text) is not close."""
    try:
        got = np.asarray(as_numbers(answer), dtype=float)
    except (TypeError, ValueError):
        return False
    want = np.asarray(as_numbers(expected), dtype=float)
    return got.shape == want.shape and bool(
        np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
    )


def rescale_and_ig_disagree(model: object) -> bool:
    """Property of Ex. ex-rescale-depth: at x = (1, 1), baseline 0, output 0, DeepLIFT Rescale
    and Integrated Gradients (2,048 Gauss-Legendre nodes) give some input scores of opposite
    signs (each at least 1e-6 away from zero)."""
    import torch

    from unified_attribution import attribute

    try:
        x = torch.ones(1, 2, dtype=torch.float64)
        rescale = attribute("deeplift_rescale", model, x, 0.0, target=0).scores[0]
        path = attribute("integrated_gradients", model, x, 0.0, target=0, n_steps=2048).scores[0]
    except Exception:  # noqa: BLE001 - a model the methods cannot run is no answer
        return False
    clear = (rescale.abs() > 1e-6) & (path.abs() > 1e-6)
    return bool(((rescale * path < 0) & clear).any())


#: Properties an answer can be graded by, instead of a value: name -> check(answer).
CHECKS: dict[str, Callable[[object], bool]] = {
    "rescale_and_ig_disagree": rescale_and_ig_disagree,
}
