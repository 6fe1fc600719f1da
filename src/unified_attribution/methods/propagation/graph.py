"""A model as a graph of operations, for the propagation methods.

:func:`trace` reads ``model.forward`` with torch.fx: every module call, function and tensor
method becomes a node; modules that ``table`` knows (and ``torch.nn``'s own) are
single nodes, other modules are traced into, so residual sums, concatenations, functional
activations and one module object used at several places are all seen as they are; the
attention modules are read through their traceable forms (``rewrites``). A BatchNorm
in eval mode right after a Linear or a convolution whose output feeds nothing else is folded
into that layer (``torch.nn.utils.fusion``): in eval mode it is part of the same affine map,
and the rules that read the signs of the weights (alpha-beta, z^+, z^B, RevealCancel) must
see the weights the network applies, as zennit's canonizers also do. Any other BatchNorm is
the affine map y = s x + t it is in eval mode.

:func:`forward` evaluates the graph out of place (in-place operations such as
``ReLU(inplace=True)`` or ``x.add_(y)`` are evaluated as their out-of-place twins) and keeps
the output of every node; ``steps`` sweeps back over it. Within :func:`watching`, the output
on the watched input is kept, so :func:`~unified_attribution.attribute` needs no forward pass
of its own for f(x) (the folded graph's output equals the model's up to rounding).

A trace is kept per model (weakly) and reused while the model's modules, their plain
attributes (modes, flags), its parameters and buffers (and their in-place versions) and the
rules table stay the same: tracing costs about as much as a forward pass of a small ResNet.
"""

from __future__ import annotations

import copy
import itertools
import operator
import os
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import torch
import torch.fx as fx
from torch import nn
from torch.fx.operator_schemas import normalize_function
from torch.nn.utils.fusion import fuse_conv_bn_eval, fuse_linear_bn_eval

from . import rewrites, table
from .chain import LinearMap, UnsupportedModel

_NOT_USERS = (os.path.dirname(torch.__file__), __file__)  # frames a message does not name
_OUT_OF_PLACE = {
    operator.iadd: operator.add,
    operator.isub: operator.sub,
    operator.imul: operator.mul,
}
HELP = (
    "Use a gradient or perturbation method on this model (Gradient x Input, Integrated "
    "Gradients, Occlusion, Prediction Difference, Shapley value)"
)


@dataclass
class Traced:
    """``model`` as torch.fx traced it: its ``graph`` (BatchNorms folded, see the module's
    text) and the ``fused`` layers that replace a folded pair, by node name."""

    model: nn.Module
    graph: fx.Graph
    fused: dict[str, nn.Module]

    @property
    def input(self) -> fx.Node:
        return next(n for n in self.graph.nodes if n.op == "placeholder")

    @property
    def output(self) -> fx.Node:
        return next(n for n in self.graph.nodes if n.op == "output")

    def module(self, node: fx.Node) -> nn.Module | None:
        """The module a ``call_module`` node applies (the fused one after folding)."""
        if node.op != "call_module":
            return None
        return self.fused.get(node.name) or self.model.get_submodule(node.target)


class _Tracer(fx.Tracer):
    """torch.fx's tracer, with every module type the rules table names kept whole, and the
    attention modules read through their traceable forms (``rewrites``)."""

    def is_leaf_module(self, module: nn.Module, qualified_name: str) -> bool:
        known = table.lookup(type(module)) or table.refusal(type(module))
        return bool(known) or super().is_leaf_module(module, qualified_name)

    def call_module(self, module, forward, args, kwargs):
        form = rewrites.REWRITES.get(type(module))
        if form is not None and table.lookup(type(module)) is None:
            return form(module, *args, **kwargs)
        return super().call_module(module, forward, args, kwargs)


_TRACES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model -> (state, graph, fused)
_PLAIN = (bool, int, float, str, type(None))


