"""What an amortized explainer returns: Shapley values of each row from one forward pass.

:class:`ShapleyEstimate` is the result of :meth:`unified_attribution.sasanet.SASANet.attribute`
and :meth:`unified_attribution.fastshap.FastSHAP.attribute`. It carries what shapiq's
``InteractionValues`` carries where it applies to a first-order explanation (values, the
baseline value, whether estimated, the evaluations spent), so the amortized explainers and
the sampling estimators compare like with like.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from .aliases import ArrayLike


@dataclass(frozen=True)
class ShapleyEstimate:
    """phi_0 + sum_i phi_i(x) = f(x), row by row.

    ``values``: phi, (N, n) or, for a model with K outputs, (N, n, K). ``baseline_value``:
    phi_0, (N,) or (N, K): the value of the empty coalition (SASANet: its output with no
    feature observed, the bias b; FastSHAP: v(x, empty)). ``output``: f(x), the value of the
    grand coalition, same shape as ``baseline_value``. ``estimated``: True for both
    explainers: neither enumerates coalitions (SASANet's values depart from the exact Shapley
    values of its own output by its Shapley error). ``budget``: evaluations of the explained
    model per row at attribution time (SASANet 0: it explains itself; FastSHAP 2: v(x, N) and
    v(x, empty)); the training's evaluations are not counted here. ``explainer``: its name.

    Unpacking it as ``phi_0, phi`` (what ``SASANet.attribute`` returned) and reading it as an
    array (what ``FastSHAP.attribute`` returned) still work for one release, with a warning."""

    explainer: str
    values: np.ndarray
    baseline_value: np.ndarray
    output: np.ndarray
    budget: int
    estimated: bool = True

    @property
    def gap(self) -> np.ndarray:
        """The efficiency gap per row (and output), phi_0 + sum_i phi_i - f(x); zero when
        the values add up to the output."""
        return self.baseline_value + self.values.sum(axis=1) - self.output

    def at(self, outputs: ArrayLike) -> np.ndarray:
        """phi for one output per row, (N, n): ``outputs[k]`` picks row k's output of a
        model with several (values (N, n, K)); values of a single-output model are returned
        as they are."""
        if self.values.ndim == 2:
            return self.values
        outputs = np.asarray(outputs)
        if outputs.shape != (len(self.values),):
            raise ValueError(
                f"outputs must name one output per row ({len(self.values)}), got shape "
                f"{outputs.shape}"
            )
        return self.values[np.arange(len(self.values)), :, outputs]

    def __iter__(self) -> Iterator[np.ndarray]:
        warnings.warn(
            f"{self.explainer}.attribute returns a ShapleyEstimate: read .baseline_value and "
            ".values instead of unpacking (phi_0, phi); unpacking goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return iter((self.baseline_value, self.values))

    def __array__(self, dtype: object = None, copy: object = None) -> np.ndarray:
        warnings.warn(
            f"{self.explainer}.attribute returns a ShapleyEstimate: read .values instead of "
            "using it as an array; that goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return np.asarray(self.values, dtype=dtype)
