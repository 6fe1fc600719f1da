"""The claims ledger: its rules on constructed numbers, its data file, and the check that
catches a ledger page disagreeing with the chapter it cites."""

import json
from pathlib import Path

import pytest

from attribution_book import claims
from unified_attribution.methods import PAPER_A_METHODS
from unified_attribution.theory import principles

ROOT = Path(__file__).resolve().parents[1]


def test_count_rule():
    assert claims.count(3, 3, "datasets").verdict == "holds"
    assert claims.count(1, 3, "datasets").verdict == "partly"
    assert claims.count(0, 3, "datasets").verdict == "does not hold here"
    assert claims.count(1, 3, "datasets").numbers == "1 of 3 datasets"
    with pytest.raises(ValueError):
        claims.count(4, 3, "datasets")
    told = claims.count(1, 6, "pairs hold", others={"reversed": 0, "not decided": 5})
    assert told.numbers == "1 of 6 pairs hold, 0 reversed, 5 not decided"
    with pytest.raises(ValueError, match="add up"):
        claims.count(1, 6, "pairs hold", others={"reversed": 1})


def test_a_denominator_names_the_cases_left_out_and_why():
    left = {"breast_cancer": "30 features"}
    assert claims.count(0, 4, "datasets", left_out=left).numbers == (
        "0 of 4 datasets; left out: breast_cancer (30 features)"
    )
    judged = claims.each_at_most({"wine": 0.2, "fair": 0.01}, 0.05, "error", left_out=left)
    assert judged.verdict == "partly"
    assert judged.numbers.endswith("; left out: breast_cancer (30 features)")


def test_a_conjunction_holds_only_when_every_part_holds():
    holds, partly, fails = (claims.count(k, 2, "cases") for k in (2, 1, 0))
    assert claims.conjunction({"a": holds, "b": holds}).verdict == "holds"
    assert claims.conjunction({"a": holds, "b": partly}).verdict == "partly"
    # "more precisely AND faster": one half on no dataset sinks the claim
    assert claims.conjunction({"a": holds, "b": fails}).verdict == "does not hold here"
    both = claims.conjunction({"a": holds, "b": fails})
    assert "b: does not hold here (0 of 2 cases" in both.numbers
    assert "b: holds if on every case" in both.rule  # each part's rule with the rule
    assert "rule" not in both.numbers


def test_why_gives_the_deciding_clause():
    assert claims.why({"numbers": "3 of 5 datasets; left out: x (y)", "rule": "r"}) == (
        "3 of 5 datasets"
    )
    parts = "a: holds (2 of 2 (every case); more); b: partly (1 of 2)"
    assert claims.why({"numbers": parts, "rule": "r"}) == "a: holds; b: partly"
    assert claims.why({"numbers": "", "rule": "no numbers to compare"}) == ("no numbers to compare")


def test_bars_and_proofs():
    assert claims.at_most(0.04, 0.05, "error").verdict == "holds"
    assert claims.at_most(0.06, 0.05, "error").verdict == "does not hold here"
    mixed = claims.each_at_most({"wine": 0.02, "fair": 0.3}, 0.05, "error")
    assert mixed.verdict == "partly" and "wine 0.02" in mixed.numbers
    assert claims.proved(0, 4, "polynomials").verdict == "holds"
    assert claims.proved(1, 4, "polynomials").verdict == "does not hold here"
    with pytest.raises(ValueError, match="not one of"):
        claims.Verdict("true", "", "")


