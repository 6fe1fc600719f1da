"""The claims ledger: every claim of both papers, its verdict, the numbers and the rule.

The claims are data (``book/claims.yml``: id, paper, where the paper states it, the claim in
its own terms, the chapter and section holding the evidence). A chapter decides a claim with
one of the rules below, which turn numbers into a :class:`Verdict`, and records it with
:func:`record` (three glued values: ``claim_<id>``, ``..._numbers``, ``..._rule``). The
ledger page reads them back from the executed chapters (:func:`ledger`); nothing in it is
typed by hand. Vocabulary (:data:`VERDICTS`): holds / holds in the limit / partly / does not
hold here / untested (a claim the book cannot test, with why, kept in the data file).
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import yaml

VERDICTS = ("holds", "holds in the limit", "partly", "does not hold here", "untested")
PAPERS = {"A": "Deng et al., TPAMI 2024", "B": "Sun, Zhu and Xiong, TNNLS 2025"}
CLAIMS_FILE = Path(__file__).resolve().parents[2] / "book" / "claims.yml"


@dataclass(frozen=True)
class Verdict:
    """A verdict, the numbers that decide it, and the rule that turned them into it."""

    verdict: str
    numbers: str
    rule: str

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict {self.verdict!r} is not one of {VERDICTS}")


def count(successes: int, total: int, what: str) -> Verdict:
    """Holds on every case, partly on some, does not hold here on none."""
    if not 0 <= successes <= total or total == 0:
        raise ValueError(
            f"{successes} successes of {total} cases: need 0 <= successes <= total > 0"
        )
    verdict = (
        "holds" if successes == total else ("does not hold here" if successes == 0 else "partly")
    )
    return Verdict(
        verdict,
        f"{successes} of {total} {what}",
        "holds if on every case, partly if on some, does not hold here if on none",
    )


def conjunction(parts: dict[str, Verdict]) -> Verdict:
    """A claim "X and Y": holds if every part holds; does not hold here if any part does not
    hold here; partly otherwise."""
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
    return Verdict(
        verdict,
        numbers,
        "a conjunction: holds if every part holds, does not hold here if any part does not",
    )


def at_most(value: float, bar: float, what: str) -> Verdict:
    """Holds if ``value`` <= ``bar`` (the bar is the book's, and stated), else does not hold."""
    verdict = "holds" if value <= bar else "does not hold here"
    return Verdict(verdict, f"{what} = {value:.3g} (bar: {bar:g})", f"holds if {what} <= {bar:g}")


def each_at_most(values: dict[str, float], bar: float, what: str) -> Verdict:
    """One value per case (dataset, model): holds if every value is at most ``bar``, partly
    if some are, does not hold here if none is."""
    if not values:
        raise ValueError("no values to judge")
    within = [k for k, v in values.items() if v <= bar]
    listed = ", ".join(f"{k} {v:.2g}" for k, v in values.items())
    base = count(len(within), len(values), f"at most {bar:g} ({what}: {listed})")
    return Verdict(
        base.verdict,
        base.numbers,
        f"{what} at most {bar:g}: holds if on every case, partly if on some, does not hold here if on none",
    )


def proved(residuals: int, cases: int, what: str) -> Verdict:
    """An identity checked exactly (sympy): holds if every residual of every case is zero."""
    verdict = "holds" if residuals == 0 else "does not hold here"
    return Verdict(
        verdict,
        f"{residuals} non-zero residuals over {cases} {what}",
        "holds if every residual expands to 0 (exact, sympy)",
    )


def table_1_row(exact: dict[str, bool | None], propagation: bool) -> Verdict:
    """A row of paper A's Table 1, from the sympy checks of ``reformulations.check_rows``
    (model class -> exact, or None where not applicable). Gradient and perturbation rows:
    holds if exact on every polynomial checked, partly if on some, does not hold here if on
    none. Propagation rows are checked on one neuron only, and no row is exact for several
    nonlinear layers (the propagation chapter's departures): partly if exact on a neuron
    class, does not hold here if on none."""
    checked = {k: v for k, v in exact.items() if v is not None}
    if not checked:
        raise ValueError("no model class was checked for this row")
    n = sum(bool(v) for v in checked.values())
    classes = ", ".join(f"{k}: {'exact' if v else 'not exact'}" for k, v in checked.items())
    if propagation:
        verdict = "partly" if n else "does not hold here"
        rule = (
            "propagation rows: partly if exact on one neuron (no row is exact for several "
            "nonlinear layers), does not hold here if not exact on one neuron"
        )
    else:
        verdict = "holds" if n == len(checked) else ("partly" if n else "does not hold here")
        rule = "holds if exact on every polynomial checked, partly if on some, does not hold here if on none"
    return Verdict(verdict, classes, rule)


def table_2_row(paper: Sequence[str], measured: Sequence[str], columns: Sequence[str]) -> Verdict:
    """A row of paper A's Table 2 (its verdict per principle) against the book's measured
    verdicts: holds if all cells agree, partly if some, does not hold here if none ("holds
    in the limit" agrees with "holds", as in ``principles.disagreements``)."""

    if not len(paper) == len(measured) == len(columns) > 0:
        raise ValueError(
            f"one verdict per principle: {len(paper)} from the paper, {len(measured)} "
            f"measured, {len(columns)} principles"
        )

    def plain(v):
        return "holds" if v == "holds in the limit" else v

    pairs = list(zip(columns, map(str, paper), map(str, measured)))
    agree = [c for c, p, m in pairs if plain(p) == plain(m)]
    differ = [f"{c}: paper {p}, measured {m}" for c, p, m in pairs if plain(p) != plain(m)]
    base = count(len(agree), len(columns), "cells agree")
    numbers = base.numbers + (f" ({'; '.join(differ)})" if differ else "")
    return Verdict(
        base.verdict,
        numbers,
        "holds if every cell agrees, partly if some, does not hold here if none",
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


def glued(notebook: Path) -> dict[str, object]:
    """Every value glued in an executed notebook, by name (the text papermill recorded)."""
    values = {}
    for cell in json.loads(Path(notebook).read_text())["cells"]:
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


def load(path: Path = CLAIMS_FILE) -> list[Claim]:
    """The claims of ``book/claims.yml``, checked: unique ids, known papers, and either a
    chapter (where the verdict is recorded) or a reason it is untested."""
    rows = yaml.safe_load(Path(path).read_text())
    claims = [Claim(**row) for row in rows]
    ids = [c.id for c in claims]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise ValueError(f"{path}: duplicated claim ids {duplicated}")
    for c in claims:
        if c.paper not in PAPERS:
            raise ValueError(
                f"{path}: claim {c.id} has paper {c.paper!r}, not one of {list(PAPERS)}"
            )
        if (c.chapter is None) == (c.untested is None):
            raise ValueError(
                f"{path}: claim {c.id} needs a chapter or a reason it is untested, not both"
            )
    return claims


def ledger(claims: list[Claim], executed_dir: Path) -> list[dict]:
    """One row per claim with its verdict, numbers and rule read from the executed chapter
    that records it (KeyError naming the claim and chapter if it records none)."""
    cache: dict[str, dict] = {}
    rows = []
    for c in claims:
        if c.untested is not None:
            rows.append({**c.__dict__, "verdict": "untested", "numbers": "", "rule": c.untested})
            continue
        if c.chapter not in cache:
            path = Path(executed_dir) / f"{c.chapter}.ipynb"
            if not path.exists():
                raise FileNotFoundError(f"claim {c.id}: the chapter {path} has not been executed")
            cache[c.chapter] = glued(path)
        values, name = cache[c.chapter], glue_name(c.id)
        if name not in values:
            raise KeyError(f"claim {c.id}: chapter {c.chapter} records no verdict {name!r}")
        rows.append(
            {
                **c.__dict__,
                "verdict": values[name],
                "numbers": values[f"{name}_numbers"],
                "rule": values[f"{name}_rule"],
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


def markdown(rows: list[dict], paper: str) -> str:
    """The ledger rows of one paper as a MyST table: the claim (where the paper states it),
    the verdict, the numbers and the rule, and a link to the section with the evidence."""
    lines = ["| claim | verdict | numbers, and the rule | evidence |", "|---|---|---|---|"]
    for r in rows:
        if r["paper"] != paper:
            continue
        numbers = f"{r['numbers']}. Rule: {r['rule']}" if r["numbers"] else r["rule"]
        cells = [
            f"*{r['where']}*: {r['claim']}",
            badge(r["verdict"]),
            numbers,
            f"{{ref}}`{r['section']}`" if r["section"] else "",
        ]
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def shown(ledger_notebook: Path) -> list[tuple[str, str]]:
    """(claim, verdict) of every row the executed ledger page shows, in order."""
    rows = []
    for cell in json.loads(Path(ledger_notebook).read_text())["cells"]:
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/markdown", "")
            text = "".join(text) if isinstance(text, list) else text
            for line in text.splitlines():
                if line.startswith("| *"):
                    cells = [c.strip() for c in line.strip("|").replace("\\|", "\0").split("|")]
                    verdict = re.fullmatch(r"\{bdg-\w+\}`(.*)`", cells[1])
                    rows.append((cells[0].replace("\0", "|"), verdict[1] if verdict else cells[1]))
    return rows


def check(executed_dir: Path, claims: list[Claim] | None = None) -> list[str]:
    """Where the executed ledger page (``claims.ipynb``) and the chapters disagree: a row
    whose verdict is not the one its chapter recorded, or a claim missing from the page."""
    claims = load() if claims is None else claims
    expected = ledger(claims, executed_dir)
    expected = [r for paper in PAPERS for r in expected if r["paper"] == paper]
    rows = shown(Path(executed_dir) / "claims.ipynb")
    problems = []
    if len(rows) != len(expected):
        problems.append(
            f"the ledger page shows {len(rows)} claims, the data file has {len(expected)}"
        )
    for (text, verdict), r in zip(rows, expected):
        where = f"claim {r['id']} ({r['chapter'] or 'untested'})"
        if r["claim"] not in text:
            problems.append(f"{where}: the page shows another claim here: {text[:60]}")
        elif verdict != r["verdict"]:
            problems.append(
                f"{where}: the page says {verdict!r}, the chapter recorded {r['verdict']!r}"
            )
    return problems
