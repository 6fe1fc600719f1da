"""Paper A's Table 1 as data: every method's score as weights on the Taylor terms.

Paper A (Deng et al., TPAMI 2024, Table 1) writes each method as

    a_i = sum_j w_{i,j} psi(j) + sum_{``|S|``>1} w_{i,S} J(S),

psi(j) and J(S) being sums of Taylor terms t(kappa) at the baseline (phi(kappa) for a term of
one variable, I(kappa) for a term of several). Here each row is a weight per Taylor term,
``w_i(kappa)``, so that a_i = sum_kappa w_i(kappa) t(kappa); a row whose weight depends on
the support S of kappa only (the ``per_coalition`` field of :class:`Row`) is also a weight per
Harsanyi dividend, w_i(S), and rebuilds from the dividends of any model. The checks of the
rows are in :mod:`unified_attribution.theory.reformulations`.

The rows LRP-alpha-beta, Deep Taylor and DeepLIFT RevealCancel use N+, N-, c_i and d_i, which
the paper's table does not define. The book's definition (:class:`Context`), under which the
rows are exact on one neuron y = g(z), z = sum_j u_j + c, u_j = w_j (x_j - b_j):

- N+ = {j : u_j > 0}, N- = {j : u_j < 0}: the signs of the contributions to the neuron;
- c_i(kappa) = kappa_i / ``|kappa restricted to i's side|``: i's share of a term among the
  variables of its own side (1 on psi(i));
- d_i = u_i / sum_{j on i's side} u_j: i's share of a term that lies wholly on the other
  side, independent effects of that side included (the paper writes I, an interaction, there);
- alpha - beta = 1 with beta >= 0 (Bach et al. 2015; LRP-alpha2-beta1 is alpha = 2,
  beta = 1); Deep Taylor is alpha = 1, beta = 0. The paper's row multiplies the N- side by
  beta; in Bach's convention it is exact with -beta there: the book flips that sign.

LRP and Deep Taylor are exact under that definition only when the neuron's root value is zero
(g(c) = 0, with the root at x = 0): the row has no place for g(c), which LRP hands out too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy as sp

from ..taylor import multi_indices, support
from . import allocation
from .layerwise import alpha_beta_weights


@dataclass(frozen=True)
class Context:
    """What a weight may depend on besides i and kappa: Occlusion-patch's partition, and for
    the N+/N- rows the contributions u_j (non-zero; their signs give N+ and N-) and alpha,
    beta in Bach et al.'s convention (alpha - beta = 1, beta >= 0, for a complete
    allocation)."""

    patches: tuple | None = None
    contributions: tuple | None = None
    alpha: object = 1
    beta: object = 0

    def side(self, i: int) -> list[int]:
        """The variables on i's side: N+ if u_i > 0, else N-."""
        u = self._signed()
        return [j for j in range(len(u)) if (u[j] > 0) == (u[i] > 0)]

    def _signed(self) -> list:
        if self.contributions is None:
            raise ValueError(
                "the N+/N- rows need contributions=(u_1, ..., u_n), the inputs' "
                "contributions to the neuron (their signs give N+ and N-)"
            )
        u = [sp.sympify(c) for c in self.contributions]
        if any(c.is_zero or (c.is_positive is None and c.is_negative is None) for c in u):
            raise ValueError(
                f"contributions {self.contributions} must be non-zero with a known "
                "sign (numbers, or sympy symbols declared positive/negative)"
            )
        return [1 if c.is_positive else -1 for c in u]

    def share(self, i: int) -> sp.Expr:
        """d_i = u_i / sum of the u_j on i's side."""
        u = [sp.sympify(c) for c in self.contributions]
        return u[i] / sum(u[j] for j in self.side(i))

    def scale(self, i: int) -> sp.Expr:
        """alpha for i in N+, -beta for i in N- (the paper prints beta there: its beta is
        Bach's -beta)."""
        return sp.sympify(self.alpha if self._signed()[i] > 0 else -sp.sympify(self.beta))


# --- the weights --------------------------------------------------------------------------


def first_order(i: int, kappa: tuple, ctx: Context) -> sp.Expr:
    """phi(e_i) only: weight 1 on the first-order term of i, 0 on every other term."""
    return sp.Integer(int(sum(kappa) == 1 and kappa[i] == 1))


def occlusion_1(i: int, kappa: tuple, ctx: Context) -> sp.Expr:
    """Every effect that involves i, in full: [i in S]."""
    return sp.Integer(int(kappa[i] > 0))


def occlusion_patch(i: int, kappa: tuple, ctx: Context) -> sp.Expr:
    """Every effect that meets i's patch, in full: [S meets P(i)]."""
    patch = allocation.patch_lookup(ctx.patches or None, len(kappa))[i]
    return sp.Integer(int(any(kappa[j] for j in patch)))


def integrated_gradients(i: int, kappa: tuple, ctx: Context) -> sp.Expr:
    """kappa_i / ``|kappa|``."""
    return sp.Rational(kappa[i], sum(kappa))


