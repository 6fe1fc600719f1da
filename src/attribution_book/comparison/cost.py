"""What an explanation costs: rows to break even on training, the power-law tail of a
training curve, and the cost benchmark's time ratios and batch sizes."""

from __future__ import annotations

import numpy as np


def break_even(training_seconds: float, own_per_row: float, rival_per_row: float) -> float:
    """Rows to explain before ``training_seconds`` spent up front pay off against a rival
    costing ``rival_per_row`` seconds per row: training / (rival - own); inf if the rival is
    not slower."""
    if training_seconds < 0 or own_per_row < 0 or rival_per_row < 0:
        raise ValueError("seconds must be >= 0")
    saved = rival_per_row - own_per_row
    return training_seconds / saved if saved > 0 else float("inf")


def power_law_tail(seconds, errors) -> tuple[float, float]:
    """(slope, intercept) of log error against log seconds, least squares over the second
    half of a training curve: error ~ exp(intercept) * seconds^slope there. A slope >= 0
    means more training of that kind stopped lowering the error."""
    seconds, errors = np.asarray(seconds, dtype=float), np.asarray(errors, dtype=float)
    if seconds.shape != errors.shape or len(seconds) < 4:
        raise ValueError(
            f"need matching curves of at least 4 points, got {seconds.shape}, {errors.shape}"
        )
    if (seconds <= 0).any() or (errors <= 0).any():
        raise ValueError("seconds and errors must be > 0 (a log-log fit)")
    tail = slice(len(seconds) // 2, None)
    slope, intercept = np.polyfit(np.log(seconds[tail]), np.log(errors[tail]), 1)
    return float(slope), float(intercept)


def seconds_to_reach(seconds, errors, target: float) -> float:
    """Training seconds at which the :func:`power_law_tail` of a curve reaches ``target``
    error; inf if the tail is flat or rising (an extrapolation, stated as one)."""
    slope, intercept = power_law_tail(seconds, errors)
    if slope >= 0:
        return float("inf")
    return float(np.exp((np.log(target) - intercept) / slope))


def time_ratio(estimator: dict, batch: int) -> float | None:
    """An estimator's seconds per row at SASANet's error over SASANet's at ``batch`` rows per
    call, from the cost benchmark (None: it never reaches SASANet's error)."""
    ratios = {int(b): r for b, r in estimator["time ratio to SASANet"].items()}
    if batch not in ratios:
        raise ValueError(f"no batch size {batch} in the cost benchmark; it has {sorted(ratios)}")
    return ratios[batch]


def cheapest_batch(own: dict) -> int:
    """The batch size at which SASANet's measured time per row is lowest (``own``: the cost
    benchmark's "SASANet" entry, with "seconds per row" by batch size)."""
    per_row = {int(b): t for b, t in own["seconds per row"].items()}
    if not per_row:
        raise ValueError("the cost benchmark measured no batch size")
    return min(per_row, key=per_row.get)