def _state(model: nn.Module, fold: bool) -> tuple:
    """What a trace of ``model`` depends on (a trace is reused while this stays equal)."""
    modules = tuple(
        (id(m), type(m), tuple((k, v) for k, v in vars(m).items() if isinstance(v, _PLAIN)))
        for m in model.modules()
    )
    tensors = tuple(
        (id(t), t._version) for t in itertools.chain(model.parameters(), model.buffers())
    )
    return fold, table.fingerprint(), modules, tensors


def trace(model: nn.Module, fold: bool = True) -> Traced:
    """``model``'s graph (with ``fold``, BatchNorms folded into the layer before them)."""
    if not isinstance(model, nn.Module):
        raise UnsupportedModel(
            f"the propagation methods need a torch nn.Module to trace, got {type(model).__name__}. "
            + HELP
        )
    state = _state(model, fold)
    kept = _TRACES.get(model)
    if kept is not None and kept[0] == state:
        return Traced(model, kept[1], kept[2])
    traced = _trace(model, fold)
    if traced.model is model:  # not a wrapper holding the model (the cache's key stays weak)
        _TRACES[model] = (state, traced.graph, traced.fused)
    return traced


def _trace(model: nn.Module, fold: bool) -> Traced:
    tracer = _Tracer()
    tracer.record_stack_traces = True
    if type(model) in rewrites.REWRITES:  # the root's own forward is not a module call
        model = _Whole(model)
    try:
        graph = tracer.trace(model)
    except Exception as err:  # data-dependent control flow and the like
        raise UnsupportedModel(
            f"{type(model).__name__}.forward could not be traced by torch.fx ({type(err).__name__}: "
            f"{err}); the propagation methods read the model as a graph of operations, and "
            f"branches on the values of a tensor cannot be read so. {HELP}, or register the "
            f"module that branches as one node with its kind: propagation.register_rule(MyModule, "
            f"'elementwise')"
        ) from err
    if sum(n.op == "placeholder" for n in graph.nodes) == 0:
        raise UnsupportedModel(f"{type(model).__name__}.forward takes no input. " + HELP)
    traced = Traced(model, graph, {})
    if fold:
        _fold_batch_norms(traced)
    return traced


class _Whole(nn.Module):
    """A model whose own type has a traceable form, as the one submodule ``model``."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x)


def _fold_batch_norms(traced: Traced) -> None:
    for node in list(traced.graph.nodes):
        module = traced.module(node)
        if not isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)) or module.training:
            continue
        before = node.args[0] if node.args else None
        layer = traced.module(before) if isinstance(before, fx.Node) else None
        if len(getattr(before, "users", ())) != 1 or not isinstance(
            layer, (nn.Linear, nn.Conv1d, nn.Conv2d)
        ):
            continue
        if layer.training or module.running_mean is None:
            continue
        fuse = fuse_linear_bn_eval if isinstance(layer, nn.Linear) else fuse_conv_bn_eval
        traced.fused[before.name] = fuse(layer, module)
        node.replace_all_uses_with(before)
        traced.graph.erase_node(node)


def layer(traced: Traced, node: fx.Node, values: dict) -> nn.Module | LinearMap:
    """The layer with weights a ``linear`` node applies: its module (BatchNorm folded in),
    or the weights of a functional ``F.linear``."""
    module = traced.module(node)
    if module is not None:
        return module
    named = settings(node)
    weight, bias = named["weight"], named.get("bias")
    return LinearMap(
        values.get(weight, weight), values.get(bias, bias) if bias is not None else None
    )


def settings(node: fx.Node) -> dict:
    """A functional node's arguments by name (torch.fx.operator_schemas)."""
    return normalize_function(
        node.target, node.args, node.kwargs, normalize_to_only_use_kwargs=True
    ).kwargs


