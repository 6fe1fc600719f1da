"""A chapter as an autograded assignment, built and graded with Otter Grader.

``python -m attribution_book.bookbuild.assignment build NAME`` (``make assignment NB=NAME``)
writes ``_build/assignments/NAME/``:

- ``for-students/``, also zipped as ``for-students.zip``: ``NAME.ipynb``, the chapter without
  its solutions, a cell to fill per graded exercise and an answer cell per written one (Otter
  Assign), with ``wheels/``, ``constraints.txt`` and a README with the commands;
- ``for-instructor/NAME.ipynb``: the chapter with every solution, and
  ``for-instructor/NAME-autograder.zip``: Otter's autograder, a public test (the answer is
  set, with the solution's shape) and a hidden one per graded question: the student's
  answer against the value the solution computed, within the tolerance the chapter states,
  or a property the answer must have (:mod:`attribution_book.grading`);
- ``README.md``: what each folder holds and how to grade.

Every build grades the instructor notebook with the autograder it made and refuses
anything short of full marks. ``python -m attribution_book.bookbuild.assignment grade-folder
AUTOGRADER FOLDER`` grades a folder of submissions
(:func:`attribution_book.bookbuild.submissions.grade_folder`: Otter Run per notebook, without
Docker, which Otter needs to grade a folder itself).

Which exercises are graded is data in the chapter: a solution code cell with the metadata
``grade={"answer": NAME, "points": 1, "rtol": 0, "atol": 1e-12}`` (jupytext's cell header),
or ``"check": NAME`` of :data:`attribution_book.grading.CHECKS` instead of a tolerance.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import claims, grading
from . import execute
from .plain_markdown import other_chapters, plain, without_rerun_section
from .submissions import (  # noqa: F401  (re-exported: the grading half of an assignment)
    TIMEOUT,
    Grade,
    grade_folder,
    grade_one,
    with_this_python,
)

ROOT = Path(__file__).resolve().parents[3]
OUT = ROOT / "_build" / "assignments"
#: Otter's tag for a Markdown solution cell (removed from the student notebook).
SOLUTION_TAG = "otter_assign_solution_cell"


@dataclass(frozen=True)
class Question:
    """One graded exercise: the variable holding the answer, its points and how it is
    judged (``check``: a property of :data:`attribution_book.grading.CHECKS`; otherwise
    :func:`attribution_book.grading.close` with ``rtol`` and ``atol``; ``partial``: a list
    answer scored entry by entry, the points shared equally among the entries)."""

    answer: str
    points: float = 1
    rtol: float = 1e-6
    atol: float = 1e-9
    check: str | None = None
    partial: bool = False

    def tests(self, expected: object) -> list[str]:
        """The autograder's hidden test cells: one, or one per entry of a ``partial`` answer
        (each worth its share of the points)."""
        if not self.partial:
            return [self.test(expected)]
        if self.check or np.ndim(expected) != 1 or not len(expected):
            raise ValueError(
                f"{self.answer}: partial credit needs a list answer judged by value (the "
                f"solution gives {expected!r})"
            )
        share = self.points / len(expected)
        return [
            '""" # BEGIN TEST CONFIG\n'
            f"hidden: true\npoints: {share!r}\n"
            '""" # END TEST CONFIG\n'
            "from attribution_book import grading\n\n"
            f"assert grading.close(grading.as_numbers({self.answer})[{i}], {json.dumps(value)}, "
            f"rtol={self.rtol!r}, atol={self.atol!r}), "
            f"{f'entry {i} of {self.answer} differs from the solution by more than the tolerance'!r}"
            for i, value in enumerate(expected)
        ]

    def test(self, expected: object) -> str:
        """The autograder's test cell (hidden from students)."""
        if self.check:
            condition = f"grading.CHECKS[{self.check!r}]({self.answer})"
            said = f"{self.answer} does not have the property {self.check}"
        else:
            condition = (
                f"grading.close({self.answer}, {json.dumps(expected)}, "
                f"rtol={self.rtol!r}, atol={self.atol!r})"
            )
            said = f"{self.answer} differs from the solution by more than the tolerance"
        return (
            '""" # BEGIN TEST CONFIG\n'
            f"hidden: true\npoints: {self.points}\n"
            '""" # END TEST CONFIG\n'
            "from attribution_book import grading\n\n"
            f"assert {condition}, {said!r}"
        )

    def public_test(self, expected: object) -> str:
        """A test students can run (Otter's check cell, no points): the answer is set and,
        for a number or list of numbers, has the solution's shape (never its value)."""
        unset = f"{self.answer} is not ..."
        if self.check:
            condition, said = unset, f"{self.answer} is not set yet"
        else:
            shape = list(np.shape(expected))
            condition = f"{unset} and list(np.shape(grading.as_numbers({self.answer}))) == {shape}"
            said = (
                f"{self.answer} should be set, with the shape {tuple(shape)} "
                "(() is one number, (3,) a list of three)"
            )
        return (
            '""" # BEGIN TEST CONFIG\n'
            "hidden: false\npoints: 0\n"
            '""" # END TEST CONFIG\n'
            "import numpy as np\n\nfrom attribution_book import grading\n\n"
            f"assert {condition}, {said!r}"
        )