def test_every_verdict_says_whose_bar_and_its_margin():
    near = claims.at_most(0.04, 0.05, "error")
    assert near.origin == "the book's choice" and near.bar == "0.05"
    assert near.value == 0.04 and near.margin == "0.04: 1.25x below the bar"
    over = claims.at_most(0.2, 0.05, "error", origin="the paper's number")
    assert over.origin == "the paper's number" and over.margin == "0.2: 4x above the bar"
    mixed = claims.each_at_most({"wine": 0.02, "fair": 0.3, "iris": 0.06}, 0.05, "error")
    assert (
        mixed.margin.startswith("nearest the bar: iris 0.06") and mixed.value == 0.06
    )  # the number the margin names
    assert claims.count(3, 3, "cases").margin == "1 case failing would make it partly"
    assert claims.count(1, 3, "cases").margin == "2 more case(s) to hold, 1 fewer to not hold"
    proof = claims.proved(0, 4, "polynomials")
    assert proof.exact and proof.origin == "the paper's words"
    with pytest.raises(ValueError, match="origin"):
        claims.count(1, 2, "cases", origin="a reviewer's hunch")
    both = claims.conjunction(
        {"a": claims.at_most(1, 2, "x"), "b": claims.count(1, 1, "y", "the paper's words")}
    )
    assert "a: 1: 2x below the bar" in both.margin and "b: every case" in both.bar
    assert both.detail["origin"] == "the book's choice"  # mixed origins: the stricter


def test_table_rules():
    both = {"multilinear": True, "cubic": True, "neuron": None}
    assert claims.table_1_row(both, propagation=False).verdict == "holds"
    assert claims.table_1_row({"multilinear": False, "cubic": True}, False).verdict == "partly"
    # a propagation row exact on one neuron is not exact on deeper networks: partly at best
    assert claims.table_1_row({"one neuron": True}, propagation=True).verdict == "partly"
    assert (
        claims.table_1_row({"one neuron": False}, propagation=True).verdict == "does not hold here"
    )
    columns = ("p1", "p2", "p3")
    same = claims.table_2_row(
        ["holds", "fails", "holds"], ["holds in the limit", "fails", "holds"], columns
    )
    assert same.verdict == "holds"
    one_off = claims.table_2_row(["holds", "fails", "holds"], ["fails", "fails", "holds"], columns)
    assert one_off.verdict == "partly" and "p1: paper holds, measured fails" in one_off.numbers
    with pytest.raises(ValueError, match="one verdict per principle"):
        claims.table_2_row(["holds"], ["holds", "fails"], columns)
    # an untested cell neither agrees nor differs; a row with none tested is untested
    partial = claims.table_2_row(
        ["holds", "fails", "holds"], ["holds", "untested", "holds"], columns
    )
    assert partial.verdict == "holds" and "2 of 2 tested cells" in partial.numbers
    assert "untested: p2" in partial.numbers
    nothing = claims.table_2_row(["holds"] * 3, ["untested"] * 3, columns)
    assert nothing.verdict == "untested"
    # margins a reader can read: a zero violation is exact (no factor of a division by
    # nothing), a failing cell says whether the paper marks it failing too
    cell = principles.CellVerdict
    exact = claims.table_2_row(["holds"], [cell("holds", 0.0, exercised=1)], ["p1"])
    assert exact.margin == "violation nearest the bar: p1 0 (exact)"
    marked = claims.table_2_row(["fails"], [cell("fails", 2.0, exercised=1)], ["p1"])
    assert marked.verdict == "holds" and marked.margin.endswith("(the paper marks it failing too)")


def test_the_data_file_covers_both_papers():
    found = claims.load()
    ids = {c.id for c in found}
    for m in PAPER_A_METHODS:
        slug = m.replace("_", "-")
        assert f"A-T1-{slug}" in ids and f"A-T2-{slug}" in ids, m
    assert {"A-abstract-unified", "B-abstract-shapley", "B-abstract-post-hoc"} <= ids
    where = " ".join(c.where for c in found if c.paper == "B")
    # the reviewers' points name their reviewer and kind, as the public reviews give them
    reviewed = " ".join(c.where for c in found if c.stated_by == "reviewers")
    assert "Reviewer 3, a weakness" in reviewed and "Reviewer 1, a question" in reviewed
    assert "book's numbering" not in where
    # the reviewers' own questions are counted apart from the paper's claims
    assert {c.id for c in found if c.stated_by == "reviewers"} == {
        "B-review-irrelevant",
        "B-review-training-cost",
    }
    notebooks = {p.stem: p.read_text() for p in (ROOT / "notebooks").glob("*.py")}
    pages = "".join(notebooks.values()) + "".join(
        p.read_text() for p in (ROOT / "book").glob("*.md")
    )
    for c in found:
        if c.chapter:
            assert c.chapter in notebooks, f"{c.id}: no chapter {c.chapter}"
            assert f"({c.section})=" in pages, f"{c.id}: no section label {c.section}"


