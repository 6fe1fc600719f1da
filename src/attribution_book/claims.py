"""The claims ledger: every claim of both papers, its verdict, the numbers and the rule.

The claims are data (``book/claims.yml``: id, paper, where the paper states it, the claim in
its own terms, the chapter and section holding the evidence). A chapter decides a claim with
one of the rules of :mod:`attribution_book.rules`, which turn numbers into a
:class:`~attribution_book.rules.Verdict`, and records it with :func:`record` (glued values:
``claim_<id>``, ``..._numbers``, ``..._rule`` and ``..._detail``). The ledger reads them back
from the executed chapters (:func:`ledger`), :mod:`attribution_book.ledger_page` writes the
page, and :func:`check` compares what the page shows with the chapters; nothing in it is
typed by hand. The rules and the page's functions are importable from here too.
Vocabulary (:data:`VERDICTS`): holds / holds in the limit /
partly / does not hold here / untested (a claim the book cannot test, with why, kept in the
data file, or a measured property no case exercised).

Every verdict says whose bar decided it (:data:`ORIGINS`: a number the paper states, the
paper's words read plainly, or the book's choice), the bar, the deciding number and its
margin: how far the number would have to move to flip the verdict. Verdicts decided by
exact checks (sympy) say so and are not swept over seeds (:mod:`attribution_book.sweep`).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .ledger_page import (  # noqa: F401  (the page's functions, as claims.* too)
    BADGES,
    CARD,
    FINDINGS,
    badge,
    findings,
    legend,
    markdown,
    one_line,
    read_notebook,
    shown,
    summary,
    why,
)
from .rules import (  # noqa: F401  (the rules, as claims.* for the chapters)
    ORIGINS,
    VERDICTS,
    Verdict,
    at_most,
    conjunction,
    count,
    each_at_most,
    margin_factor,
    proved,
    table_1_row,
    table_2_row,
)

#: Who states a claim: the paper itself, or the public reviews raising a point about it.
STATED_BY = ("paper", "reviewers")
PAPERS = {"A": "Deng et al., TPAMI 2024", "B": "Sun, Zhu and Xiong, TNNLS 2025"}
CLAIMS_FILE = Path(__file__).resolve().parents[2] / "book" / "claims.yml"
#: The parameters the book's chapters run with (a notebook's own default where papermill
#: injected none); a verdict decided by a run with others is marked wherever it is shown.
BOOK_PARAMETERS = {"profile": "full", "seed": 0}


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


def off_book(notebook: Path) -> str:
    """The parameters an executed chapter ran with that are not :data:`BOOK_PARAMETERS`
    ("profile 'quick', seed 3"), from papermill's record in the notebook; "" for the book's."""
    metadata = read_notebook(notebook).get("metadata", {})
    ran = {**BOOK_PARAMETERS, **metadata.get("papermill", {}).get("parameters", {})}
    return ", ".join(
        f"{key} {ran[key]!r}" for key, value in BOOK_PARAMETERS.items() if ran[key] != value
    )


def glued(notebook: Path) -> dict[str, object]:
    """Every value glued in an executed notebook, by name (the text papermill recorded)."""
    values = {}
    for cell in read_notebook(notebook).get("cells", []):
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
        if one_line(r["claim"]) not in text:
            problems.append(f"{where}: the page shows another claim under its id: {text[:60]}")
        elif verdict != r["verdict"]:
            problems.append(
                f"{where}: the page says {verdict!r}, the chapter recorded {r['verdict']!r}"
            )
    return problems