def chapters() -> list[str]:
    return [p.stem for p in execute.discover(ROOT / "notebooks")]


def read_chapter(name: str):
    """The chapter's notebook (jupytext); a clear error for a name that is not a chapter."""
    import jupytext

    if name not in chapters():
        raise ValueError(f"{name!r} is not a chapter; chapters: {', '.join(chapters())}")
    return jupytext.read(ROOT / "notebooks" / f"{name}.py")


#: How a graded cell must sit in a chapter (shown when one does not).
FENCED = (
    "put the graded code cell between a Markdown cell ending with ```{solution-start} LABEL "
    "(and its closing fence) and one starting with ```{solution-end} (CONTRIBUTING.md, "
    "'Grade an exercise')"
)


def questions(notebook) -> list[Question]:
    """The graded exercises of a chapter, in order: its code cells with ``grade`` metadata,
    each inside a solution's fences (a ValueError otherwise: its code would reach the
    student notebook, and the question its grade)."""
    found = []
    for cell, in_solution in split_solutions(notebook):
        spec = cell.metadata.get("grade") if cell.cell_type == "code" else None
        if spec is None:
            continue
        if not in_solution:
            raise ValueError(
                f"the graded cell storing {spec.get('answer')!r} is outside a solution: the "
                f"student notebook would hold its code; {FENCED}"
            )
        unknown = set(spec) - {"answer", "points", "rtol", "atol", "check", "partial"}
        if unknown or "answer" not in spec:
            raise ValueError(
                f"grade metadata {spec} needs 'answer' and takes points, rtol, atol, check, partial"
            )
        if spec.get("check") and spec["check"] not in grading.CHECKS:
            raise ValueError(
                f"unknown check {spec['check']!r}; checks: {', '.join(grading.CHECKS)}"
            )
        if any(q.answer == spec["answer"] for q in found):
            raise ValueError(f"two graded cells store their answer in {spec['answer']!r}")
        found.append(Question(**spec))
    return found


_EXERCISE_LABEL = re.compile(r"```\{exercise\}[^\n]*\n(?:[^\n]*\n)*?:label: (\S+)")


def written_exercises(notebook) -> list[str]:
    """The labels of the chapter's exercises whose solution has no graded cell: written
    answers, graded by hand (the student notebook gets an answer cell for each)."""
    written, current = [], None
    for cell, inside in split_solutions(notebook):
        if cell.cell_type == "markdown" and not inside:
            found = _EXERCISE_LABEL.search(cell.source)
            if found:
                current = found[1]
                written.append(current)
        elif cell.cell_type == "code" and "grade" in cell.metadata and current in written:
            written.remove(current)
    return written


def graded_chapters() -> dict[str, int]:
    """{chapter: number of graded questions} for the chapters that have any."""
    counts = {name: len(questions(read_chapter(name))) for name in chapters()}
    return {name: n for name, n in counts.items() if n}


_SOLUTION_OPEN = re.compile(r"^```\{solution(-start)?\}")
_SOLUTION_END = re.compile(r"^```\{solution-end\}")


def split_solutions(notebook) -> list[tuple[object, bool]]:
    """Each cell with whether it belongs to a solution; Markdown cells that mix exercise text
    and solution text are split at the solution's fences (``{solution}`` ... a closing
    fence, ``{solution-start}`` ... ``{solution-end}`` and its closing fence, across cells)."""
    import nbformat

    out: list[tuple[object, bool]] = []
    in_start = False  # inside {solution-start} ... {solution-end}
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            out.append((cell, in_start))
            continue
        runs: list[tuple[bool, list[str]]] = []
        in_directive, closing_end = False, False
        for line in cell.source.splitlines():
            if closing_end:  # the fence that closes {solution-end}
                runs.append((True, [line]))
                closing_end, in_start = False, False
                continue
            if _SOLUTION_END.match(line):
                closing_end = True
                runs.append((True, [line]))
                continue
            if _SOLUTION_OPEN.match(line):
                if "start" in line:
                    in_start = True
                else:
                    in_directive = True
                runs.append((True, [line]))
                continue
            inside = in_start or in_directive
            if in_directive and line.startswith("```"):
                in_directive = False
            runs.append((inside, [line]))
        merged: list[tuple[bool, list[str]]] = []
        for inside, lines in runs:
            if merged and merged[-1][0] == inside:
                merged[-1][1].extend(lines)
            else:
                merged.append((inside, list(lines)))
        for inside, lines in merged:
            text = "\n".join(lines).strip("\n")
            if text.strip():
                out.append((nbformat.v4.new_markdown_cell(text), inside))
    return out


