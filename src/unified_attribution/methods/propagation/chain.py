"""Chains of layers for the propagation methods: which layers are supported, the chain of
a model (``nn.Sequential`` or traced), and the linear map of a layer with any weight.

Supported layers: Linear, Conv2d, ReLU, Tanh, Sigmoid, MaxPool2d, AvgPool2d,
AdaptiveAvgPool2d, Flatten, Dropout (eval mode), Identity, applied in a chain
(:func:`layers` checks that).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

LINEAR = (nn.Linear, nn.Conv2d)
POOLING = (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d)
ELEMENTWISE = (
    nn.ReLU,
    nn.Tanh,
    nn.Sigmoid,
)  # activations; LRP passes relevance through them, as captum
PASS_THROUGH = (nn.Flatten, nn.Dropout, nn.Identity)
SUPPORTED = LINEAR + POOLING + ELEMENTWISE + PASS_THROUGH


class UnsupportedModel(ValueError):
    """The model has a layer or an operation the propagation methods cannot handle."""


def _supported_names() -> str:
    return ", ".join(t.__name__ for t in SUPPORTED)


def layers(model: nn.Module) -> list[nn.Module]:
    """The layers ``model`` applies, in order. An ``nn.Sequential`` (nested ones included) is
    read directly; any other module is traced with torch.fx and must be a chain of module
    calls. Raises :class:`UnsupportedModel` naming the module or operation for a layer
    outside the supported set, a module applied twice, or an operation applied inline."""
    if isinstance(model, nn.Sequential):
        chain = []
        for child in model:
            chain += layers(child) if isinstance(child, nn.Sequential) else [child]
    elif isinstance(model, SUPPORTED):
        chain = [model]
    else:
        chain = _traced_chain(model)
    seen: dict[int, int] = {}
    for position, layer in enumerate(chain):
        if not isinstance(layer, SUPPORTED):
            raise UnsupportedModel(
                f"layer {position} ({type(layer).__name__}) is not supported by the "
                f"propagation methods; supported layers: {_supported_names()}. Use a "
                f"gradient or perturbation method for this model"
            )
        if id(layer) in seen:
            raise UnsupportedModel(
                f"layer {position} ({layer}) is the same module object as layer "
                f"{seen[id(layer)]}: propagation rules need one module per use; create a "
                f"new module for each place it is applied"
            )
        seen[id(layer)] = position
    return chain


def _traced_chain(model: nn.Module) -> list[nn.Module]:
    import torch.fx

    try:
        graph = torch.fx.symbolic_trace(model).graph
    except Exception as err:  # data-dependent control flow and the like
        raise UnsupportedModel(
            f"{type(model).__name__}.forward could not be traced ({err}); the propagation "
            f"methods need a chain of layers, e.g. an nn.Sequential"
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
            what = getattr(node.target, "__name__", str(node.target))
            raise UnsupportedModel(
                f"{type(model).__name__}.forward applies {what!r} ({node.op} {node.name}) "
                f"outside a chain of modules; the propagation methods only see modules "
                f"applied one after another: make it a module (e.g. nn.ReLU(), nn.Flatten()) "
                f"and apply the modules in sequence"
            )
    return chain


def affine_map(layer: nn.Module, a: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """The layer's linear map (Linear, Conv1d, Conv2d) with ``weight`` in place of its own,
    without bias; a convolution keeps its padding mode (zeros, reflect, replicate, circular)."""
    if isinstance(layer, nn.Linear):
        return F.linear(a, weight)
    return layer._conv_forward(a, weight, None)


def plus(t: torch.Tensor) -> torch.Tensor:
    return t.clamp(min=0)


def minus(t: torch.Tensor) -> torch.Tensor:
    return t.clamp(max=0)
