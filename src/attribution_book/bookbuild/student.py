"""The student edition of the book: every page, download and bundle without the exercises'
solutions.

``python -m attribution_book.bookbuild.student`` (``make book-student``) writes a copy of the
book's source to ``_build/student-src/`` in which every executed chapter has lost its
solutions (the Markdown and code cells between ``{solution-start}`` and ``{solution-end}``,
and ``{solution}`` directives, found as the assignment builder finds them:
:func:`attribution_book.bookbuild.assignment.split_solutions`), with sphinx-exercise's
``hide_solutions`` set for any solution left in a Markdown page, and builds it into
``_build/student/html``. The pages' download buttons then serve the stripped notebooks;
:func:`check` fails if a built page still shows a solution. The chapters must have been
executed first (``make notebooks``): the edition reuses their outputs, it runs nothing.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from .assignment import split_solutions

ROOT = Path(__file__).resolve().parents[3]
SOURCE = ROOT / "_build" / "student-src"
OUT = ROOT / "_build" / "student"
#: What the student edition's pages may not contain: sphinx-exercise's solution boxes.
SOLUTION_MARKERS = ('class="solution', "Solution to Exercise")


def strip_solutions(notebook):
    """A copy of ``notebook`` without its solution cells (their outputs go with them)."""
    import nbformat

    stripped = nbformat.from_dict(dict(notebook))
    stripped.cells = [cell for cell, inside in split_solutions(notebook) if not inside]
    return stripped


def write_source(out: Path = SOURCE, root: Path = ROOT) -> Path:
    """Copy the book's source (``_config.yml``, ``_toc.yml``, ``book/``) to ``out`` with every
    executed chapter stripped of its solutions and ``hide_solutions`` on."""
    import nbformat
    import yaml

    executed = root / "book" / "executed"
    chapters = sorted(p for p in executed.glob("*.ipynb") if p.stem.count(".") == 0)
    if not chapters:
        raise FileNotFoundError(f"{executed} holds no executed chapter: run `make notebooks` first")
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(
        root / "book", out / "book", ignore=shutil.ignore_patterns("executed", "__pycache__")
    )
    shutil.copy2(root / "_toc.yml", out / "_toc.yml")
    config = yaml.safe_load((root / "_config.yml").read_text())
    config["title"] = f"{config['title']} (student edition)"
    config.setdefault("sphinx", {}).setdefault("config", {})["hide_solutions"] = True
    (out / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    (out / "book" / "executed").mkdir()
    for chapter in chapters:
        notebook = nbformat.read(chapter, as_version=4)
        nbformat.write(strip_solutions(notebook), out / "book" / "executed" / chapter.name)
    return out


def check(html: Path) -> list[str]:
    """Every built page (and downloadable notebook) that still shows a solution."""
    found = []
    for page in sorted(html.rglob("*.html")):
        text = page.read_text(errors="replace")
        found += [f"{page.relative_to(html)}: {m!r}" for m in SOLUTION_MARKERS if m in text]
    for notebook in sorted(html.rglob("*.ipynb")):
        if "solution-start" in notebook.read_text(errors="replace"):
            found.append(f"{notebook.relative_to(html)}: a solution in the download")
    return found


def build(out: Path = OUT) -> Path:
    """Write the stripped source and build it with jupyter-book into ``out/html``; a
    RuntimeError lists any page that still shows a solution."""
    source = write_source()
    if out.exists():
        shutil.rmtree(out)
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    subprocess.run(
        [
            str(jupyter_book),
            "build",
            str(source),
            "--builder",
            "html",
            "-W",
            "-n",
            "--keep-going",
            "--path-output",
            str(out),
        ],
        check=True,
    )
    html = out / "_build" / "html"
    left = check(html)
    if left:
        raise RuntimeError("the student edition still shows solutions:\n" + "\n".join(left))
    return html


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.parse_args(argv)
    try:
        print(f"student edition written to {build()}")
    except (FileNotFoundError, RuntimeError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