def _raw(text: str):
    import nbformat

    return nbformat.v4.new_raw_cell(text)


def master_notebook(name: str, notebook, expected: dict, glued: dict | None = None):
    """The chapter in Otter Assign's format: a header saying what to hand in, the text as
    plain Markdown (``glued``: the values the chapter's run glued; without the book's
    rerun section), solution text tagged for removal, solution code wrapped in solution
    markers, each graded cell a question with its hidden test."""
    import nbformat

    config = {
        "name": name,
        "export_cell": {
            "pdf": False,
            "instructions": "Run this cell to zip the notebook for handing in.",
        },
        "init_cell": True,
        "check_all_cell": True,
        "run_tests": False,
        "generate": True,
        "strip_solutions_from_all_cells": True,
    }
    cells = [
        _raw(
            "# ASSIGNMENT CONFIG\n" + "\n".join(f"{k}: {json.dumps(v)}" for k, v in config.items())
        )
    ]
    graded, written = questions(notebook), written_exercises(notebook)
    cells.append(nbformat.v4.new_markdown_cell(_header(name, graded, written)))
    pairs = split_solutions(notebook)
    pairs = pairs[: len(without_rerun_section([cell for cell, _ in pairs]))]
    for cell, in_solution in pairs:
        cell = nbformat.from_dict(dict(cell))
        spec = cell.metadata.pop("grade", None)
        if cell.cell_type == "markdown":
            label = _EXERCISE_LABEL.search(cell.source)
            cell.source = plain(cell.source, glued or {})
            if in_solution:
                cell.metadata["tags"] = [*cell.metadata.get("tags", []), SOLUTION_TAG]
            cells.append(cell)
            if label and not in_solution and label[1] in written:
                cells.append(
                    nbformat.v4.new_markdown_cell(
                        f"**Your answer** to the exercise above ({label[1]}, written, graded "
                        "by hand): replace this text."
                    )
                )
            continue
        if cell.cell_type != "code" or not in_solution:
            cells.append(cell)
            continue
        question = Question(**spec) if spec else None
        body = f"# BEGIN SOLUTION NO PROMPT\n{cell.source}\n# END SOLUTION"
        if question is None:  # an ungraded solution: removed from the student notebook
            cell.source = body
            cells.append(cell)
            continue
        cell.source = (
            f'""" # BEGIN PROMPT\n{question.answer} = ...  # your answer\n""" # END PROMPT\n' + body
        )
        cells += [
            _raw(f"# BEGIN QUESTION\nname: {question.answer}\npoints: {question.points}"),
            _raw("# BEGIN SOLUTION"),
            cell,
            _raw("# END SOLUTION"),
            _raw("# BEGIN TESTS"),
            nbformat.v4.new_code_cell(question.public_test(expected.get(question.answer))),
            *(
                nbformat.v4.new_code_cell(test)
                for test in question.tests(expected.get(question.answer))
            ),
            _raw("# END TESTS"),
            _raw("# END QUESTION"),
        ]
    master = nbformat.v4.new_notebook(cells=cells)
    master.metadata["kernelspec"] = dict(execute.KERNELSPEC)
    return master


def expected_answers(name: str, notebook, parameters: dict | None = None) -> dict:
    """Execute the chapter (its solutions included) with the book's pipeline
    (:func:`attribution_book.bookbuild.execute.execute_one`) and read each graded answer as
    numbers."""
    return run_solutions(name, notebook, parameters)[0]


def _header(name: str, graded: list[Question], written: list[str]) -> str:
    """The student notebook's first cell: what to hand in and what each question is worth."""
    rows = "\n".join(f"| `{q.answer}` | {q.points:g} |" for q in graded)
    total = sum(q.points for q in graded)
    by_hand = (
        f"\n\nThe written exercises ({', '.join(written)}) have a cell **Your answer** below "
        "them: write your answer there; your instructor grades them by hand."
        if written
        else ""
    )
    return (
        f"# Assignment: {name.replace('_', ' ')}\n\n"
        f"Fill in every cell that reads `answer = ...  # your answer` (one per graded question, "
        f"{len(graded)} in all, {total:g} points), run the whole notebook from the top without "
        "an error, and hand in this notebook. The graded answers:\n\n"
        f"| answer | points |\n|---|---|\n{rows}{by_hand}\n"
    )


