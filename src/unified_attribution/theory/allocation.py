"""Paper A's reformulation: each method allocates the same effects with its own weights.

Gradient family, over Taylor terms t(kappa) at b:   a_i = sum_kappa w_i(kappa) t(kappa).
Perturbation family, over Harsanyi dividends H(S):  a_i = sum_S w_i(S) H(S).

For each method this module gives the weight as a sympy expression (:func:`weight`), the
method's closed form for a sympy expression (:func:`closed_form`), the scores rebuilt from
the effects (:func:`rebuild_polynomial`), and :func:`prove_reformulation`: closed form minus rebuild,
expanded, for every variable (0 proves it, for polynomials). The weights are the book's own
derivations; paper A's own rows (its Table 1) are in :mod:`unified_attribution.theory.table_1`,
which says where the two differ. :func:`rebuild_errors` and :func:`run_and_rebuilt` check the
reformulation on a torch model: the method as run against its rebuild from the effects.

Expected Gradients and Prediction Difference are averages of Integrated Gradients and
Occlusion-1 over baselines / replacement values; by linearity they inherit those weights
(per baseline), which :func:`prove_reformulation` does not re-prove.
"""

from __future__ import annotations

from itertools import combinations
from math import factorial
from typing import Iterable, Sequence

import numpy as np
import sympy as sp
import torch

from .. import games
from .._renamed import renamed_names
from ..aliases import ArrayLike, Model, Patches, Players, SymbolicBaseline, Variables
from ..taylor import symbolic

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


def _symbols_at(i: int, key, patch_of: dict[int, frozenset] | None) -> dict:
    """Values of the weight's symbols for variable ``i`` and a multi-index or coalition."""
    if isinstance(key, frozenset):
        meets = int(bool(key & patch_of[i])) if patch_of else 0
        return {IN_S: int(i in key), SIZE: len(key), MEETS: meets}
    return {KAPPA_I: key[i], ORDER: sum(key)}


def _weight_value(method: str, i: int, key, patch_of: dict[int, frozenset] | None):
    """w_i(kappa) or w_i(S): the displayed weight itself, evaluated exactly."""
    return WEIGHTS[method][1].subs(_symbols_at(i, key, patch_of))


def weights_of(
    method: str, key: tuple[int, ...] | Iterable[int], n: int, patches: Patches = None
) -> list[sp.Expr]:
    """[w_1, ..., w_n] of ``method`` on one effect: a multi-index (tuple, gradient family) or
    a coalition (any iterable of 0-based players, perturbation family)."""
    weight(method)
    if WEIGHTS[method][0] == "dividends":
        key = frozenset(key)
    patch_of = patch_lookup(patches, n) if method == "occlusion_patch" else None
    return [_weight_value(method, i, key, patch_of) for i in range(n)]


def rebuild_polynomial(
    method: str,
    expr: sp.Expr,
    variables: Variables,
    baseline: SymbolicBaseline = None,
    patches: Patches = None,
) -> list[sp.Expr]:
    """The scores of ``method`` rebuilt from the effects of ``expr`` (a polynomial) with the
    method's weights. ``patches``: for Occlusion-patch, a partition of the variable indices."""
    variables = list(variables)
    n = len(variables)
    patch_of = patch_lookup(patches, n) if method == "occlusion_patch" else None
    if WEIGHTS[method][0] == "terms":
        effects = symbolic.taylor_terms(expr, variables, baseline)
    else:
        effects = {
            s: h for s, h in symbolic.harsanyi_dividends(expr, variables, baseline).items() if s
        }
    return [
        sp.expand(
            sum(_weight_value(method, i, key, patch_of) * value for key, value in effects.items())
        )
        for i in range(n)
    ]


