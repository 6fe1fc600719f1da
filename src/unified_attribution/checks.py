"""The checks the library's entry points apply to their arguments, in one wording.

A count, a size, a seed or an index is a *whole number*: a Python ``int`` or a numpy integer,
never a ``bool`` (``True`` is 1 to Python, never meant as a count) and never a float, not
even ``2.0`` (a float count is usually a computed value gone wrong). :func:`is_whole` tests
that; :func:`whole_number` also checks the range and raises a ValueError that names the
argument, the range and what was given. :func:`real_number` does the same for a real
option, and :func:`as_tensor` turns an array-like argument into a tensor or says what kind
of object it was and what to pass instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # annotations only
    import torch


def is_whole(value: object) -> bool:
    """Whether ``value`` is an int or a numpy integer, and not a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def whole_number(
    value: object, name: str, minimum: int | None = None, maximum: int | None = None, hint: str = ""
) -> int:
    """``value`` as an int if it is a whole number (:func:`is_whole`) in ``minimum`` ..
    ``maximum`` (either bound may be None); a ValueError naming ``name`` otherwise, with
    ``hint`` (what to do) appended."""
    if is_whole(value) and (minimum is None or value >= minimum):
        if maximum is None or value <= maximum:
            return int(value)
    bounds = (
        f" in {minimum} .. {maximum}"
        if minimum is not None and maximum is not None
        else (
            f" >= {minimum}"
            if minimum is not None
            else (f" <= {maximum}" if maximum is not None else "")
        )
    )
    raise ValueError(f"{name} must be a whole number{bounds}, got {value!r}{hint}")


def real_number(value: object, name: str, hint: str = "") -> float:
    """``value`` as a float if it is a finite real number (int, float or numpy number, not a
    bool or a string); a ValueError naming ``name`` otherwise."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )
    if not ok or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite real number, got {value!r}{hint}")
    return float(value)


def as_tensor(value: object, name: str, dtype: "torch.dtype | None" = None) -> "torch.Tensor":
    """``value`` (a tensor, a numpy array, a pandas DataFrame or Series, a number or a nested
    list of numbers) as a torch tensor; a TypeError that names ``name`` for anything else (a
    list of tensors, a model, None, strings)."""
    import torch

    if hasattr(value, "to_numpy") and not isinstance(value, torch.Tensor):  # pandas
        try:
            value = value.to_numpy(dtype=float, copy=True)  # a copy torch may write to
        except (TypeError, ValueError) as err:
            raise TypeError(
                f"{name} is a table with values that are not numbers ({err}): encode or "
                "impute those columns first"
            ) from None
    if isinstance(value, (list, tuple)) and any(isinstance(v, torch.Tensor) for v in value):
        raise TypeError(
            f"{name} is a {type(value).__name__} of tensors: stack them into one tensor "
            f"first (torch.stack({name}))"
        )
    if value is None or not isinstance(
        value, (torch.Tensor, np.ndarray, list, tuple, int, float, np.number)
    ):
        raise TypeError(
            f"{name} must be a tensor, a numpy array or a table of numbers; got "
            f"{type(value).__name__}"
        )
    try:
        return torch.as_tensor(value, dtype=dtype)
    except (TypeError, ValueError, RuntimeError) as err:
        raise TypeError(f"{name} could not be read as numbers: {err}") from None