def test_bad_data_files_are_refused(tmp_path):
    path = tmp_path / "claims.yml"
    path.write_text("- {id: x, paper: A, where: w, claim: c}\n")
    with pytest.raises(ValueError, match="a chapter or a reason"):
        claims.load(path)
    path.write_text("- {id: x, paper: C, where: w, claim: c, chapter: k}\n")
    with pytest.raises(ValueError, match="paper"):
        claims.load(path)


def _notebook(path: Path, outputs: list[dict]) -> None:
    cell = {"cell_type": "code", "source": "", "metadata": {}, "outputs": outputs}
    path.write_text(
        json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    )


def _glue(name: str, value: str) -> dict:
    return {
        "output_type": "display_data",
        "metadata": {"scrapbook": {"name": name}},
        "data": {"application/papermill.record/text/plain": repr(value)},
    }


def test_the_check_catches_a_ledger_that_disagrees_with_its_chapter(tmp_path):
    found = [
        claims.Claim("B-x", "B", "abstract", "It is fast.", chapter="chapter", section="s"),
        claims.Claim("B-y", "B", "reviews", "It is cheap.", untested="no numbers to compare"),
    ]
    decided = claims.count(1, 2, "datasets")
    name = claims.glue_name("B-x")
    _notebook(
        tmp_path / "chapter.ipynb",
        [
            _glue(name, decided.verdict),
            _glue(f"{name}_numbers", decided.numbers),
            _glue(f"{name}_rule", decided.rule),
        ],
    )
    rows = claims.ledger(found, tmp_path)
    page = {
        "output_type": "display_data",
        "metadata": {},
        "data": {"text/markdown": claims.markdown(rows, "B")},
    }
    _notebook(tmp_path / "claims.ipynb", [page])
    assert claims.check(tmp_path, found) == []
    wrong = claims.markdown([{**rows[0], "verdict": "holds"}, rows[1]], "B")
    _notebook(tmp_path / "claims.ipynb", [{**page, "data": {"text/markdown": wrong}}])
    assert claims.check(tmp_path, found) == [
        "claim B-x (chapter): the page says 'holds', the chapter recorded 'partly'"
    ]
    (tmp_path / "chapter.ipynb").unlink()
    with pytest.raises(FileNotFoundError, match="has not been executed"):
        claims.check(tmp_path, found)


def test_comparisons_in_prose_follow_the_numbers():
    from attribution_book.showcase import compared

    assert compared(0.0473, 0.0463) == "0.047 (about the same as 0.046)"  # not "more"
    assert compared(0.08, 0.0463) == "0.08 (above 0.046)"
    assert compared(0.02, 0.0463) == "0.02 (below 0.046)"


def test_a_bundle_needs_an_executed_chapter(tmp_path):
    from attribution_book.bookbuild import bundle

    with pytest.raises(FileNotFoundError, match="make notebook NB=cost"):
        bundle.bundle("cost", tmp_path / "out", executed=tmp_path)  # a chapter, not executed there


def test_verdicts_show_as_coloured_badges_that_read_back():
    assert claims.badge("partly") == "{bdg-warning}`partly`"
    assert all(claims.badge(v) in claims.legend() for v in claims.VERDICTS)
    with pytest.raises(ValueError, match="not one of"):
        claims.badge("mostly")


