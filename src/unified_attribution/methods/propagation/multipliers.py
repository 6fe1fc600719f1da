"""DeepLIFT with the Rescale and RevealCancel rules (Shrikumar et al. 2017), on any graph
``graph`` can trace.

Multipliers m = d Delta(output) / d Delta(node) are passed from the output back to the
input (``steps.sweep``): affine maps and routing pass them by their Jacobian (the linear
rule, exact); an activation multiplies them by Delta y / Delta z (Rescale) or, when a layer
with weights feeds it alone, splits them by the sign of each term w_ij Delta a_j
(RevealCancel, as the authors' implementation, kundajelab/deeplift, splits a Dense layer);
max-pooling follows captum's rule (the difference of maxima goes to the argmax at x and at
the reference); a product of two inputs a b gets the two-player Shapley split Delta(a b) =
Delta a (b + b') / 2 + (a + a') / 2 Delta b, exact for a bilinear map (the DeepLIFT paper
has no rule of its own for products; RevealCancel splits its two parts the same way). The
contributions Delta x * m add up to f(x) - f(reference) exactly. Rescale is compared with
captum's DeepLift and shap's DeepExplainer in the tests, both rules with slow matrix forms.
"""

from __future__ import annotations

from types import SimpleNamespace

import torch
import torch.nn.functional as F
from torch import nn

from . import graph, steps
from .chain import UnsupportedModel, affine_map
from .table import KINDS, NO_DEEPLIFT_RULE

