""" "Rerun this chapter": the commands, and the parameters worth changing, read from the
chapter's own ``parameters`` cell (so the page never drifts from the notebook)."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
RESULTS = ROOT / "benchmarks" / "results"
_STORED = re.compile(r'([a-z_]+\.json)"')
_ASSIGNMENT = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*=\s*(?P<value>[^#]+?)\s*(#\s*(?P<note>.*))?$")


def parameters(name: str, notebooks: Path = NOTEBOOKS) -> list[tuple[str, str, str]]:
    """(parameter, default, what it does) for every assignment in the cell tagged
    ``parameters`` of ``notebooks/<name>.py``."""
    path = Path(notebooks) / f"{name}.py"
    if not path.exists():
        raise FileNotFoundError(f"no chapter {path}: name one of notebooks/*.py")
    lines = path.read_text().splitlines()
    start = next(
        (i for i, line in enumerate(lines) if '"parameters"' in line and line.startswith("# %%")),
        None,
    )
    if start is None:
        raise ValueError(f"{path} has no cell tagged parameters")
    found = []
    for line in lines[start + 1 :]:
        if line.startswith("# %%"):
            break
        match = _ASSIGNMENT.match(line.strip())
        if match:
            found.append((match["name"], match["value"], match["note"] or ""))
    return found


def section(name: str, notebooks: Path = NOTEBOOKS) -> str:
    """The rerun instructions of chapter ``name`` as MyST Markdown (outside a checkout, as in
    a downloaded notebook, only the commands: the parameters are in the notebook's own
    parameters cell)."""
    if not (Path(notebooks) / f"{name}.py").exists():
        return (
            "This notebook runs outside the book's repository too: "
            f"`python -m attribution_book.bookbuild.bundle {name}` in a checkout writes a folder "
            "with it, the results it reads, a wheel of the library and the commands.\n"
        )
    changing = [(p, v, note) for p, v, note in parameters(name, notebooks) if not _unused(note)]
    rows = "\n".join(f"| `{p}` | `{v}` | {note} |" for p, v, note in changing)
    table = (
        "Its parameters that change the page's numbers:\n\n"
        "| parameter | in the book | what it sets |\n|---|---|---|\n" + rows + "\n"
        if changing
        else "No parameter changes the page's numbers.\n"
    )
    return (
        "From a checkout of the repository (the README's `make setup` installs everything):\n\n"
        "```bash\n" + _commands(name) + "```\n\n"
        f"The executed notebook is written to `book/executed/{name}.ipynb`. "
        + table
        + _stored_runs(Path(notebooks) / f"{name}.py")
    )


def _unused(note: str) -> bool:
    """A parameter whose note in the parameters cell starts with "unused" changes nothing."""
    return note.lower().startswith("unused")


def stored_runs(chapter: Path, results: Path = RESULTS) -> list[tuple[str, float | None]]:
    """The stored benchmark results (file, seconds the stored run took, if recorded) that
    ``chapter`` reads from ``benchmarks/results``."""
    text = chapter.read_text()
    if "benchmarks/results" not in text:
        return []
    found = []
    for file in dict.fromkeys(_STORED.findall(text)):
        path = Path(results) / file
        seconds = json.loads(path.read_text()).get("seconds") if path.exists() else None
        found.append((file, seconds))
    return found


def _stored_runs(chapter: Path) -> str:
    runs = stored_runs(chapter)
    if not runs:
        return ""
    listed = "; ".join(
        f"`benchmarks/results/{file}`"
        + (f" (the stored run took {seconds / 60:.0f} minutes)" if seconds else "")
        for file, seconds in runs
    )
    return (
        f"\nThe tables and verdicts drawn from stored benchmark runs ({listed}) do not change "
        "with a rerun of this chapter: `make benchmark` reruns the benchmarks on two cores, "
        "then rerun the chapter.\n"
    )


def _commands(name: str) -> str:
    commands = [
        (f"make notebook NB={name}", "as in the book"),
        (f"make notebook NB={name} PROFILE=quick", "a fast run"),
        (f'make notebook NB={name} ARGS="-p seed 1"', "another value of a parameter"),
        ("make html", "the pages again, without executing"),
    ]
    width = max(len(c) for c, _ in commands) + 2
    return "".join(f"{c:<{width}}# {why}\n" for c, why in commands)