def test_rules_refuse_non_finite_numbers():
    """A NaN is a failed measurement: no rule turns it into a verdict."""
    with pytest.raises(ValueError, match="non-finite"):
        claims.at_most(float("nan"), 0.05, "error")
    with pytest.raises(ValueError, match="non-finite"):
        claims.each_at_most({"wine": 0.01, "fair": float("nan")}, 0.05, "error")
    with pytest.raises(ValueError, match="non-finite"):
        claims.at_most(0.01, float("inf"), "error")


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "a list of claims"),
        ("id: A-x\n", "a list of claims"),
        ("- just text\n", "not a mapping"),
        ("- {id: A-x, paper: A, where: w}\n", "missing fields"),
        ("- {id: A-x, paper: A, where: w, claim: c, chapter: p, colour: red}\n", "unknown fields"),
        ("- {id: 7, paper: A, where: w, claim: c, chapter: p}\n", "must be a string"),
        ("- {id: A-x, paper: A, where: w, claim: c, chapter: ''}\n", "non-empty"),
        (
            "- {id: A-x, paper: A, where: w, claim: c, chapter: p}\n"
            "- {id: A-x, paper: A, where: w, claim: d, chapter: p}\n",
            "duplicated",
        ),
    ],
)
def test_load_names_what_is_wrong_with_the_claims_file(tmp_path, text, message):
    path = tmp_path / "claims.yml"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        claims.load(path)


def test_the_ledger_refuses_a_recorded_verdict_outside_the_vocabulary(tmp_path, monkeypatch):
    path = tmp_path / "claims.yml"
    path.write_text("- {id: A-x, paper: A, where: w, claim: c, chapter: ch}\n")
    (tmp_path / "ch.ipynb").write_text("{}")
    monkeypatch.setattr(
        claims,
        "glued",
        lambda _: {"claim_A_x": "maybe", "claim_A_x_numbers": "", "claim_A_x_rule": ""},
    )
    with pytest.raises(ValueError, match="'maybe'"):
        claims.ledger(claims.load(path), tmp_path)


def test_the_summary_puts_each_method_beside_its_two_table_verdicts():
    def row(claim_id, verdict, paper="A", stated_by="paper"):
        return {
            "id": claim_id,
            "verdict": verdict,
            "paper": paper,
            "stated_by": stated_by,
            "claim": f"claim {claim_id} | with a pipe",
            "numbers": "1 of 2 cases",
            "rule": "r",
        }

    rows = [
        row("A-T1-gradient-x-input", "does not hold here"),
        row("A-T2-gradient-x-input", "partly"),
        row("B-review-x", "untested", "B", "reviewers"),
        row("B-abstract-y", "holds", "B"),
        row("A-abstract-z", "holds"),
    ]
    text = claims.summary(rows, {"gradient_x_input": "Gradient x Input", "lime": "LIME"})
    lines = text.splitlines()
    assert lines[2] == (
        "| Gradient x Input | {bdg-danger}`does not hold here` | {bdg-warning}`partly` |"
    )
    assert lines[3] == "| LIME | – | – |"  # a method without rows is shown as such
    others = [line for line in lines if line.startswith("- ")]
    assert [line.split("**")[1] for line in others] == [
        "Paper A",
        "Paper B",
        "Reviewers of B",
    ]
    assert "with a pipe *Why:* 1 of 2 cases." in others[0]
    assert not any(claims.CARD.fullmatch(line) for line in lines)  # not read as ledger cards


def test_the_ledger_states_a_shared_rule_once_and_reads_back_each_card():
    rule = "holds if on every case"
    rows = [
        {
            "id": f"B-{i}",
            "paper": "B",
            "where": "abstract",
            "claim": f"Claim {i}.",
            "section": "s",
            "verdict": "holds",
            "numbers": f"{i} of {i} cases",
            "rule": rule,
            "detail": {"origin": "the book's choice", "bar": "every case", "margin": "m"},
        }
        for i in (1, 2)
    ]
    page = claims.markdown(rows, "B", {"B-1": "not swept", "B-2": "not swept"})
    assert page.count(rule) == 1 and page.count("not swept") == 1
    assert "How the 2 claims below are decided: bar every case (the book's choice)" in page
    lines = page.splitlines()
    assert [claims.CARD.fullmatch(line)[2] for line in lines if line.startswith("- ")] == [
        "B-1",
        "B-2",
    ]
    # a different seed note starts a group of its own
    split = claims.markdown(rows, "B", {"B-1": "not swept", "B-2": "same in 6 of 6 seeds"})
    assert split.count(rule) == 2 and "How the claim below is decided" in split


