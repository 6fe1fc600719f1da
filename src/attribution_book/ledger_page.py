"""The claims ledger as a page: cards grouped by how they are decided, the at-a-glance
list, the introduction's findings, and the reading back of what the executed page shows.

:func:`markdown` writes one paper's claims as cards (:data:`CARD`), each group of claims that
share a rule, bar and seed note stating them once in a folded box; :func:`summary` the
at-a-glance table and list (with :func:`why`, the deciding clause); :func:`findings` the
introduction's "What we found"; :func:`shown` reads the cards back from the executed page,
so that :func:`attribution_book.claims.check` can compare them with the chapters.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .rules import VERDICTS, count


def read_notebook(notebook: Path) -> dict:
    """An executed notebook as JSON, or a ValueError naming the file."""
    try:
        return json.loads(Path(notebook).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(
            f"{notebook} is not an executed notebook (not JSON: {err}); execute the chapter "
            "again (make notebook NB=...)"
        ) from None


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
        lines += ["", f":::{{dropdown}} {one_line(title)}", " ".join(body), ":::", ""]
        lines += [_card(r) for r in members]
    return "\n".join(lines).strip() + "\n"


def _decided_by(row: dict, seeds: str) -> tuple[str, str, str, str]:
    detail = row.get("detail") or {}
    return (row["rule"], detail.get("origin", ""), detail.get("bar", ""), seeds)


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def _card(row: dict) -> str:
    """One claim as a list item (the form :func:`shown` reads back)."""
    detail = row.get("detail") or {}
    parts = [
        f"- {badge(row['verdict'])} **{row['id']}**, *{one_line(row['where'])}*: "
        f"{one_line(row['claim'])}"
    ]
    if row["numbers"]:
        parts.append(f"  {one_line(row['numbers'])}.")
    if detail.get("margin"):
        parts.append(f"Margin: {one_line(detail['margin'])}.")
    if detail.get("stored"):
        parts.append(f"Decided by stored runs: {one_line(detail['stored'])}.")
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
        lines.append(f"- {badge(r['verdict'])} **{who}**: {one_line(r['claim'])} *Why:* {why(r)}.")
    return "\n".join(lines)


def why(row: dict) -> str:
    """The first clause of a row's numbers (up to the first ";"): the count or value that
    decides it, for the at-a-glance tables; the reason where it is untested."""
    text = one_line(row["numbers"] or row["rule"])
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
    for cell in read_notebook(ledger_notebook).get("cells", []):
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/markdown", "")
            text = "".join(text) if isinstance(text, list) else text
            for line in text.splitlines():
                found = CARD.fullmatch(line)
                if found:
                    rows.append((found[2], found[3], found[1]))
    return rows
