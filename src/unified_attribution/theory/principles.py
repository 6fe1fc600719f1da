"""Paper A's three principles of a fair allocation, and its verdict table judged four ways.

The principles (paper A, Deng et al. TPAMI 2024, as its authors' project page states them):

1. low approximation error: the attribution accounts for every independent and interaction
   effect, up to a negligible residual;
2. no unrelated allocation: w_{j,i} = 0 for j != i and w_{j,S} = 0 for j not in S;
3. complete allocation: sum_i w_{i,j} = 1 for every psi(j), sum_i w_{i,S} = 1 for every J(S).

:func:`judge` applies them to weights per Taylor term, and :func:`charge` to a run's scores
on a game with one effect; both split a miss the same way. With r the total share of an effect
(over every variable, as the third principle states it; over S's members with
``total="members"``, see :data:`TOTALS`):

- 0 <= r < 1, part of the effect is *left out*: it counts against low approximation error
  (1 - r; an effect whose weights are all zero, r = 0, counts 1), not against complete
  allocation. This is the reading under which paper A's Table 2 follows from its Table 1
  (Gradient x Input keeps only first-order terms: fails the first principle, passes the third);
- r > 1 or r < 0, the effect is given out more than once or with the opposite sign: complete
  allocation, ``|r - 1|``;
- no unrelated allocation: the largest ``|w_j(kappa)|`` of a j outside S_kappa.

:func:`table` returns the verdict table from ``source``:

- ``"paper"``: Table 2 as printed;
- ``"paper weights"``: :func:`judge` on the weights of the paper's Table 1
  (:mod:`unified_attribution.theory.table_1`);
- ``"book weights"``: :func:`judge` on the book's own derivations (network level for the
  gradient and perturbation families, one neuron for the propagation family);

The fourth source, the methods *run* on probes, is :func:`unified_attribution.theory.probes.table`:
the probes import this module (its columns, :func:`charge`), never the other way round.
A measured cell is "untested" when no probe exercises its principle.

The book's earlier reconstruction P1-P3 is retired: its P1 is the paper's second principle and
its P2, P3 are the paper's third restricted to the members of S, so keeping both would give a
method two verdicts for one property.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Iterable, Sequence

import pandas as pd

from .._renamed import renamed_names
from ..taylor import multi_indices, support
from . import layerwise, table_1

PRINCIPLES = {
    "low approximation error": "the attribution accounts for every independent and interaction "
    "effect, up to a negligible residual",
    "no unrelated allocation": "an effect of S is given to no variable outside S",
    "complete allocation": "the weights of every effect, over all variables, sum to exactly 1",
}
#: The columns of the verdict tables, the three principles by name.
COLUMNS = tuple(PRINCIPLES)
#: Where a verdict table comes from (see :func:`table`; the measured one is
#: :func:`unified_attribution.theory.probes.table`).
SOURCES = ("paper", "paper weights", "book weights")

#: What a run's scores can show about one effect of a coalition S, and the principle each
#: cause is charged to (applied by :func:`charge`; :func:`judge` splits weights the same way).
#: A share outside S is charged once with ``total="members"``; with the default "all" it also
#: moves the total (:data:`TOTALS`).
CAUSES = {
    "a variable outside S gets a share": "no unrelated allocation",
    "the scores add up to less than the effect (same sign): part of it is left out": (
        "low approximation error"
    ),
    "the scores add up to more than the effect, or to the opposite sign: it is given out "
    "more than once": "complete allocation",
}

# Table 2 of paper A as printed: one mark per column of COLUMNS, v = holds, x = fails
TABLE_2 = {
    "gradient_x_input": "xvv",
    "occlusion_1": "vvx",
    "occlusion_patch": "vxx",
    "prediction_difference": "vvx",
    "grad_cam": "xvv",
    "integrated_gradients": "vvv",
    "expected_gradients": "vvv",
    "shapley_value": "vvv",
    "lrp_epsilon": "xvv",
    "lrp_alpha_beta": "vxv",
    "deep_taylor": "vxv",
    "deeplift_rescale": "vvv",
    "deep_shap": "vvv",
    "deeplift_revealcancel": "vvv",
}


#: Every word a cell may hold; "not derived" is a method the book has no weights for.
CELL_VERDICTS = ("holds", "holds in the limit", "fails", "untested", "not derived")


@dataclass(frozen=True)
class CellVerdict:
    """One cell: one of :data:`CELL_VERDICTS`, the size of the worst violation (0 where it
    holds exactly; None for the paper's printed table and for an untested cell), where it
    occurs, and (measured cells) how many probes exercised the principle."""

    verdict: str
    violation: float | None = None
    where: str = ""
    exercised: int | None = None

    def __post_init__(self):
        if self.verdict not in CELL_VERDICTS:
            raise ValueError(f"verdict {self.verdict!r} is not one of {CELL_VERDICTS}")

    def __str__(self) -> str:
        return self.verdict


def judge(
    effects: Iterable[tuple[object, Iterable[int]]],
    weights_for: Callable[[object], Sequence],
    label: str = "kappa",
    total: str = "all",
) -> dict[str, CellVerdict]:
    """The three principles on weights ``weights_for(key)`` = [w_1, ..., w_n] over the
    ``effects`` = [(key, members), ...] (exact numbers: a violation is any non-zero), each
    effect's total split as :func:`charge` splits a score total."""
    left_out, unrelated, incomplete = [(0, "")], [(0, "")], [(0, "")]
    for key, members in effects:
        w = weights_for(key)
        members = set(members)
        summed = _total(w, members, total)
        shown = _show(key, label)
        unrelated += [
            (abs(w[j]), f"variable {j + 1} gets {w[j]} of {shown}")
            for j in range(len(w))
            if j not in members
        ]
        missed = _left_out(summed)
        if missed:
            given = "nothing" if summed == 0 else f"only {summed}"
            left_out.append((missed, f"{shown} gets {given}"))
        incomplete.append((_over(summed), f"the weights of {shown} sum to {summed}"))
    return {
        column: _worst(cases) for column, cases in zip(COLUMNS, (left_out, unrelated, incomplete))
    }


def _worst(cases) -> CellVerdict:
    size, where = max(cases, key=lambda c: c[0])
    return CellVerdict("holds" if size == 0 else "fails", float(size), where)


def _show(key, label) -> str:
    return f"{label}=(" + ", ".join(map(str, key)) + ")"


#: Over which variables a total is taken to compare it with the effect (by :func:`judge` and
#: :func:`charge`): "all" (the default) sums every variable, as paper A's third principle
#: states it (sum_i w_{i,S} = 1 over all i), so a share outside S is charged to the second
#: principle and, through the total, to the first or third as well; "members" sums S's members
#: only, so each cause is charged once. The principles chapter shows which cells the choice
#: moves.
TOTALS = ("all", "members")


def charge(
    scores: Sequence[float], coalition: Sequence[int], effect: float, total: str = "all"
) -> dict[str, float]:
    """The violation of each principle by scores ``a`` for a game whose only effect is
    ``effect`` on ``coalition`` S, each cause of :data:`CAUSES` charged to its principle,
    relative to ``|effect|``: with r = sum_i a_i / effect over every variable
    (``total="members"``: over S's members, see :data:`TOTALS`),

    - no unrelated allocation: max ``|a_j|`` over j outside S;
    - low approximation error: 1 - r where 0 <= r < 1 (part of the effect is left out);
    - complete allocation: ``|r - 1|`` where r > 1 or r < 0 (given out more than once, or
      with the opposite sign).
    """
    if effect == 0:
        raise ValueError("the effect is 0: there is nothing to allocate")
    members = set(coalition)
    outside = [j for j in range(len(scores)) if j not in members]
    r = _total(scores, coalition, total) / effect
    approximation, unrelated, complete = COLUMNS
    return {
        approximation: _left_out(r),
        unrelated: max((abs(float(scores[j])) for j in outside), default=0.0) / abs(effect),
        complete: _over(r),
    }


def _total(shares: Sequence, coalition: Iterable[int], total: str):
    if total not in TOTALS:
        raise ValueError(f"total={total!r}: choose one of {', '.join(TOTALS)}")
    summed = range(len(shares)) if total == "all" else set(coalition)
    return sum(shares[j] for j in summed)


def _left_out(r) -> float:
    """The first principle's charge on a total r (relative to the effect): 1 - r where
    0 <= r < 1, part of the effect left out."""
    return float(1 - r) if 0 <= r < 1 else 0.0


def _over(r) -> float:
    """The third principle's charge: |r - 1| where r > 1 or r < 0."""
    return float(abs(r - 1)) if r > 1 or r < 0 else 0.0


#: The weights are judged on every multi-index of order <= WEIGHT_ORDER in WEIGHT_VARIABLES
#: variables (:func:`from_weights`).
WEIGHT_VARIABLES = 4
WEIGHT_ORDER = 4


def from_weights(
    method: str,
    source: str = "paper weights",
    n: int = WEIGHT_VARIABLES,
    max_order: int = WEIGHT_ORDER,
    contributions: Sequence[int] | None = None,
    total: str = "all",
) -> dict[str, CellVerdict]:
    """:func:`judge` on the weights of ``method`` over every kappa of order <= ``max_order``
    in ``n`` variables; the N+/N- rows at the row's contributions (1, 2, -1, -2), so
    N+ = {1, 2}, or at ``contributions`` (one per variable, non-zero: their signs give N+ and
    N-; the verdicts of those rows depend on the sign pattern)."""
    which = {"paper weights": "paper", "book weights": "book"}[source]
    context = None
    if contributions is not None:
        if len(contributions) != n:
            raise ValueError(f"one contribution per variable: {n} variables, got {contributions}")
        context = replace(table_1.row(method).context, contributions=tuple(contributions))
    return judge(
        [(k, support(k)) for k in multi_indices(n, max_order)],
        lambda k: table_1.weights(method, k, which, context),
        total=total,
    )


def on_neuron(
    rule: str, contributions: Sequence[int] = (1, 2, -1), max_order: int = 4
) -> dict[str, CellVerdict]:
    """:func:`judge` on the book's one-neuron weights of a propagation rule
    (:func:`unified_attribution.theory.layerwise.weights`) for inputs with the given contributions."""
    return judge(
        [(k, support(k)) for k in multi_indices(len(contributions), max_order)],
        lambda k: layerwise.weights(rule, k, contributions),
    )


def verdicts(method: str, source: str, total: str = "all") -> dict[str, CellVerdict]:
    """The three verdicts of ``method`` from ``source`` (see :data:`SOURCES`; ``total``: see
    :data:`TOTALS`)."""
    if source == "paper":
        return {
            c: CellVerdict("holds" if m == "v" else "fails")
            for c, m in zip(COLUMNS, TABLE_2[method])
        }
    if source == "book weights" and table_1.BOOK[method] is None:
        return {c: CellVerdict("not derived") for c in COLUMNS}
    if source in ("paper weights", "book weights"):
        return from_weights(method, source, total=total)
    raise ValueError(f"unknown source {source!r}; choose one of {', '.join(SOURCES)}")


def table(
    source: str,
    methods: Sequence[str] | None = None,
    detail: bool = False,
    total: str = "all",
) -> pd.DataFrame:
    """The verdict table from ``source`` (one of :data:`SOURCES`), indexed by the registry's
    method names, with the columns of :data:`COLUMNS`; ``detail=True`` gives the
    :class:`CellVerdict` objects instead of their words; ``total``: see :data:`TOTALS`. Rows
    in the order of paper A's tables unless ``methods`` are given."""
    from ..methods import PAPER_A_TABLE_ORDER

    names = list(methods or PAPER_A_TABLE_ORDER)
    return frame({m: verdicts(m, source, total) for m in names}, detail)


def frame(cells: dict[str, dict[str, CellVerdict]], detail: bool = False) -> pd.DataFrame:
    """A verdict table from ``{method: {principle: CellVerdict}}``: one row per method, the
    columns of :data:`COLUMNS`, words or (``detail``) the :class:`CellVerdict` objects."""
    return pd.DataFrame(
        [[cells[m][c] if detail else str(cells[m][c]) for c in COLUMNS] for m in cells],
        index=pd.Index(list(cells), name="method"),
        columns=list(COLUMNS),
    )


def disagreements(first: pd.DataFrame, second: pd.DataFrame) -> list[tuple[str, str, str, str]]:
    """(method, principle, verdict in ``first``, verdict in ``second``) wherever the two
    tables differ; "holds in the limit" counts as "holds"."""

    def plain(v):
        return "holds" if str(v) == "holds in the limit" else str(v)

    return [
        (m, c, str(first.loc[m, c]), str(second.loc[m, c]))
        for m in first.index
        for c in first.columns
        if plain(first.loc[m, c]) != plain(second.loc[m, c])
    ]


#: Each renamed public name and its new name (the old names warn for one release).
RENAMED = {"Verdict": "CellVerdict"}
__getattr__ = renamed_names(__name__, RENAMED, globals())
