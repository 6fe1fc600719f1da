"""Exact Taylor interactions with sympy, and proofs by exact simplification.

For an expression f in variables x_1..x_n and a baseline b (numbers or symbols):

- :func:`taylor_terms`: t(kappa) = (1/kappa!) d^kappa f(b) (x - b)^kappa for
  1 <= ``|kappa|`` <= K; for a polynomial and ``order=None``, K is its total degree and the
  expansion is exact.
- :func:`generic_effects`: psi(i) = sum of t(kappa) with S_kappa = {i} (independent effect)
  and J(S) = sum of t(kappa) with S_kappa = S, ``|S|`` >= 2 (interaction effect); paper A's
  definitions (Deng et al., TPAMI 2024), in the book's notation.
- :func:`masking_game`, :func:`harsanyi_dividends`: v(S) = f(x_S, b_rest) and its Moebius
  transform H(S) = sum_{T ⊆ S} (-1)^{``|S|``-``|T|``} v(T).
- :func:`prove_decomposition`: f(x) - f(b) - sum_i psi(i) - sum_S J(S) expands to 0.
- :func:`prove_effects_are_dividends`: psi(i) - H({i}) and J(S) - H(S) expand to 0 for
  every S. (The book's own derivation; the paper's statement of it was not available.)

Both proofs need a polynomial (the expansion is then finite and exact); they hold for
symbolic coefficients (:func:`generic_polynomial`) and symbolic x and b, so one call proves
the statement for every polynomial of that degree in that many variables.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Sequence

import sympy as sp
from torch import nn

from ..aliases import SymbolicBaseline, Variables
from . import kappa_factorial, multi_indices, support


def baseline_map(variables: Variables, baseline: SymbolicBaseline) -> dict:
    """{x_i: b_i}; symbols b_1..b_n when ``baseline`` is None, a number repeated, or a list."""
    if baseline is None:
        baseline = [sp.Symbol(f"b_{i + 1}") for i in range(len(variables))]
    elif not isinstance(baseline, (list, tuple)):
        baseline = [baseline] * len(variables)
    if len(baseline) != len(variables):
        raise ValueError(f"{len(variables)} variables but {len(baseline)} baseline values")
    return dict(zip(variables, (sp.sympify(b) for b in baseline)))


def polynomial_degree(expr: sp.Expr, variables: Variables) -> int:
    """Total degree of ``expr`` in ``variables``; ValueError naming the fix if not a polynomial."""
    try:
        return sp.Poly(sp.expand(expr), *variables).total_degree()
    except sp.PolynomialError as err:
        raise ValueError(
            f"{expr} is not a polynomial in {variables}: give the truncation "
            f"order explicitly (order=K)"
        ) from err


def taylor_terms(
    expr: sp.Expr,
    variables: Sequence[sp.Symbol],
    baseline: SymbolicBaseline = None,
    order: int | None = None,
) -> dict[tuple[int, ...], sp.Expr]:
    """Every Taylor term t(kappa), 1 <= ``|kappa|`` <= order, of ``expr`` at ``baseline``
    (symbols b_1..b_n when None). Terms that vanish are left out."""
    variables = list(variables)
    at = baseline_map(variables, baseline)
    if order is None:
        order = polynomial_degree(expr, variables)
    derivative = {tuple([0] * len(variables)): sp.sympify(expr)}
    terms = {}
    for kappa in multi_indices(len(variables), order):
        last = max(i for i, k in enumerate(kappa) if k)
        parent = tuple(k - (i == last) for i, k in enumerate(kappa))
        derivative[kappa] = sp.diff(derivative[parent], variables[last])
        coefficient = derivative[kappa].subs(at, simultaneous=True)
        if coefficient == 0:
            continue
        power = sp.Mul(*[(v - at[v]) ** k for v, k in zip(variables, kappa)])
        terms[kappa] = coefficient / kappa_factorial(kappa) * power
    return terms


def generic_effects(
    terms: dict[tuple[int, ...], sp.Expr],
) -> tuple[dict[int, sp.Expr], dict[frozenset[int], sp.Expr]]:
    """``(psi, J)``: psi[i] sums the terms of variable i alone, J[S] the terms whose support
    is exactly S (``|S|`` >= 2)."""
    psi: dict[int, sp.Expr] = {}
    interactions: dict[frozenset[int], sp.Expr] = {}
    for kappa, term in terms.items():
        s = support(kappa)
        if len(s) == 1:
            (i,) = s
            psi[i] = psi.get(i, 0) + term
        else:
            interactions[s] = interactions.get(s, 0) + term
    return psi, interactions


def masking_game(
    expr: sp.Expr, variables: Variables, baseline: SymbolicBaseline = None
) -> dict[frozenset[int], sp.Expr]:
    """v(S) = f(x_S, b_rest) for every coalition S of the variables' indices."""
    variables = list(variables)
    at = baseline_map(variables, baseline)
    n = len(variables)
    game = {}
    for size in range(n + 1):
        for coalition in combinations(range(n), size):
            masked = {variables[j]: at[variables[j]] for j in range(n) if j not in coalition}
            game[frozenset(coalition)] = sp.sympify(expr).subs(masked, simultaneous=True)
    return game


