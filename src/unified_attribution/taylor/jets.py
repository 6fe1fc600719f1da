"""Univariate Taylor-mode automatic differentiation ("jets") through sequential torch models.

:func:`series` returns the Taylor coefficients c_0..c_K of h(s) = f(x0 + s d) at s = 0,
h(s) = sum_k c_k s^k, for a whole batch of start points x0 and directions d at once. A jet
(the tensor of coefficients, shape (K+1, batch, ...)) is pushed through each module:
linear layers act on every coefficient (the bias on c_0 only); an analytic activation
y = phi(u) with phi' = w(y, u) follows the recurrence

    k y_k = sum_{j=1..k} j u_j w_{k-j}          (Griewank and Walther, Evaluating
                                                 Derivatives, 2008, ch. 13)

which costs O(K^2) per activation instead of the exponential cost of nesting first-order
AD K times.

ReLU and max-pooling get their one-sided expansion in s > 0 (the direction towards x):
a ReLU passes its input series when the first non-zero coefficient is positive, else 0; a
max-pool keeps, in each window, the element whose coefficients (c_0, c_1, ...) are
lexicographically largest. This is exact on some interval (0, eps), which is exactly where
Taylor arguments for ReLU networks stop describing the function.

Checked against nested ``torch.func.jacfwd`` (:mod:`.numeric`) in the tests.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from . import float64_copy

SUPPORTED = (
    nn.Sequential,
    nn.Linear,
    nn.Conv2d,
    nn.Flatten,
    nn.Identity,
    nn.Dropout,
    nn.Tanh,
    nn.Sigmoid,
    nn.Softplus,
    nn.ReLU,
    nn.MaxPool2d,
)


def _times(a: torch.Tensor, b: torch.Tensor, k: int) -> torch.Tensor:
    """Coefficient k of the product of two series (Cauchy product)."""
    return sum(a[i] * b[k - i] for i in range(k + 1))


def _activation(u: torch.Tensor, value, derivative) -> torch.Tensor:
    """y = phi(u) given phi (``value``) and ``derivative(y, m)``, coefficient m of
    phi'(u(s)) computed from y_0..y_m: one new coefficient per order, O(K^2) in all."""
    y = [value(u[0])]  # a list, not in-place writes: autograd can differentiate through it
    w = []  # coefficients of phi'(u(s))
    for k in range(1, len(u)):
        w.append(derivative(y, k - 1))
        y.append(sum(j * u[j] * w[k - j] for j in range(1, k + 1)) / k)
    return torch.stack(y)


def _tanh_derivative(y, m):  # phi' = 1 - y^2
    return (1.0 if m == 0 else 0.0) - _times(y, y, m)


def _sigmoid_derivative(y, m):  # phi' = y - y^2
    return y[m] - _times(y, y, m)


def _leading_sign(jet: torch.Tensor) -> torch.Tensor:
    """Sign of the first non-zero coefficient: the sign of the series on (0, eps)."""
    sign = torch.zeros_like(jet[0])
    for c in reversed(jet):
        sign = torch.where(c != 0, torch.sign(c), sign)
    return sign


def _pair(value) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else tuple(value)


def _max_pool(module: nn.MaxPool2d, jet: torch.Tensor) -> torch.Tensor:
    if _pair(module.padding) != (0, 0) or _pair(module.dilation) != (1, 1) or module.ceil_mode:
        raise TypeError(
            "Taylor-mode propagation supports MaxPool2d without padding, dilation or ceil_mode only"
        )
    kh, kw = _pair(module.kernel_size)
    sh, sw = _pair(module.stride or module.kernel_size)
    windows = jet.unfold(3, kh, sh).unfold(4, kw, sw)  # (K+1, B, C, H', W', kh, kw)
    windows = windows.reshape(*windows.shape[:5], kh * kw)
    candidate = torch.ones(windows.shape[1:], dtype=torch.bool)
    for c in windows:  # lexicographic maximum of (c_0, c_1, ...)
        masked = torch.where(candidate, c, torch.tensor(-torch.inf, dtype=c.dtype))
        candidate &= masked == masked.max(dim=-1, keepdim=True).values
    first = candidate.to(torch.int8).argmax(dim=-1, keepdim=True)
    return torch.gather(windows, -1, first.expand(len(jet), *first.shape)).squeeze(-1)


def _propagate(module: nn.Module, jet: torch.Tensor) -> torch.Tensor:
    order = len(jet)
    if isinstance(module, nn.Sequential):
        for child in module:
            jet = _propagate(child, jet)
        return jet
    if isinstance(module, (nn.Identity, nn.Dropout)):
        return jet
    if isinstance(module, nn.Linear):
        out = F.linear(jet, module.weight)
        if module.bias is not None:
            out[0] = out[0] + module.bias
        return out
    if isinstance(module, nn.Conv2d):
        flat = jet.reshape(-1, *jet.shape[2:])
        out = F.conv2d(
            flat, module.weight, None, module.stride, module.padding, module.dilation, module.groups
        )
        out = out.reshape(order, -1, *out.shape[1:])
        if module.bias is not None:
            out[0] = out[0] + module.bias[:, None, None]
        return out
    if isinstance(module, nn.Flatten):
        return jet.flatten(
            module.start_dim + 1, module.end_dim if module.end_dim < 0 else module.end_dim + 1
        )
    if isinstance(module, nn.Tanh):
        return _activation(jet, torch.tanh, _tanh_derivative)
    if isinstance(module, nn.Sigmoid):
        return _activation(jet, torch.sigmoid, _sigmoid_derivative)
    if isinstance(module, nn.Softplus):
        beta = module.beta
        sig = _activation(beta * jet, torch.sigmoid, _sigmoid_derivative)  # softplus' = sigmoid
        y = _activation(
            jet, lambda u0: F.softplus(u0, beta, module.threshold), lambda _y, m: sig[m]
        )
        linear = beta * jet[0] > module.threshold  # torch's softplus is the identity there
        return torch.where(linear, jet, y)
    if isinstance(module, nn.ReLU):
        return jet * (_leading_sign(jet) > 0)
    if isinstance(module, nn.MaxPool2d):
        return _max_pool(module, jet)
    raise TypeError(
        f"Taylor-mode propagation does not support {type(module).__name__}; "
        f"supported: {', '.join(t.__name__ for t in SUPPORTED)}. Use "
        f"unified_attribution.taylor.numeric.game_terms (nested autodiff, any "
        f"torch function, slower) instead."
    )


def series(
    model: nn.Module,
    start: torch.Tensor,
    direction: torch.Tensor,
    order: int,
    differentiable: bool = False,
) -> torch.Tensor:
    """Coefficients c_0..c_order of model(start + s * direction) at s = 0, float64, shaped
    (order + 1, batch, outputs). ``start`` and ``direction`` are input batches;
    ``differentiable=True`` keeps autograd on (e.g. for d c_k / d direction)."""
    if order < 0:
        raise ValueError(f"order must be >= 0, got {order}")
    start, direction = torch.broadcast_tensors(start.double(), direction.double())
    jet = torch.stack([start, direction, *[torch.zeros_like(start)] * (order - 1)])[: order + 1]
    model = float64_copy(model)  # never change the caller's model
    with torch.set_grad_enabled(differentiable):
        out = _propagate(model, jet)
    return out.reshape(order + 1, len(start), -1)
