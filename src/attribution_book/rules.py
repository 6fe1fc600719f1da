"""The rules that turn a claim's numbers into a verdict, each stating whose bar it is.

A rule returns a :class:`Verdict`: one of :data:`VERDICTS`, the numbers that decide it, the
rule in words, whose bar it is (:data:`ORIGINS`: a number the paper states, the paper's words
read plainly, or the book's choice), the bar, the deciding number (named by ``measure``, the
one the margin names) and the margin: how far that number would have to move to flip the
verdict. Rules: a count of cases (:func:`count`), one value or each of several against a bar
(:func:`at_most`, :func:`each_at_most`), an exact identity (:func:`proved`), a conjunction
(:func:`conjunction`), and paper A's table rows (:func:`table_1_row`, :func:`table_2_row`).
The chapters record verdicts with :func:`attribution_book.claims.record`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

VERDICTS = ("holds", "holds in the limit", "partly", "does not hold here", "untested")
#: Whose bar decides a verdict.
ORIGINS = ("the paper's number", "the paper's words", "the book's choice")


@dataclass(frozen=True)
class Verdict:
    """A verdict, the numbers that decide it and the rule that turned them into it; whose bar
    it is (:data:`ORIGINS`), the bar, the deciding number (``value``, for the seed sweep's
    range; ``measure`` names it, e.g. "nearest the bar", the same number the margin names),
    the margin (how far the number would have to move to flip the verdict), whether
    exact checks decided it, where stored runs decided it (``stored``), and whether it
    depends on the chapter's seed (``seeded``: trained models or drawn inputs)."""

    verdict: str
    numbers: str
    rule: str
    origin: str = "the book's choice"
    bar: str = ""
    value: float | None = None
    margin: str = ""
    exact: bool = False
    stored: str = ""
    seeded: bool = False  # decided on models trained or inputs drawn with the chapter's seed
    measure: str = ""  # what ``value`` is ("nearest the bar", "share of cases", ...)

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict {self.verdict!r} is not one of {VERDICTS}")
        if self.origin not in ORIGINS:
            raise ValueError(f"origin {self.origin!r} is not one of {ORIGINS}")

    @property
    def detail(self) -> dict:
        """What the ledger shows beside the numbers (glued as ``claim_<id>_detail``)."""
        return {
            "origin": self.origin,
            "bar": self.bar,
            "value": None if self.value is None else float(self.value),  # plain, for the glue
            "margin": self.margin,
            "exact": self.exact,
            "stored": self.stored,
            "seeded": self.seeded,
            "measure": self.measure,
        }


def _finite(values: dict[str, float], what: str) -> None:
    """A rule decides on numbers: NaN or infinity is a failed measurement, not a verdict."""
    bad = {k: v for k, v in values.items() if not np.isfinite(v)}
    if bad:
        raise ValueError(
            f"{what}: non-finite values {bad} cannot decide a verdict; find why the "
            "measurement failed (a diverged run, an empty set) and rerun it"
        )


def margin_factor(value: float, bar: float) -> str:
    """How far ``value`` is from ``bar``, as a factor: "3.3x below the bar", "4x above it"."""
    if value == bar:
        return "exactly at the bar"
    if value <= 0 or bar <= 0:
        return f"{value - bar:+.3g} from the bar"
    if value < bar:
        return f"{bar / value:.3g}x below the bar"
    return f"{value / bar:.3g}x above the bar"


def _nearest(values: dict, bar: float):
    """The key of ``values`` whose (positive) value is nearest ``bar`` by ratio."""
    return min(values, key=lambda k: abs(np.log(max(values[k], 1e-300) / bar)))


def _count_margin(successes: int, total: int) -> str:
    if successes == total:
        return "1 case failing would make it partly"
    if successes == 0:
        return "1 case passing would make it partly"
    return f"{total - successes} more case(s) to hold, {successes} fewer to not hold"


def _left_out(cases: dict[str, str] | None) -> str:
    if not cases:
        return ""
    return "; left out: " + "; ".join(f"{case} ({why})" for case, why in cases.items())


def count(
    successes: int,
    total: int,
    what: str,
    origin: str = "the book's choice",
    bar: str = "",
    others: dict[str, int] | None = None,
    left_out: dict[str, str] | None = None,
) -> Verdict:
    """Holds on every case, partly on some, does not hold here on none. ``others`` names how
    the remaining cases ended (e.g. {"reversed": 0, "not decided": 5}); they must add up.
    ``left_out``: cases not counted, each with the reason (shown after the count)."""
    if not 0 <= successes <= total or total == 0:
        raise ValueError(
            f"{successes} successes of {total} cases: need 0 <= successes <= total > 0"
        )
    if others is not None and sum(others.values()) != total - successes:
        raise ValueError(
            f"the other outcomes {others} add up to {sum(others.values())}, not to the "
            f"{total - successes} cases that did not succeed"
        )
    rest = "".join(f", {n} {outcome}" for outcome, n in (others or {}).items())
    verdict = (
        "holds" if successes == total else ("does not hold here" if successes == 0 else "partly")
    )
    return Verdict(
        verdict,
        f"{successes} of {total} {what}{rest}{_left_out(left_out)}",
        "holds if on every case, partly if on some, does not hold here if on none",
        origin,
        bar or "every case",
        successes / total,
        _count_margin(successes, total),
        measure="share of cases",
    )