def harsanyi_dividends(
    expr: sp.Expr, variables: Variables, baseline: SymbolicBaseline = None
) -> dict[frozenset[int], sp.Expr]:
    """H(S) = sum_{T ⊆ S} (-1)^{``|S|``-``|T|``} v(T), expanded."""
    game = masking_game(expr, variables, baseline)
    return {
        s: sp.expand(sum((-1) ** (len(s) - len(t)) * game[t] for t in game if t <= s)) for s in game
    }


@dataclass
class Proof:
    """The residuals of a statement, each expanded; the statement holds when all are 0."""

    statement: str
    residuals: dict[str, sp.Expr]

    @property
    def holds(self) -> bool:
        return all(r == 0 for r in self.residuals.values())

    def __bool__(self) -> bool:
        return self.holds

    def __repr__(self) -> str:
        verdict = "holds" if self.holds else "FAILS"
        return f"Proof({self.statement!r}: {verdict}, {len(self.residuals)} residual(s))"


def prove_decomposition(
    expr: sp.Expr, variables: Variables, baseline: SymbolicBaseline = None
) -> Proof:
    """f(x) - f(b) = sum_i psi(i) + sum_{``|S|``>=2} J(S), by exact expansion (polynomials)."""
    variables = list(variables)
    polynomial_degree(expr, variables)  # refuses non-polynomials with a clear message
    at = baseline_map(variables, baseline)
    psi, interactions = generic_effects(taylor_terms(expr, variables, list(at.values())))
    f_b = sp.sympify(expr).subs(at, simultaneous=True)
    residual = sp.expand(expr - f_b - sum(psi.values()) - sum(interactions.values()))
    return Proof("f(x) - f(b) = sum psi(i) + sum J(S)", {"f(x) - f(b) - sum of effects": residual})


def prove_effects_are_dividends(
    expr: sp.Expr, variables: Variables, baseline: SymbolicBaseline = None
) -> Proof:
    """psi(i) = H({i}) and J(S) = H(S) for every coalition, by exact expansion (polynomials)."""
    variables = list(variables)
    polynomial_degree(expr, variables)
    at = baseline_map(variables, baseline)
    psi, interactions = generic_effects(taylor_terms(expr, variables, list(at.values())))
    dividends = harsanyi_dividends(expr, variables, list(at.values()))
    residuals = {}
    for s, h in dividends.items():
        if not s:
            continue
        effect = psi.get(next(iter(s)), 0) if len(s) == 1 else interactions.get(s, 0)
        residuals["S = {" + ", ".join(str(variables[i]) for i in sorted(s)) + "}"] = sp.expand(
            effect - h
        )
    return Proof("psi(i) = H({i}) and J(S) = H(S) for all S", residuals)


def generic_polynomial(
    variables: Variables, degree: int, name: str = "c"
) -> tuple[sp.Expr, list[sp.Symbol]]:
    """sum over ``|kappa|`` <= degree of c_kappa x^kappa with one symbol per coefficient;
    returns ``(expr, coefficients)``."""
    variables = list(variables)
    coefficients = []
    expr = sp.Symbol(f"{name}_0")
    coefficients.append(expr)
    for kappa in multi_indices(len(variables), degree):
        c = sp.Symbol(f"{name}_{''.join(map(str, kappa))}")
        coefficients.append(c)
        expr += c * sp.Mul(*[v**k for v, k in zip(variables, kappa)])
    return expr, coefficients


def random_polynomial(
    variables: Variables,
    degree: int,
    seed: int = 0,
    density: float = 0.6,
    low: int = -5,
    high: int = 5,
) -> sp.Expr:
    """A polynomial with random integer coefficients (each monomial kept with probability
    ``density``), for tests and exercises."""
    import random

    rng = random.Random(seed)
    variables = list(variables)
    expr = sp.Integer(rng.randint(low, high))
    for kappa in multi_indices(len(variables), degree):
        if rng.random() < density:
            expr += rng.randint(low, high) * sp.Mul(*[v**k for v, k in zip(variables, kappa)])
    return expr


def latex_table(terms: dict[tuple[int, ...], sp.Expr]) -> str:
    """A LaTeX array of the terms: multi-index, order, support, term (for display with
    ``IPython.display.Math``)."""
    rows = [r"\kappa & |\kappa| & S_\kappa & t(\kappa) \\ \hline"]
    for kappa, term in sorted(terms.items(), key=lambda kv: (sum(kv[0]), kv[0])):
        members = ", ".join(str(i + 1) for i in sorted(support(kappa)))
        rows.append(
            f"({', '.join(map(str, kappa))}) & {sum(kappa)} & "
            rf"\{{{members}\}} & {sp.latex(sp.factor(term))} \\"
        )
    return r"\begin{array}{cccl}" + "\n".join(rows) + r"\end{array}"


def torch_module(expr: sp.Expr, variables: Variables) -> nn.Module:
    """A polynomial in ``variables`` as a differentiable torch module: input (N, n), output
    (N, 1), computed monomial by monomial in the input's dtype. For checks of numeric code
    against exact sympy results."""
    import torch

    terms = [(tuple(powers), float(c)) for powers, c in sp.Poly(expr, *variables).terms()]

    class Polynomial(torch.nn.Module):
        def forward(self, x):
            out = torch.zeros(x.shape[0], dtype=x.dtype)
            for powers, c in terms:
                monomial = torch.full_like(out, c)
                for i, k in enumerate(powers):
                    monomial = monomial * x[:, i] ** k
                out = out + monomial
            return out[:, None]

    return Polynomial()
