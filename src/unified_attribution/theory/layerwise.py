"""Propagation rules one neuron at a time, derived in sympy (the book's own derivation;
paper A's text was not available).

A neuron y = g(z), z = c + sum_i w_i x_i. From a reference b, u_i = w_i (x_i - b_i) is input
i's linear contribution, s = sum_i u_i, r = c + w.b the reference pre-activation and
Delta y = g(r + s) - g(r). LRP explains y itself from the root x = 0, where r = c. With p and
n the sums of the positive and the negative u_i, the score of input i under each rule:

===========================  =========================================================
gradient_x_input             u_i g'(r + s)
integrated_gradients         u_i int_0^1 g'(r + t s) dt
deeplift_rescale             u_i / s Delta y
deeplift_revealcancel        u_i / p Delta y+ (u_i > 0), u_i / n Delta y- (u_i < 0), with
                             Delta y+ = [g(r+p) - g(r) + g(r+n+p) - g(r+n)] / 2 and Delta y-
                             the same with p and n exchanged (Shrikumar et al. 2017)
lrp_epsilon                  u_i g(c + s) / (c + s + epsilon)            (root 0, r = c)
lrp_alpha_beta               alpha u_i / p g(c + s) (u_i > 0), -beta u_i / n g(c + s)
===========================  =========================================================

:func:`prove` rebuilds each rule from the Taylor terms t(kappa) of y in the u_i with the
weights of :data:`NEURON_WEIGHTS` and checks that the difference expands to zero, for a generic
cubic g. LRP-alpha-beta has no such weights (:func:`alpha_beta_weights`): it splits every
term, and the root value g(c), in the same proportions.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import factorial
from typing import Sequence

import sympy as sp

from .._renamed import renamed_names
from ..taylor import kappa_factorial, multi_indices, symbolic

RULES = (
    "gradient_x_input",
    "integrated_gradients",
    "deeplift_rescale",
    "deeplift_revealcancel",
    "lrp_epsilon",
    "lrp_alpha_beta",
)


@dataclass(frozen=True)
class Neuron:
    """Contributions u (the first ``n_positive`` positive, the rest negative), the reference
    pre-activation r and the activation g (a sympy function of one argument)."""

    u: tuple
    r: sp.Symbol
    g: object

    @property
    def positive(self) -> list[int]:
        return [i for i, ui in enumerate(self.u) if ui.is_positive]

    @property
    def s(self):
        return sum(self.u)

    def parts(self) -> tuple[sp.Expr, sp.Expr]:
        """(p, n): the sums of the positive and of the negative contributions."""
        p = sum(self.u[i] for i in self.positive)
        return p, self.s - p


def neuron(
    n_positive: int = 2, n_negative: int = 1, g: sp.Lambda | sp.FunctionClass | None = None
) -> Neuron:
    """A neuron with symbolic contributions u_1.. (signs as given) and activation ``g``
    (default: a generic sympy Function)."""
    u = tuple(sp.Symbol(f"u_{i + 1}", positive=True) for i in range(n_positive)) + tuple(
        -sp.Symbol(f"v_{i + 1}", positive=True) for i in range(n_negative)
    )
    return Neuron(u, sp.Symbol("r"), g if g is not None else sp.Function("g"))


def cubic(r: sp.Expr | float) -> sp.Lambda:
    """g(z) = a_0 + a_1 (z - r) + a_2 (z - r)^2 + a_3 (z - r)^3: every Taylor coefficient at r
    free, so an identity proven for it holds term by term up to order 3."""
    z = sp.Symbol("z")
    a = sp.symbols("a_0:4")
    return sp.Lambda(z, sum(a[k] * (z - r) ** k for k in range(4)))


def scores(
    rule: str, cell: Neuron, epsilon: float = 0, alpha: float = 2, beta: float = 1
) -> list[sp.Expr]:
    """The closed form of ``rule`` for each input of ``cell`` (see the module docstring)."""
    g, r, u, s = cell.g, cell.r, cell.u, cell.s
    p, n = cell.parts()
    t, z = sp.Symbol("t"), sp.Symbol("z")

    def slope(at):
        return sp.diff(g(z), z).subs(z, at)

    if rule == "gradient_x_input":
        return [ui * slope(r + s) for ui in u]
    if rule == "integrated_gradients":
        # left as an Integral for a generic g; evaluated for a concrete (e.g. cubic) g
        return [ui * sp.integrate(slope(r + t * s), (t, 0, 1)) for ui in u]
    if rule == "deeplift_rescale":
        return [ui / s * (g(r + s) - g(r)) for ui in u]
    if rule == "deeplift_revealcancel":
        up = (g(r + p) - g(r) + g(r + n + p) - g(r + n)) / 2
        down = (g(r + n) - g(r) + g(r + p + n) - g(r + p)) / 2
        return [ui / p * up if ui.is_positive else ui / n * down for ui in u]
    if rule == "lrp_epsilon":
        return [ui * g(r + s) / (r + s + epsilon) for ui in u]
    if rule == "lrp_alpha_beta":
        return [w * g(r + s) for w in alpha_beta_weights(cell.u, alpha, beta)]
    raise ValueError(f"unknown rule {rule!r}; rules: {', '.join(RULES)}")


def alpha_beta_weights(
    contributions: Sequence[sp.Expr], alpha: float = 2, beta: float = 1
) -> list[sp.Expr]:
    """LRP-alpha-beta's share of y for each input: alpha u_i / p or -beta u_i / n, the same
    for every Taylor term of y (and for the root value g(c)): not an allocation by kappa.
    ``contributions``: sympy symbols with signs (a :class:`Neuron`'s u) or numbers."""
    u = [sp.sympify(c) for c in contributions]
    p = sum(c for c in u if c.is_positive)
    n = sum(c for c in u if not c.is_positive)
    return [alpha * c / p if c.is_positive else -beta * c / n for c in u]


def _revealcancel_weight(i, kappa, positive):
    mine = [j for j in range(len(kappa)) if (j in positive) == (i in positive)]
    side = sum(kappa[j] for j in mine)
    if kappa[i] == 0:
        return sp.Integer(0)
    mixed = side < sum(kappa)
    return sp.Rational(kappa[i], side) * (sp.Rational(1, 2) if mixed else 1)


#: The weight w_i(kappa) of each rule over the Taylor terms of one neuron.
NEURON_WEIGHTS = {  # w_i(kappa) over the Taylor terms of y in the u_i (positive: the u_i > 0)
    "gradient_x_input": lambda i, kappa, positive: sp.Integer(kappa[i]),
    "integrated_gradients": lambda i, kappa, positive: sp.Rational(kappa[i], sum(kappa)),
    "deeplift_rescale": lambda i, kappa, positive: sp.Rational(kappa[i], sum(kappa)),
    "deeplift_revealcancel": _revealcancel_weight,
}


def neuron_terms(cell: Neuron, degree: int = 3) -> dict[tuple, sp.Expr]:
    """t(kappa) of y = g(r + sum_i u_i) in the u_i, for g = :func:`cubic`:
    a_|kappa| ``|kappa|``! / kappa! u^kappa."""
    a = sp.symbols("a_0:4")
    return {
        kappa: a[sum(kappa)]
        * sp.Rational(factorial(sum(kappa)), kappa_factorial(kappa))
        * sp.Mul(*[ui**k for ui, k in zip(cell.u, kappa)])
        for kappa in multi_indices(len(cell.u), degree)
    }


def rebuild_neuron(rule: str, cell: Neuron, degree: int = 3) -> list[sp.Expr]:
    """sum_kappa w_i(kappa) t(kappa) with the weights of ``rule``."""
    if rule not in NEURON_WEIGHTS:
        raise ValueError(
            f"{rule!r} has no weights over Taylor terms; those with: {', '.join(NEURON_WEIGHTS)}"
        )
    positive = set(cell.positive)
    terms = neuron_terms(cell, degree)
    return [
        sp.expand(sum(NEURON_WEIGHTS[rule](i, kappa, positive) * t for kappa, t in terms.items()))
        for i in range(len(cell.u))
    ]


def prove(rule: str, n_positive: int = 2, n_negative: int = 1) -> symbolic.Proof:
    """Closed form of ``rule`` on a neuron with a generic cubic activation minus its rebuild
    from the Taylor terms: zero for every input proves the weights."""
    cell = neuron(n_positive, n_negative)
    cell = Neuron(cell.u, cell.r, cubic(cell.r))
    closed = scores(rule, cell)
    rebuilt = rebuild_neuron(rule, cell)
    residuals = {
        f"a_{i + 1}": sp.simplify(sp.expand(c - b)) for i, (c, b) in enumerate(zip(closed, rebuilt))
    }
    return symbolic.Proof(
        f"{rule}: closed form = sum of w_i(kappa) t(kappa), one neuron", residuals
    )


def weights(rule: str, kappa: tuple, contributions: Sequence[sp.Expr | float]) -> list[sp.Expr]:
    """[w_1, ..., w_n] of ``rule`` on the term ``kappa`` of one neuron with the given
    contributions (their signs matter for RevealCancel and alpha-beta; alpha 2, beta 1)."""
    if rule == "lrp_alpha_beta":
        return alpha_beta_weights(contributions)
    if rule not in NEURON_WEIGHTS:
        raise ValueError(
            f"unknown rule {rule!r}; with weights: {', '.join(NEURON_WEIGHTS)}, lrp_alpha_beta"
        )
    positive = {i for i, c in enumerate(contributions) if sp.sympify(c).is_positive}
    return [NEURON_WEIGHTS[rule](i, kappa, positive) for i in range(len(contributions))]


def rescale_chain(
    layers: Sequence[tuple[sp.Matrix, sp.Matrix]], x: sp.Matrix, g: sp.Lambda
) -> list[sp.Expr]:
    """DeepLIFT Rescale through affine layers (W, c) (sympy matrices) with the activation
    ``g`` (a sympy Lambda) after every layer but the last, from the reference 0: the
    multipliers Delta y / Delta z of each layer, chained."""
    a, a_ref, multiplier = sp.Matrix(x), sp.zeros(len(x), 1), sp.eye(len(x))
    for k, (W, c) in enumerate(layers):
        z, z_ref = W * a + c, W * a_ref + c
        multiplier = W * multiplier
        if k < len(layers) - 1:
            m = [(g(z[j]) - g(z_ref[j])) / (z[j] - z_ref[j]) for j in range(len(z))]
            multiplier = sp.diag(*m) * multiplier
            a, a_ref = z.applyfunc(g), z_ref.applyfunc(g)
    return [sp.simplify(multiplier[0, i] * x[i]) for i in range(len(x))]


def integrated_gradients_chain(
    layers: Sequence[tuple[sp.Matrix, sp.Matrix]], x: sp.Matrix, g: sp.Lambda
) -> list[sp.Expr]:
    """Integrated Gradients of the same network from 0, the path integral in closed form
    (exact for a polynomial ``g``)."""
    t = sp.Symbol("t")
    a = sp.Matrix(x)
    for k, (W, c) in enumerate(layers):
        a = W * a + c
        if k < len(layers) - 1:
            a = a.applyfunc(g)
    f = a[0]
    return [
        sp.factor(x[i] * sp.integrate(sp.diff(f, x[i]).subs({v: t * v for v in x}), (t, 0, 1)))
        for i in range(len(x))
    ]


def rescale_minus_ig(
    layers: Sequence[tuple[sp.Matrix, sp.Matrix]], x: sp.Matrix, g: sp.Lambda
) -> list[sp.Expr]:
    """Rescale - Integrated Gradients per input, factored: zero for one nonlinear layer
    followed by a linear map, in general not for two."""
    return [
        sp.factor(sp.expand(a - b))
        for a, b in zip(rescale_chain(layers, x, g), integrated_gradients_chain(layers, x, g))
    ]


#: Each renamed public name and its new name (the old names warn for one release).
RENAMED = {"taylor_terms": "neuron_terms", "rebuild": "rebuild_neuron"}
__getattr__ = renamed_names(__name__, RENAMED, globals())
