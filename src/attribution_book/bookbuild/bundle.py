"""A chapter to take away: one executed notebook with what it needs outside the repository.

``python -m attribution_book.bookbuild.bundle NAME [--out DIR]`` writes ``DIR/NAME/`` with

- ``notebooks/NAME.ipynb``: the executed chapter, as the book's download button gives it;
- ``benchmarks/results/``: the stored benchmark results the chapters read (at the path the
  notebook expects, ``../benchmarks/results`` from its folder);
- ``wheels/``: a wheel of this repository's packages (the library and the book's package);
- ``constraints.txt`` and a ``README.md`` with the three commands that run it.

Trained models are not bundled: the chapter trains them on first run (from a fixed seed, so
the numbers are the book's) and caches them in ``UNIFIED_ATTRIBUTION_CACHE``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from attribution_book import rerun
from attribution_book.bookbuild import execute

ROOT = Path(__file__).resolve().parents[3]

INSTRUCTIONS = """# {name}: a chapter of "Feature attribution, unified", to run on your own

Python 3.11 on Linux. From this folder:

```bash
python3.11 -m venv .venv
.venv/bin/pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
.venv/bin/pip install -c constraints.txt "$(ls wheels/*.whl)[book]"
cd notebooks && ../.venv/bin/papermill {name}.ipynb {name}.rerun.ipynb -p profile quick
```

Installing needs the package registry (PyPI) and PyTorch's index; after that the chapter
runs offline. Install torch first (CPU build), as above: otherwise pip resolves a CUDA build
of several gigabytes. Drop `-p profile quick` for the book's full run, or open `notebooks/{name}.ipynb`
in Jupyter (`.venv/bin/pip install jupyterlab`). Models the chapter needs are trained on
the first run and cached in `$UNIFIED_ATTRIBUTION_CACHE` (default: a folder in your home).
"""


def wheel(out: Path) -> None:
    """A wheel of both packages, built from a clean copy of the sources: built in the
    checkout, setuptools would leave a build/ folder there and could pack stale modules
    from an earlier build of it."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "source"
        source.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(ROOT / name, source / name)
        shutil.copytree(
            ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
        )
        built = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--no-deps",
                "--quiet",
                "-w",
                str(out),
                str(source),
            ],
            capture_output=True,
            text=True,
        )
    if built.returncode != 0:
        raise RuntimeError(f"building the wheel failed:\n{built.stderr}")


def bundle(
    name: str, out: Path, executed: Path = ROOT / "book" / "executed", student: bool = False
) -> Path:
    """Write the bundle of chapter ``name`` (a stem of ``notebooks/*.py``) to ``out/name``
    and return that folder. Any other name is refused before anything is written or removed
    (``out/name`` is replaced whole). ``student``: the notebook without its exercises'
    solutions (:func:`attribution_book.bookbuild.student.strip_solutions`)."""
    chapters = [p.stem for p in execute.discover(ROOT / "notebooks")]
    if name not in chapters:
        raise ValueError(f"{name!r} is not a chapter; chapters: {', '.join(chapters)}")
    notebook = executed / f"{name}.ipynb"
    if not notebook.exists():
        raise FileNotFoundError(
            f"{notebook} does not exist: execute the chapter first (make notebook NB={name})"
        )
    target = Path(out) / name
    if target.exists():
        shutil.rmtree(target)
    (target / "notebooks").mkdir(parents=True)
    if student:
        import nbformat

        from .student import strip_solutions

        stripped = strip_solutions(nbformat.read(notebook, as_version=4))
        nbformat.write(stripped, target / "notebooks" / notebook.name)
    else:
        shutil.copy2(notebook, target / "notebooks" / notebook.name)
    shutil.copytree(ROOT / "benchmarks" / "results", target / "benchmarks" / "results")
    shutil.copy2(ROOT / "constraints.txt", target / "constraints.txt")
    wheel(target / "wheels")
    rows = "".join(f"| `{p}` | `{v}` | {note} |\n" for p, v, note in rerun.parameters(name))
    (target / "README.md").write_text(
        INSTRUCTIONS.format(name=name)
        + "\nThe chapter's parameters (`-p name value` to papermill):\n\n"
        + "| parameter | in the book | what it sets |\n|---|---|---|\n"
        + rows
    )
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("name", help="the chapter, a stem of notebooks/*.py")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "bundles")
    parser.add_argument("--student", action="store_true", help="leave out the exercises' solutions")
    args = parser.parse_args(argv)
    print(f"bundle written to {bundle(args.name, args.out, student=args.student)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