def run_solutions(name: str, notebook, parameters: dict | None = None) -> tuple[dict, dict]:
    """:func:`expected_answers`, and every value the run glued (by name), for the text."""
    import jupytext
    import nbformat

    graded = [q for q in questions(notebook) if not q.check]
    probe = nbformat.v4.new_code_cell(
        "import json as _json\nfrom attribution_book import grading as _grading\n"
        "print('ANSWERS', _json.dumps({"
        + ", ".join(f"{q.answer!r}: _grading.as_numbers({q.answer})" for q in graded)
        + "}))"
    )
    os.environ["PATH"] = execute.path_with_this_python()  # the kernel "python3" is this one
    source = nbformat.from_dict(dict(notebook))
    source.cells = [*source.cells, probe]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.py"
        jupytext.write(source, path, fmt="py:percent")
        ran = execute.execute_one(path, Path(tmp) / "executed", parameters or {})
        if not ran.ok:
            raise RuntimeError(f"{name}: the solutions do not run:\n{ran.error}")
        last = nbformat.read(ran.output, as_version=4).cells[-1]
        glued = claims.glued(ran.output)
    text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    for other in other_chapters(text):  # values pasted from other chapters, as the book shows
        path = ROOT / "book" / "executed" / other
        if path.exists():
            glued.update({f"{other}::{k}": v for k, v in claims.glued(path).items()})
    for output in last.get("outputs", []):
        text = output.get("text", "")
        if text.startswith("ANSWERS "):
            return json.loads(text.removeprefix("ANSWERS ").strip()), glued
    raise RuntimeError(f"{name}: the solutions ran but printed no answers")


#: The folders of an assignment: what students get (also zipped), what instructors keep.
STUDENTS, INSTRUCTORS = "for-students", "for-instructor"

OVERVIEW = """# {name} as an assignment ({n_questions} graded questions, {points:g} points)

Built from the chapter "{name}" of "Feature attribution, unified" by `make assignment NB={name}`.

- `for-students/` (the same as `for-students.zip`), to hand out: `{name}.ipynb`, the chapter
  without solutions, with a cell `answer = ...` to fill per graded question; `wheels/` and
  `constraints.txt`, the book's packages and their pinned versions; a README with the
  commands.
- `for-instructor/{name}.ipynb`: the chapter with every solution (it scores full marks with
  the autograder: checked when this was built).
- `for-instructor/{name}-autograder.zip`: Otter Grader's autograder, a public and a hidden
  test per question.

Graded questions (the variable to assign, points, how it is judged):

{table}

Written exercises, graded by hand (the student notebook has a **Your answer** cell under
each): {written}.

## Grade a folder of submissions

Put the submitted notebooks (`.ipynb`) in one folder; in an environment set up as the
students' README says, with Otter added
(`.venv/bin/pip install -c for-students/constraints.txt "$(ls for-students/wheels/*.whl)[book,assignments]"`):

```bash
.venv/bin/python -m attribution_book.bookbuild.assignment grade-folder \\
    for-instructor/{name}-autograder.zip submissions/ --jobs 2 --timeout {timeout}
```

Each notebook is run by Otter Run in its own process (at most `--timeout` seconds), two at a
time. `submissions/grades.csv` gets a row of points possible, then one row per notebook: the
student (the notebook's name, or the `student` column of a `--roster` CSV with columns
`submission,student`), the score of each question in the exercises' order, the total, the
first exception the notebook's own code raised (its cell and line: a crash is not a blank)
and, for a notebook that could not be graded (not a notebook, too slow), the reason.
`submissions/feedback/NAME.txt` tells each student what each test found (never the expected
value). The other notebooks are graded all the same. Grading runs the student's code: do it in an
account or container that holds nothing else (Otter's Docker grading, `otter grade`, isolates
each notebook if your machine has Docker).
"""

FOR_STUDENTS = """# {name}: the assignment

Fill in the notebook `{name}.ipynb`: its first cell says what to hand in and what each
question is worth.

## Install once, then work offline

Python 3.11 on Linux, from this folder:

```bash
python3.11 -m venv .venv
.venv/bin/pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
.venv/bin/pip install -c constraints.txt "$(ls wheels/*.whl)[book,assignments]" jupyterlab
.venv/bin/jupyter lab {name}.ipynb
```

Installing needs the package registry; after that the notebook runs offline. After each
question a cell `grader.check(...)` runs its public test (is the answer set, with the
expected shape: not whether it is right); the last cells check everything and zip the
notebook for handing in. Submit the notebook with your answers filled in.
"""


