"""The checks the library's entry points apply to their arguments, in one wording.

A count, a size, a seed or an index is a *whole number*: a Python ``int`` or a numpy integer,
never a ``bool`` (``True`` is 1 to Python, never meant as a count) and never a float, not
even ``2.0`` (a float count is usually a computed value gone wrong). :func:`is_whole` tests
that; :func:`whole_number` also checks the range and raises a ValueError that names the
argument, the range and what was given.
"""

from __future__ import annotations

import numpy as np


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
