"""Taylor terms of a torch model by automatic differentiation (float64).

Along the players of a masking game (:class:`~unified_attribution.games.MaskingGame`),
define g(t) = f(b + t ⊙ (x - b)), where player j's coordinate t_j scales all of its input
elements (elements of no player stay at x). Then
d^kappa g(0) = d^kappa f(b) (x - b)^kappa for single-element players, and in general the
Taylor terms of g at 0, evaluated at t = 1, are the Taylor terms of the masking game:

    t(kappa) = d^kappa g(0) / kappa!,   f(x) - f(b) = sum_kappa t(kappa)  (if the series converges).

Two routes, one slow and general, one fast:

- :func:`game_terms`: every single term t(kappa). All derivatives of order k come at once
  from k nested ``torch.func.jacfwd`` calls, as the symmetric tensor d^k g(0) of shape
  (n,)*k: any torch function, but n**k entries, so few players when k is large.
- :func:`effect_parts`, :func:`truncated_effects_by_order`: the sums of terms by order and
  support, which is all the generic effects need, by Taylor-mode AD (:mod:`.jets`) batched
  over all 2**n coalitions: O(K^2) per activation, orders of 20 and more in seconds, for
  sequential models of the layers :mod:`.jets` supports.

Truncated generic effects J_K(S) (sum of t(kappa) with support S and ``|kappa|`` <= K) come in
the coalition layout of :mod:`unified_attribution.games`, so they compare directly with the
Harsanyi dividends. Checked against :mod:`unified_attribution.taylor.symbolic` (sympy) on
polynomials written as torch modules, and the two routes against each other (tests, 1e-10).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.func import jacfwd

from .. import games
from .._renamed import renamed_names
from ..games import MaskingGame
from . import float64_copy, kappa_factorial, multi_indices, support_mask

MAX_TENSOR_ENTRIES = 5_000_000


def _ray_function(game: MaskingGame):
    """g(t) = f(b + t ⊙ (x - b)) of a game's players, in float64."""
    model = float64_copy(game.model) if isinstance(game.model, nn.Module) else game.model
    x, b = game.x.double(), game.baseline.double()
    labels = torch.as_tensor(np.where(game.labels >= 0, game.labels, game.n))
    target = 0 if game.target is None else game.target

    def g(t: torch.Tensor) -> torch.Tensor:
        scale = torch.cat([t, t.new_ones(1)])[labels].reshape(x.shape)
        return model((b + scale * (x - b))[None]).reshape(-1)[target]

    return g


def derivative_tensors(game: MaskingGame, order: int) -> list[torch.Tensor]:
    """[g(0), d g(0), d^2 g(0), ..., d^order g(0)]; the k-th has shape (n,)*k."""
    n = game.n
    if n**order > MAX_TENSOR_ENTRIES:
        raise ValueError(
            f"order {order} with {n} players needs a derivative tensor of "
            f"{n}**{order} = {n**order:,} entries (limit {MAX_TENSOR_ENTRIES:,}); "
            f"use fewer players (group inputs) or a lower order"
        )
    g = _ray_function(game)
    t0 = torch.zeros(n, dtype=torch.float64)
    tensors, fn = [g(t0).detach()], g
    for _ in range(order):
        fn = jacfwd(fn)
        tensors.append(fn(t0).detach())
    return tensors


def game_terms(game: MaskingGame, order: int) -> dict[tuple[int, ...], float]:
    """t(kappa) for every 0 <= ``|kappa|`` <= order of the game's Taylor expansion at the
    baseline (the zero multi-index holds f(b))."""
    tensors = derivative_tensors(game, order)
    terms = {tuple([0] * game.n): float(tensors[0])}
    for kappa in multi_indices(game.n, order):
        index = tuple(i for i, k in enumerate(kappa) for _ in range(k))
        terms[kappa] = float(tensors[len(index)][index]) / kappa_factorial(kappa)
    return terms


def truncated_effects(terms: dict[tuple[int, ...], float], n: int) -> np.ndarray:
    """J_K(S) (and psi_K(i), and f(b) at the empty set) in coalition layout: entry ``mask``
    sums the terms whose support is the coalition ``mask``."""
    out = np.zeros(2**n)
    for kappa, value in terms.items():
        out[support_mask(kappa)] += value
    return out


