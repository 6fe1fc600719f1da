"""Taylor expansions at a baseline and their split into independent and interaction effects:
exact and symbolic (:mod:`.symbolic`, sympy) or numeric by automatic differentiation
(:mod:`.numeric`, torch). Shared here: multi-indices.

A multi-index kappa in N^n has order ``|kappa|`` = sum kappa_i and support
S_kappa = {i : kappa_i > 0}; its Taylor term at b is
t(kappa) = (1 / kappa!) d^kappa f(b) (x - b)^kappa.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from itertools import combinations_with_replacement
from math import factorial, prod

from torch import nn


@lru_cache(maxsize=64)
def multi_indices(n: int, max_order: int, min_order: int = 1) -> tuple[tuple[int, ...], ...]:
    """All kappa in N^n with min_order <= ``|kappa|`` <= max_order, by order then lexicographic."""
    out = []
    for order in range(min_order, max_order + 1):
        for combo in combinations_with_replacement(range(n), order):
            kappa = [0] * n
            for i in combo:
                kappa[i] += 1
            out.append(tuple(kappa))
    return tuple(out)


def support(kappa: tuple[int, ...]) -> frozenset[int]:
    """S_kappa = {i : kappa_i > 0}."""
    return frozenset(i for i, k in enumerate(kappa) if k)


def support_mask(kappa: tuple[int, ...]) -> int:
    """S_kappa as a bit mask (the coalition encoding of :mod:`unified_attribution.games`)."""
    return sum(1 << i for i, k in enumerate(kappa) if k)


def float64_copy(module: nn.Module) -> nn.Module:
    """A float64 copy of a torch module in eval mode without parameter gradients; the
    caller's module is left untouched."""
    return copy.deepcopy(module).double().eval().requires_grad_(False)


def kappa_factorial(kappa: tuple[int, ...]) -> int:
    """kappa! = prod_i kappa_i!."""
    return prod(factorial(k) for k in kappa)
