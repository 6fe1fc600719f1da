"""A model as a graph of operations for the propagation methods, and the one reverse sweep
that LRP (relevance) and DeepLIFT (multipliers) both make over it.

:func:`trace` reads ``model.forward`` with torch.fx: every module call, function and tensor
method becomes a node; modules that :mod:`.table` knows (and ``torch.nn``'s own) are
single nodes, other modules are traced into, so residual sums, concatenations, functional
activations and one module object used at several places are all seen as they are. A
BatchNorm in eval mode right after a Linear or a convolution whose output feeds nothing else
is folded into that layer (``torch.nn.utils.fusion``): in eval mode it is part of the same
affine map, and the rules that read the signs of the weights (alpha-beta, z^+, z^B,
RevealCancel) must see the weights the network applies, as zennit's canonizers also do.
Any other BatchNorm is the affine map y = s x + t it is in eval mode.

:func:`forward` evaluates the graph out of place (in-place operations such as
``ReLU(inplace=True)`` or ``x.add_(y)`` are evaluated as their out-of-place twins) and keeps
the output of every node; :func:`plan` gives every node that depends on the input its kind,
refusing, by node, module path and source line, what has no rule. :func:`sweep` visits those
nodes from the output back to the input, each passing what it received to its inputs.
"""

from __future__ import annotations

import copy
import operator
import os
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.fx as fx
from torch import nn
from torch.fx.operator_schemas import normalize_function
from torch.nn.utils.fusion import fuse_conv_bn_eval, fuse_linear_bn_eval

from . import rewrites, table
from .chain import LinearMap, UnsupportedModel

_NOT_USERS = (os.path.dirname(torch.__file__), __file__)  # frames a message does not name
_OUT_OF_PLACE = {operator.iadd: operator.add, operator.isub: operator.sub, operator.imul: operator.mul}
_HELP = (
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
    attention modules read through their traceable forms (:mod:`.rewrites`)."""

    def is_leaf_module(self, module: nn.Module, qualified_name: str) -> bool:
        known = table.lookup(type(module)) or table.refusal(type(module))
        return bool(known) or super().is_leaf_module(module, qualified_name)

    def call_module(self, module, forward, args, kwargs):
        form = rewrites.REWRITES.get(type(module))
        if form is not None and table.lookup(type(module)) is None:
            return form(module, *args, **kwargs)
        return super().call_module(module, forward, args, kwargs)


def trace(model: nn.Module, fold: bool = True) -> Traced:
    """``model``'s graph (with ``fold``, BatchNorms folded into the layer before them)."""
    if not isinstance(model, nn.Module):
        raise UnsupportedModel(
            f"the propagation methods need a torch nn.Module to trace, got {type(model).__name__}. "
            + _HELP
        )
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
            f"branches on the values of a tensor cannot be read so. {_HELP}, or register the "
            f"module that branches as one node with its kind: propagation.register_rule(MyModule, "
            f"'elementwise')"
        ) from err
    if sum(n.op == "placeholder" for n in graph.nodes) == 0:
        raise UnsupportedModel(f"{type(model).__name__}.forward takes no input. " + _HELP)
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
        if len(getattr(before, "users", ())) != 1 or not isinstance(layer, (nn.Linear, nn.Conv1d, nn.Conv2d)):
            continue
        if layer.training or module.running_mean is None:
            continue
        fuse = fuse_linear_bn_eval if isinstance(layer, nn.Linear) else fuse_conv_bn_eval
        traced.fused[before.name] = fuse(layer, module)
        node.replace_all_uses_with(before)
        traced.graph.erase_node(node)


def layer(traced: Traced, node: fx.Node, values: dict):
    """The layer with weights a ``linear`` node applies: its module (BatchNorm folded in),
    or the weights of a functional ``F.linear``."""
    module = traced.module(node)
    if module is not None:
        return module
    named = settings(node)
    weight, bias = named["weight"], named.get("bias")
    return LinearMap(values.get(weight, weight), values.get(bias, bias) if bias is not None else None)


def settings(node: fx.Node) -> dict:
    """A functional node's arguments by name (torch.fx.operator_schemas)."""
    return normalize_function(node.target, node.args, node.kwargs, normalize_to_only_use_kwargs=True).kwargs


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


def evaluate(traced: Traced, node: fx.Node, values: dict, replace: dict | None = None):
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
            values[node] = _attribute(traced.model, str(node.target))
        elif node.op == "output":
            values[node] = fx.node.map_arg(node.args[0], values.__getitem__)
        else:
            values[node] = evaluate(traced, node, values)
        if node is leaf:
            values[node] = values[node].detach().requires_grad_()
    return values


def _attribute(model: nn.Module, path: str):
    value = model
    for part in path.split("."):
        value = getattr(value, part)
    return value


def _floating(value) -> bool:
    if isinstance(value, (tuple, list)):
        return any(_floating(v) for v in value)
    return isinstance(value, torch.Tensor) and value.is_floating_point()


@dataclass
class Step:
    """A node that depends on the input, with its kind, the inputs it depends on, and
    whether only routing separates it from the model's input (``first``: Deep Taylor's
    z^B rule applies to a linear step there)."""

    node: fx.Node
    kind: str
    inputs: tuple[fx.Node, ...]
    first: bool = False


