"""SASANet's settings, validated on creation: :class:`Config`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..checks import real_number, whole_number

TASKS = ("binary", "multiclass", "regression")
LOSSES = ("m", "v", "p", "s")


@dataclass(frozen=True)
class Config:
    """Architecture and training of a SASANet; ``weights`` are lambda_m, lambda_v, lambda_p,
    lambda_s (0 switches a loss off: the ablations)."""

    task: str = "binary"
    width: int = 32
    heads: int = 4
    layers: int = 2
    weights: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)
    epochs: int = 100
    batch_size: int = 64
    learning_rate: float = 3e-3
    weight_decay: float = 1e-5
    patience: int = 20
    validation: float = 0.2  # share of the training rows held out when no X_val is given
    categorical: dict = field(default_factory=dict)  # feature index -> number of categories
    shapley_orders: int = 1  # orders per row whose contributions L_s averages into its target
    snapshot_every: int = 0  # keep the weights every this many epochs (0: never), see snapshots_
    seed: int = 0

    def __post_init__(self):
        positive = {
            "width": self.width,
            "heads": self.heads,
            "layers": self.layers,
            "batch_size": self.batch_size,
            "patience": self.patience,
            "shapley_orders": self.shapley_orders,
        }
        for name, value in positive.items():
            whole_number(value, name, 1)
        whole_number(self.epochs, "epochs", 1)
        whole_number(self.snapshot_every, "snapshot_every", 0, hint=" (0: keep no snapshots)")
        whole_number(self.seed, "seed", 0)
        if self.width % self.heads:
            raise ValueError(f"width ({self.width}) must be a multiple of heads ({self.heads})")
        real_number(self.learning_rate, "learning_rate")
        real_number(self.weight_decay, "weight_decay")
        if not self.learning_rate > 0 or self.weight_decay < 0:
            raise ValueError(
                f"learning_rate must be > 0 and weight_decay >= 0, got "
                f"{self.learning_rate}, {self.weight_decay}"
            )
        if not 0 <= self.validation < 1:
            raise ValueError(
                f"validation is the share of training rows held out, in [0, 1); got "
                f"{self.validation}"
            )
        if (
            len(self.weights) != len(LOSSES)
            or not all(isinstance(w, (int, float)) and math.isfinite(w) for w in self.weights)
            or min(self.weights) < 0
        ):
            raise ValueError(
                f"weights are the {len(LOSSES)} loss weights (m, v, p, s), each a finite "
                f"number >= 0; "
                f"got {self.weights}"
            )
