"""Paper A's reformulation: each method allocates the same effects with its own weights.

Gradient family, over Taylor terms t(kappa) at b:   a_i = sum_kappa w_i(kappa) t(kappa).
Perturbation family, over Harsanyi dividends H(S):  a_i = sum_S w_i(S) H(S).

For each method this module gives the weight as a sympy expression (:func:`weight`), the
method's closed form for a sympy expression (:func:`closed_form`), the scores rebuilt from
the effects (:func:`rebuild`), and :func:`prove_reformulation`: closed form minus rebuild,
expanded, for every variable (0 proves it, for polynomials). The weights are the book's own
derivations (the papers note lists them as derived and checked); paper A's statement of them
was not available.

Expected Gradients and Prediction Difference are averages of Integrated Gradients and
Occlusion-1 over baselines / replacement values; by linearity they inherit those weights
(per baseline), which :func:`prove_reformulation` does not re-prove.
"""

from __future__ import annotations

from itertools import combinations
from math import factorial

import sympy as sp

from .taylor import symbolic

KAPPA_I, ORDER, SIZE = sp.symbols("kappa_i |kappa| |S|", positive=True, integer=True)
IN_S = sp.Symbol("[i∈S]")
MEETS = sp.Symbol("[S∩P(i)≠∅]")

WEIGHTS = {
    "gradient_x_input": ("terms", KAPPA_I),
    "integrated_gradients": ("terms", KAPPA_I / ORDER),
    "occlusion_1": ("dividends", IN_S),
    "occlusion_patch": ("dividends", MEETS),
    "shapley_value": ("dividends", IN_S / SIZE),
}


def weight(method: str) -> sp.Expr:
    """w_i(kappa) or w_i(S) of ``method`` as a sympy expression (for display)."""
    if method not in WEIGHTS:
        raise ValueError(f"no derived weights for {method!r}; derived: {', '.join(WEIGHTS)}")
    return WEIGHTS[method][1]


def _weight_value(method: str, i: int, key, patch_of: dict[int, frozenset] | None):
    kind, _ = WEIGHTS[method]
    if kind == "terms":
        kappa = key
        return kappa[i] if method == "gradient_x_input" else sp.Rational(kappa[i], sum(kappa))
    coalition = key
    if method == "occlusion_1":
        return int(i in coalition)
    if method == "shapley_value":
        return sp.Rational(1, len(coalition)) if i in coalition else 0
    return int(bool(coalition & patch_of[i]))  # occlusion_patch


def rebuild(method: str, expr, variables, baseline=None, patches=None) -> list[sp.Expr]:
    """The scores of ``method`` rebuilt from the effects of ``expr`` (a polynomial) with the
    method's weights. ``patches``: for Occlusion-patch, a partition of the variable indices."""
    variables = list(variables)
    n = len(variables)
    patch_of = _patch_of(patches, n) if method == "occlusion_patch" else None
    if WEIGHTS[method][0] == "terms":
        effects = symbolic.taylor_terms(expr, variables, baseline)
    else:
        effects = {s: h for s, h in symbolic.harsanyi_dividends(expr, variables, baseline).items() if s}
    return [sp.expand(sum(_weight_value(method, i, key, patch_of) * value
                          for key, value in effects.items())) for i in range(n)]


def _patch_of(patches, n: int) -> dict[int, frozenset]:
    if patches is None:
        raise ValueError("occlusion_patch needs patches=[[...], ...], a partition of the variables")
    patch_of = {i: frozenset(p) for p in patches for i in p}
    if sorted(patch_of) != list(range(n)):
        raise ValueError(f"patches {patches} must partition the variable indices 0..{n - 1}")
    return patch_of


