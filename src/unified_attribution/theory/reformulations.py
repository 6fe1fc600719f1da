"""Paper A's Table 1 as data: every method's score as weights on the Taylor terms.

Paper A (Deng et al., TPAMI 2024, Table 1) writes each method as

    a_i = sum_j w_{i,j} psi(j) + sum_{``|S|``>1} w_{i,S} J(S),

psi(j) and J(S) being sums of Taylor terms t(kappa) at the baseline (phi(kappa) for a term of
one variable, I(kappa) for a term of several). Here each row is a weight per Taylor term,
``w_i(kappa)``, so that a_i = sum_kappa w_i(kappa) t(kappa); a row whose weight depends on
the support S of kappa only (the ``per_coalition`` field of :class:`Row`) is also a weight per Harsanyi
dividend, w_i(S), and rebuilds from the dividends of any model.

The rows LRP-alpha-beta, Deep Taylor and DeepLIFT RevealCancel use N+, N-, c_i and d_i, which
the paper's table does not define. The book's definition (:class:`Context`), under which the
rows are exact on one neuron y = g(z), z = sum_j u_j + c, u_j = w_j (x_j - b_j) (proved by
:func:`prove_on_neuron`):

- N+ = {j : u_j > 0}, N- = {j : u_j < 0}: the signs of the contributions to the neuron;
- c_i(kappa) = kappa_i / ``|kappa restricted to i's side|``: i's share of a term among the
  variables of its own side (1 on psi(i));
- d_i = u_i / sum_{j on i's side} u_j: i's share of a term that lies wholly on the other
  side, independent effects of that side included (the paper writes I, an interaction, there);
- alpha + beta = 1 (Bach et al. 2015's convention; LRP-alpha2-beta1 is alpha = 2, beta = -1);
  Deep Taylor is alpha = 1, beta = 0.

LRP and Deep Taylor are exact under that definition only when the neuron's root value is zero
(g(c) = 0, with the root at x = 0): the row has no place for g(c), which LRP hands out too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import sympy as sp

from ..aliases import ArrayLike, Model, SymbolicBaseline, Target, Variables
from ..taylor import multi_indices, support, symbolic
from . import allocation, layerwise

if TYPE_CHECKING:  # annotations only
    import numpy as np
    import pandas as pd
    import torch


@dataclass(frozen=True)
class Context:
    """What a weight may depend on besides i and kappa: Occlusion-patch's partition, and for
    the N+/N- rows the contributions u_j (non-zero; their signs give N+ and N-) and alpha,
    beta (alpha + beta = 1 for a complete allocation)."""

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
        """alpha for i in N+, beta for i in N-."""
        return sp.sympify(self.alpha if self._signed()[i] > 0 else self.beta)


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
    """i in N+: alpha [c_i on terms with i, d_i on terms inside N-]; i in N-: beta [the same
    with the sides exchanged]."""
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


_FIRST = r"\tilde a_i = \phi(e_i)"
_IG = r"a_i = \psi(i) + \sum_{S \ni i} \sum_{\kappa \in \Omega_S} \frac{\kappa_i}{\lvert\kappa\rvert} I(\kappa)"
_SHAPLEY = r"a_i = \psi(i) + \sum_{S \ni i} \frac{1}{\lvert S\rvert} J(S)"
_OCC = r"a_i = \psi(i) + \sum_{S \ni i} J(S)"
_SIGNED = (
    r"a_i = {s} \Big[\psi(i) + \sum_{{S \ni i}} c_i J(S) + \sum_{{S \subseteq N^{o}}} d_i J(S)\Big],"
    r"\ i \in N^{m}"
)
_NEURON = Context(contributions=(1, 2, -1, -2), alpha=2, beta=-1)

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
            r"as Gradient x Input: LRP-$\epsilon$ equals it on bias-free ReLU networks as "
            r"$\epsilon \to 0$"
        ),
    ),
    "grad_cam": Row(
        _FIRST,
        first_order,
        False,
        finding=(
            "as Gradient x Input, on the last feature map (exact for a global-average-pooling head)"
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
        + r"\ (\beta, \tilde c, \tilde d \text{ on } N^-)",
        lrp_alpha_beta,
        False,
        context=_NEURON,
        finding=(
            r"exact on one neuron with $g(\text{root}) = 0$ under the book's $N^+$, $N^-$, $c_i$, "
            r"$d_i$; not for a deeper network"
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
        r"a_i = \psi(i) + \sum_{S \subseteq N^+, S \ni i} c_i J(S) + \sum_{S \ni i, S \cap N^- \neq \emptyset}"
        r" \tfrac{1}{2} c_i J(S),\ i \in N^+",
        deeplift_revealcancel,
        False,
        context=_NEURON,
        finding=(
            r"exact on one neuron (any activation) under the book's $N^+$, $c_i$; not for a "
            r"deeper network"
        ),
    ),
}

# The book's own derivation of each method's weights, where it differs from or precedes the
# paper's row (one neuron for the propagation family; None where the book has none).
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
    "lrp_alpha_beta": lrp_alpha_beta,
    "deep_taylor": lrp_alpha_beta,
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


def rebuild(
    method: str, terms: dict[tuple, object], context: Context | None = None, source: str = "paper"
) -> list:
    """a_i = sum_kappa w_i(kappa) t(kappa) over the given Taylor terms (sympy or floats)."""
    n = len(next(iter(terms)))
    scores = [0] * n
    for kappa, t in terms.items():
        for i, w in enumerate(weights(method, kappa, source, context)):
            scores[i] += w * t
    return [sp.expand(s) if isinstance(s, sp.Expr) else s for s in scores]


def rebuild_from_dividends(
    method: str, dividends: dict[frozenset, object], n: int, context: Context | None = None
) -> list:
    """a_i = sum_S w_i(S) H(S), for rows whose weight depends on the coalition only."""
    if not row(method).per_coalition:
        raise ValueError(
            f"{method}: the paper's weight depends on kappa, not only on S; "
            "rebuild from Taylor terms instead"
        )
    indicator = lambda s: tuple(int(j in s) for j in range(n))  # noqa: E731
    return rebuild(method, {indicator(s): h for s, h in dividends.items() if s}, context)


def agrees_with_book(method: str, n: int = 4, max_order: int = 4) -> bool | None:
    """Whether the paper's weights equal the book's on every kappa up to ``max_order`` (None
    where the book derived none)."""
    if BOOK[method] is None:
        return None
    return all(
        weights(method, k) == weights(method, k, "book") for k in multi_indices(n, max_order)
    )


# --- proofs -------------------------------------------------------------------------------

_CLOSED = {"expected_gradients": "integrated_gradients", "prediction_difference": "occlusion_1"}
_NEURON_ROWS = (
    "deeplift_rescale",
    "deep_shap",
    "lrp_alpha_beta",
    "deep_taylor",
    "deeplift_revealcancel",
)


def prove_on_polynomial(
    method: str, expr: sp.Expr, variables: Variables, baseline: SymbolicBaseline = None
) -> symbolic.Proof:
    """The method's closed form (per baseline) minus the paper's row, on a polynomial: zero
    proves the row for that polynomial. Expected Gradients uses Integrated Gradients' closed
    form per baseline, Prediction Difference Occlusion-1's; the first-order rows Gradient x
    Input's. The propagation rows are checked on one neuron (:func:`prove_on_neuron`)."""
    variables = list(variables)
    if method in _NEURON_ROWS or method in ("lrp_epsilon", "grad_cam"):
        raise ValueError(
            f"{method} is a propagation method: check its row on one neuron "
            "(prove_on_neuron) or, for the first-order rows, through gradient_x_input"
        )
    closed_name = _CLOSED.get(method, method)
    if row(method).weight is first_order:
        closed_name = "gradient_x_input"
    patches = row(method).context.patches
    closed = allocation.closed_form(
        closed_name, expr, variables, baseline, [list(p) for p in patches] if patches else None
    )
    rebuilt = rebuild(method, symbolic.taylor_terms(expr, variables, baseline))
    return symbolic.Proof(
        f"{method}: closed form = paper A's Table 1 row",
        {f"a_{v}": sp.expand(c - r) for v, c, r in zip(variables, closed, rebuilt)},
    )


