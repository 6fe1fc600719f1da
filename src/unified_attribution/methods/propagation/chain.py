"""Layers as the propagation rules see them: the error for a model they cannot explain, the
layers of a plain chain (for the chapters that name a layer by its position), and the
linear map of a layer with any weight.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

LINEAR = (nn.Linear, nn.Conv2d)  # where captum's LRP takes a rule (methods.captum_lrp)
POOLING = (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d)


class UnsupportedModel(ValueError):
    """The model has a layer or an operation the propagation methods cannot handle."""


def layers(model: nn.Module) -> list[nn.Module]:
    """The layers of a plain chain, in order: an ``nn.Sequential`` (nested ones included)
    read directly, or a module whose forward applies modules one after another (traced with
    torch.fx). For the chapters that name a layer by its position; the methods themselves run
    on any graph (``graph``)."""
    if isinstance(model, nn.Sequential):
        chain = []
        for child in model:
            chain += layers(child) if isinstance(child, nn.Sequential) else [child]
        return chain
    return _traced_chain(model)


def _traced_chain(model: nn.Module) -> list[nn.Module]:
    import torch.fx

    try:
        graph = torch.fx.symbolic_trace(model).graph
    except Exception as err:  # data-dependent control flow and the like
        raise UnsupportedModel(
            f"{type(model).__name__}.forward could not be traced ({err})"
        ) from err
    chain, previous = [], None
    for node in graph.nodes:
        if node.op == "placeholder":
            previous = node
        elif node.op == "call_module" and list(node.all_input_nodes) == [previous]:
            chain.append(model.get_submodule(node.target))
            previous = node
        elif node.op == "output":
            break
        else:
            raise UnsupportedModel(
                f"{type(model).__name__} is not a plain chain of modules (its forward applies "
                f"{node.name!r} to something other than the previous module's output), so a "
                f"position does not name one of its layers: name the layer by its module or its "
                f"dotted name (e.g. layer='layer4.1.conv2')"
            )
    return chain


@dataclass(frozen=True)
class LinearMap:
    """The weights of a functional ``F.linear(x, weight, bias)``, read as a layer."""

    weight: torch.Tensor
    bias: torch.Tensor | None = None


def affine_map(layer: nn.Module | LinearMap, a: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """The layer's linear map (Linear, Conv1d, Conv2d, :class:`LinearMap`) with ``weight`` in
    place of its own, without bias; a convolution keeps its padding mode (zeros, reflect,
    replicate, circular)."""
    if isinstance(layer, (nn.Linear, LinearMap)):
        return F.linear(a, weight)
    return layer._conv_forward(a, weight, None)


def plus(t: torch.Tensor) -> torch.Tensor:
    return t.clamp(min=0)


def minus(t: torch.Tensor) -> torch.Tensor:
    return t.clamp(max=0)
