"""A chapter as an autograded assignment: Otter Assign builds it, Otter Run grades it; the
instructor notebook gets full marks, a blank one zero, one wrong answer loses that question
only, and a broken or endless submission is a row with its reason."""

import csv
import json

import nbformat
import numpy as np
import pytest
import torch

from attribution_book import grading
from attribution_book.bookbuild import assignment
from unified_attribution import attribute
from unified_attribution.theory import networks

CHAPTER = "taylor_interactions"  # the cheapest graded chapter (about 8 s)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The chapter's assignment, with one question (product_effects, three entries) asking
    for partial credit, entry by entry."""
    chapter = assignment.read_chapter(CHAPTER)
    for cell in chapter.cells:
        if cell.metadata.get("grade", {}).get("answer") == "product_effects":
            cell.metadata["grade"] = {**cell.metadata["grade"], "partial": True}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(assignment, "read_chapter", lambda name: chapter)
        return assignment.build(CHAPTER, tmp_path_factory.mktemp("assignments"))


def test_three_chapters_grade_three_or_more_questions_each():
    counts = assignment.graded_chapters()
    assert len(counts) >= 3 and min(counts.values()) >= 3, counts


def test_bad_names_are_refused_with_what_to_do(tmp_path):
    with pytest.raises(ValueError, match="'nope' is not a chapter; chapters: .*claims, cost"):
        assignment.build("nope", tmp_path)
    with pytest.raises(ValueError, match="'cost' has no graded exercise.*taylor_interactions"):
        assignment.build("cost", tmp_path)
    assert not any(tmp_path.iterdir())  # nothing written


def test_a_chapter_that_reads_stored_results_is_refused(tmp_path, monkeypatch):
    """Otter Run grades in a temporary folder without ../benchmarks/results."""
    posthoc = assignment.read_chapter("sasanet_posthoc")
    monkeypatch.setattr(assignment, "read_chapter", lambda name: posthoc)
    # as if one of its exercises were graded
    monkeypatch.setattr(assignment, "questions", lambda nb: [assignment.Question("results_dir")])
    with pytest.raises(ValueError, match="reads stored results from ../benchmarks/results"):
        assignment.build("sasanet_posthoc", tmp_path)
    assert not any(tmp_path.iterdir())


@pytest.mark.notebooks
def test_grading_a_folder(built, tmp_path):
    """The student notebook has a cell to fill per question and no solution; grading gives
    full marks, zero, exactly one question lost; a file that is not a notebook and one that
    runs too long are reported, and the others are graded all the same. (One test: the
    assignment is built once.)"""
    student = nbformat.read(built / "for-students" / f"{CHAPTER}.ipynb", as_version=4)
    text = "\n".join(c.source for c in student.cells)
    for q in assignment.questions(assignment.read_chapter(CHAPTER)):
        assert f"{q.answer} = ...  # your answer" in text
    assert "solution-start" not in text and "{solution}" not in text
    assert "symbolic.harsanyi_dividends(sum(v)" not in text  # a solution's code
    instructor = nbformat.read(built / "for-instructor" / f"{CHAPTER}.ipynb", as_version=4)
    assert "symbolic.harsanyi_dividends(sum(v)" in "\n".join(c.source for c in instructor.cells)
    autograder = built / "for-instructor" / f"{CHAPTER}-autograder.zip"
    assert autograder.exists()
    assert (
        list((built / "for-students" / "wheels").glob("*.whl"))
        and "grade-folder" in (built / "README.md").read_text()
        and "jupyter lab" in (built / "for-students" / "README.md").read_text()
    )
    import zipfile

    handed_out = zipfile.ZipFile(built / "for-students.zip").namelist()
    assert f"for-students/{CHAPTER}.ipynb" in handed_out
    assert not any("autograder" in n or "instructor" in n for n in handed_out)
    # a written exercise gets an answer cell; each graded one a check cell students can run
    for label in assignment.written_exercises(assignment.read_chapter(CHAPTER)):
        assert f"**Your answer** to the exercise above ({label}" in text
    assert text.count("grader.check(") == len(
        assignment.questions(assignment.read_chapter(CHAPTER))
    )

    folder = tmp_path / "submissions"
    folder.mkdir()
    instructor = nbformat.read(built / "for-instructor" / f"{CHAPTER}.ipynb", as_version=4)
    nbformat.write(instructor, folder / "full.ipynb")
    partly = nbformat.read(built / "for-instructor" / f"{CHAPTER}.ipynb", as_version=4)
    (cell,) = [c for c in partly.cells if "product_effects = [" in c.source]
    cell.source += "\nproduct_effects[0] += 1"
    nbformat.write(partly, folder / "partly.ipynb")
    (folder / "blank.ipynb").write_bytes((built / "for-students" / f"{CHAPTER}.ipynb").read_bytes())
    (cell,) = [c for c in instructor.cells if "pair_dividends = [" in c.source]
    cell.source += "\npair_dividends[0] += 1"
    first = next(c for c in instructor.cells if c.cell_type == "code")
    first.source = "import sympyy as sp  # a typo: sympy is imported again later\n" + first.source
    nbformat.write(instructor, folder / "one_wrong.ipynb")
    (folder / "broken.ipynb").write_text("not a notebook")
    cell.source += "\nimport time\ntime.sleep(600)"
    nbformat.write(instructor, folder / "endless.ipynb")

    grades = {
        g.submission: g for g in assignment.grade_folder(autograder, folder, jobs=2, timeout=40)
    }
    points = sum(q.points for q in assignment.questions(assignment.read_chapter(CHAPTER)))
    assert grades["full.ipynb"].total == points and not grades["full.ipynb"].error
    assert grades["blank.ipynb"].total == 0 and not grades["blank.ipynb"].error
    lost = {q for q, s in grades["one_wrong.ipynb"].scores.items() if s == 0}
    assert lost == {"pair_dividends"} and grades["one_wrong.ipynb"].total == points - 1
    # partial credit: one entry of three wrong loses a third of the question
    assert grades["partly.ipynb"].scores["product_effects"] == pytest.approx(2 / 3, abs=1e-4)
    assert grades["partly.ipynb"].total == pytest.approx(points - 1 / 3, abs=1e-4)  # Otter rounds
    assert "could not be graded" in grades["broken.ipynb"].error
    assert "timed out after 40 s" in grades["endless.ipynb"].error
    # a crash is told apart from a blank: the first exception, with its cell and line
    assert grades["one_wrong.ipynb"].raised == (
        "ModuleNotFoundError: No module named 'sympyy' (code cell 1, line 1)"
    )
    assert grades["full.ipynb"].raised == "" and grades["blank.ipynb"].raised == ""
    with open(folder / "grades.csv") as f:
        rows = {r["submission"]: r for r in csv.DictReader(f)}
    assert float(rows["full.ipynb"]["total"]) == points and rows["endless.ipynb"]["error"]
    order = [q.answer for q in assignment.questions(assignment.read_chapter(CHAPTER))]
    header = list(rows["full.ipynb"])
    assert header[2 : 2 + len(order)] == order  # the exercises' order, not alphabetical
    assert float(rows["(points possible)"]["total"]) == points
    assert rows["one_wrong.ipynb"]["student"] == "one_wrong"
    assert rows["one_wrong.ipynb"]["first exception"].startswith("ModuleNotFoundError")
    # feedback a student can use, without the expected values
    told = (folder / "feedback" / "one_wrong.txt").read_text()
    assert (
        "pair_dividends: 0 of 1: AssertionError: pair_dividends differs from the solution" in told
    )
    assert "raised an error while it ran: ModuleNotFoundError" in told
    assert "grading.close(" not in told  # the hidden test's source holds the expected value


def test_close_compares_numbers_of_any_shape_with_the_stated_tolerance():
    assert grading.close([1.0, 2.0], [1.0, 2.0 + 1e-10], rtol=0, atol=1e-9)
    assert not grading.close([1.0, 2.0], [1.0, 2.1], rtol=0, atol=1e-9)
    assert not grading.close([1.0, 2.0], [1.0, 2.0, 3.0])  # shape
    assert not grading.close(Ellipsis, [1.0])  # the blank cell's answer
    assert grading.close({"b": None, "a": 1}, [1.0, float("nan")])  # dict values by key, None
    assert json.dumps(grading.as_numbers(torch.tensor([1.5, 2.0])))  # JSON-ready


def test_the_sign_flip_property():
    flip = torch.nn.Sequential(
        networks.linear([[-1.0, 0.5], [-0.5, -1.5]], [1.5, 1.0]),
        torch.nn.ReLU(),
        networks.linear([[-2.0, -1.0], [-0.5, 1.5]], [-2.0, 0.5]),
        torch.nn.ReLU(),
        networks.linear([[1.5, 2.0]], 0.5),
    )
    assert grading.CHECKS["rescale_and_ig_disagree"](flip)
    # one ReLU layer on a linear map: Rescale has IG's weights exactly, so no sign differs
    # (the two-layer network this test used as "equal" gives (0.375, -0.375) against (-0.15, 0.15))
    same = networks.one_hidden([[1.0, -0.5], [0.5, 1.5]], [0.5, -1.0], [1.0, -2.0])
    assert not grading.CHECKS["rescale_and_ig_disagree"](same)
    x = torch.ones(1, 2, dtype=torch.float64)
    rescale = attribute("deeplift_rescale", same, x, 0.0, target=0).scores
    path = attribute("integrated_gradients", same, x, 0.0, target=0, n_steps=2048).scores
    np.testing.assert_allclose(rescale.numpy(), path.numpy(), rtol=1e-3)  # quadrature at a kink
    assert rescale.abs().min() > 0.1
    assert not grading.CHECKS["rescale_and_ig_disagree"](networks.linear([[1.0, -2.0]]))
    assert not grading.CHECKS["rescale_and_ig_disagree"]("not a model")


def test_malformed_grade_metadata_and_an_empty_folder_are_refused(tmp_path):
    notebook = assignment.read_chapter(CHAPTER)
    graded = next(c for c in notebook.cells if "grade" in c.metadata)
    for spec, said in (
        ({"points": 1}, "needs 'answer'"),
        ({"answer": "x", "tolerance": 1}, "needs 'answer' and takes points"),
        ({"answer": "x", "check": "nope"}, "unknown check 'nope'; checks: rescale_and_ig"),
    ):
        graded.metadata["grade"] = spec
        with pytest.raises(ValueError, match=said):
            assignment.questions(notebook)
    with pytest.raises(ValueError, match="holds no .ipynb submission"):
        assignment.grade_folder(tmp_path / "autograder.zip", tmp_path)


def test_a_graded_cell_outside_the_solution_fences_is_refused():
    """Its code would reach the student notebook (and the README would count a question the
    autograder does not have)."""
    notebook = assignment.read_chapter(CHAPTER)
    loose = nbformat.v4.new_code_cell("extra = 1")
    loose.metadata["grade"] = {"answer": "extra", "points": 1}
    notebook.cells.insert(1, loose)  # before any exercise: no fence around it
    with pytest.raises(ValueError, match="'extra' is outside a solution.*solution-start"):
        assignment.questions(notebook)


def test_a_build_whose_instructor_notebook_misses_full_marks_is_refused(tmp_path, monkeypatch):
    def half_marks(autograder, submission, timeout=assignment.TIMEOUT):
        return assignment.Grade(submission.name, {"a": 1.0, "b": 0.0})

    monkeypatch.setattr(assignment, "grade_one", half_marks)
    (tmp_path / "t" / "for-instructor").mkdir(parents=True)
    questions = [assignment.Question("a"), assignment.Question("b")]
    with pytest.raises(RuntimeError, match="scores 1 of 2 with its own autograder .lost: b"):
        assignment._check_full_marks(tmp_path / "t", "t", questions)
    assert not (tmp_path / "t").exists()  # nothing half-built is left
