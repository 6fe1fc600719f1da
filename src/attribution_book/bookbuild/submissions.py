"""Grading submitted notebooks with an assignment's Otter autograder, without Docker.

:func:`grade_one` runs Otter Run on one notebook in its own process with a time limit, in a
copy whose first cell records the first exception the student's code raises (a crash is
then told apart from a blank); :func:`grade_folder` grades a folder, ``jobs`` at a time, and
writes ``grades.csv`` (points possible, one row per submission, the questions in the
exercises' order) and a feedback file per submission that says what each test found,
never its expected value. The assignment itself is built by
:mod:`attribution_book.bookbuild.assignment`.
"""

from __future__ import annotations

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

from . import execute

#: Seconds one submission may run before it is stopped and scored as timed out.
TIMEOUT = 600


def with_this_python() -> dict:
    """The environment with this interpreter's folder first on PATH (Otter and the kernels
    it starts, "python3", are this environment's) and one BLAS / torch thread per process
    unless set (notebooks graded side by side would otherwise spin-wait on shared cores)."""
    env = {**os.environ, "PATH": execute.path_with_this_python()}
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, "1")
    return env


@dataclass
class Grade:
    """One submission's result: ``scores`` {question: points}, ``error`` why it could not be
    graded ("" if it was), ``raised`` the first exception its own code raised while it was
    run ("" if none: a crash is not a blank), and ``feedback`` {question: what the test said},
    without the expected value."""

    submission: str
    scores: dict = field(default_factory=dict)
    error: str = ""
    seconds: float = 0.0
    raised: str = ""
    feedback: dict = field(default_factory=dict)
    possible: dict = field(default_factory=dict)  # {question: its points}

    @property
    def total(self) -> float:
        return float(sum(self.scores.values()))


#: A first cell put in a copy of each submission before grading: it records the first
#: exception the student's code raises (name, message, code cell and line) to a file, and
#: shows the traceback as usual.
_RECORD_FIRST_ERROR = """\
def _record_first_error(shell, etype, value, tb, tb_offset=None):
    import json, pathlib, traceback
    path = pathlib.Path({path!r})
    if not path.exists():
        frames = [f for f in traceback.extract_tb(tb) if "ipykernel_" in f.filename
                  or f.filename.startswith("<ipython-input")]
        line = frames[-1].lineno if frames else None
        source = (shell.user_ns.get("_ih") or [""])[-1]
        path.write_text(json.dumps({{"error": f"{{etype.__name__}}: {{value}}",
                                    "source": source, "line": line}}))
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset)

get_ipython().set_custom_exc((Exception,), _record_first_error)
"""


def _first_error(record: Path, notebook) -> str:
    """The recorded first exception as ``NameError: ... (code cell 3, line 2)``, its cell
    found by its source among the submission's code cells (numbered from 1)."""
    if not record.exists():
        return ""
    found = json.loads(record.read_text())
    first = next((line for line in found["source"].splitlines() if line.strip()), "")
    code = [c.source for c in notebook.cells if c.cell_type == "code"] if notebook else []
    number = next((i for i, text in enumerate(code, 1) if first and first in text), None)
    where = [f"code cell {number}"] if number else []
    where += [f"line {found['line']}"] if found["line"] else []
    return f"{found['error'][:200]}" + (f" ({', '.join(where)})" if where else "")


def _feedback(test: dict) -> str:
    """What a hidden test said, for the student: passed, or the exception's last line (the
    test's own message, or e.g. a NameError), never the test's source with its expected value."""
    if test.get("score") == test.get("max_score"):
        return "passed"
    lines = [line.strip() for line in test.get("output", "").splitlines() if line.strip()]
    errors = [line for line in lines if re.match(r"^[A-Za-z_.]*(Error|Exception)\b", line)]
    return errors[-1] if errors else "failed"