NEAR_ZERO = 1e-10  # |Delta| below this: DeepLIFT falls back to the gradient, as captum does


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
    mean. With P, N, Z the parts of Delta a of positive, negative and zero sign and
    w+- = (w +- |w|) / 2, the two parts P w+ + N w- + Z w / 2 and P w- + N w+ + Z w / 2 are
    (S +- D) / 2 with S = Delta a w and D = (P - N) |w|: two maps instead of five."""
    weight = layer.weight.detach()
    total = affine_map(layer, delta, weight)
    signed = affine_map(layer, delta * torch.sign(difference), weight.abs())
    return 0.5 * (total + signed), 0.5 * (total - signed)


def _revealcancel(g, z_ref, positive, negative, slope):
    """Delta y = m+ Delta z+ + m- Delta z-, with Delta y+- the two-player Shapley values of
    the positive and negative parts: Delta y+ = 1/2 [g(r + p) - g(r)] + 1/2 [g(r + n + p) -
    g(r + n)], Delta y- symmetrically; m+- = Delta y+- / Delta z+- (held fixed)."""
    p, n = positive.detach(), negative.detach()
    g_r, g_p, g_n, g_pn = g(z_ref), g(z_ref + p), g(z_ref + n), g(z_ref + p + n)
    up = 0.5 * ((g_p - g_r) + (g_pn - g_n))
    down = 0.5 * ((g_n - g_r) + (g_pn - g_p))
    return _ratio(up, p, slope) * positive + _ratio(down, n, slope) * negative


def _maxpool_deltas(layer, a, a_ref, delta):
    """captum's DeepLIFT rule for max-pooling: with m = max(y, y_ref), the argmax of the
    window at x receives m - y_ref and the argmax at the reference y - m; each position's
    multiplier is what it receives over its own Delta a (the gradient where Delta a = 0)."""
    pool = F.max_pool1d if a.dim() == 3 else F.max_pool2d
    (y, index), (y_ref, index_ref) = (
        pool(
            t,
            layer.kernel_size,
            layer.stride,
            layer.padding,
            layer.dilation,
            layer.ceil_mode,
            return_indices=True,
        )
        for t in (a, a_ref)
    )
    top = torch.maximum(y, y_ref)
    flat = delta.detach().flatten(2)
    gathered = flat.gather(2, index.flatten(2)).reshape(y.shape)
    gathered_ref = flat.gather(2, index_ref.flatten(2)).reshape(y.shape)
    m_x = _ratio(top - y_ref, gathered, torch.ones_like(y))
    m_ref = _ratio(y - top, gathered_ref, torch.zeros_like(y))
    pick = delta.flatten(2)
    return m_x * pick.gather(2, index.flatten(2)).reshape(y.shape) + m_ref * pick.gather(
        2, index_ref.flatten(2)
    ).reshape(y.shape)


def _pooling(traced: graph.Traced, node) -> object:
    """A max-pooling node's settings (its module, or the functional call's arguments)."""
    if node.op == "call_module":
        return traced.module(node)
    settings = {k: v for k, v in graph.settings(node).items() if k != "input"}
    settings["stride"] = settings.get("stride") or settings["kernel_size"]
    return SimpleNamespace(**settings)


def deeplift(
    model: nn.Module,
    x: torch.Tensor,
    reference: torch.Tensor,
    target: torch.Tensor,
    rule: str = "rescale",
) -> torch.Tensor:
    """DeepLIFT contributions C_i with sum_i C_i = f(x)_t - f(reference)_t exactly.
    ``rule``: "rescale" (m = Delta y / Delta z at every activation) or "revealcancel" (at
    every activation that a Linear or convolution feeds alone, Rescale at the others; the
    authors' genomics default used Rescale after convolutions). Where Delta z ~ 0 the
    multiplier is the slope g'(z) at x."""
    if rule not in DEEPLIFT_RULES:
        raise ValueError(f"rule must be one of {DEEPLIFT_RULES}, got {rule!r}")
    traced, values, planned = steps.prepare(model, x)
    return contributions(traced, planned, values, reference, target, rule)


def contributions(
    traced: graph.Traced,
    planned: list[steps.Step],
    values: dict,
    reference: torch.Tensor,
    target: torch.Tensor,
    rule: str,
) -> torch.Tensor:
    """:func:`deeplift` from a graph already traced and evaluated at x (DeepShap reuses
    them for every baseline row)."""
    for step in planned:
        if KINDS[step.kind].deeplift is None:
            raise UnsupportedModel(
                f"DeepLIFT and DeepShap cannot pass {graph.where(traced, step.node)}: {NO_DEEPLIFT_RULE}"
            )
    with torch.no_grad():
        refs = graph.forward(traced, reference.detach().expand_as(values[traced.input]))
    kinds = {step.node: step.kind for step in planned}

    def through(step: steps.Step, m: torch.Tensor) -> dict:
        node = step.node
        if step.kind in ("route", "affine", "linear"):
            return steps.vjp(traced, step, values, m)
        if step.kind == "maxpool":
            return {step.inputs[0]: _maxpool_multipliers(traced, step, values, refs, m)}
        if step.kind == "product":
            return _product_multipliers(traced, step, values, refs, m)
        z_node = node.args[0]

        def slope():  # g'(z) at x, needed only where a difference is near zero
            return next(
                iter(steps.vjp(traced, step, values, torch.ones_like(values[node])).values())
            )

        feeder = z_node if kinds.get(z_node) == "linear" and len(z_node.users) == 1 else None
        if rule == "revealcancel" and feeder is not None:
            return _revealcancel_multipliers(traced, node, feeder, values, refs, slope(), m)
        dy, dz = values[node] - refs[node], values[z_node] - refs[z_node]
        near = dz.abs() < NEAR_ZERO
        return {z_node: m * _ratio(dy, dz, slope() if near.any() else torch.zeros_like(dz))}

    last = traced.output.args[0]
    with torch.enable_grad():
        received = steps.sweep(planned, last, steps.seed(values[last], target), through)
    x = values[traced.input]
    m = received.get(traced.input, torch.zeros_like(x))
    return ((x - refs[traced.input]) * m).detach()


def _revealcancel_multipliers(traced, node, feeder, values, refs, slope, m):
    """RevealCancel at the activation ``node`` fed by the layer ``feeder`` alone: the
    multipliers at the layer's input (the layer is passed here, with its sign split)."""
    source = feeder.args[0]
    layer = graph.layer(traced, feeder, values)
    difference = values[source] - refs[source]
    delta = difference.detach().clone().requires_grad_()

    def g(z):
        return graph.evaluate(traced, node, values, {feeder: z})

    positive, negative = _signed_terms(layer, delta, difference)
    dy = _revealcancel(g, refs[feeder], positive, negative, slope)
    (grad,) = torch.autograd.grad((dy * m).sum(), delta)
    return {source: grad}


def _maxpool_multipliers(traced, step, values, refs, m):
    a_node = step.inputs[0]
    a, a_ref = values[a_node], refs[a_node]
    delta = (a - a_ref).detach().requires_grad_()
    out = _maxpool_deltas(_pooling(traced, step.node), a, a_ref, delta)
    (grad,) = torch.autograd.grad((out * m).sum(), delta)
    return grad


def _product_multipliers(traced, step, values, refs, m):
    """Delta(a b) = Delta a * op(., (b + b') / 2) + op((a + a') / 2, .) Delta b."""
    first, second = step.node.args[:2]
    op = graph.call(traced, step.node)
    mean_first = (values[first] + refs[first]) / 2
    mean_second = (values[second] + refs[second]) / 2
    a = values[first].detach().clone().requires_grad_()
    b = values[second].detach().clone().requires_grad_()
    out = op(a, mean_second) + op(mean_first, b)
    grad_a, grad_b = torch.autograd.grad(out, (a, b), m)
    if first is second:  # a * a: both halves go to the one input
        return {first: grad_a + grad_b}
    return {first: grad_a, second: grad_b}