def closed_form(method: str, expr, variables, baseline=None, patches=None) -> list[sp.Expr]:
    """The method's own formula applied to ``expr`` (symbolically, exactly)."""
    variables = list(variables)
    n = len(variables)
    at = symbolic.baseline_map(variables, baseline)
    b = [at[v] for v in variables]

    def masked(keep):  # f with the variables outside ``keep`` at the baseline
        return expr.subs({variables[j]: b[j] for j in range(n) if j not in keep}, simultaneous=True)

    if method == "gradient_x_input":
        return [(variables[i] - b[i]) * sp.diff(expr, variables[i]) for i in range(n)]
    if method == "integrated_gradients":
        t = sp.Symbol("t")
        path = {v: bi + t * (v - bi) for v, bi in zip(variables, b)}
        return [(variables[i] - b[i]) * sp.integrate(sp.diff(expr, variables[i]).subs(path, simultaneous=True), (t, 0, 1))
                for i in range(n)]
    everyone = set(range(n))
    if method == "occlusion_1":
        return [expr - masked(everyone - {i}) for i in range(n)]
    if method == "occlusion_patch":
        patch_of = _patch_of(patches, n)
        return [expr - masked(everyone - patch_of[i]) for i in range(n)]
    if method == "shapley_value":
        scores = []
        for i in range(n):
            others = sorted(everyone - {i})
            total = 0
            for size in range(n):
                share = sp.Rational(factorial(size) * factorial(n - size - 1), factorial(n))
                for coalition in combinations(others, size):
                    total += share * (masked(set(coalition) | {i}) - masked(set(coalition)))
            scores.append(total)
        return scores
    raise ValueError(f"no closed form for {method!r}; known: {', '.join(WEIGHTS)}")


def prove_reformulation(method: str, expr, variables, baseline=None, patches=None) -> symbolic.Proof:
    """closed form - sum of weights x effects expands to 0 for every variable (polynomials)."""
    variables = list(variables)
    symbolic.polynomial_degree(expr, variables)  # polynomials only, with a clear message otherwise
    ours = closed_form(method, expr, variables, baseline, patches)
    rebuilt = rebuild(method, expr, variables, baseline, patches)
    residuals = {f"a_{variables[i]}": sp.expand(ours[i] - rebuilt[i]) for i in range(len(variables))}
    return symbolic.Proof(f"{method}: closed form = sum of w_i x effects", residuals)


PRINCIPLES = {
    "P1": "no unrelated allocation: an effect of S goes to no variable outside S",
    "P2": "independent effects in full: psi(i) goes to i with weight exactly 1",
    "P3": "interaction effects in full: the weights of an interaction effect sum to exactly 1",
}


def principles(method: str, n: int = 4, max_order: int = 4, patches=((0, 1), (2, 3))) -> dict:
    """Verdicts on P1-P3 from the weights alone, over every multi-index of order <=
    ``max_order`` (gradient family) or every coalition (perturbation family) of ``n``
    variables: ``{"P1": (holds, detail), ...}``, the detail naming the largest violation.
    (The wording of the principles is reconstructed; see the papers note.)"""
    from .taylor import multi_indices, support

    weight(method)  # refuses methods without derived weights
    kind = WEIGHTS[method][0]
    patch_of = {i: frozenset(p) for p in patches for i in p} if method == "occlusion_patch" else None
    if kind == "terms":
        keys = [(k, support(k)) for k in multi_indices(n, max_order)]
    else:
        keys = [(frozenset(c), frozenset(c)) for size in range(1, n + 1)
                for c in combinations(range(n), size)]
    outside, single, total = [], [], []
    for key, members in keys:
        w = [_weight_value(method, i, key, patch_of) for i in range(n)]
        outside += [(abs(w[i]), key, i) for i in range(n) if i not in members]
        if len(members) == 1:
            (i,) = members
            single.append((abs(w[i] - 1), key, w[i]))
        else:
            total.append((abs(sum(w) - 1), key, sum(w)))

    def verdict(cases, describe):
        worst = max(cases, key=lambda c: c[0])
        return (worst[0] == 0, "holds" if worst[0] == 0 else describe(worst))

    label = "kappa" if kind == "terms" else "S"
    return {
        "P1": verdict(outside, lambda c: f"variable {c[2] + 1} gets weight {c[0]} of the effect of "
                                         f"{label}={_show(c[1])}"),
        "P2": verdict(single, lambda c: f"weight {c[2]} on {label}={_show(c[1])}"),
        "P3": verdict(total, lambda c: f"weights sum to {c[2]} on {label}={_show(c[1])}"),
    }


def _show(key) -> str:
    if isinstance(key, frozenset):
        return "{" + ", ".join(str(i + 1) for i in sorted(key)) + "}"
    return "(" + ", ".join(map(str, key)) + ")"