def test_a_chapter_run_with_other_parameters_is_marked_everywhere(tmp_path):
    from attribution_book import sweep

    found = [claims.Claim("B-x", "B", "abstract", "It is fast.", chapter="chapter", section="s")]
    decided = claims.count(1, 2, "datasets")
    name = claims.glue_name("B-x")
    outputs = [
        _glue(name, decided.verdict),
        _glue(f"{name}_numbers", decided.numbers),
        _glue(f"{name}_rule", decided.rule),
    ]
    _notebook(tmp_path / "chapter.ipynb", outputs)
    assert claims.ledger(found, tmp_path)[0]["off_book"] == ""  # no parameters: the defaults
    chapter = json.loads((tmp_path / "chapter.ipynb").read_text())
    chapter["metadata"]["papermill"] = {"parameters": {"profile": "quick", "seed": 0}}
    (tmp_path / "chapter.ipynb").write_text(json.dumps(chapter))
    rows = claims.ledger(found, tmp_path)
    assert rows[0]["off_book"] == "profile 'quick'"
    page = claims.markdown(rows, "B")
    assert "Decided by a run with profile 'quick', not the book's parameters." in page
    cell = {"output_type": "display_data", "metadata": {}, "data": {"text/markdown": page}}
    _notebook(tmp_path / "claims.ipynb", [cell])
    assert claims.check(tmp_path, found) == [
        "claim B-x (chapter): decided by a run with profile 'quick', not the book's parameters "
        "({'profile': 'full', 'seed': 0}): rerun the chapter with them (make notebooks)"
    ]
    # the seed sweep is not blamed for a verdict the quick run moved
    stored = {
        "claims": {
            name: {
                "chapter": "chapter",
                "seeds": {"0": {"verdict": "holds", "numbers": "", "value": 1.0}},
            }
        }
    }
    assert sweep.stability(stored, rows)["B-x"].startswith("not compared with the sweep")


def test_the_introduction_pastes_every_finding():
    intro = (claims.CLAIMS_FILE.parent / "intro.md").read_text()
    for name in claims.FINDINGS:
        assert f"executed/claims.ipynb::{name}:s" in intro, name
    rows = [
        {"id": "A-T2-x", "verdict": "holds", "numbers": "", "rule": "r"},
        {"id": "A-T2-y", "verdict": "partly", "numbers": "", "rule": "r"},
        *(
            {"id": i, "verdict": "holds", "numbers": "2 of 2 cases; more", "rule": "r"}
            for i in claims.FINDINGS.values()
            if not i.endswith("-")
        ),
    ]
    found = claims.findings(rows)
    assert found["found_table_2"] == "partly: 1 of 2 rows hold"
    assert found["found_shapley"] == "holds: 2 of 2 cases"


def test_broken_claim_files_and_chapters_are_named(tmp_path):
    bad = tmp_path / "claims.yml"
    bad.write_bytes(b"- id: A-x\n  claim: caf\xe9\n")
    with pytest.raises(ValueError, match="is not UTF-8 text"):
        claims.load(bad)
    found = [claims.Claim("B-x", "B", "abstract", "It is fast.", chapter="chapter", section="s")]
    (tmp_path / "chapter.ipynb").write_text("{ not json")
    with pytest.raises(ValueError, match=r"chapter.ipynb is not an executed notebook"):
        claims.ledger(found, tmp_path)
    _notebook(tmp_path / "chapter.ipynb", [_glue(claims.glue_name("B-x"), "holds")])
    with pytest.raises(KeyError, match="glued its verdict but not"):
        claims.ledger(found, tmp_path)
