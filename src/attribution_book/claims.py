"""The claims ledger: every claim of both papers, its verdict, the numbers and the rule.

The claims are data (``book/claims.yml``: id, paper, where the paper states it, the claim in
its own terms, the chapter and section holding the evidence). A chapter decides a claim with
one of the rules below, which turn numbers into a :class:`Verdict`, and records it with
:func:`record` (glued values: ``claim_<id>``, ``..._numbers``, ``..._rule`` and
``..._detail``). The ledger page reads them back from the executed chapters (:func:`ledger`);
nothing in it is typed by hand. Vocabulary (:data:`VERDICTS`): holds / holds in the limit /
partly / does not hold here / untested (a claim the book cannot test, with why, kept in the
data file, or a measured property no case exercised).

Every verdict says whose bar decided it (:data:`ORIGINS`: a number the paper states, the
paper's words read plainly, or the book's choice), the bar, the deciding number and its
margin: how far the number would have to move to flip the verdict. Verdicts decided by
exact checks (sympy) say so and are not swept over seeds (:mod:`attribution_book.sweep`).
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import yaml

VERDICTS = ("holds", "holds in the limit", "partly", "does not hold here", "untested")
#: Who states a claim: the paper itself, or the public reviews raising a point about it.
STATED_BY = ("paper", "reviewers")
#: Whose bar decides a verdict.
ORIGINS = ("the paper's number", "the paper's words", "the book's choice")
PAPERS = {"A": "Deng et al., TPAMI 2024", "B": "Sun, Zhu and Xiong, TNNLS 2025"}
CLAIMS_FILE = Path(__file__).resolve().parents[2] / "book" / "claims.yml"
#: The parameters the book's chapters run with (a notebook's own default where papermill
#: injected none); a verdict decided by a run with others is marked wherever it is shown.
BOOK_PARAMETERS = {"profile": "full", "seed": 0}


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


def glue_name(claim_id: str) -> str:
    """The glue name of a claim's verdict: ``claim_`` and the id with ``-`` as ``_``."""
    return "claim_" + claim_id.replace("-", "_")


def record(claim_id: str, verdict: Verdict) -> None:
    """Glue the verdict, numbers and rule of ``claim_id`` in the running chapter (not shown
    where recorded; the chapter shows them with ``{glue:text}`` where it discusses them)."""
    from myst_nb import glue

    name = glue_name(claim_id)
    glue(name, verdict.verdict, display=False)
    glue(f"{name}_numbers", verdict.numbers, display=False)
    glue(f"{name}_rule", verdict.rule, display=False)
    glue(f"{name}_detail", verdict.detail, display=False)


