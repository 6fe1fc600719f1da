"""Layer-wise propagation on chains of layers: LRP rules, Deep Taylor, DeepLIFT.

Our own implementations of what captum lacks, each small enough to read:

- :func:`lrp` with the rules :func:`epsilon` (Bach et al. 2015), :func:`alpha_beta` for any
  alpha - beta = 1, and :func:`z_bounded` (the z^B rule of Deep Taylor, Montavon et al.
  2017). Every rule has the form R_i = sum_j contribution_ij / denominator_j R_j and is
  evaluated with autograd: s = R / z, R_in = sum_k input_k * d(z . s)/d input_k.
- :func:`deep_taylor`: z^B at the first linear layer (inputs in [lower, upper]; the z+ rule
  there when the domain is [0, inf)), z+ = alpha 1 beta 0 above it.
- :func:`deeplift` with the Rescale and RevealCancel rules (Shrikumar et al. 2017): a forward
  pass of differences from the reference in which every activation is replaced by multipliers
  computed from x and the reference and then held fixed; the map from input differences to
  the output difference is then linear, and the contributions are Delta x * its gradient
  (summation to delta holds exactly). Linear layers split each term w_ij Delta a_j by its
  sign, as the authors' implementation (kundajelab/deeplift, Dense layer) does; max-pooling
  follows captum's rule (the difference of maxima goes to the argmax at x and at the
  reference).

Compared against captum (Kokhlikyan et al. 2020) where they overlap: :func:`epsilon` with
captum's EpsilonRule, alpha 1 beta 0 with captum's Alpha1_Beta0_Rule without biases, Rescale
with captum's DeepLift; and in the tests against hand-computed values and slow matrix forms.

Supported layers: Linear, Conv2d, ReLU, Tanh, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d,
Flatten, Dropout (eval mode), Identity, applied in a chain (:func:`layers` checks that).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

LINEAR = (nn.Linear, nn.Conv2d)
POOLING = (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d)
ELEMENTWISE = (nn.ReLU, nn.Tanh, nn.Sigmoid)  # activations; LRP passes relevance through them, as captum
PASS_THROUGH = (nn.Flatten, nn.Dropout, nn.Identity)
SUPPORTED = LINEAR + POOLING + ELEMENTWISE + PASS_THROUGH
STABILIZER = 1e-9  # keeps 0/0 at 0, as captum's rules do
NEAR_ZERO = 1e-10  # |Delta| below this: DeepLIFT falls back to the gradient, as captum does


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
                f"gradient or perturbation method for this model")
        if id(layer) in seen:
            raise UnsupportedModel(
                f"layer {position} ({layer}) is the same module object as layer "
                f"{seen[id(layer)]}: propagation rules need one module per use; create a "
                f"new module for each place it is applied")
        seen[id(layer)] = position
    return chain


def _traced_chain(model: nn.Module) -> list[nn.Module]:
    import torch.fx

    try:
        graph = torch.fx.symbolic_trace(model).graph
    except Exception as err:  # data-dependent control flow and the like
        raise UnsupportedModel(
            f"{type(model).__name__}.forward could not be traced ({err}); the propagation "
            f"methods need a chain of layers, e.g. an nn.Sequential") from err
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
                f"and apply the modules in sequence")
    return chain


def _affine(layer: nn.Module, a: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """The layer's linear map with ``weight`` in place of its own, without bias."""
    if isinstance(layer, nn.Linear):
        return F.linear(a, weight)
    return F.conv2d(a, weight, None, layer.stride, layer.padding, layer.dilation, layer.groups)