def conjunction(parts: dict[str, Verdict]) -> Verdict:
    """A claim "X and Y": holds if every part holds; does not hold here if any part does not
    hold here; partly otherwise. Each part's verdict and numbers are in the numbers, its rule
    and bar in the rule, its margin in the margin."""
    if not parts:
        raise ValueError("a conjunction needs at least one part")
    verdicts = [v.verdict for v in parts.values()]
    if all(v == "holds" for v in verdicts):
        verdict = "holds"
    elif any(v == "does not hold here" for v in verdicts):
        verdict = "does not hold here"
    else:
        verdict = "partly"
    numbers = "; ".join(f"{name}: {v.verdict} ({v.numbers})" for name, v in parts.items())
    rules = "; ".join(f"{name}: {v.rule} (bar: {v.bar}, {v.origin})" for name, v in parts.items())
    origins = {v.origin for v in parts.values()}
    return Verdict(
        verdict,
        numbers,
        "a conjunction: holds if every part holds, does not hold here if any part does not; "
        + rules,
        origins.pop() if len(origins) == 1 else "the book's choice",
        "; ".join(f"{name}: {v.bar}" for name, v in parts.items()),
        None,
        "; ".join(f"{name}: {v.margin}" for name, v in parts.items()),
        all(v.exact for v in parts.values()),
        "; ".join(sorted({v.stored for v in parts.values() if v.stored})),
    )


def at_most(value: float, bar: float, what: str, origin: str = "the book's choice") -> Verdict:
    """Holds if ``value`` <= ``bar`` (whose bar: ``origin``), else does not hold."""
    _finite({what: value, "bar": bar}, what)
    verdict = "holds" if value <= bar else "does not hold here"
    return Verdict(
        verdict,
        f"{what} = {value:.3g} (bar: {bar:g})",
        f"holds if {what} ≤ {bar:g}",
        origin,
        f"{bar:g}",
        float(value),
        f"{value:.3g}: {margin_factor(value, bar)}",
        measure=what,
    )


def each_at_most(
    values: dict[str, float],
    bar: float,
    what: str,
    origin: str = "the book's choice",
    left_out: dict[str, str] | None = None,
) -> Verdict:
    """One value per case (dataset, model): holds if every value is at most ``bar``, partly
    if some are, does not hold here if none is. The margin names the case nearest the bar;
    ``left_out`` names the cases not judged, with the reason."""
    if not values:
        raise ValueError("no values to judge")
    _finite({**values, "bar": bar}, what)
    within = [k for k, v in values.items() if v <= bar]
    listed = ", ".join(f"{k} {v:.2g}" for k, v in values.items())
    base = count(len(within), len(values), f"at most {bar:g} ({what}: {listed})", left_out=left_out)
    nearest = _nearest(values, bar)
    return Verdict(
        base.verdict,
        base.numbers,
        f"{what} at most {bar:g}: holds if on every case, partly if on some, does not hold here if on none",
        origin,
        f"{bar:g}",
        float(values[nearest]),
        f"nearest the bar: {nearest} {values[nearest]:.3g}, {margin_factor(values[nearest], bar)}",
        measure="nearest the bar",
    )


def proved(residuals: int, cases: int, what: str) -> Verdict:
    """An identity checked exactly (sympy): holds if every residual of every case is zero."""
    verdict = "holds" if residuals == 0 else "does not hold here"
    return Verdict(
        verdict,
        f"{residuals} non-zero residuals over {cases} {what}",
        "holds if every residual expands to 0 (exact, sympy)",
        "the paper's words",
        "every residual 0",
        float(residuals),
        "exact: an identity has no margin",
        exact=True,
    )