def rebuild_from_parts(method: str, parts: np.ndarray) -> np.ndarray:
    """Gradient family, numerically: a_i = sum_k g(k) G[k-1, i] for weights
    w_i(kappa) = kappa_i g(``|kappa|``), with G from
    :func:`unified_attribution.taylor.numeric.gradient_parts` (orders 1..K). Returns the
    scores truncated at every order, shape (K, n): row K-1 uses the terms up to order K."""
    if WEIGHTS.get(method, ("",))[0] != "terms":
        raise ValueError(
            f"{method!r} has no weights over Taylor terms; gradient family: "
            f"{', '.join(m for m, (kind, _) in WEIGHTS.items() if kind == 'terms')}"
        )
    per_order = sp.simplify(WEIGHTS[method][1] / KAPPA_I)
    if KAPPA_I in per_order.free_symbols:
        raise NotImplementedError(f"{method}: weights not of the form kappa_i g(|kappa|)")
    orders = np.arange(1, len(parts) + 1)
    g = np.broadcast_to(sp.lambdify(ORDER, per_order, "numpy")(orders), orders.shape)
    return np.cumsum(g[:, None] * parts, axis=0)


def rebuild_from_effects(
    method: str, effects: games.Effects, patches: Patches = None
) -> np.ndarray:
    """Perturbation family, numerically: a_i = sum_{S non-empty} w_i(S) H(S) over the
    dividends of a game's players (``effects``), the weights evaluated by lambdify from the
    same expressions :func:`weight` displays. ``patches``: for Occlusion-patch, a partition
    of the players."""
    if WEIGHTS.get(method, ("",))[0] != "dividends":
        raise ValueError(
            f"{method!r} has no weights over dividends; perturbation family: "
            f"{', '.join(m for m, (kind, _) in WEIGHTS.items() if kind == 'dividends')}"
        )
    n = effects.n
    masks = np.arange(1, 2**n)
    members = (masks[None, :] >> np.arange(n)[:, None]) & 1  # (n, 2**n - 1)
    meets = np.zeros_like(members)
    if method == "occlusion_patch":
        patch_of = patch_lookup(patches, n)
        patch_masks = np.array([games.mask_of(patch_of[i], n) for i in range(n)])
        meets = ((masks[None, :] & patch_masks[:, None]) != 0).astype(int)
    w = sp.lambdify((IN_S, SIZE, MEETS), WEIGHTS[method][1], "numpy")(
        members, games.coalition_sizes(n)[masks][None, :], meets
    )
    return np.broadcast_to(w, members.shape) @ effects.dividends[masks]


def rebuild_errors(
    model: Model,
    x: torch.Tensor,
    baseline: ArrayLike,
    target: int,
    max_order: int,
    methods: Sequence[str] = ("gradient_x_input", "integrated_gradients"),
) -> dict[str, np.ndarray]:
    """Gradient family on a torch model at one input ``x``: each method as run (captum, at its
    default options) against :func:`rebuild_from_parts` truncated at every order 1..K of the
    Taylor expansion at ``baseline``. Returns, per method, max_i ``|rebuilt_i - a_i|`` / max_i ``|a_i|``
    for K = 1..``max_order``; it falls to rounding when x lies inside the expansion's radius of
    convergence and grows without bound outside it."""
    import torch

    from ..methods import attribute
    from ..taylor import numeric

    b = torch.as_tensor(baseline, dtype=x.dtype).expand_as(x)
    parts = numeric.gradient_parts(model, x, b, target, max_order)
    errors = {}
    for method in methods:
        scores = (
            attribute(method, model, x[None], b[None], target=target).scores[0].reshape(-1).numpy()
        )
        rebuilt = rebuild_from_parts(method, parts)
        errors[method] = np.abs(rebuilt - scores).max(axis=1) / np.abs(scores).max()
    return errors