def shapley_value(i: int, kappa: tuple, ctx: Context) -> sp.Expr:
    """[i in S] / ``|S|``."""
    return sp.Rational(int(kappa[i] > 0), len(support(kappa)))


def _sides(i: int, kappa: tuple, ctx: Context):
    mine = ctx.side(i)
    on_mine = sum(kappa[j] for j in mine)
    return mine, on_mine, on_mine < sum(kappa)


def lrp_alpha_beta(i: int, kappa: tuple, ctx: Context) -> sp.Expr:
    """i in N+: alpha [c_i on terms with i, d_i on terms inside N-]; i in N-: -beta [the
    same with the sides exchanged]."""
    _, on_mine, _ = _sides(i, kappa, ctx)
    if kappa[i]:
        return ctx.scale(i) * sp.Rational(kappa[i], on_mine)
    if on_mine == 0:  # the term lies wholly on the other side
        return ctx.scale(i) * ctx.share(i)
    return sp.Integer(0)


def deeplift_revealcancel(i: int, kappa: tuple, ctx: Context) -> sp.Expr:
    """c_i on terms inside i's side that contain i, c_i / 2 on mixed terms that contain i."""
    if not kappa[i]:
        return sp.Integer(0)
    _, on_mine, mixed = _sides(i, kappa, ctx)
    return sp.Rational(kappa[i], on_mine) * (sp.Rational(1, 2) if mixed else 1)


