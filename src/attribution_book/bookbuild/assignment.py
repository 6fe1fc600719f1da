"""A chapter as an autograded assignment, built and graded with Otter Grader.

``python -m attribution_book.bookbuild.assignment build NAME`` (``make assignment NB=NAME``)
writes ``_build/assignments/NAME/``:

- ``student/NAME.ipynb``: the chapter without its solutions, a cell to fill per graded
  exercise (Otter Assign);
- ``instructor/NAME.ipynb``: the chapter with every solution;
- ``autograder/NAME-autograder.zip``: Otter's autograder, one hidden test per graded
  question: the student's answer against the value the solution computed, within the
  tolerance the chapter states, or a property the answer must have (:mod:`attribution_book.grading`);
- ``wheels/``, ``constraints.txt``: what the student notebook needs outside the repository;
- ``README.md``: the commands to install, work and grade.

``python -m attribution_book.bookbuild.assignment grade NAME FOLDER`` grades every notebook
of ``FOLDER`` with Otter Run, ``jobs`` at a time, each in its own process with a time limit,
and writes ``FOLDER/grades.csv`` (one row per submission: a score per question, the total,
and what went wrong, if anything). Otter grades a folder only in Docker containers; this is
the same Otter Run per notebook, without Docker.

Which exercises are graded is data in the chapter: a solution code cell with the metadata
``grade={"answer": NAME, "points": 1, "rtol": 0, "atol": 1e-12}`` (jupytext's cell header),
or ``"check": NAME`` of :data:`attribution_book.grading.CHECKS` instead of a tolerance.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .. import grading
from . import execute

ROOT = Path(__file__).resolve().parents[3]
OUT = ROOT / "_build" / "assignments"
#: Otter's tag for a Markdown solution cell (removed from the student notebook).
SOLUTION_TAG = "otter_assign_solution_cell"
#: Seconds one submission may run before it is stopped and scored as timed out.
TIMEOUT = 600


@dataclass(frozen=True)
class Question:
    """One graded exercise: the variable holding the answer, its points and how it is
    judged (``check``: a property of :data:`attribution_book.grading.CHECKS`; otherwise
    :func:`attribution_book.grading.close` with ``rtol`` and ``atol``)."""

    answer: str
    points: float = 1
    rtol: float = 1e-6
    atol: float = 1e-9
    check: str | None = None

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


def _with_this_python() -> dict:
    """The environment with this interpreter's folder first on PATH (Otter and the kernels
    it starts, "python3", are this environment's) and one BLAS / torch thread per process
    unless set (notebooks graded side by side would otherwise spin-wait on shared cores)."""
    env = {**os.environ, "PATH": execute.path_with_this_python()}
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, "1")
    return env


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
    for cell, in_solution in _split_solutions(notebook):
        spec = cell.metadata.get("grade") if cell.cell_type == "code" else None
        if spec is None:
            continue
        if not in_solution:
            raise ValueError(
                f"the graded cell storing {spec.get('answer')!r} is outside a solution: the "
                f"student notebook would hold its code; {FENCED}"
            )
        unknown = set(spec) - {"answer", "points", "rtol", "atol", "check"}
        if unknown or "answer" not in spec:
            raise ValueError(
                f"grade metadata {spec} needs 'answer' and takes points, rtol, atol, check"
            )
        if spec.get("check") and spec["check"] not in grading.CHECKS:
            raise ValueError(
                f"unknown check {spec['check']!r}; checks: {', '.join(grading.CHECKS)}"
            )
        if any(q.answer == spec["answer"] for q in found):
            raise ValueError(f"two graded cells store their answer in {spec['answer']!r}")
        found.append(Question(**spec))
    return found


def graded_chapters() -> dict[str, int]:
    """{chapter: number of graded questions} for the chapters that have any."""
    counts = {name: len(questions(read_chapter(name))) for name in chapters()}
    return {name: n for name, n in counts.items() if n}


_SOLUTION_OPEN = re.compile(r"^```\{solution(-start)?\}")
_SOLUTION_END = re.compile(r"^```\{solution-end\}")


def _split_solutions(notebook) -> list[tuple[object, bool]]:
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


def master_notebook(name: str, notebook, expected: dict):
    """The chapter in Otter Assign's format: solution text tagged for removal, solution code
    wrapped in solution markers, each graded cell a question with its hidden test."""
    import nbformat

    config = {
        "name": name,
        "export_cell": False,
        "init_cell": False,
        "check_all_cell": False,
        "run_tests": False,
        "generate": True,
        "strip_solutions_from_all_cells": True,
    }
    cells = [
        _raw(
            "# ASSIGNMENT CONFIG\n" + "\n".join(f"{k}: {json.dumps(v)}" for k, v in config.items())
        )
    ]
    for cell, in_solution in _split_solutions(notebook):
        cell = nbformat.from_dict(dict(cell))
        spec = cell.metadata.pop("grade", None)
        if cell.cell_type == "markdown":
            if in_solution:
                cell.metadata["tags"] = [*cell.metadata.get("tags", []), SOLUTION_TAG]
            cells.append(cell)
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
            nbformat.v4.new_code_cell(question.test(expected.get(question.answer))),
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
    for output in last.get("outputs", []):
        text = output.get("text", "")
        if text.startswith("ANSWERS "):
            return json.loads(text.removeprefix("ANSWERS ").strip())
    raise RuntimeError(f"{name}: the solutions ran but printed no answers")


INSTRUCTIONS = """# {name} as an assignment ({n_questions} graded questions, {points:g} points)

