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

from .chain import LINEAR, POOLING, affine_map, layers, minus, plus

STABILIZER = 1e-9  # keeps 0/0 at 0, as captum's rules do


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
    """Which rule each linear layer gets, as data (zennit's composites): ``first`` at the
    first linear layer, the one that touches the input, and ``rest`` at every other."""

    name: str
    rest: Rule
    first: Rule | None = None

    def rule_for(self, k: int) -> Rule:
        """The rule of the k-th linear layer (0: the input layer)."""
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
    if not isinstance(layer, LINEAR):  # pooling: the epsilon rule (tiny epsilon) on the layer
        rule, affine = epsilon(), lambda a_, w: layer(a_)
    else:
        affine = lambda a_, w: affine_map(layer, a_, w)  # noqa: E731
    out = torch.zeros_like(a)
    for part in rule.parts:
        inputs = [term.input(a).detach().clone().requires_grad_() for term in part.terms]
        weight = getattr(layer, "weight", None)
        z = sum(
            affine(inp, term.weight(weight) if weight is not None else None)
            for inp, term in zip(inputs, part.terms)
        )
        if part.bias and getattr(layer, "bias", None) is not None:
            z = z + (layer.bias if isinstance(layer, nn.Linear) else layer.bias[:, None, None])
        stable = z + rule.stabilizer * torch.where(z >= 0, 1.0, -1.0)
        grads = torch.autograd.grad(
            (z * (relevance / stable).detach()).sum(), inputs, allow_unused=True
        )
        for inp, grad in zip(inputs, grads):
            if grad is not None:
                out = out + part.sign * inp.detach() * grad
    return out


def lrp(
    model: nn.Module, x: torch.Tensor, target: torch.Tensor, composite: Composite | Rule
) -> torch.Tensor:
    """Relevance of every input element for the output ``target`` of each row, starting from
    R = f(x)_target at the output; ``composite`` gives the rule of each linear layer (a
    single rule: the same everywhere). Pooling layers use the epsilon rule, activations and
    Flatten pass relevance on."""
    if isinstance(composite, Rule):
        composite = uniform(composite)
    chain = layers(model)
    activations = [x.detach()]
    with torch.no_grad():
        for layer in chain:
            activations.append(layer(activations[-1]))
    out = activations[-1].reshape(len(x), -1)
    relevance = torch.zeros_like(out)
    rows = torch.arange(len(x))
    relevance[rows, target] = out[rows, target]
    relevance = relevance.reshape(activations[-1].shape)
    linear_index = [k for k, layer in enumerate(chain) if isinstance(layer, LINEAR)]
    with torch.enable_grad():
        for k in range(len(chain) - 1, -1, -1):
            layer, a = chain[k], activations[k]
            if isinstance(layer, LINEAR + POOLING):  # activations, Flatten: R passes on
                rule = (
                    composite.rule_for(linear_index.index(k))
                    if isinstance(layer, LINEAR)
                    else epsilon()
                )
                relevance = _relevance_through(layer, a, relevance, rule)
            else:
                relevance = relevance.reshape(a.shape)
    return relevance


def deep_taylor(
    model: nn.Module, x: torch.Tensor, target: torch.Tensor, lower: float = 0.0, upper: float = 1.0
) -> torch.Tensor:
    """Deep Taylor decomposition (Montavon et al. 2017): the z^B rule at the first linear
    layer with inputs in [lower, upper] (the z+ rule if the domain is [0, inf)), the z+
    rule (= LRP alpha 1 beta 0 on the non-negative ReLU outputs) at every layer above."""
    lo = torch.as_tensor(lower, dtype=x.dtype)
    hi = torch.as_tensor(upper, dtype=x.dtype)
    if (x < lo).any() or (x > hi).any():
        raise ValueError(
            f"Deep Taylor's z^B rule needs lower <= x <= upper; x spans "
            f"[{x.min().item():.3g}, {x.max().item():.3g}] but the bounds are "
            f"[{lower}, {upper}]: pass the data's range as lower=, upper="
        )
    return lrp(model, x, target, deep_taylor_composite(lo, hi))
