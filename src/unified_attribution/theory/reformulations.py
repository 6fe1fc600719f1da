"""Paper A's Table 1 rows checked: each row rebuilt from Taylor terms or Harsanyi dividends,
and proved or refuted in sympy against the method's closed form (on polynomials, and for the
propagation rows on one neuron). The rows themselves are :mod:`.table_1`; how far the methods
as run depart from them on real networks is :mod:`.departures`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy as sp

from .._renamed import renamed_names
from ..aliases import SymbolicBaseline, Variables
from ..taylor import symbolic
from . import allocation, layerwise
from .table_1 import TABLE_1, Context, agrees_with_book, first_order, row, weights

if TYPE_CHECKING:  # annotations only
    import pandas as pd


def rebuild_from_terms(
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
    return rebuild_from_terms(method, {indicator(s): h for s, h in dividends.items() if s}, context)


# --- proofs -------------------------------------------------------------------------------

#: Rows checked per baseline, as the row of the method they average over baselines (at b = 0).
PER_BASELINE = {
    "expected_gradients": "integrated_gradients",
    "prediction_difference": "occlusion_1",
}
_NEURON_ROWS = (
    "lrp_epsilon",
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
    if method in _NEURON_ROWS or method in FEATURE_MAP_ROWS:
        raise ValueError(
            f"{method} is a propagation method: check its row on one neuron "
            "(prove_on_neuron) or, for Grad-CAM, on a feature map "
            "(departures.grad_cam_departures)"
        )
    closed_name = PER_BASELINE.get(method, method)
    if row(method).weight is first_order:
        closed_name = "gradient_x_input"
    patches = row(method).context.patches
    closed = allocation.closed_form(
        closed_name, expr, variables, baseline, [list(p) for p in patches] if patches else None
    )
    rebuilt = rebuild_from_terms(method, symbolic.taylor_terms(expr, variables, baseline))
    return symbolic.Proof(
        f"{method}: closed form = paper A's Table 1 row",
        {f"a_{v}": sp.expand(c - r) for v, c, r in zip(variables, closed, rebuilt)},
    )


def prove_on_neuron(
    method: str, n_positive: int = 2, n_negative: int = 1, root_value: bool = False
) -> symbolic.Proof:
    """A propagation row on one neuron y = g(sum_j u_j) with a generic cubic g and the root
    at 0: the rule's closed form minus the row's rebuild from the Taylor terms of y in the u_j
    (DeepShap per baseline: DeepLIFT Rescale's closed form against the Shapley row;
    LRP-epsilon with epsilon -> 0, shares u_i / s of g(s), against the first-order row).
    ``root_value=False`` sets g(0) = 0 (the row's condition for LRP and Deep Taylor); True
    keeps g(0) free, and the residual is the share of g(0) that LRP hands out."""
    cell = layerwise.neuron(n_positive, n_negative)
    r = sp.Integer(0)
    g = layerwise.cubic(r)
    a0 = sp.Symbol("a_0")
    if not root_value:
        g = sp.Lambda(g.variables, g.expr.subs(a0, 0))
    cell = layerwise.Neuron(cell.u, r, g)
    terms = {k: t for k, t in layerwise.neuron_terms(cell).items()}
    if method == "lrp_epsilon":
        closed, ctx = layerwise.scores("lrp_epsilon", cell), Context(contributions=cell.u)
    elif method in ("deeplift_revealcancel", "deeplift_rescale", "deep_shap"):
        rule = "deeplift_rescale" if method == "deep_shap" else method
        closed, ctx = layerwise.scores(rule, cell), Context(contributions=cell.u)
    elif method in ("lrp_alpha_beta", "deep_taylor"):
        alpha, beta = (2, 1) if method == "lrp_alpha_beta" else (1, 0)
        closed = layerwise.scores("lrp_alpha_beta", cell, alpha=alpha, beta=beta)
        ctx = Context(contributions=cell.u, alpha=alpha, beta=beta)
    else:
        raise ValueError(f"{method!r} is not an N+/N- row")
    rebuilt = rebuild_from_terms(method, terms, ctx)
    return symbolic.Proof(
        f"{method}: one neuron, closed form = paper A's Table 1 row",
        {f"a_{u}": sp.simplify(c - b) for u, c, b in zip(cell.u, closed, rebuilt)},
    )


#: Rows on a network's feature map, measured (departures.grad_cam_departures), not proved.
FEATURE_MAP_ROWS = ("grad_cam",)


def check_rows() -> "pd.DataFrame":
    """Every Table 1 row checked in sympy against the method's closed form (True: the
    residual expands to 0), on two polynomials at b = 0: a multilinear one
    x1 x2 x3 + x1 - 2 x2 x3 (every term has kappa_i <= 1) and a cubic one
    (x1 + 2 x2 - x3)^3 + x1 x2; the propagation rows on one neuron with a generic cubic
    activation, with g(0) = 0 and with g(0) free. None: not applicable (Grad-CAM's row is on a
    feature map: measured, not proved)."""
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
            if method in _NEURON_ROWS + FEATURE_MAP_ROWS or method == "occlusion_patch":
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


#: Each renamed public name and its new name (the old names warn for one release).
RENAMED = {"rebuild": "rebuild_from_terms"}
__getattr__ = renamed_names(__name__, RENAMED, globals())
