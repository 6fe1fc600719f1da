"""ruff format for the chapters, which are jupytext percent files (notebooks/*.py).

Each file is formatted as the notebook it is: converted to .ipynb, formatted by ruff (which,
in a notebook, keeps the ";" that ends a cell's last line and hides a returned figure's
repr; in a plain .py file it would drop it and every figure would show twice), converted
back, its header kept as it was.

    python -m attribution_book.bookbuild.notebook_format [--check] [notebooks/*.py]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parents[3]
HEADER_END = "# ---\n"
#: A chapter's code is read on the page, in a column of about 684 pixels of 8.3-pixel
#: characters (the page check measures it): lines wrap at 78 columns, not the package's 100.
LINE_LENGTH = 78


def _ruff() -> str:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if not ruff:
        raise RuntimeError("ruff is not installed: make setup installs the test extras")
    return ruff


def _split_header(text: str) -> tuple[str, str]:
    """(the YAML header, the cells): the header ends at its second "# ---" line."""
    first = text.find(HEADER_END)
    end = text.find(HEADER_END, first + 1) if first == 0 else -1
    if end < 0:
        return "", text
    end += len(HEADER_END)
    return text[:end], text[end:]


def formatted(path: Path) -> str:
    """The text of the percent notebook ``path`` as ruff formats it (pyproject's settings, lines
    of :data:`LINE_LENGTH`)."""
    text = path.read_text()
    notebook = jupytext.reads(text, fmt="py:percent")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / f"{path.stem}.ipynb"
        jupytext.write(notebook, copy)
        run = subprocess.run(
            [
                _ruff(),
                "format",
                "--quiet",
                "--config",
                str(ROOT / "pyproject.toml"),
                "--line-length",
                str(LINE_LENGTH),
                str(copy),
            ],
            capture_output=True,
            text=True,
        )
        if run.returncode != 0:
            raise ValueError(f"ruff cannot format {path}: {run.stderr.strip()}")
        result = jupytext.read(copy)
    result.metadata = notebook.metadata
    header, _ = _split_header(text)
    _, cells = _split_header(jupytext.writes(result, fmt="py:percent"))
    return header + cells


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="default: notebooks/*.py")
    parser.add_argument("--check", action="store_true", help="list unformatted files, change none")
    args = parser.parse_args(argv)
    paths = args.paths or sorted((ROOT / "notebooks").glob("*.py"))
    unformatted = []
    for path in paths:
        text = formatted(path)
        if text != path.read_text():
            unformatted.append(path)
            if not args.check:
                path.write_text(text)
    verb = "would reformat" if args.check else "reformatted"
    for path in unformatted:
        print(f"{verb} {path}")
    return 1 if args.check and unformatted else 0


if __name__ == "__main__":
    sys.exit(main())