def prove_on_neuron(
    method: str, n_positive: int = 2, n_negative: int = 1, root_value: bool = False
) -> symbolic.Proof:
    """A propagation row on one neuron y = g(sum_j u_j) with a generic cubic g and the root
    at 0: the rule's closed form minus the row's rebuild from the Taylor terms of y in the u_j
    (DeepShap per baseline: DeepLIFT Rescale's closed form against the Shapley row).
    ``root_value=False`` sets g(0) = 0 (the row's condition for LRP and Deep Taylor); True
    keeps g(0) free, and the residual is the share of g(0) that LRP hands out."""
    cell = layerwise.neuron(n_positive, n_negative)
    r = sp.Integer(0)
    g = layerwise.cubic(r)
    a0 = sp.Symbol("a_0")
    if not root_value:
        g = sp.Lambda(g.variables, g.expr.subs(a0, 0))
    cell = layerwise.Neuron(cell.u, r, g)
    terms = {k: t for k, t in layerwise.taylor_terms(cell).items()}
    if method in ("deeplift_revealcancel", "deeplift_rescale", "deep_shap"):
        rule = "deeplift_rescale" if method == "deep_shap" else method
        closed, ctx = layerwise.scores(rule, cell), Context(contributions=cell.u)
    elif method in ("lrp_alpha_beta", "deep_taylor"):
        alpha, beta = (2, 1) if method == "lrp_alpha_beta" else (1, 0)
        closed = layerwise.scores("lrp_alpha_beta", cell, alpha=alpha, beta=beta)
        ctx = Context(contributions=cell.u, alpha=alpha, beta=-beta)  # Bach's convention
    else:
        raise ValueError(f"{method!r} is not an N+/N- row")
    rebuilt = rebuild(method, terms, ctx)
    return symbolic.Proof(
        f"{method}: one neuron, closed form = paper A's Table 1 row",
        {f"a_{u}": sp.simplify(c - b) for u, c, b in zip(cell.u, closed, rebuilt)},
    )