Built from the chapter "{name}" of "Feature attribution, unified" by `make assignment NB={name}`.

| folder | what | for |
|---|---|---|
| `student/{name}.ipynb` | the chapter without solutions; a cell `answer = ...` to fill per graded question | students |
| `instructor/{name}.ipynb` | the chapter with every solution | instructors |
| `autograder/{name}-autograder.zip` | Otter Grader's autograder: one hidden test per question | instructors |
| `wheels/`, `constraints.txt` | the book's packages and their pinned versions | everyone |

Graded questions (the variable to assign, points, how it is judged):

{table}

## Students: install once, then work offline

Python 3.11 on Linux, from this folder:

```bash
python3.11 -m venv .venv
.venv/bin/pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
.venv/bin/pip install -c constraints.txt "$(ls wheels/*.whl)[book]" jupyterlab
.venv/bin/jupyter lab student/{name}.ipynb
```

Installing needs the package registry; after that the notebook runs offline. Submit the
notebook with your answers filled in.

## Instructors: grade a folder of submissions

Put the submitted notebooks (`.ipynb`) in one folder; in the same environment with Otter
added (`.venv/bin/pip install -c constraints.txt "$(ls wheels/*.whl)[book,assignments]"`):

```bash
.venv/bin/python -m attribution_book.bookbuild.assignment grade-folder \
    autograder/{name}-autograder.zip submissions/ --jobs 2 --timeout {timeout}
```

Each notebook is run by Otter Run in its own process (at most `--timeout` seconds), two at a
time; `submissions/grades.csv` gets one row per notebook: the score of each question, the
total and, for a notebook that could not be graded (not a notebook, too slow), the reason.
The other notebooks are graded all the same. Grading runs the student's code: do it in an
account or container that holds nothing else (Otter's Docker grading, `otter grade`, isolates
each notebook if your machine has Docker).
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
    expected = expected_answers(name, notebook, parameters)
    target = Path(out) / name
    if target.exists():
        shutil.rmtree(target)
    with tempfile.TemporaryDirectory() as tmp:
        import nbformat

        master = Path(tmp) / f"{name}.ipynb"
        nbformat.write(master_notebook(name, notebook, expected), master)
        dist = Path(tmp) / "dist"
        subprocess.run(
            [sys.executable, "-m", "otter", "assign", str(master), str(dist)],
            check=True,
            capture_output=True,
            text=True,
            env=_with_this_python(),
        )
        (target / "student").mkdir(parents=True)
        (target / "instructor").mkdir()
        (target / "autograder").mkdir()
        shutil.copy2(dist / "student" / f"{name}.ipynb", target / "student" / f"{name}.ipynb")
        shutil.copy2(dist / "autograder" / f"{name}.ipynb", target / "instructor" / f"{name}.ipynb")
        (zipped,) = (dist / "autograder").glob("*.zip")
        shutil.copy2(zipped, target / "autograder" / f"{name}-autograder.zip")
    _check_full_marks(target, name, graded)
    shutil.copy2(ROOT / "constraints.txt", target / "constraints.txt")
    wheel(target / "wheels")
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
    (target / "README.md").write_text(
        INSTRUCTIONS.format(
            name=name,
            n_questions=len(graded),
            points=sum(q.points for q in graded),
            table="\n".join(rows),
            timeout=TIMEOUT,
        )
    )
    return target


