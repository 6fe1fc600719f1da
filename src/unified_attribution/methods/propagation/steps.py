"""The steps of a traced model (``graph``) and the one reverse sweep that LRP
(relevance) and DeepLIFT (multipliers) both make over them.

:func:`plan` gives every node that depends on the input its kind (``table``), refusing,
by node, module path and source line, what has no rule; :func:`sweep` visits those steps from
the output back to the input, each passing what it received to its inputs by the rule of its
kind (the caller's); :func:`vjp` is the vector-Jacobian product of one step, the rule of
routing and of every linear map.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.fx as fx
from torch import nn

from . import graph, table
from .chain import UnsupportedModel


@dataclass
class Step:
    """A node that depends on the input, with its kind, the inputs it depends on, and
    whether only routing separates it from the model's input (``first``: Deep Taylor's
    z^B rule applies to a linear step there)."""

    node: fx.Node
    kind: str
    inputs: tuple[fx.Node, ...]
    first: bool = False


def plan(traced: graph.Traced, values: dict) -> list[Step]:
    """The steps of the graph in order; a node without a rule is refused by name."""
    steps: dict[fx.Node, Step] = {}
    dependent = {traced.input}
    for node in traced.graph.nodes:
        if node.op not in ("call_module", "call_function", "call_method"):
            continue
        inputs = tuple(dict.fromkeys(n for n in node.all_input_nodes if n in dependent))
        if not inputs or not graph.floating(values[node]):
            continue  # a constant, or a shape or an index computed from the input
        kind = _kind_of(traced, node, inputs)
        first = all(
            n is traced.input or (n in steps and steps[n].kind == "route" and steps[n].first)
            for n in inputs
        )
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


def _kind_of(traced: graph.Traced, node: fx.Node, inputs: tuple[fx.Node, ...]) -> str:
    target = type(traced.module(node)) if node.op == "call_module" else node.target
    reason, kind = table.refusal(target), table.lookup(target)
    if reason is None and kind is None:
        reason = (
            "no rule is registered for it; if it is one of the kinds the rules know ("
            + ", ".join(table.KINDS)
            + "), register it: propagation.register_rule("
            + (repr(target) if isinstance(target, str) else table.label(target))
            + ", kind)"
        )
    if (
        kind in ("affine", "product")
        and target in (operator.truediv, "div")
        and node.args[1] in inputs
    ):
        reason = "a division by an input-dependent tensor is not affine and has no rule here"
    if (
        kind == "linear"
        and node.op == "call_function"
        and any(n in inputs for n in node.all_input_nodes[1:])
    ):
        reason = "a linear map whose weights depend on the input is a product; use torch.matmul"
    if reason is not None:
        raise UnsupportedModel(
            f"the propagation methods (LRP, Deep Taylor, DeepLIFT, DeepShap) cannot pass "
            f"{graph.where(traced, node)}: {reason}. {graph.HELP}"
        )
    if kind == "product":
        factors = [a for a in node.args if isinstance(a, fx.Node) and a in inputs]
        return "product" if len(factors) == 2 else "affine"
    return kind


def prepare(model: nn.Module, x: torch.Tensor) -> tuple[graph.Traced, dict, list[Step]]:
    """``model`` traced (BatchNorm folded), every node's output on ``x``, and its steps: what
    LRP, DeepLIFT and DeepShap start from."""
    traced = graph.trace(model)
    with torch.no_grad():
        values = graph.forward(traced, x.detach())
    return traced, values, plan(traced, values)


Rule = Callable[[Step, object], dict]


def sweep(steps: list[Step], output: fx.Node, seed: torch.Tensor, rule: Rule) -> dict:
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


def vjp(
    traced: graph.Traced,
    step: Step,
    values: dict,
    cotangent: torch.Tensor | tuple,
    wrt: tuple[fx.Node, ...] | None = None,
    replace: dict | None = None,
) -> dict:
    """The vector-Jacobian product of the step's operation at ``values`` with ``cotangent``,
    for each input in ``wrt`` (default: every input it depends on); ``replace`` holds other
    values for some inputs (held fixed)."""
    wrt = step.inputs if wrt is None else wrt
    leaves = {n: _leaf(values[n]) for n in wrt}
    with torch.enable_grad():
        out = graph.evaluate(traced, step.node, values, {**(replace or {}), **leaves})
        outs, cots = _flat(out), _flat(cotangent)
        pairs = [(o, c) for o, c in zip(outs, cots) if c is not None and o.requires_grad]
        flat_leaves = [t for n in wrt for t in _flat(leaves[n])]
        grads = (
            torch.autograd.grad(
                [o for o, _ in pairs], flat_leaves, [c for _, c in pairs], allow_unused=True
            )
            if pairs
            else [None] * len(flat_leaves)
        )
    result, k = {}, 0
    for n in wrt:
        parts = []
        for t in _flat(leaves[n]):
            parts.append(torch.zeros_like(t) if grads[k] is None else grads[k])
            k += 1
        result[n] = tuple(parts) if isinstance(values[n], (tuple, list)) else parts[0]
    return result


def _leaf(value: object) -> object:
    if isinstance(value, (tuple, list)):
        return tuple(_leaf(v) for v in value)
    return value.detach().requires_grad_() if graph.floating(value) else value


def _flat(value) -> list:
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in _flat(v)]
    return [value]


def seed(
    output: torch.Tensor, target: torch.Tensor, value: torch.Tensor | None = None
) -> torch.Tensor:
    """Zeros shaped like ``output`` with, in each row k, ``value[k]`` (default 1) at the
    entry ``target[k]`` of the flattened row."""
    flat = torch.zeros_like(output).reshape(len(output), -1)
    rows = torch.arange(len(output), device=output.device)
    flat[rows, target] = 1.0 if value is None else value
    return flat.reshape(output.shape)
