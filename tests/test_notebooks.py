"""Every notebook of the book executes, with the book's own parameters, into the book's
folder (so ``make book`` reuses these executions: each records a digest of its inputs); one
chapter runs twice with the quick profile and gives identical outputs; the book's table of
contents and the notebooks agree."""

import json
from pathlib import Path

import jupytext
import pytest
import yaml

from attribution_book import claims
from attribution_book.bookbuild import execute

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = execute.discover(ROOT / "notebooks")


def _toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no notebook"


@pytest.mark.parametrize("source", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_has_a_parameters_cell_with_profile_and_seed(source):
    notebook = jupytext.read(source)
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell must be tagged 'parameters'"
    names = {line.split("=")[0].strip() for line in tagged[0].source.splitlines() if "=" in line}
    assert {"profile", "seed"} <= names


def test_the_chapters_started_first_exist():
    assert set(execute.STARTED_FIRST) <= {p.stem for p in NOTEBOOKS}


def test_toc_and_notebooks_agree():
    files = _toc_files()
    executed = {f.removeprefix("book/executed/") for f in files if f.startswith("book/executed/")}
    assert executed == {p.stem for p in NOTEBOOKS}
    for f in files:
        if not f.startswith("book/executed/"):
            assert (ROOT / f"{f}.md").exists(), f"_toc.yml names {f}, which does not exist"


@pytest.mark.notebooks
def test_every_notebook_executes_as_the_book_runs_it():
    """The book's executions themselves (the parameters of ``make book``, the model cache of
    ``make``), written to ``book/executed`` and reused by ``make book``; a chapter whose
    inputs did not change since its last execution is not run again."""
    executed = ROOT / execute.OUTPUT_DIR
    results = execute.execute_all(NOTEBOOKS, executed, {"profile": "full"}, jobs=2, reuse=True)
    failures = [r.error for r in results if not r.ok]
    assert not failures, "\n\n".join(failures)
    # the claims ledger shows, for every claim, the verdict its chapter recorded
    assert claims.check(executed) == []
    statements_match_their_numbers(executed)


def statements_match_their_numbers(executed: Path) -> None:
    """Sentences that once contradicted the numbers beside them, now generated from them."""
    cost = claims.glued(executed / "cost.ipynb")
    results = json.loads((ROOT / "benchmarks/results/dividends.json").read_text())
    at_12 = next(r for r in results["transform"] if r["players"] == cost["players_12"])
    assert cost["difference_12"] == f"{at_12['max_abs_difference']:.1e}"  # not the max over n
    same_game = claims.glued(executed / "propagation_methods.ipynb")["same_game_agree"]
    assert "Occlusion-1" in same_game and "Shapley value" in same_game  # functions of the game


def _outputs(path: Path) -> list:
    """Every output of every code cell (text, HTML, images, glued values), without the
    execution metadata (timings) and without stderr (progress bars)."""
    out = []
    for cell in json.loads(path.read_text())["cells"]:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                continue
            out.append((output.get("output_type"), output.get("text"), output.get("data")))
    return out


@pytest.mark.notebooks
def test_a_chapter_run_twice_gives_identical_outputs(tmp_path, model_cache):
    """Determinism as a checked property: the perturbation chapter (models trained from a
    seed, Prediction Difference's seeded sampling) executed twice, the second time from the
    model cache the first filled. (The faithfulness chapter's bootstrap and infidelity
    draws are checked for determinism in tests/test_faithfulness.py; running that chapter
    twice cost 70 s of the build's two cores.)"""
    source = ROOT / "notebooks" / "perturbation_methods.py"
    runs = [
        execute.execute_one(source, tmp_path / name, {"profile": "quick", "seed": 0})
        for name in ("first", "second")
    ]
    assert all(r.ok for r in runs), [r.error for r in runs]
    first, second = (_outputs(r.output) for r in runs)
    assert first and first == second
