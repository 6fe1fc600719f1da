"""DeepLIFT with the Rescale and RevealCancel rules (Shrikumar et al. 2017).

A forward pass of differences from the reference in which every activation is replaced by
multipliers computed from x and the reference and then held fixed; the map from input
differences to the output difference is then linear, and the contributions are
Delta x * its gradient (summation to delta holds exactly). Linear layers split each term
w_ij Delta a_j by its sign, as the authors' implementation (kundajelab/deeplift, Dense
layer) does; max-pooling follows captum's rule (the difference of maxima goes to the argmax
at x and at the reference). Rescale is compared with captum's DeepLift in the tests, both
rules with slow matrix forms.
"""

from __future__ import annotations

import copy

import torch
import torch.nn.functional as F
from torch import nn

from .chain import ELEMENTWISE, LINEAR, affine_map, layers, minus, plus

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
    mean."""
    weight = layer.weight
    signs = torch.sign(difference)
    pos_in, neg_in, zero_in = delta * (signs > 0), delta * (signs < 0), delta * (signs == 0)
    half = 0.5 * affine_map(layer, zero_in, weight)
    positive = (
        affine_map(layer, pos_in, plus(weight)) + affine_map(layer, neg_in, minus(weight)) + half
    )
    negative = (
        affine_map(layer, pos_in, minus(weight)) + affine_map(layer, neg_in, plus(weight)) + half
    )
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
    (y, index), (y_ref, index_ref) = (
        F.max_pool2d(
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


def deeplift(
    model: nn.Module,
    x: torch.Tensor,
    reference: torch.Tensor,
    target: torch.Tensor,
    rule: str = "rescale",
) -> torch.Tensor:
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
            if getattr(layer, "inplace", False):  # DeepLIFT reads a layer's input and output both
                layer = copy.copy(layer)
                layer.inplace = False
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
