"""The one game interface, :class:`Game`, and the simplest game, given by its values."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from ..aliases import ArrayLike
from .coalitions import players_from_length


@runtime_checkable
class Game(Protocol):
    """What :func:`harsanyi` and the values computed from dividends take: ``n`` players and
    ``values()``, v(S) for all 2**n coalitions indexed by bit mask. Implemented by
    :class:`MaskingGame` (one baseline), :class:`MarginalGame` (an average over baselines,
    Prediction Difference's imputation) and :class:`TabularGame` (values given, such as
    SASANet's own value function)."""

    n: int

    def values(self, progress: bool = False) -> np.ndarray: ...


class TabularGame:
    """A game given by its 2**n values, ``values[mask]`` = v(S)."""

    def __init__(self, values: ArrayLike):
        self._values = np.asarray(values, dtype=np.float64)
        if self._values.ndim != 1:
            raise ValueError(
                f"values must be one value per coalition, a 1-d array of length 2**n; got "
                f"shape {self._values.shape} (one game per output? build one TabularGame each)"
            )
        self.n = players_from_length(len(self._values))

    def values(self, progress: bool = False) -> np.ndarray:
        return self._values
