"""Every notebook of the book executes with the quick profile, and the book's table of
contents and the notebooks agree."""

from pathlib import Path

import jupytext
import pytest
import yaml

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


def test_toc_and_notebooks_agree():
    files = _toc_files()
    executed = {f.removeprefix("book/executed/") for f in files if f.startswith("book/executed/")}
    assert executed == {p.stem for p in NOTEBOOKS}
    for f in files:
        if not f.startswith("book/executed/"):
            assert (ROOT / f"{f}.md").exists(), f"_toc.yml names {f}, which does not exist"


@pytest.mark.notebooks
def test_every_notebook_executes_with_the_quick_profile(tmp_path, model_cache):
    results = execute.execute_all(NOTEBOOKS, tmp_path, {"profile": "quick", "seed": 0}, jobs=2)
    failures = [r.error for r in results if not r.ok]
    assert not failures, "\n\n".join(failures)