#: Rows that Table 1 shares with another method's row, checked through that row.
SAME_ROW = {"lrp_epsilon": "gradient_x_input", "grad_cam": "gradient_x_input"}


def check_rows() -> "pd.DataFrame":
    """Every Table 1 row checked in sympy against the method's closed form (True: the
    residual expands to 0), on two polynomials at b = 0: a multilinear one
    x1 x2 x3 + x1 - 2 x2 x3 (every term has kappa_i <= 1) and a cubic one
    (x1 + 2 x2 - x3)^3 + x1 x2; the propagation rows on one neuron with a generic cubic
    activation, with g(0) = 0 and with g(0) free. None: not applicable."""
    import pandas as pd

    x = sp.symbols("x1:4")
    classes = {
        "multilinear polynomial": x[0] * x[1] * x[2] + x[0] - 2 * x[1] * x[2],
        "cubic polynomial": (x[0] + 2 * x[1] - x[2]) ** 3 + x[0] * x[1],
    }
    records = []
    for method in TABLE_1:
        record = {"method": method, "paper's weights = book's": agrees_with_book(method)}
        for label, expr in classes.items():
            if method in _NEURON_ROWS or method in SAME_ROW or method == "occlusion_patch":
                record[label] = None
            else:
                record[label] = prove_on_polynomial(method, expr, x, 0).holds
        for label, root in (("one neuron, g(0) = 0", False), ("one neuron, g(0) free", True)):
            record[label] = (
                prove_on_neuron(method, root_value=root).holds if method in _NEURON_ROWS else None
            )
        records.append(record)
    table = pd.DataFrame(records).set_index("method")
    patch_x = sp.symbols("x1:5")
    patch_expr = patch_x[0] * patch_x[1] ** 2 + patch_x[2] * patch_x[3] + patch_x[0] * patch_x[2]
    table.loc["occlusion_patch", "multilinear polynomial"] = prove_on_polynomial(
        "occlusion_patch",
        patch_x[0] * patch_x[2] + patch_x[1] * patch_x[2] * patch_x[3],
        patch_x,
        0,
    ).holds
    table.loc["occlusion_patch", "cubic polynomial"] = prove_on_polynomial(
        "occlusion_patch", patch_expr, patch_x, 0
    ).holds
    return table


def first_order_scores(
    model: Model, x: torch.Tensor, baseline: ArrayLike, target: Target
) -> "torch.Tensor":
    """phi(e_i) = (x_i - b_i) df/dx_i(b): the paper's row for Gradient x Input, LRP-epsilon and
    Grad-CAM, evaluated on a torch model (gradient at the baseline, not at x)."""
    import torch

    b = torch.as_tensor(baseline, dtype=x.dtype).expand_as(x).clone().requires_grad_()
    out = model(b).reshape(len(x), -1).gather(1, torch.as_tensor(target).reshape(-1, 1))
    (grad,) = torch.autograd.grad(out.sum(), b)
    return (x - b.detach()) * grad