# --- LRP -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """R_in = sum over parts (sign, terms, bias): sign * sum_k input_k * d(z . R / z)/d input_k
    with z = sum_k affine(input_k, weight_k) (+ the layer's bias if ``bias``); each term's
    input is a function of the layer input ``a``, each weight a function of the layer."""

    name: str
    parts: tuple  # ((sign, ((input_fn, weight_fn), ...), bias), ...)
    stabilizer: float = STABILIZER


def _plus(t):
    return t.clamp(min=0)


def _minus(t):
    return t.clamp(max=0)


def _same(t):
    return t


def epsilon(eps: float = STABILIZER) -> Rule:
    """LRP-epsilon: R_i = sum_j a_i w_ij / (z_j + eps sign z_j) R_j, z_j = sum_i a_i w_ij + c_j
    (the bias counts in the denominator and keeps its share). captum's EpsilonRule."""
    return Rule(f"epsilon={eps:g}", ((1.0, ((_same, _same),), True),), eps)


def alpha_beta(alpha: float = 2.0, beta: float = 1.0) -> Rule:
    """LRP-alpha-beta: R_i = sum_j (alpha z_ij+ / z_j+ - beta z_ij- / z_j-) R_j with
    z_ij = a_i w_ij split by sign (positive: a+ w+ and a- w-), biases ignored. Conserves
    relevance when every neuron has inputs of both signs; needs alpha - beta = 1."""
    if abs(alpha - beta - 1) > 1e-12 or beta < 0:
        raise ValueError(f"LRP-alpha-beta needs alpha - beta = 1 and beta >= 0 (relevance is "
                         f"conserved only then); got alpha={alpha}, beta={beta}")
    positive = ((_plus, _plus), (_minus, _minus))
    negative = ((_plus, _minus), (_minus, _plus))
    parts = ((alpha, positive, False),) + (((-beta, negative, False),) if beta else ())
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

    terms = ((_same, _same), (low, negated(_plus)), (high, negated(_minus)))
    return Rule("zB", ((1.0, terms, False),))


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


def _relevance_through(layer: nn.Module, a: torch.Tensor, relevance: torch.Tensor,
                       rule: Rule) -> torch.Tensor:
    if not isinstance(layer, LINEAR):  # pooling: the epsilon rule (tiny epsilon) on the layer
        rule, affine = epsilon(), lambda a_, w: layer(a_)
    else:
        affine = lambda a_, w: _affine(layer, a_, w)  # noqa: E731
    out = torch.zeros_like(a)
    for sign, terms, with_bias in rule.parts:
        inputs = [fn(a).detach().clone().requires_grad_() for fn, _ in terms]
        weight = getattr(layer, "weight", None)
        z = sum(affine(inp, wfn(weight) if weight is not None else None)
                for inp, (_, wfn) in zip(inputs, terms))
        if with_bias and getattr(layer, "bias", None) is not None:
            z = z + (layer.bias if isinstance(layer, nn.Linear) else layer.bias[:, None, None])
        stable = z + rule.stabilizer * torch.where(z >= 0, 1.0, -1.0)
        grads = torch.autograd.grad((z * (relevance / stable).detach()).sum(), inputs,
                                    allow_unused=True)
        for inp, grad in zip(inputs, grads):
            if grad is not None:
                out = out + sign * inp.detach() * grad
    return out


def lrp(model: nn.Module, x: torch.Tensor, target: torch.Tensor,
        composite: Composite | Rule) -> torch.Tensor:
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
                rule = composite.rule_for(linear_index.index(k)) if isinstance(layer, LINEAR) else epsilon()
                relevance = _relevance_through(layer, a, relevance, rule)
            else:
                relevance = relevance.reshape(a.shape)
    return relevance


def deep_taylor(model: nn.Module, x: torch.Tensor, target: torch.Tensor,
                lower: float = 0.0, upper: float = 1.0) -> torch.Tensor:
    """Deep Taylor decomposition (Montavon et al. 2017): the z^B rule at the first linear
    layer with inputs in [lower, upper] (the z+ rule if the domain is [0, inf)), the z+
    rule (= LRP alpha 1 beta 0 on the non-negative ReLU outputs) at every layer above."""
    lo = torch.as_tensor(lower, dtype=x.dtype)
    hi = torch.as_tensor(upper, dtype=x.dtype)
    if (x < lo).any() or (x > hi).any():
        raise ValueError(f"Deep Taylor's z^B rule needs lower <= x <= upper; x spans "
                         f"[{x.min().item():.3g}, {x.max().item():.3g}] but the bounds are "
                         f"[{lower}, {upper}]: pass the data's range as lower=, upper=")
    return lrp(model, x, target, deep_taylor_composite(lo, hi))


# --- DeepLIFT ------------------------------------------------------------------------------

DEEPLIFT_RULES = ("rescale", "revealcancel")


def _ratio(numerator, denominator, fallback):
    near = denominator.abs() < NEAR_ZERO
    return torch.where(near, fallback, numerator / torch.where(near, 1.0, denominator))


def _signed_terms(layer, delta, difference):
    """The positive and negative parts of sum_j w_ij Delta a_j, split term by term by the
    sign of w_ij Delta a_j; linear in ``delta`` (the masks are held fixed). The signs are
    those of ``difference`` = a - a_ref, computed from the two forward passes, not of the
    propagated ``delta``, whose rounding would give a unit with Delta a_j = 0 a sign. A zero
    Delta a_j sends half of its (zero) term each way, so the multiplier it receives is the
    mean."""
    weight = layer.weight
    signs = torch.sign(difference)
    pos_in, neg_in, zero_in = delta * (signs > 0), delta * (signs < 0), delta * (signs == 0)
    half = 0.5 * _affine(layer, zero_in, weight)
    positive = _affine(layer, pos_in, _plus(weight)) + _affine(layer, neg_in, _minus(weight)) + half
    negative = _affine(layer, pos_in, _minus(weight)) + _affine(layer, neg_in, _plus(weight)) + half
    return positive, negative


def _slope(activation: nn.Module, z: torch.Tensor) -> torch.Tensor:
    """g'(z), element-wise (ReLU'(0) = 0, as autograd has it)."""
    with torch.enable_grad():
        z = z.detach().clone().requires_grad_()
        (grad,) = torch.autograd.grad(activation(z).sum(), z)
    return grad


def _revealcancel(g, z_ref, positive, negative, slope):
    """Delta y = m+ Delta z+ + m- Delta z-, with Delta y+- the two-player Shapley values of
    the positive and negative parts: Delta y+ = 1/2 [g(r + p) - g(r)] + 1/2 [g(r + n + p) -
    g(r + n)], Delta y- symmetrically; m+- = Delta y+- / Delta z+- (held fixed)."""
    p, n = positive.detach(), negative.detach()
    up = 0.5 * ((g(z_ref + p) - g(z_ref)) + (g(z_ref + n + p) - g(z_ref + n)))
    down = 0.5 * ((g(z_ref + n) - g(z_ref)) + (g(z_ref + p + n) - g(z_ref + p)))
    return _ratio(up, p, slope) * positive + _ratio(down, n, slope) * negative


def _maxpool_deltas(layer, a, a_ref, delta):
    """captum's DeepLIFT rule for max-pooling: with m = max(y, y_ref), the argmax of the
    window at x receives m - y_ref and the argmax at the reference y - m; each position's
    multiplier is what it receives over its own Delta a (the gradient where Delta a = 0)."""
    y, index = F.max_pool2d(a, layer.kernel_size, layer.stride, layer.padding, layer.dilation,
                            layer.ceil_mode, return_indices=True)
    y_ref, index_ref = F.max_pool2d(a_ref, layer.kernel_size, layer.stride, layer.padding,
                                    layer.dilation, layer.ceil_mode, return_indices=True)
    top = torch.maximum(y, y_ref)
    flat = delta.detach().flatten(2)
    gathered = flat.gather(2, index.flatten(2)).reshape(y.shape)
    gathered_ref = flat.gather(2, index_ref.flatten(2)).reshape(y.shape)
    m_x = _ratio(top - y_ref, gathered, torch.ones_like(y))
    m_ref = _ratio(y - top, gathered_ref, torch.zeros_like(y))
    pick = delta.flatten(2)
    return (m_x * pick.gather(2, index.flatten(2)).reshape(y.shape)
            + m_ref * pick.gather(2, index_ref.flatten(2)).reshape(y.shape))


def deeplift(model: nn.Module, x: torch.Tensor, reference: torch.Tensor, target: torch.Tensor,
             rule: str = "rescale") -> torch.Tensor:
    """DeepLIFT contributions C_i with sum_i C_i = f(x)_t - f(reference)_t exactly.
    ``rule``: "rescale" (m = Delta y / Delta z at every activation) or "revealcancel" (at
    every activation that follows a linear layer; the authors' genomics default used Rescale
    after convolutions). Where Delta z ~ 0 the multiplier is the slope g'(z) at x."""
    if rule not in DEEPLIFT_RULES:
        raise ValueError(f"rule must be one of {DEEPLIFT_RULES}, got {rule!r}")
    chain = layers(model)
    a, a_ref = x.detach(), reference.detach()
    delta_in = (a - a_ref).requires_grad_()
    delta = delta_in
    preceding = None
    with torch.enable_grad():
        for layer in chain:
            with torch.no_grad():
                y, y_ref = layer(a), layer(a_ref)
            if isinstance(layer, LINEAR):
                positive, negative = _signed_terms(layer, delta, a - a_ref)
                preceding = (positive, negative)
                delta = positive + negative
            elif isinstance(layer, ELEMENTWISE):
                slope = _slope(layer, a)
                if rule == "revealcancel" and preceding is not None:
                    delta = _revealcancel(layer, a_ref, *preceding, slope)
                else:
                    delta = _ratio(y - y_ref, (a - a_ref), slope) * delta
                preceding = None
            elif isinstance(layer, nn.MaxPool2d):
                delta = _maxpool_deltas(layer, a, a_ref, delta)
                preceding = None
            else:  # average pooling, Flatten, Dropout, Identity: linear in Delta
                delta = layer(delta)
                preceding = None
            a, a_ref = y, y_ref
        out = delta.reshape(len(x), -1).gather(1, target[:, None]).sum()
        (grad,) = torch.autograd.grad(out, delta_in)
    return (delta_in * grad).detach()
