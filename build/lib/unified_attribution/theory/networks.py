"""Hand-set networks: ordinary torch layers with weights written out, in float64.

The probes (:mod:`unified_attribution.theory.probes`), the chapters' worked examples and the tests
build their small networks here, so that "ReLU(x_1 - x_2 / 2)" reads the same everywhere.
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn


def linear(rows: Sequence[Sequence[float]], bias: float | Sequence[float] = 0.0) -> nn.Linear:
    """nn.Linear (float64) with the given weight rows (outputs x inputs) and ``bias``: one
    number for every output, or one per output."""
    weight = torch.as_tensor(rows, dtype=torch.float64)
    if weight.dim() != 2:
        raise ValueError(
            f"rows must be a matrix (outputs x inputs), got shape {tuple(weight.shape)}"
        )
    layer = nn.Linear(weight.shape[1], weight.shape[0]).double()
    with torch.no_grad():
        layer.weight.copy_(weight)
        layer.bias.copy_(torch.as_tensor(bias, dtype=torch.float64).expand(weight.shape[0]))
    return layer


def one_hidden(
    rows: Sequence[Sequence[float]],
    bias: float | Sequence[float],
    head: Sequence[float] | Sequence[Sequence[float]],
    activation: type[nn.Module] = nn.ReLU,
    head_bias: float | Sequence[float] = 0.0,
) -> nn.Sequential:
    """head . activation(W x + bias) + head_bias: one hidden layer with the weight rows W,
    a fresh ``activation`` module and a linear head (one output per row of ``head``; a flat
    ``head`` is one output)."""
    head = torch.as_tensor(head, dtype=torch.float64)
    return nn.Sequential(
        linear(rows, bias), activation(), linear(head.reshape(-1, head.shape[-1]), head_bias)
    )