def grade_one(autograder: Path, submission: Path, timeout: float = TIMEOUT) -> Grade:
    """Otter Run on one notebook in its own process, stopped after ``timeout`` seconds; the
    notebook runs with a first cell that records the first exception its code raises."""
    import nbformat

    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        record = Path(tmp) / "first_error.json"
        # named as the assignment's notebook, which Otter's first cell opens by name
        stem = autograder.name.removesuffix("-autograder.zip")
        copy = (
            Path(tmp)
            / "submission"
            / (f"{stem}.ipynb" if stem != autograder.name else submission.name)
        )
        copy.parent.mkdir()
        try:
            notebook = nbformat.read(submission, as_version=4)
        except Exception:  # not a notebook: Otter says so below
            notebook = None
            shutil.copy2(submission, copy)
        else:
            recording = nbformat.v4.new_code_cell(_RECORD_FIRST_ERROR.format(path=str(record)))
            nbformat.write(
                nbformat.v4.new_notebook(
                    cells=[recording, *notebook.cells], metadata=notebook.metadata
                ),
                copy,
            )
        command = [
            sys.executable,
            "-m",
            "otter",
            "run",
            "-a",
            str(autograder),
            "-o",
            tmp,
            str(copy),
        ]
        # a session of its own: on timeout the whole group goes, Otter's kernel included
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=with_this_python(),
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
        raised = _first_error(record, notebook)
    graded = [t for t in tests if "score" in t]
    return Grade(
        submission.name,
        {t["name"]: float(t["score"]) for t in graded},
        seconds=seconds,
        raised=raised,
        feedback={t["name"]: _feedback(t) for t in graded},
        possible={t["name"]: float(t["max_score"]) for t in graded},
    )


def grade_folder(
    autograder: Path,
    folder: Path,
    jobs: int = 2,
    timeout: float = TIMEOUT,
    roster: Path | None = None,
) -> list[Grade]:
    """Grade every ``*.ipynb`` of ``folder`` (``jobs`` at a time); write ``grades.csv`` there
    (a row of points possible, then one row per submission: its student, a score per
    question in the exercises' order, the total, the first exception its code raised and
    why it could not be graded) and ``feedback/<submission>.txt`` per submission. A
    submission that fails is a row with its reason, never the end of the run. ``roster``: a
    CSV with columns ``submission`` and ``student`` (default: the notebook's name)."""
    submissions = sorted(Path(folder).glob("*.ipynb"))
    if not submissions:
        raise ValueError(f"{folder} holds no .ipynb submission")
    students = _roster(roster) if roster else {}
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
    possible = {q: p for g in grades for q, p in g.possible.items()}  # in exercise order
    with open(Path(folder) / "grades.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["submission", "student", *possible, "total", "first exception", "error"])
        writer.writerow(
            ["(points possible)", "", *possible.values(), sum(possible.values()), "", ""]
        )
        for g in grades:
            student = students.get(g.submission, Path(g.submission).stem)
            scores = [g.scores.get(q, "") for q in possible]
            writer.writerow([g.submission, student, *scores, g.total, g.raised, g.error])
    _write_feedback(Path(folder) / "feedback", grades, possible)
    return grades


def _roster(path: Path) -> dict[str, str]:
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if rows and not {"submission", "student"} <= set(rows[0]):
        raise ValueError(f"{path}: a roster needs the columns 'submission' and 'student'")
    return {r["submission"]: r["student"] for r in rows}


def _write_feedback(folder: Path, grades: list[Grade], possible: dict) -> None:
    """One text file per submission: each question's points and what its test said."""
    folder.mkdir(exist_ok=True)
    for g in grades:
        lines = [f"{g.submission}: {g.total:g} of {sum(possible.values()):g} points", ""]
        if g.error:
            lines += [f"Not graded: {g.error}", ""]
        if g.raised:
            lines += [f"Your notebook raised an error while it ran: {g.raised}", ""]
        lines += [
            f"{q}: {g.scores.get(q, 0):g} of {p:g}: {g.feedback.get(q, 'not run')}"
            for q, p in possible.items()
        ]
        (folder / f"{Path(g.submission).stem}.txt").write_text("\n".join(lines) + "\n")