def build(name: str, out: Path = OUT, parameters: dict | None = None) -> Path:
    """Write the assignment of chapter ``name`` to ``out/name`` (replaced whole) and return it."""
    from .bundle import wheel

    notebook = read_chapter(name)
    graded = questions(notebook)
    if not graded:
        others = ", ".join(f"{c} ({n})" for c, n in graded_chapters().items())
        raise ValueError(
            f"chapter {name!r} has no graded exercise: give a solution code cell the metadata "
            f'grade={{"answer": ...}}; chapters with graded exercises: {others}'
        )
    if any("../benchmarks/results" in c.source for c in notebook.cells):
        raise ValueError(
            f"chapter {name!r} reads stored results from ../benchmarks/results, which Otter "
            "Run's grading folder does not have: a graded chapter must run on its own"
        )
    expected, glued = run_solutions(name, notebook, parameters)
    target = Path(out) / name
    if target.exists():
        shutil.rmtree(target)
    with tempfile.TemporaryDirectory() as tmp:
        import nbformat

        master = Path(tmp) / f"{name}.ipynb"
        nbformat.write(master_notebook(name, notebook, expected, glued), master)
        dist = Path(tmp) / "dist"
        subprocess.run(
            [sys.executable, "-m", "otter", "assign", str(master), str(dist)],
            check=True,
            capture_output=True,
            text=True,
            env=with_this_python(),
        )
        students, instructors = target / STUDENTS, target / INSTRUCTORS
        students.mkdir(parents=True)
        instructors.mkdir()
        shutil.copy2(dist / "student" / f"{name}.ipynb", students / f"{name}.ipynb")
        shutil.copy2(dist / "autograder" / f"{name}.ipynb", instructors / f"{name}.ipynb")
        (zipped,) = (dist / "autograder").glob("*.zip")
        shutil.copy2(zipped, instructors / f"{name}-autograder.zip")
    _check_full_marks(target, name, graded)
    shutil.copy2(ROOT / "constraints.txt", students / "constraints.txt")
    wheel(students / "wheels")
    (students / "README.md").write_text(FOR_STUDENTS.format(name=name))
    rows = ["| answer | points | judged by |", "|---|---|---|"] + [
        f"| `{q.answer}` | {q.points:g} | "
        + (
            f"the property `{q.check}`"
            if q.check
            else f"the solution's value, rtol {q.rtol:g}, atol {q.atol:g}"
        )
        + " |"
        for q in graded
    ]
    shutil.make_archive(str(target / STUDENTS), "zip", target, STUDENTS)
    (target / "README.md").write_text(
        OVERVIEW.format(
            name=name,
            n_questions=len(graded),
            points=sum(q.points for q in graded),
            table="\n".join(rows),
            written=", ".join(written_exercises(notebook)) or "none",
            timeout=TIMEOUT,
        )
    )
    return target


def _check_full_marks(target: Path, name: str, graded: list[Question]) -> None:
    """Grade the instructor notebook with the autograder just built: anything short of full
    marks is a broken assignment (removed, with the questions it lost)."""
    result = grade_one(
        target / INSTRUCTORS / f"{name}-autograder.zip",
        target / INSTRUCTORS / f"{name}.ipynb",
    )
    points = sum(q.points for q in graded)
    if result.error or result.total != points:
        shutil.rmtree(target)
        lost = sorted(q for q, score in result.scores.items() if score == 0)
        raise RuntimeError(
            f"{name}: the instructor notebook scores {result.total:g} of {points:g} with its "
            f"own autograder ({result.error or 'lost: ' + ', '.join(lost)}); the assignment "
            "was not written"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("build", help="write _build/assignments/NAME/")
    make.add_argument("name", help="the chapter, a stem of notebooks/*.py")
    make.add_argument("--out", type=Path, default=OUT)
    grade = commands.add_parser("grade-folder", help="grade every notebook of a folder")
    grade.add_argument("autograder", type=Path)
    grade.add_argument("folder", type=Path)
    grade.add_argument("--jobs", type=int, default=2)
    grade.add_argument("--timeout", type=float, default=TIMEOUT)
    grade.add_argument("--roster", type=Path, default=None, help="CSV: submission,student")
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            print(f"assignment written to {build(args.name, args.out)}")
        else:
            grades = grade_folder(
                args.autograder, args.folder, args.jobs, args.timeout, args.roster
            )
            print(f"{len(grades)} submission(s) graded: {args.folder / 'grades.csv'}")
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