def table_1_row(
    exact: dict[str, bool | None], propagation: bool, measured: float | None = None
) -> Verdict:
    """A row of paper A's Table 1, from the sympy checks of ``reformulations.check_rows``
    (model class -> exact, or None where not applicable), or, given ``measured`` (the bar of
    a measured departure, e.g. ``departures.FLOAT64_EXACT``), from measured departures at or
    below that bar. Gradient and perturbation rows:
    holds if exact on every model class checked, partly if on some, does not hold here if on
    none. Propagation rows are rebuilt on one neuron only, so a deeper network is untested:
    partly if exact on a neuron class, does not hold here if on none."""
    checked = {k: v for k, v in exact.items() if v is not None}
    if not checked:
        raise ValueError("no model class was checked for this row")
    n = sum(bool(v) for v in checked.values())
    classes = ", ".join(f"{k}: {'exact' if v else 'not exact'}" for k, v in checked.items())
    if propagation:
        verdict = "partly" if n else "does not hold here"
        rule = (
            "partly if exact on one neuron (the book rebuilds these rows on one neuron only: "
            "on deeper networks the row is untested, so it cannot hold), does not hold here "
            "if not exact on one neuron"
        )
    else:
        verdict = "holds" if n == len(checked) else ("partly" if n else "does not hold here")
        rule = "holds if exact on every model class checked, partly if on some, does not hold here if on none"
    if measured is not None:
        return Verdict(
            verdict,
            classes,
            rule + f" (measured: exact means a relative departure at most {measured:.0e})",
            "the paper's words",
            f"the row's formula, to {measured:.0e} (float64 rounding)",
            n / len(checked),
            "each class's measured departure is in the numbers, beside its verdict",
            measure="share of classes exact",
        )
    return Verdict(
        verdict,
        classes,
        rule,
        "the paper's words",
        "the row's formula, exactly",
        n / len(checked),
        "exact checks (sympy): no margin",
        exact=True,
    )


def table_2_row(
    paper: Sequence[str], measured: Sequence, columns: Sequence[str], tolerance: float = 1e-6
) -> Verdict:
    """A row of paper A's Table 2 (its verdict per principle) against the book's measured
    verdicts: holds if every tested cell agrees, partly if some, does not hold here if none,
    untested if no cell was exercised ("holds in the limit" agrees with "holds", as in
    ``principles.disagreements``; a measured "untested" cell neither agrees nor differs).
    ``measured`` holds words or cells with ``verdict``, ``violation`` and ``exercised``
    (:class:`unified_attribution.theory.principles.CellVerdict`): then the margin is the
    violation nearest the ``tolerance`` and the numbers say how many probes exercised
    each cell."""

    if not len(paper) == len(measured) == len(columns) > 0:
        raise ValueError(
            f"one verdict per principle: {len(paper)} from the paper, {len(measured)} "
            f"measured, {len(columns)} principles"
        )

    def plain(v):
        return "holds" if v == "holds in the limit" else v

    cells = [(c, str(p), m) for c, p, m in zip(columns, paper, measured)]
    tested = [(c, p, m) for c, p, m in cells if str(m) != "untested"]
    untested = [c for c, _, m in cells if str(m) == "untested"]
    agree = [c for c, p, m in tested if plain(p) == plain(str(m))]
    differ = [f"{c}: paper {p}, measured {m}" for c, p, m in tested if plain(p) != plain(str(m))]
    probes = [
        f"{c}: {m.exercised} probe{'' if m.exercised == 1 else 's'}"
        for c, _, m in cells
        if getattr(m, "exercised", None) is not None
    ]
    notes = differ + ([f"untested: {', '.join(untested)}"] if untested else [])
    if probes:
        notes.append("exercised by " + ", ".join(probes))
    violations = {c: m.violation for c, _, m in tested if getattr(m, "violation", None) is not None}
    margin = ""
    if violations:
        c = _nearest(violations, tolerance)
        v = violations[c]
        mark = next(plain(p) for cell, p, _ in tested if cell == c)
        if v == 0:
            margin = f"violation nearest the bar: {c} 0 (exact)"
        else:
            margin = f"violation nearest the bar: {c} {v:.2g}, {margin_factor(v, tolerance)}"
        if v > tolerance:  # the cell fails: say whether the paper marks it so
            margin += (
                " (the paper marks it failing too)"
                if mark != "holds"
                else " (the paper marks it holding)"
            )
    rule = (
        f"holds if every tested cell agrees, partly if some, does not hold here if none; a "
        f"measured cell holds if its worst violation is at most {tolerance:g} (relative) on "
        f"every probe that exercises it, and is untested if none does"
    )
    if not tested:
        return Verdict(
            "untested", "no cell exercised by a probe", rule, "the book's choice", f"{tolerance:g}"
        )
    base = count(len(agree), len(tested), "tested cells agree")
    numbers = base.numbers + (f" ({'; '.join(notes)})" if notes else "")
    return Verdict(
        base.verdict,
        numbers,
        rule,
        "the book's choice",
        f"{tolerance:g}",
        base.value,
        margin,
        measure="share of tested cells agreeing",
    )
