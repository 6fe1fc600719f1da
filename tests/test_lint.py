"""ruff (configured in pyproject.toml) finds nothing in the code, tests, benchmarks and
notebooks, and its formatter would change none of them (the chapters are formatted as the
notebooks they are: attribution_book.bookbuild.notebook_format)."""

import shutil
import subprocess
import sys
from pathlib import Path

from attribution_book.bookbuild import notebook_format

ROOT = Path(__file__).resolve().parents[1]
CODE = ["src", "tests", "benchmarks"]


def ruff(*args):
    path = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert path, "ruff is not installed: make setup installs the test extras"
    return subprocess.run([path, *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_is_clean():
    run = ruff("check", "--output-format", "concise", *CODE, "notebooks")
    assert run.returncode == 0, run.stdout + run.stderr


def test_code_is_formatted():
    run = ruff("format", "--check", *CODE)
    assert run.returncode == 0, f"run `make format`:\n{run.stdout}{run.stderr}"


def test_chapters_are_formatted_as_notebooks():
    unformatted = [
        p.name
        for p in sorted((ROOT / "notebooks").glob("*.py"))
        if notebook_format.formatted(p) != p.read_text()
    ]
    assert not unformatted, f"run `make format`: {unformatted}"


def test_the_notebook_formatter_keeps_a_closing_semicolon(tmp_path):
    chapter = tmp_path / "chapter.py"
    chapter.write_text("# %%\nx = {'a':1}\nprint( x );\n")
    assert notebook_format.formatted(chapter) == '# %%\nx = {"a": 1}\nprint(x);\n'