def _read_notebook(notebook: Path) -> dict:
    """An executed notebook as JSON, or a ValueError naming the file."""
    try:
        return json.loads(Path(notebook).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(
            f"{notebook} is not an executed notebook (not JSON: {err}); execute the chapter "
            "again (make notebook NB=...)"
        ) from None


def off_book(notebook: Path) -> str:
    """The parameters an executed chapter ran with that are not :data:`BOOK_PARAMETERS`
    ("profile 'quick', seed 3"), from papermill's record in the notebook; "" for the book's."""
    metadata = _read_notebook(notebook).get("metadata", {})
    ran = {**BOOK_PARAMETERS, **metadata.get("papermill", {}).get("parameters", {})}
    return ", ".join(
        f"{key} {ran[key]!r}" for key, value in BOOK_PARAMETERS.items() if ran[key] != value
    )


def glued(notebook: Path) -> dict[str, object]:
    """Every value glued in an executed notebook, by name (the text papermill recorded)."""
    values = {}
    for cell in _read_notebook(notebook).get("cells", []):
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            text = output.get("data", {}).get("application/papermill.record/text/plain")
            if name is not None and text is not None:
                try:
                    values[name] = ast.literal_eval(text)
                except (ValueError, SyntaxError):
                    values[name] = text
    return values


@dataclass(frozen=True)
class Claim:
    """One claim of one paper, as the data file states it."""

    id: str
    paper: str
    where: str
    claim: str
    chapter: str | None = None
    section: str | None = None
    untested: str | None = None  # why the book cannot test it
    stated_by: str = "paper"  # or "reviewers": a point the public reviews raise about the paper


def load(path: Path = CLAIMS_FILE) -> list[Claim]:
    """The claims of ``book/claims.yml``, checked: unique ids, known papers, and either a
    chapter (where the verdict is recorded) or a reason it is untested."""
    try:
        rows = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except UnicodeDecodeError as err:
        raise ValueError(f"{path} is not UTF-8 text (byte {err.start}): save it as UTF-8") from None
    except yaml.YAMLError as err:
        raise ValueError(f"{path} is not valid YAML: {err}") from None
    if not isinstance(rows, list) or not rows:
        raise ValueError(f"{path}: expected a list of claims, one mapping per claim")
    fields = set(Claim.__dataclass_fields__)
    claims = []
    for k, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            raise ValueError(f"{path}: entry {k} is not a mapping of claim fields")
        unknown, missing = set(row) - fields, {"id", "paper", "where", "claim"} - set(row)
        if unknown or missing:
            raise ValueError(
                f"{path}: claim {row.get('id', f'number {k}')}: "
                + (f"unknown fields {sorted(unknown)} " if unknown else "")
                + (f"missing fields {sorted(missing)}" if missing else "")
                + f" (fields: {sorted(fields)})"
            )
        if not isinstance(row["id"], str) or not re.fullmatch(r"[A-Za-z0-9-]+", row["id"]):
            raise ValueError(
                f"{path}: claim id {row['id']!r} must be a string of letters, digits and '-' "
                "(it names the glued verdict claim_<id with _>)"
            )
        for name in ("chapter", "section", "untested"):
            if name in row and (not isinstance(row[name], str) or not row[name].strip()):
                raise ValueError(f"{path}: claim {row['id']}: {name} must be a non-empty text")
        claims.append(Claim(**row))
    ids = [glue_name(c.id) for c in claims]
    duplicated = sorted({c.id for c, i in zip(claims, ids) if ids.count(i) > 1})
    if duplicated:
        raise ValueError(f"{path}: duplicated claim ids (as glue names) {duplicated}")
    for c in claims:
        if c.paper not in PAPERS:
            raise ValueError(
                f"{path}: claim {c.id} has paper {c.paper!r}, not one of {list(PAPERS)}"
            )
        if c.stated_by not in STATED_BY:
            raise ValueError(
                f"{path}: claim {c.id} is stated by {c.stated_by!r}, not one of {STATED_BY}"
            )
        if (c.chapter is None) == (c.untested is None):
            raise ValueError(
                f"{path}: claim {c.id} needs a chapter or a reason it is untested, not both"
            )
    return claims


def ledger(claims: list[Claim], executed_dir: Path) -> list[dict]:
    """One row per claim with its verdict, numbers and rule read from the executed chapter
    that records it (KeyError naming the claim and chapter if it records none), and
    ``off_book``: the parameters of that run that are not the book's (:func:`off_book`)."""
    cache: dict[str, dict] = {}
    ran: dict[str, str] = {}
    rows = []
    for c in claims:
        if c.untested is not None:
            rows.append(
                {
                    **c.__dict__,
                    "verdict": "untested",
                    "numbers": "",
                    "rule": c.untested,
                    "detail": {},
                    "off_book": "",
                }
            )
            continue
        if c.chapter not in cache:
            path = Path(executed_dir) / f"{c.chapter}.ipynb"
            if not path.exists():
                raise FileNotFoundError(f"claim {c.id}: the chapter {path} has not been executed")
            cache[c.chapter] = glued(path)
            ran[c.chapter] = off_book(path)
        values, name = cache[c.chapter], glue_name(c.id)
        if name not in values:
            raise KeyError(f"claim {c.id}: chapter {c.chapter} records no verdict {name!r}")
        if values[name] not in VERDICTS:
            raise ValueError(
                f"claim {c.id}: chapter {c.chapter} recorded the verdict {values[name]!r}, "
                f"not one of {VERDICTS}"
            )
        missing = [
            f"{name}{part}" for part in ("_numbers", "_rule") if f"{name}{part}" not in values
        ]
        if missing:
            raise KeyError(
                f"claim {c.id}: chapter {c.chapter} glued its verdict but not {missing}: "
                "record it with claims.record(id, verdict), which glues all of them"
            )
        rows.append(
            {
                **c.__dict__,
                "verdict": values[name],
                "numbers": values[f"{name}_numbers"],
                "rule": values[f"{name}_rule"],
                "detail": values.get(f"{name}_detail", {}),
                "off_book": ran[c.chapter],
            }
        )
    return rows


# the colour of each verdict on the page (sphinx-design badges; the word stays on the badge)
BADGES = {
    "holds": "success",
    "holds in the limit": "info",
    "partly": "warning",
    "does not hold here": "danger",
    "untested": "secondary",
}


def badge(verdict: str) -> str:
    """A verdict as a coloured MyST badge, e.g. {bdg-success}`holds`."""
    if verdict not in BADGES:
        raise ValueError(f"verdict {verdict!r} is not one of {VERDICTS}")
    return f"{{bdg-{BADGES[verdict]}}}`{verdict}`"


def legend() -> str:
    """Every verdict's badge, for a line above the ledger's tables."""
    return " ".join(badge(v) for v in VERDICTS)


def markdown(rows: list[dict], paper: str, stability: dict[str, str] | None = None) -> str:
    """The ledger rows of one paper as MyST, grouped by how they are decided: each group of
    rows sharing a rule, bar and seed note states them once, in a folded box, then one short
    card per claim: its verdict, id, where the paper states it, the claim, the numbers that
    decide it, its margin and a link to the evidence (``stability``:
    :func:`attribution_book.sweep.stability`)."""
    stability = stability or {}
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        if r["paper"] == paper:
            groups.setdefault(_decided_by(r, stability.get(r["id"], "")), []).append(r)
    lines: list[str] = []
    for (rule, origin, bar, seeds), members in groups.items():
        n = f"the {len(members)} claims below are" if len(members) > 1 else "the claim below is"
        title = f"How {n} decided" + (f": bar {bar} ({origin})" if bar else "")
        body = [f"**Rule:** {rule}."]
        if seeds:
            body.append(f"**Seeds:** {seeds}.")
        lines += ["", f":::{{dropdown}} {_one_line(title)}", " ".join(body), ":::", ""]
        lines += [_card(r) for r in members]
    return "\n".join(lines).strip() + "\n"


def _decided_by(row: dict, seeds: str) -> tuple[str, str, str, str]:
    detail = row.get("detail") or {}
    return (row["rule"], detail.get("origin", ""), detail.get("bar", ""), seeds)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _card(row: dict) -> str:
    """One claim as a list item (the form :func:`shown` reads back)."""
    detail = row.get("detail") or {}
    parts = [
        f"- {badge(row['verdict'])} **{row['id']}**, *{_one_line(row['where'])}*: "
        f"{_one_line(row['claim'])}"
    ]
    if row["numbers"]:
        parts.append(f"  {_one_line(row['numbers'])}.")
    if detail.get("margin"):
        parts.append(f"Margin: {_one_line(detail['margin'])}.")
    if detail.get("stored"):
        parts.append(f"Decided by stored runs: {_one_line(detail['stored'])}.")
    if row.get("off_book"):
        parts.append(f"**Decided by a run with {row['off_book']}, not the book's parameters.**")
    if row["section"]:
        parts.append(f"{{ref}}`Evidence <{row['section']}>`")
    return parts[0] + "\n" + " ".join(parts[1:]) if len(parts) > 1 else parts[0]


def summary(rows: list[dict], titles: dict[str, str]) -> str:
    """The ledger at a glance, as MyST: paper A's methods (``titles``: method name -> title,
    in the order to show) with the verdicts of their Table 1 and Table 2 rows, then a list of
    every other claim with its verdict and why (:func:`why`), paper by paper (the reviewers'
    points last)."""
    by_id = {r["id"]: r for r in rows}

    def verdict_of(claim_id: str) -> str:
        return badge(by_id[claim_id]["verdict"]) if claim_id in by_id else "–"

    lines = ["| method | Table 1 row | Table 2 row |", "|---|---|---|"]
    for name, title in titles.items():
        key = name.replace("_", "-")
        lines.append(f"| {title} | {verdict_of(f'A-T1-{key}')} | {verdict_of(f'A-T2-{key}')} |")
    others = [r for r in rows if not r["id"].startswith(("A-T1-", "A-T2-"))]
    others.sort(key=lambda r: (r["paper"], r["stated_by"] != "paper"))
    lines.append("")
    for r in others:
        who = f"Paper {r['paper']}" if r["stated_by"] == "paper" else f"Reviewers of {r['paper']}"
        lines.append(f"- {badge(r['verdict'])} **{who}**: {_one_line(r['claim'])} *Why:* {why(r)}.")
    return "\n".join(lines)


def why(row: dict) -> str:
    """The first clause of a row's numbers (up to the first ";"): the count or value that
    decides it, for the at-a-glance tables; the reason where it is untested."""
    text = _one_line(row["numbers"] or row["rule"])
    first = text.split("; ")[0]
    if first.count("(") == first.count(")"):
        return first
    # the first clause opens a parenthesis it does not close (a conjunction's parts): every
    # part's verdict, without the parentheses
    return re.sub(r" *\([^()]*\)", "", re.sub(r" *\([^()]*\)", "", text))


#: The families of claims the introduction's "What we found" reports, one line each: the glue
#: name of the line and its claim id (a prefix ending in "-" stands for every claim that
#: starts with it).
FINDINGS = {
    "found_decomposition": "A-abstract-decomposition",
    "found_table_1": "A-abstract-unified",
    "found_table_2": "A-T2-",
    "found_faithfulness": "A-abstract-principles",
    "found_shapley": "B-abstract-shapley",
    "found_black_box": "B-abstract-black-box",
}


def findings(rows: list[dict]) -> dict[str, str]:
    """One line per family of :data:`FINDINGS` (by glue name): its verdict and the number that
    decides it (for a family of rows, how many hold), as plain text."""
    by_id = {r["id"]: r for r in rows}
    lines = {}
    for name, key in FINDINGS.items():
        if key.endswith("-"):
            family = [r for r in rows if r["id"].startswith(key)]
            held = sum(r["verdict"] == "holds" for r in family)
            verdict = count(held, len(family), "").verdict
            number = f"{held} of {len(family)} rows hold"
        else:
            verdict, number = by_id[key]["verdict"], why(by_id[key])
        lines[name] = f"{verdict}: {number}"
    return lines


#: A claim's card as :func:`markdown` writes it: verdict, id, where, claim (and what follows).
CARD = re.compile(r"- \{bdg-\w+\}`([^`]*)` \*\*([^*]+)\*\*, \*[^*]*\*: (.*)")


def shown(ledger_notebook: Path) -> list[tuple[str, str, str]]:
    """(claim id, claim text, verdict) of every card the executed ledger page shows, in order."""
    rows = []
    for cell in _read_notebook(ledger_notebook).get("cells", []):
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/markdown", "")
            text = "".join(text) if isinstance(text, list) else text
            for line in text.splitlines():
                found = CARD.fullmatch(line)
                if found:
                    rows.append((found[2], found[3], found[1]))
    return rows


def check(executed_dir: Path, claims: list[Claim] | None = None) -> list[str]:
    """Where the executed ledger page (``claims.ipynb``) and the chapters disagree: a row
    whose verdict is not the one its chapter recorded, or a claim missing from the page."""
    claims = load() if claims is None else claims
    expected = ledger(claims, executed_dir)
    shown_by_id = {
        claim_id: (text, verdict)
        for claim_id, text, verdict in shown(Path(executed_dir) / "claims.ipynb")
    }
    known = {r["id"] for r in expected}
    problems = [
        f"the ledger page shows {claim_id}, which the data file does not hold"
        for claim_id in shown_by_id
        if claim_id not in known
    ]
    for r in expected:
        where = f"claim {r['id']} ({r['chapter'] or 'untested'})"
        if r["id"] not in shown_by_id:
            problems.append(f"{where}: the ledger page does not show it")
            continue
        if r["off_book"]:
            problems.append(
                f"{where}: decided by a run with {r['off_book']}, not the book's parameters "
                f"({BOOK_PARAMETERS}): rerun the chapter with them (make notebooks)"
            )
        text, verdict = shown_by_id[r["id"]]
        if _one_line(r["claim"]) not in text:
            problems.append(f"{where}: the page shows another claim under its id: {text[:60]}")
        elif verdict != r["verdict"]:
            problems.append(
                f"{where}: the page says {verdict!r}, the chapter recorded {r['verdict']!r}"
            )
    return problems