# --- the table ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One row of paper A's Table 1: the formula as printed (LaTeX, the paper's notation), the
    weight per Taylor term, and what the book found when checking it (MyST, math in $...$)."""

    formula: str
    weight: Callable
    per_coalition: bool  # w_i(kappa) depends on S_kappa only: a weight per Harsanyi dividend
    averaged: bool = False  # the row is averaged over baselines b ~ p(b)
    context: Context = Context()
    finding: str = ""


_FIRST = r"a_i = \phi(\kappa),\ \kappa = e_i"
_IG = r"a_i = \psi(i) + \sum_{S \ni i} \sum_{\kappa \in \Omega_S} \frac{\kappa_i}{\lvert\kappa\rvert} I(\kappa)"
_SHAPLEY = r"a_i = \psi(i) + \sum_{S \ni i} \frac{1}{\lvert S\rvert} J(S)"
_OCC = r"a_i = \psi(i) + \sum_{S \ni i} J(S)"
_SIGNED = (
    r"a_i = {s} \Big[\psi(i) + \sum_{{S \ni i}} \sum_{{\kappa \in \Omega_S}} c_i I(\kappa)"
    r" + \sum_{{S \subseteq N^{o}}} \sum_{{\kappa \in \Omega_S}} d_i I(\kappa)\Big],\ i \in N^{m}"
)
#: LRP-alpha2-beta1 (Bach's convention) on the contribution pattern (1, 2, -1, -2).
_NEURON = Context(contributions=(1, 2, -1, -2), alpha=2, beta=1)

TABLE_1: dict[str, Row] = {
    "gradient_x_input": Row(
        _FIRST,
        first_order,
        False,
        finding=(
            r"$(x_i - b_i)\, \partial f / \partial x_i (x) = \sum_\kappa \kappa_i\, t(\kappa)$ (the "
            r"book); the paper's first-order term is the gradient at $b$, equal only where the "
            r"gradient is the same at $x$ and $b$"
        ),
    ),
    "lrp_epsilon": Row(
        _FIRST,
        first_order,
        False,
        finding=(
            r"LRP-$\epsilon$ tends to Gradient x Input on ReLU networks as $\epsilon \to 0$, "
            r"biases or not; on one neuron with a curved activation it hands out $g(s)$ in "
            r"shares $u_i / s$, every order of the series, not the first-order term alone"
        ),
    ),
    "grad_cam": Row(
        r"\tilde a_i = \phi(\kappa),\ \kappa = e_i",
        first_order,
        False,
        finding=(
            "as Gradient x Input, on the last feature map (exact for a global-average-pooling "
            r"head); the tilde, in the book's reading (undefined on the page), marks a score "
            r"of that map's units, not of the input"
        ),
    ),
    "occlusion_1": Row(_OCC, occlusion_1, True, finding="proved for polynomials"),
    "occlusion_patch": Row(
        r"a_i = \sum_{k \in S_j} \psi(k) + \sum_{S \cap S_j \neq \emptyset} J(S),"
        r"\ i \in S_j",
        occlusion_patch,
        True,
        context=Context(patches=((0, 1), (2, 3))),
        finding="proved for polynomials",
    ),
    "prediction_difference": Row(
        _OCC + r",\ \text{averaged over } b \sim p(b)",
        occlusion_1,
        True,
        averaged=True,
        finding="Occlusion-1 per baseline; linear in it",
    ),
    "integrated_gradients": Row(_IG, integrated_gradients, False, finding="proved for polynomials"),
    "expected_gradients": Row(
        _IG + r",\ \text{averaged over } b \sim p(b)",
        integrated_gradients,
        False,
        averaged=True,
        finding="Integrated Gradients per baseline",
    ),
    "deeplift_rescale": Row(
        _IG,
        integrated_gradients,
        False,
        finding=("exact for one nonlinear layer (proved on one neuron); departs deeper (measured)"),
    ),
    "shapley_value": Row(_SHAPLEY, shapley_value, True, finding="proved for polynomials"),
    "deep_shap": Row(
        _SHAPLEY,
        shapley_value,
        True,
        averaged=True,
        finding=(
            "the paper's row is the Shapley value's; DeepShap is DeepLIFT Rescale averaged over "
            r"baselines, so it inherits Rescale's weights $\kappa_i / \lvert\kappa\rvert$, not "
            r"$1 / \lvert S \rvert$"
        ),
    ),
    "lrp_alpha_beta": Row(
        _SIGNED.format(s=r"\alpha", o="-", m="+")
        + r"\ (\beta, \tilde c_i, \tilde d_i \text{ on } N^-)",
        lrp_alpha_beta,
        False,
        context=_NEURON,
        finding=(
            r"exact on one neuron with $g(\text{root}) = 0$ under the book's $N^+$, $N^-$, $c_i$, "
            r"$d_i$, with $-\beta$ where the paper prints $\beta$ (Bach's $\alpha - \beta = 1$, "
            r"$\beta \ge 0$); untested on a deeper network"
        ),
    ),
    "deep_taylor": Row(
        _SIGNED.format(s="", o="-", m="+") + r",\ a_i = 0 \text{ on } N^-",
        lrp_alpha_beta,
        False,
        context=Context(contributions=(1, 2, -1, -2), alpha=1, beta=0),
        finding=r"LRP with $\alpha = 1, \beta = 0$ (the $z^+$ rule): as LRP-$\alpha\beta$",
    ),
    "deeplift_revealcancel": Row(
        r"a_i = \psi(i) + \sum_{S \subseteq N^+, S \ni i} \sum_{\kappa \in \Omega_S} c_i I(\kappa)"
        r" + \sum_{S \ni i, S \cap N^- \neq \emptyset} \sum_{\kappa \in \Omega_S}"
        r" \tfrac{1}{2} c_i I(\kappa),\ i \in N^+\ (\tilde c_i, N^- \text{ and } N^+ \text{ exchanged "
        r"for } i \in N^-)",
        deeplift_revealcancel,
        False,
        context=_NEURON,
        finding=(
            r"exact on one neuron (any activation) under the book's $N^+$, $c_i$; untested on a "
            r"deeper network"
        ),
    ),
}


def _alpha_beta_by_contribution(i: int, kappa: tuple, ctx: Context) -> sp.Expr:
    """The book's one-neuron derivation of LRP-alpha-beta
    (:func:`unified_attribution.theory.layerwise.alpha_beta_weights`): every Taylor term is
    split as the neuron's output is, alpha u_i / p on N+ and -beta u_i / n on N-, whatever
    variables the term contains (not the paper's row, which splits by kappa)."""
    return alpha_beta_weights(ctx.contributions, ctx.alpha, ctx.beta)[i]


# The book's own derivation of each method's weights, where it differs from or precedes the
# paper's row (one neuron for the propagation family; None where the book has none). The
# alpha-beta rows use the book's derivation, not the paper's weight function, so that the
# two columns compare two derivations, not the paper with itself.
BOOK: dict[str, Callable | None] = {
    "gradient_x_input": lambda i, kappa, ctx: sp.Integer(kappa[i]),
    "lrp_epsilon": integrated_gradients,  # one neuron, root 0, no bias, epsilon -> 0
    "grad_cam": None,
    "occlusion_1": occlusion_1,
    "occlusion_patch": occlusion_patch,
    "prediction_difference": occlusion_1,
    "integrated_gradients": integrated_gradients,
    "expected_gradients": integrated_gradients,
    "deeplift_rescale": integrated_gradients,
    "deep_shap": integrated_gradients,
    "shapley_value": shapley_value,
    "lrp_alpha_beta": _alpha_beta_by_contribution,
    "deep_taylor": _alpha_beta_by_contribution,
    "deeplift_revealcancel": deeplift_revealcancel,
}


def row(method: str) -> Row:
    if method not in TABLE_1:
        raise ValueError(f"paper A's Table 1 has no row {method!r}; rows: {', '.join(TABLE_1)}")
    return TABLE_1[method]


def weights(
    method: str, kappa: tuple, source: str = "paper", context: Context | None = None
) -> list:
    """[w_1(kappa), ..., w_n(kappa)] of ``method`` from the paper's row (``source="paper"``) or
    the book's derivation (``"book"``), exact sympy numbers."""
    fn = row(method).weight if source == "paper" else BOOK[method]
    if fn is None:
        raise ValueError(f"the book derived no weights for {method!r}")
    ctx = context or row(method).context
    return [fn(i, tuple(kappa), ctx) for i in range(len(kappa))]


def agrees_with_book(method: str, n: int = 4, max_order: int = 4) -> bool | None:
    """Whether the paper's weights equal the book's on every kappa up to ``max_order`` (None
    where the book derived none)."""
    if BOOK[method] is None:
        return None
    return all(
        weights(method, k) == weights(method, k, "book") for k in multi_indices(n, max_order)
    )