def plan(traced: Traced, values: dict) -> list[Step]:
    """The steps of the graph in order; a node without a rule is refused by name."""
    steps: dict[fx.Node, Step] = {}
    dependent = {traced.input}
    for node in traced.graph.nodes:
        if node.op not in ("call_module", "call_function", "call_method"):
            continue
        inputs = tuple(dict.fromkeys(n for n in node.all_input_nodes if n in dependent))
        if not inputs or not _floating(values[node]):
            continue  # a constant, or a shape or an index computed from the input
        kind = _kind_of(traced, node, inputs)
        first = all(n is traced.input or (n in steps and steps[n].kind == "route" and steps[n].first) for n in inputs)
        steps[node] = Step(node, kind, inputs, first)
        dependent.add(node)
    out = traced.output.args[0]
    if not isinstance(out, fx.Node) or out not in steps:
        raise UnsupportedModel(
            f"{type(traced.model).__name__} returns {type(values[traced.output]).__name__} that "
            f"is not one tensor computed from its input: the propagation methods explain a "
            f"model returning one tensor of outputs"
        )
    return list(steps.values())


def _kind_of(traced: Traced, node: fx.Node, inputs: tuple[fx.Node, ...]) -> str:
    target = type(traced.module(node)) if node.op == "call_module" else node.target
    reason, kind = table.refusal(target), table.lookup(target)
    if reason is None and kind is None:
        reason = (
            "no rule is registered for it; if it is one of the kinds the rules know ("
            + ", ".join(table.KINDS)
            + f"), register it: propagation.register_rule("
            + (repr(target) if isinstance(target, str) else table.label(target))
            + ", kind)"
        )
    if kind in ("affine", "product") and target in (operator.truediv, "div") and node.args[1] in inputs:
        reason = "a division by an input-dependent tensor is not affine and has no rule here"
    if kind == "linear" and node.op == "call_function" and any(n in inputs for n in node.all_input_nodes[1:]):
        reason = "a linear map whose weights depend on the input is a product; use torch.matmul"
    if reason is not None:
        raise UnsupportedModel(
            f"the propagation methods (LRP, Deep Taylor, DeepLIFT, DeepShap) cannot pass "
            f"{where(traced, node)}: {reason}. {_HELP}"
        )
    if kind == "product":
        factors = [a for a in node.args if isinstance(a, fx.Node) and a in inputs]
        return "product" if len(factors) == 2 else "affine"
    return kind


Rule = Callable[[Step, object], dict]


def sweep(steps: list[Step], output: fx.Node, seed, rule: Rule) -> dict:
    """From ``seed`` at the ``output`` node back to the input: each step hands what it
    received to ``rule(step, received)``, which returns what each of its inputs receives;
    what several consumers hand one node is added up. Returns what every node received."""
    received = {output: seed}
    for step in reversed(steps):
        if step.node not in received:
            continue  # nothing flows back through this node (it does not reach the output)
        for node, value in rule(step, received[step.node]).items():
            received[node] = _add(received.get(node), value)
    return received


def _add(total, value):
    if total is None:
        return value
    if isinstance(value, (tuple, list)):
        return tuple(_add(t, v) for t, v in zip(total, value))
    return total + value


def vjp(traced: Traced, step: Step, values: dict, cotangent, wrt=None, replace=None) -> dict:
    """The vector-Jacobian product of the step's operation at ``values`` with ``cotangent``,
    for each input in ``wrt`` (default: every input it depends on); ``replace`` holds other
    values for some inputs (held fixed)."""
    wrt = step.inputs if wrt is None else wrt
    leaves = {n: _leaf(values[n]) for n in wrt}
    with torch.enable_grad():
        out = evaluate(traced, step.node, values, {**(replace or {}), **leaves})
        outs, cots = _flat(out), _flat(cotangent)
        pairs = [(o, c) for o, c in zip(outs, cots) if c is not None and o.requires_grad]
        flat_leaves = [t for n in wrt for t in _flat(leaves[n])]
        grads = torch.autograd.grad(
            [o for o, _ in pairs], flat_leaves, [c for _, c in pairs], allow_unused=True
        ) if pairs else [None] * len(flat_leaves)
    result, k = {}, 0
    for n in wrt:
        parts = []
        for t in _flat(leaves[n]):
            parts.append(torch.zeros_like(t) if grads[k] is None else grads[k])
            k += 1
        result[n] = tuple(parts) if isinstance(values[n], (tuple, list)) else parts[0]
    return result


def _leaf(value):
    if isinstance(value, (tuple, list)):
        return tuple(_leaf(v) for v in value)
    return value.detach().requires_grad_() if _floating(value) else value


def _flat(value) -> list:
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in _flat(v)]
    return [value]


def seed(output: torch.Tensor, target: torch.Tensor, value: torch.Tensor | None = None) -> torch.Tensor:
    """Zeros shaped like ``output`` with, in each row k, ``value[k]`` (default 1) at the
    entry ``target[k]`` of the flattened row."""
    flat = torch.zeros_like(output).reshape(len(output), -1)
    rows = torch.arange(len(output), device=output.device)
    flat[rows, target] = 1.0 if value is None else value
    return flat.reshape(output.shape)