def relative_difference(a: torch.Tensor, b: torch.Tensor) -> "np.ndarray":
    """max ``|a - b|`` / max ``|b|`` per input (rows of a batch)."""
    a, b = a.reshape(len(a), -1), b.reshape(len(b), -1)
    return ((a - b).abs().max(dim=1).values / b.abs().max(dim=1).values).numpy()


def departures(
    model: Model, x: torch.Tensor, baseline: ArrayLike, target: Target, ig_steps: int = 512
) -> dict[str, "np.ndarray"]:
    """Per input of ``x`` (float64 model advised), where the paper's rows and the methods as
    run part ways: Gradient x Input against the first-order row phi(e_i); the share of
    f(x) - f(b) that the first-order row leaves unexplained, ``|f(x) - f(b) - sum_i phi(e_i)|`` /
    ``|f(x) - f(b)|``; Gradient x Input's own completeness gap share; DeepLIFT Rescale against
    Integrated Gradients (``ig_steps`` Gauss-Legendre nodes: exact to rounding on smooth
    models, error of order 1 / ig_steps at the kinks of a ReLU network), the paper's
    identical rows (NaN where DeepLIFT refuses the model's layers)."""
    import numpy as np

    from ..methods import attribute
    from ..methods.propagation import UnsupportedModel

    gxi = attribute("gradient_x_input", model, x, baseline, target=target)
    first = first_order_scores(model, x, baseline, target)
    ig = attribute("integrated_gradients", model, x, baseline, target=target, n_steps=ig_steps)
    try:
        rescale = attribute("deeplift_rescale", model, x, baseline, target=target)
        rescale_vs_ig = relative_difference(rescale.scores, ig.scores)
    except UnsupportedModel:
        rescale_vs_ig = np.full(len(x), np.nan)
    delta = gxi.output_change.abs()
    unexplained = (gxi.output_change - first.reshape(len(x), -1).sum(dim=1)).abs() / delta
    return {
        "Gradient x Input vs phi(e_i)": relative_difference(gxi.scores, first),
        "unexplained by phi(e_i)": unexplained.detach().numpy(),
        "Gradient x Input's gap": (gxi.gap.abs() / delta).numpy(),
        "DeepLIFT Rescale vs IG": rescale_vs_ig,
    }


def propagation_departures(
    model: Model,
    x: torch.Tensor,
    target: Target,
    ig_steps: int = 512,
    background: torch.Tensor | None = None,
) -> dict[str, "np.ndarray"]:
    """Per input of ``x``, each propagation method against the method it equals under a
    condition (max ``|a - b|`` / max ``|b|``): LRP-epsilon (default epsilon) against Gradient x
    Input (equal on ReLU networks as epsilon -> 0); DeepLIFT Rescale against Integrated
    Gradients (``ig_steps`` trapezoid steps; equal for one nonlinear layer); RevealCancel
    against Rescale; and, given ``background`` rows, DeepShap against the mean of Integrated
    Gradients from each row (equal where Rescale equals IG). All from the baseline 0."""
    from ..methods import attribute

    def ig(baseline):
        return attribute(
            "integrated_gradients",
            model,
            x,
            baseline,
            target=target,
            n_steps=ig_steps,
            quadrature="riemann_trapezoid",
        ).scores

    gxi = attribute("gradient_x_input", model, x, 0.0, target=target).scores
    rescale = attribute("deeplift_rescale", model, x, 0.0, target=target).scores
    found = {
        "LRP-ε vs GxI": relative_difference(
            attribute("lrp_epsilon", model, x, target=target).scores, gxi
        ),
        "Rescale vs IG": relative_difference(rescale, ig(0.0)),
        "RevealCancel vs Rescale": relative_difference(
            attribute("deeplift_revealcancel", model, x, 0.0, target=target).scores, rescale
        ),
    }
    if background is not None:
        mean_ig = sum(ig(b.expand_as(x)) for b in background) / len(background)
        found["DeepShap vs mean IG"] = relative_difference(
            attribute("deep_shap", model, x, background, target=target).scores, mean_ig
        )
    return found
