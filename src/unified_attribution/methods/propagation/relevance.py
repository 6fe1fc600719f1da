"""LRP: relevance propagated layer by layer with rules kept as data.

- :func:`lrp` with the rules :func:`epsilon` (Bach et al. 2015), :func:`alpha_beta` for any
  alpha - beta = 1, and :func:`z_bounded` (the z^B rule of Deep Taylor, Montavon et al.
  2017). Every rule has the form R_i = sum_j contribution_ij / denominator_j R_j and is
  evaluated with autograd: s = R / z, R_in = sum_k input_k * d(z . s)/d input_k.
- a :class:`Composite` names the rule of each linear layer (:func:`uniform`,
  :func:`deep_taylor_composite`).
- :func:`deep_taylor`: z^B at the first linear layer (inputs in [lower, upper]; the z+ rule
  there when the domain is [0, inf)), z+ = alpha 1 beta 0 above it.

Compared against captum (Kokhlikyan et al. 2020): :func:`epsilon` with captum's EpsilonRule,
alpha 1 beta 0 with captum's Alpha1_Beta0_Rule without biases; and in the tests against
slow matrix forms of Linear, Conv2d and AvgPool2d layers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from ...checks import as_tensor
from . import graph, steps
from .chain import LinearMap, affine_map, minus, plus

STABILIZER = 1e-9  # keeps 0/0 at 0, as captum's rules do


def stabilized(z: torch.Tensor, eps: float) -> torch.Tensor:
    """z + eps sign(z), with sign(0) = 1 (zennit's and captum's convention), in z's dtype
    (a sign tensor of torch's default dtype would round eps to float32)."""
    return z + eps * (2 * (z >= 0).to(z.dtype) - 1)


@dataclass(frozen=True)
class Term:
    """One term of z: the layer's affine map applied to ``input(a)`` (a function of the layer
    input ``a``) with the weight ``weight(w)`` (a function of the layer's weight)."""

    input: Callable[[torch.Tensor], torch.Tensor]
    weight: Callable[[torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class Part:
    """``sign`` * sum_k input_k * d(z . R / z)/d input_k, with z the sum of the ``terms``
    (plus the layer's bias if ``bias``)."""

    sign: float
    terms: tuple[Term, ...]
    bias: bool


@dataclass(frozen=True)
class Rule:
    """R_in = the sum of the ``parts``, each stabilized by ``stabilizer`` (z + eps sign z)."""

    name: str
    parts: tuple[Part, ...]
    stabilizer: float = STABILIZER


def _same(t):
    return t


def epsilon(eps: float = STABILIZER) -> Rule:
    """LRP-epsilon: R_i = sum_j a_i w_ij / (z_j + eps sign z_j) R_j, z_j = sum_i a_i w_ij + c_j
    (the bias counts in the denominator and keeps its share). captum's EpsilonRule."""
    check_epsilon(eps)
    return Rule(f"epsilon={eps:g}", (Part(1.0, (Term(_same, _same),), bias=True),), eps)


def check_epsilon(eps: float) -> None:
    """The stabilizer must be a finite number >= 0 (NaN or infinity would silently give NaN
    or zero relevance)."""
    if not (isinstance(eps, (int, float)) and math.isfinite(eps) and eps >= 0):
        raise ValueError(
            f"epsilon must be a finite number >= 0 (a small stabilizer such as 0.01), got {eps!r}"
        )


def alpha_beta(alpha: float = 2.0, beta: float = 1.0) -> Rule:
    """LRP-alpha-beta: R_i = sum_j (alpha z_ij+ / z_j+ - beta z_ij- / z_j-) R_j with
    z_ij = a_i w_ij split by sign (positive: a+ w+ and a- w-), biases ignored. Conserves
    relevance when every neuron has inputs of both signs; needs alpha - beta = 1."""
    if (
        not (math.isfinite(alpha) and math.isfinite(beta))
        or abs(alpha - beta - 1) > 1e-12
        or beta < 0
    ):
        raise ValueError(
            f"LRP-alpha-beta needs alpha - beta = 1 and beta >= 0 (relevance is "
            f"conserved only then); got alpha={alpha}, beta={beta}"
        )
    positive = (Term(plus, plus), Term(minus, minus))
    negative = (Term(plus, minus), Term(minus, plus))
    parts = (Part(alpha, positive, bias=False),) + (
        (Part(-beta, negative, bias=False),) if beta else ()
    )
    return Rule(f"alpha={alpha:g},beta={beta:g}", parts)


def z_bounded(lower: torch.Tensor, upper: torch.Tensor) -> Rule:
    """Deep Taylor's z^B rule for inputs in [lower, upper]:
    R_i = sum_j (x_i w_ij - l_i w_ij+ - h_i w_ij-) / sum_i (...) R_j."""

    def low(a):
        return lower.expand_as(a)

    def high(a):
        return upper.expand_as(a)

    def negated(fn):
        return lambda w: -fn(w)

    terms = (Term(_same, _same), Term(low, negated(plus)), Term(high, negated(minus)))
    return Rule("zB", (Part(1.0, terms, bias=False),))


@dataclass(frozen=True)
class Composite:
    """Which rule each layer with weights gets, as data (zennit's composites): ``first`` at
    the layers that touch the input (only routing such as a reshape between them), and
    ``rest`` at every other."""

    name: str
    rest: Rule
    first: Rule | None = None

    def rule_for(self, k: int) -> Rule:
        """The rule of the k-th layer with weights (0: a layer at the input)."""
        return self.first if k == 0 and self.first is not None else self.rest


def uniform(rule: Rule) -> Composite:
    """The same rule at every linear layer."""
    return Composite(rule.name, rule)


def deep_taylor_composite(lower: torch.Tensor, upper: torch.Tensor) -> Composite:
    """Deep Taylor (Montavon et al. 2017): z^B for inputs in [lower, upper] at the input layer
    (z+ if the domain is [0, inf)), z+ = LRP alpha 1 beta 0 above."""
    plus = alpha_beta(1.0, 0.0)
    zplus_domain = float(lower.min()) == 0 and bool(torch.isinf(upper).all())
    return Composite("deep taylor", plus, plus if zplus_domain else z_bounded(lower, upper))


def _relevance_through(
    layer: nn.Module, a: torch.Tensor, relevance: torch.Tensor, rule: Rule
) -> torch.Tensor:
    """R at the input ``a`` of a layer with weights (Linear, Conv1d, Conv2d) by ``rule``.

    The terms that read the same input (alpha-beta's a+ w+ and a+ w-) are one map with their
    weights stacked along the outputs, so a layer costs one forward and one backward map per
    distinct input, whatever the number of parts; a term whose input is zero (a- after a
    ReLU, a zero bound) adds nothing to z or R and is skipped."""
    a, weight = a.detach(), layer.weight.detach()
    stacked = getattr(layer, "groups", 1) == 1  # grouped convolutions keep one map per term
    inputs: dict = {}  # each input function once per layer (the parts share a+ and a-)
    for part in rule.parts:
        for term in part.terms:
            if term.input not in inputs:
                value = term.input(a)
                inputs[term.input] = value if value.any() else None
    # every (part, term) whose input is not zero, grouped by input (one map per group)
    groups: dict = {}
    for p, part in enumerate(rule.parts):
        for term in part.terms:
            if inputs[term.input] is not None:
                key = term.input if stacked else (term.input, p, id(term))
                groups.setdefault(key, []).append((p, term))
    linear = isinstance(layer, (nn.Linear, LinearMap))  # outputs on the last axis, else dim 1
    leaves, outputs = {}, {}
    of_part: dict = {}  # each part's terms' z, to sum
    for key, members in groups.items():
        leaf = inputs[members[0][1].input].clone().requires_grad_()
        weights = [term.weight(weight) for _, term in members]
        z = affine_map(layer, leaf, torch.cat(weights) if len(weights) > 1 else weights[0])
        leaves[key] = leaf
        outputs[key] = z.split([w.shape[0] for w in weights], dim=-1 if linear else 1)
        for (p, _), chunk in zip(members, outputs[key], strict=True):
            of_part.setdefault(p, []).append(chunk)
    scaled = {}  # sign * R / (z + eps sign z) of each part, from the sum of its terms
    for p, chunks in of_part.items():
        part, z = rule.parts[p], sum(chunks)
        if part.bias and layer.bias is not None:  # a convolution's bias is per channel (dim 1)
            z = z + (layer.bias if linear else layer.bias.reshape(-1, *([1] * (z.dim() - 2))))
        scaled[p] = (part.sign * relevance / stabilized(z.detach(), rule.stabilizer)).detach()
    out = torch.zeros_like(a)
    for key, members in groups.items():
        total = sum((z * scaled[p]).sum() for z, (p, _) in zip(outputs[key], members, strict=True))
        (grad,) = torch.autograd.grad(total, leaves[key])
        out = out + leaves[key].detach() * grad
    return out


def _z_rule(traced, step, values, relevance, degree: int) -> dict:
    """The z-rule on the node's own terms, z = sum_k z_k + constants (Euler: sum_k a_k dz/da_k
    = degree * (z - constants) for a map homogeneous of that degree in its inputs a_k):
    R_k = a_k d(z . s)/d a_k / degree, s = R / (z + 1e-9 sign z). Degree 1 for affine maps
    and max-pooling, 2 for a product of two inputs (AttnLRP's uniform rule, Achtibat et al.
    2024: each factor half of the product's relevance)."""
    z = values[step.node]
    scaled = relevance / stabilized(z, STABILIZER)
    grads = steps.vjp(traced, step, values, scaled)
    return {node: values[node] * grad / degree for node, grad in grads.items()}


def _softmax_rule(traced, node, values, relevance) -> torch.Tensor:
    """AttnLRP's softmax rule (Achtibat et al. 2024, Prop. 3.1; lxt's softmax): a Taylor
    decomposition at x itself, R_in = x (R - s sum_j R_j), s = softmax(x), along its axis."""
    module = traced.module(node)
    dim = module.dim if module is not None else graph.settings(node)["dim"]
    x, s = values[node.args[0]], values[node]
    return x * (relevance - s * relevance.sum(dim, keepdim=True))


def _layer_norm_rule(traced, node, values, relevance) -> torch.Tensor:
    """AttnLRP's LayerNorm rule (Achtibat et al. 2024, Prop. 3.4; lxt's layer_norm): the
    identity rule through the division by the standard deviation (held at its value at x),
    then the z-rule (stabilizer 1e-9) on y = (x - mean x) / std * weight + bias."""
    module = traced.module(node)
    if module is not None:
        shape, weight, bias, eps = module.normalized_shape, module.weight, module.bias, module.eps
    else:
        named = graph.settings(node)
        pick = lambda v: values.get(v, v) if isinstance(v, torch.fx.Node) else v  # noqa: E731
        shape, weight, bias, eps = (
            pick(named.get(k)) for k in ("normalized_shape", "weight", "bias", "eps")
        )
    x = values[node.args[0]]
    dims = tuple(range(-len(shape), 0))
    std = (x.var(dims, unbiased=False, keepdim=True) + eps).sqrt()
    leaf = x.detach().clone().requires_grad_()
    y = (leaf - leaf.mean(dims, keepdim=True)) / std
    y = y * (1 if weight is None else weight) + (0 if bias is None else bias)
    (grad,) = torch.autograd.grad(y, leaf, relevance / stabilized(y.detach(), STABILIZER))
    return x * grad


def lrp(
    model: nn.Module, x: torch.Tensor, target: torch.Tensor, composite: Composite | Rule
) -> torch.Tensor:
    """Relevance of every input element for the output ``target`` of each row, starting from
    R = f(x)_target at the output and passed back node by node through ``model``'s graph
    (``graph``; the rule of each kind of node is in ``table``). ``composite`` gives
    the rule of each layer with weights (a single rule: the same everywhere; its ``first``
    rule goes to the layers that only routing separates from the input)."""
    if isinstance(composite, Rule):
        composite = uniform(composite)
    traced, values, planned = steps.prepare(model, x)
    last = traced.output.args[0]
    out = values[last]
    rows = torch.arange(len(x), device=x.device)
    start = steps.seed(out, target, out.reshape(len(x), -1)[rows, target])

    def rule(step: steps.Step, relevance: torch.Tensor) -> dict:
        if step.kind == "route":
            return steps.vjp(traced, step, values, relevance)
        if step.kind == "elementwise":
            return {step.node.args[0]: relevance}
        if step.kind == "linear":
            a = step.node.args[0]
            layer_rule = composite.rule_for(0 if step.first else 1)
            layer = graph.layer(traced, step.node, values)
            return {a: _relevance_through(layer, values[a], relevance, layer_rule)}
        if step.kind == "softmax":
            return {step.node.args[0]: _softmax_rule(traced, step.node, values, relevance)}
        if step.kind == "layernorm":
            return {step.node.args[0]: _layer_norm_rule(traced, step.node, values, relevance)}
        return _z_rule(traced, step, values, relevance, 2 if step.kind == "product" else 1)

    with torch.enable_grad():  # each rule differentiates its own node
        received = steps.sweep(planned, last, start, rule)
    return received.get(traced.input, torch.zeros_like(x)).detach()


def deep_taylor(
    model: nn.Module, x: torch.Tensor, target: torch.Tensor, lower: float = 0.0, upper: float = 1.0
) -> torch.Tensor:
    """Deep Taylor decomposition (Montavon et al. 2017): the z^B rule at the first linear
    layer with inputs in [lower, upper] (the z+ rule if the domain is [0, inf)), the z+
    rule (= LRP alpha 1 beta 0 on the non-negative ReLU outputs) at every layer above."""
    lo = as_tensor(lower, "Deep Taylor's lower bound", dtype=x.dtype)
    hi = as_tensor(upper, "Deep Taylor's upper bound", dtype=x.dtype)
    for name, bound in (("lower", lo), ("upper", hi)):
        if torch.isnan(bound).any():
            raise ValueError(
                f"Deep Taylor's {name} bound is NaN: pass the data's range as lower=, upper= "
                f"(numbers, or one per input element; upper may be inf)"
            )
        try:
            torch.broadcast_shapes(bound.shape, x.shape)
        except RuntimeError:
            raise ValueError(
                f"Deep Taylor's {name} bound has shape {tuple(bound.shape)}, which does not "
                f"fit the inputs' {tuple(x.shape)}: pass a number, or one bound per input "
                f"element (shape {tuple(x.shape[1:])})"
            ) from None
    if (x < lo).any() or (x > hi).any():
        raise ValueError(
            f"Deep Taylor's z^B rule needs lower <= x <= upper; x spans "
            f"[{x.min().item():.3g}, {x.max().item():.3g}] but the bounds are "
            f"[{lower}, {upper}]: pass the data's range as lower=, upper="
        )
    return lrp(model, x, target, deep_taylor_composite(lo, hi))