def run_and_rebuilt(
    method: str,
    model: Model,
    x: torch.Tensor,
    players: Players,
    target: int,
    baseline: ArrayLike = 0.0,
    effects: games.Effects | None = None,
    **options: object,
) -> tuple[np.ndarray, np.ndarray]:
    """Perturbation family on a torch model at one input ``x``: the scores of ``method`` as
    run, one per player (the score of the player's first element), and as rebuilt from the
    Harsanyi dividends of the masking game on ``players`` (:func:`rebuild_from_effects`).

    Occlusion-1 runs on every element and needs single-element players; Occlusion-patch
    takes each player as a patch (with ``window=`` in ``options`` it runs captum's sliding
    window instead, which must cut the same patches); Prediction Difference takes the rows
    of ``baseline`` as its replacement values (all of them) and is rebuilt as Occlusion-1 on
    their :class:`~unified_attribution.games.MarginalGame`. ``effects``: the game's dividends
    if already computed (the expensive part)."""
    from ..methods import attribute

    labels = games.player_labels(players, x)
    n = int(labels.max()) + 1
    first = [int(np.flatnonzero(labels == p)[0]) for p in range(n)]
    if method == "occlusion_1" and np.bincount(labels[labels >= 0]).max() > 1:
        raise ValueError(
            "Occlusion-1 occludes single elements: pass one element per player, "
            "e.g. players=[[i] for i in pixels]"
        )
    run_options = dict(options)
    if method in ("shapley_value", "prediction_difference") or (
        method == "occlusion_patch" and "window" not in options
    ):
        run_options["players"] = players
    if method == "prediction_difference":
        run_options.setdefault("n_samples", len(baseline))
    scores = attribute(method, model, x[None], baseline, target=target, **run_options).scores
    scores = scores[0].reshape(-1).numpy()[first]
    if effects is None:
        game = games.MarginalGame if method == "prediction_difference" else games.MaskingGame
        effects = games.harsanyi(game(model, x, baseline, players=players, target=target))
    rule = "occlusion_1" if method == "prediction_difference" else method  # by linearity
    patches = [[i] for i in range(n)] if method == "occlusion_patch" else None
    return scores, rebuild_from_effects(rule, effects, patches)


def patch_lookup(patches: Patches, n: int) -> dict[int, frozenset]:
    """The patch of every variable, {i: P(i)}, from a partition of 0..n-1 (any iterables)."""
    if patches is None:
        raise ValueError("occlusion_patch needs patches=[[...], ...], a partition of the variables")
    patches = [list(p) for p in patches]
    of = {i: frozenset(p) for p in patches for i in p}
    if sorted(of) != list(range(n)):
        raise ValueError(f"patches {patches} must partition the variable indices 0..{n - 1}")
    return of


def closed_form(
    method: str,
    expr: sp.Expr,
    variables: Variables,
    baseline: SymbolicBaseline = None,
    patches: Patches = None,
) -> list[sp.Expr]:
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
        return [
            (variables[i] - b[i])
            * sp.integrate(sp.diff(expr, variables[i]).subs(path, simultaneous=True), (t, 0, 1))
            for i in range(n)
        ]
    everyone = set(range(n))
    if method == "occlusion_1":
        return [expr - masked(everyone - {i}) for i in range(n)]
    if method == "occlusion_patch":
        patch_of = patch_lookup(patches, n)
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


def prove_reformulation(
    method: str,
    expr: sp.Expr,
    variables: Variables,
    baseline: SymbolicBaseline = None,
    patches: Patches = None,
) -> symbolic.Proof:
    """closed form - sum of weights x effects expands to 0 for every variable (polynomials)."""
    variables = list(variables)
    symbolic.polynomial_degree(expr, variables)  # polynomials only, with a clear message otherwise
    ours = closed_form(method, expr, variables, baseline, patches)
    rebuilt = rebuild_polynomial(method, expr, variables, baseline, patches)
    residuals = {
        f"a_{variables[i]}": sp.expand(ours[i] - rebuilt[i]) for i in range(len(variables))
    }
    return symbolic.Proof(f"{method}: closed form = sum of w_i x effects", residuals)


#: Each renamed public name and its new name (the old names warn for one release).
RENAMED = {"rebuild": "rebuild_polynomial", "rebuild_from_dividends": "rebuild_from_effects"}
__getattr__ = renamed_names(__name__, RENAMED, globals())
