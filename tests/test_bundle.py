"""A chapter runs outside the repository: bundled (executed notebook, results, a wheel of
the packages), installed into a fresh virtual environment, and executed there.

The torch install here uses this machine's pip configuration (which finds the local CPU
wheel); the bundle's README names the public CPU index instead. About two minutes."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from attribution_book import claims
from attribution_book.bookbuild import bundle, execute

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "taylor_interactions"


def run(*command, cwd=None):
    done = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, (
        f"{' '.join(map(str, command))}\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    )
    return done


def test_a_bundled_chapter_runs_in_a_fresh_virtual_environment(tmp_path):
    executed = tmp_path / "executed"
    result = execute.execute_one(
        ROOT / "notebooks" / f"{CHAPTER}.py", executed, {"profile": "quick"}
    )
    assert result.ok, result.error
    had_build = (ROOT / "build").exists()
    folder = bundle.bundle(CHAPTER, tmp_path / "bundles", executed=executed)
    assert (ROOT / "build").exists() == had_build  # the wheel is built away from the checkout
    assert (folder / "benchmarks" / "results" / "dividends.json").exists()
    readme = (folder / "README.md").read_text()
    assert "papermill" in readme and "package registry" in readme
    assert "| `profile` |" in readme  # the chapter's parameters
    (wheel,) = (folder / "wheels").glob("*.whl")
    with zipfile.ZipFile(wheel) as packed:
        modules = {n for n in packed.namelist() if n.endswith(".py")}
    sources = {str(p.relative_to(ROOT / "src")) for p in (ROOT / "src").rglob("*.py")}
    assert modules == sources  # every module of the checkout, and nothing stale

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv)
    pip = [
        venv / "bin" / "python",
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ]
    run(*pip, "torch==2.13.0")
    run(*pip, "-c", folder / "constraints.txt", f"{wheel}[book]")
    out = folder / "notebooks" / f"{CHAPTER}.rerun.ipynb"
    run(
        venv / "bin" / "papermill",
        f"{CHAPTER}.ipynb",
        out.name,
        "-p",
        "profile",
        "quick",
        "--kernel",
        "python3",
        cwd=folder / "notebooks",
    )
    glued = claims.glued(out)
    assert glued["claim_A_abstract_decomposition"] == "holds"
    assert glued == claims.glued(executed / f"{CHAPTER}.ipynb")  # the same numbers as in the book
    assert "site-packages" in json.dumps(
        run(
            venv / "bin" / "python",
            "-c",
            "import unified_attribution; print(unified_attribution.__file__)",
        ).stdout
    )


def test_only_a_chapter_name_is_bundled(tmp_path):
    """A path as the name would have written (and first removed) a folder outside out/."""
    keep = tmp_path / "x" / "ch"
    keep.mkdir(parents=True)
    (keep / "precious.txt").write_text("keep me")
    with pytest.raises(ValueError, match="is not a chapter; chapters: .*taylor_interactions"):
        bundle.bundle("../x/ch", tmp_path / "bundles")
    assert (keep / "precious.txt").read_text() == "keep me"