def _check_full_marks(target: Path, name: str, graded: list[Question]) -> None:
    """Grade the instructor notebook with the autograder just built: anything short of full
    marks is a broken assignment (removed, with the questions it lost)."""
    result = grade_one(
        target / "autograder" / f"{name}-autograder.zip",
        target / "instructor" / f"{name}.ipynb",
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


@dataclass
class Grade:
    """One submission's result: ``scores`` {question: points}, ``error`` why it could not be
    graded ("" if it was)."""

    submission: str
    scores: dict = field(default_factory=dict)
    error: str = ""
    seconds: float = 0.0

    @property
    def total(self) -> float:
        return float(sum(self.scores.values()))


def grade_one(autograder: Path, submission: Path, timeout: float = TIMEOUT) -> Grade:
    """Otter Run on one notebook in its own process, stopped after ``timeout`` seconds."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        command = [
            sys.executable,
            "-m",
            "otter",
            "run",
            "-a",
            str(autograder),
            "-o",
            tmp,
            str(submission),
        ]
        # a session of its own: on timeout the whole group goes, Otter's kernel included
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_with_this_python(),
            start_new_session=True,
        )
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            return Grade(submission.name, error=f"timed out after {timeout:g} s", seconds=timeout)
        results = Path(tmp) / "results.json"
        seconds = time.perf_counter() - start
        if process.returncode != 0 or not results.exists():
            last = (stderr.strip().splitlines() or ["no message"])[-1]
            return Grade(submission.name, error=f"could not be graded: {last}", seconds=seconds)
        tests = json.loads(results.read_text())["tests"]
    scores = {t["name"]: float(t["score"]) for t in tests if "score" in t}
    return Grade(submission.name, scores, seconds=seconds)


def grade_folder(
    autograder: Path, folder: Path, jobs: int = 2, timeout: float = TIMEOUT
) -> list[Grade]:
    """Grade every ``*.ipynb`` of ``folder`` (``jobs`` at a time) and write ``grades.csv``
    there; a submission that fails is a row with its reason, never the end of the run."""
    submissions = sorted(Path(folder).glob("*.ipynb"))
    if not submissions:
        raise ValueError(f"{folder} holds no .ipynb submission")
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(grade_one, Path(autograder), s, timeout) for s in submissions]
        grades = []
        for future in futures:
            grade = future.result()
            print(
                f"  {grade.submission:<40} "
                + (f"{grade.total:g} points" if not grade.error else grade.error)
                + f"  ({grade.seconds:.0f} s)",
                flush=True,
            )
            grades.append(grade)
    names = sorted({q for g in grades for q in g.scores})
    with open(Path(folder) / "grades.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["submission", *names, "total", "error"])
        for g in grades:
            writer.writerow([g.submission, *(g.scores.get(q, "") for q in names), g.total, g.error])
    return grades


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
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            print(f"assignment written to {build(args.name, args.out)}")
        else:
            grades = grade_folder(args.autograder, args.folder, args.jobs, args.timeout)
            print(f"{len(grades)} submission(s) graded: {args.folder / 'grades.csv'}")
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