def where(traced: Traced, node: fx.Node) -> str:
    """The node as a message names it: module type and path, or the function, and the line
    of forward that applies it."""
    if node.op == "call_module":
        what = f"{table.label(type(traced.model.get_submodule(node.target)))} {node.target!r}"
    else:
        what = repr(table.label(node.target if node.op == "call_function" else str(node.target)))
    frames = [line.strip() for line in (node.stack_trace or "").splitlines()]
    lines = [
        f"{os.path.basename(frames[k].split(chr(34))[1])}:{frames[k].split('line ')[1].split(',')[0]}: "
        + frames[k + 1]
        for k in range(len(frames) - 1)
        if frames[k].startswith("File ") and not any(d in frames[k] for d in _NOT_USERS)
    ]
    if lines:  # the innermost line, and the model's own line that led there (through a rewrite)
        outer = [line for line in lines if not line.startswith("rewrites.py")]
        inner = lines[-1] + (f", in {outer[-1]}" if outer and outer[-1] != lines[-1] else "")
        return f"{what} (node {node.name}, {inner})"
    return f"{what} (node {node.name})"


def call(traced: Traced, node: fx.Node) -> Callable:
    """The node's operation, out of place."""
    if node.op == "call_module":
        module = traced.module(node)
        if getattr(module, "inplace", False):
            module = copy.copy(module)
            module.inplace = False
        return module
    if node.op == "call_function":
        return _OUT_OF_PLACE.get(node.target, node.target)
    name = str(node.target)
    if name.endswith("_") and hasattr(torch.Tensor, name[:-1]):
        name = name[:-1]
    return lambda self, *args, **kwargs: getattr(self, name)(*args, **kwargs)


def evaluate(traced: Traced, node: fx.Node, values: dict, replace: dict | None = None) -> object:
    """The node's output from the ``values`` of its inputs (``replace``: other values for some)."""
    chosen = {**values, **(replace or {})}
    args = fx.node.map_arg(node.args, chosen.__getitem__)
    kwargs = dict(fx.node.map_arg(node.kwargs, chosen.__getitem__))
    if kwargs.get("inplace"):
        kwargs["inplace"] = False
    return call(traced, node)(*args, **kwargs)


def forward(traced: Traced, x: torch.Tensor, leaf: fx.Node | None = None) -> dict:
    """Every node's output on ``x`` (the first input; others take their defaults). ``leaf``:
    that node's output is detached and requires grad (Grad-CAM's feature map)."""
    values: dict = {}
    for node in traced.graph.nodes:
        if node.op == "placeholder":
            if node is traced.input:
                values[node] = x
            elif node.args:
                values[node] = node.args[0]
            else:
                raise UnsupportedModel(
                    f"{type(traced.model).__name__}.forward takes a second input, {node.name!r}, "
                    f"with no default; the methods explain models of one input tensor"
                )
        elif node.op == "get_attr":
            values[node] = operator.attrgetter(str(node.target))(traced.model)
        elif node.op == "output":
            values[node] = fx.node.map_arg(node.args[0], values.__getitem__)
        else:
            values[node] = evaluate(traced, node, values)
        if node is leaf:
            values[node] = values[node].detach().requires_grad_()
    watched = _WATCHED.get()
    if watched is not None and "output" not in watched[1]:
        out = values[traced.output]
        if (
            x.shape == watched[0].shape
            and isinstance(out, torch.Tensor)
            and torch.equal(x.detach(), watched[0])
        ):
            watched[1]["output"] = out.detach()
    return values


_WATCHED: ContextVar = ContextVar("watched", default=None)


@contextmanager
def watching(x: torch.Tensor) -> Iterator[dict]:
    """Within the block, the first graph evaluated on exactly ``x`` (same shape and values)
    leaves its output there under ``"output"``: the model's output (with BatchNorms folded,
    up to rounding, as f(b) on one row differs from f(b) in a batch)."""
    seen: dict = {}
    token = _WATCHED.set((x.detach(), seen))
    try:
        yield seen
    finally:
        _WATCHED.reset(token)


def floating(value: object) -> bool:
    """A floating-point tensor, or a tuple or list holding one."""
    if isinstance(value, (tuple, list)):
        return any(floating(v) for v in value)
    return isinstance(value, torch.Tensor) and value.is_floating_point()
