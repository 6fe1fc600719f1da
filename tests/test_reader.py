"""The reader's path: every chapter opens with its key results, closes with how to rerun it,
and has at least three exercises, each with a solution."""

import re
from pathlib import Path

import pytest

from attribution_book import rerun

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted(p for p in (ROOT / "notebooks").glob("*.py") if p.stem != "claims")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_key_results_open_the_chapter(chapter):
    text = chapter.read_text()
    title = text.index("\n# # ") + 1
    after_title = text[text.index("\n", title) + 1 :]
    assert after_title.startswith("#\n# :::{admonition} Key results"), "the box follows the title"
    box = text.index(":::{admonition} Key results")
    body = text[box : text.index("# :::", box)]
    assert "{glue:text}" in body, "key results are glued numbers or verdicts, never typed"
    assert "{ref}`notation`" in body and "{ref}`claims-ledger`" in body


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_the_chapter_ends_with_how_to_rerun_it(chapter):
    text = chapter.read_text()
    assert "# ## Rerun this chapter" in text
    assert text.rstrip().endswith(f'Markdown(rerun.section("{chapter.stem}"))')


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_exercise_has_a_solution(chapter):
    text = chapter.read_text()
    # three backticks, or more where the block holds a fenced code block
    exercises = re.findall(r"^# `{3,}\{exercise\}\n# :label: (\S+)", text, re.M)
    solved = set(re.findall(r"^# `{3,}\{solution(?:-start)?\} (\S+)", text, re.M))
    assert len(exercises) >= 3, f"{chapter.stem} has {len(exercises)} exercises"
    assert not set(exercises) - solved, f"no solution for {sorted(set(exercises) - solved)}"
    assert text.count("{solution-start}") == text.count("{solution-end}")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_code_shown_in_the_text_is_code_the_chapter_runs(chapter):
    """A solution with code is a solution-start / solution-end pair around notebook cells,
    which the notebook tests execute: no code block sits in the Markdown, unrun."""
    fences = re.findall(r"^# `{3,}(python|py|\{code-block\}.*)$", chapter.read_text(), re.M)
    assert not fences, f"code blocks in the Markdown that nothing executes: {fences}"


def test_rerun_reads_the_parameters_cell(tmp_path):
    (tmp_path / "demo.py").write_text(
        '# %% tags=["parameters"]\nprofile = "full"  # the profile\nseed = 3\n\n# %%\nx = 1\n'
    )
    assert rerun.parameters("demo", tmp_path) == [
        ("profile", '"full"', "the profile"),
        ("seed", "3", ""),
    ]
    page = rerun.section("demo", tmp_path)
    assert "make notebook NB=demo PROFILE=quick" in page and "| `seed` | `3` |" in page
    with pytest.raises(FileNotFoundError, match="no chapter"):
        rerun.parameters("missing", tmp_path)
    (tmp_path / "stored.py").write_text(
        '# %% tags=["parameters"]\nprofile = "full"  # unused: reads stored runs\n'
        "seed = 0  # unused\n\n# %%\n"
        'runs = json.loads(Path("../benchmarks/results/comparison.json").read_text())\n'
    )
    page = rerun.section("stored", tmp_path)
    assert "No parameter changes the page's numbers" in page
    assert "`benchmarks/results/comparison.json` (the stored run took" in page
    assert "make benchmark" in page
    (tmp_path / "bare.py").write_text("# %%\nx = 1\n")
    with pytest.raises(ValueError, match="parameters"):
        rerun.parameters("bare", tmp_path)


def test_the_notation_page_is_in_the_book():
    assert "(notation)=" in (ROOT / "book" / "notation.md").read_text()
    assert "book/notation" in (ROOT / "_toc.yml").read_text()


def test_outside_a_checkout_the_rerun_section_says_how_to_bundle(tmp_path):
    assert "bookbuild.bundle faithfulness" in rerun.section("faithfulness", tmp_path)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_figure_is_glued_captioned_and_referenced(chapter):
    text = chapter.read_text()
    glued = re.findall(r'plots\.glue_figure\(\s*"([^"]+)"', text)
    blocks = re.findall(r"^# ```\{glue:figure\} (\S+)\n((?:# .*\n|#\n)*?)# ```$", text, re.M)
    assert sorted(glued) == sorted(name for name, _ in blocks), "a figure glued but not shown"
    for name, body in blocks:
        assert f"# :name: {name}\n" in body and "# :alt: " in body, f"{name}: label and alt text"
        caption = [line for line in body.splitlines() if line.startswith("# ") and ":" != line[2]]
        assert caption, f"{name} has no caption"
        assert f"{{numref}}`{name}`" in text, f"{name} is never referenced from the text"
    # a cell that draws must glue what it drew: a bare figure would show uncaptioned
    parts = re.split(r"^(# %%.*)$", text, flags=re.M)
    for marker, cell in zip(parts[1::2], parts[2::2]):
        draws = re.search(r"plots\.(?!glue_figure)\w+\(|plt\.subplots\(", cell)
        if draws and "[markdown]" not in marker:
            assert "plots.glue_figure(" in cell, f"a figure without a caption: {draws[0]}"


def test_the_api_pages_are_what_their_generator_writes():
    from attribution_book.bookbuild import api_pages

    for key in api_pages.PAGES:
        written = (ROOT / "book" / "api" / f"{key}.md").read_text()
        assert written == api_pages.page(key), (
            f"book/api/{key}.md is stale: python -m attribution_book.bookbuild.api_pages"
        )
    assert api_pages.registry_table().count("\n| ") == 14  # one row per method