def effect_parts(game: MaskingGame, max_order: int) -> np.ndarray:
    """P[k, mask] = sum of t(kappa) with ``|kappa|`` = k and support exactly the coalition
    ``mask``, for k = 0..max_order (P[0] holds f(b) at the empty coalition), by Taylor-mode
    AD (:mod:`.jets`; sequential models of supported layers).

    Along v_s(T) = f(start + s 1_T (x - b)), with every player at b in ``start``, the
    coefficient of s^k sums the order-k terms whose support lies inside T; its Moebius
    transform over T keeps the support exactly S. At x_alpha = b + alpha (x - b) the parts
    scale as alpha^k, so one call serves every alpha."""
    from . import jets

    if not isinstance(game.model, nn.Module):
        raise TypeError("Taylor-mode propagation needs a torch.nn.Module model")
    target = 0 if game.target is None else game.target
    masks = np.arange(2**game.n)
    start = game.inputs(np.zeros(1, dtype=np.int64))  # players at b, others at x
    coefficients = np.empty((max_order + 1, len(masks)))
    for lo in range(0, len(masks), game.batch_size):
        chunk = masks[lo : lo + game.batch_size]
        direction = game.inputs(chunk) - start
        out = jets.series(game.model, start.expand_as(direction), direction, max_order)
        coefficients[:, lo : lo + len(chunk)] = out[:, :, target].numpy()
    return np.stack([games.moebius(c) for c in coefficients])


def truncated_effects_by_order(game: MaskingGame, max_order: int) -> list[np.ndarray]:
    """[J_1, ..., J_K]: truncated effects J_K(S) = sum_{k <= K} P[k, S] (coalition layout)
    for every truncation order K = 1..max_order."""
    return list(np.cumsum(effect_parts(game, max_order), axis=0)[1:])


def radius_of_convergence(parts: np.ndarray) -> float:
    """Root-test estimate of the radius of convergence in s of f(b + s (x - b)), from the
    coefficients c_k = sum_S P[k, S] of its series (Cauchy-Hadamard:
    ``1/R = limsup ``|c_k|``^(1/k)``, here the largest ``|c_k|^(1/k)`` over the upper half of the
    orders). A diagnostic, not a bound: R > 1 suggests the series converges at x."""
    c = np.abs(parts.sum(axis=1))
    orders = np.arange(len(c))
    upper = orders[max(1, len(c) // 2) :]
    growth = np.max(c[upper] ** (1.0 / upper))
    return float("inf") if growth == 0 else float(1.0 / growth)


def gradient_parts(
    model: nn.Module, x: torch.Tensor, baseline: torch.Tensor, target: int, max_order: int
) -> np.ndarray:
    """G[k-1, i] = sum over ``|kappa|`` = k of kappa_i t(kappa), k = 1..max_order, for every
    input element i (float64), by Taylor-mode AD (:mod:`.jets`).

    The order-k part of the expansion at b is T_k(Delta) = c_k, the coefficient of s^k in
    f(b + s Delta); it is homogeneous of degree k in Delta, and Euler's identity gives
    sum_{``|kappa|``=k} kappa_i t(kappa) = Delta_i dT_k/dDelta_i: one backward pass per order.
    Every gradient-family weight of the form kappa_i g(``|kappa|``) rebuilds from G
    (:func:`unified_attribution.theory.allocation.rebuild_from_parts`)."""
    from . import jets

    start = baseline.detach().double().reshape(1, *x.shape)
    delta = (x.detach().double() - baseline.detach().double()).reshape(1, *x.shape)
    delta.requires_grad_(True)
    coefficients = jets.series(model, start, delta, max_order, differentiable=True)[:, 0, target]
    parts = []
    for k in range(1, max_order + 1):
        (gradient,) = torch.autograd.grad(
            coefficients[k], delta, retain_graph=k < max_order, allow_unused=True
        )
        gradient = torch.zeros_like(delta) if gradient is None else gradient
        parts.append((delta * gradient).detach().reshape(-1).numpy())
    return np.stack(parts)


#: Each renamed public name and its new name (the old names warn for one release).
RENAMED = {"taylor_terms": "game_terms"}
__getattr__ = renamed_names(__name__, RENAMED, globals())
