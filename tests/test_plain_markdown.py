"""The book's MyST as the plain Markdown an assignment's notebook shows."""

import nbformat

from attribution_book.bookbuild.plain_markdown import other_chapters, plain, without_rerun_section


def test_roles_and_glued_figures_become_text():
    text = (
        "It has {glue:text}`n_terms` terms ({glue:text}`other.ipynb::total:s`), see "
        "{ref}`the principles <principles>` and {ref}`notation`, {numref}`fig-x`, "
        "{prf:ref}`thm-a`; after {cite}`deng2024unifying`; {glue:text}`unknown`.\n\n"
        "```{glue:figure} fig-example\n:name: fig-example\n:alt: bars\n\n"
        "The effects, by support.\n```\n"
        "```{exercise}\n:label: ex-1\nCompute the effects.\n```\n"
    )
    shown = plain(text, {"n_terms": 10, "other.ipynb::total": "4.5"})
    assert shown.startswith("It has 10 terms (4.5), see the principles and the book, the book")
    assert "[deng2024unifying]" in shown and "[unknown]" in shown
    assert "*(The book shows a figure here: The effects, by support.)*" in shown
    assert "**Exercise.** Compute the effects." in shown
    assert "{" not in shown and "```" not in shown


def test_labels_admonitions_and_index_entries_become_plain():
    text = (
        "(gradient-methods)=\n# Title\n\n:::{admonition} Key results\n:class: tip\n"
        "- one finding\n:::\n\n```{index} Gradient x Input\n```\nText."
    )
    assert plain(text, {}) == "# Title\n\n**Key results**\n\n- one finding\n\nText."
    assert other_chapters("{glue:text}`a.ipynb::x:s` and {glue:text}`y`") == {"a.ipynb"}


def test_the_rerun_section_is_left_out():
    cells = [
        nbformat.v4.new_markdown_cell("# A chapter"),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_markdown_cell("## Rerun this chapter"),
        nbformat.v4.new_code_cell("rerun.section('x')"),
    ]
    assert without_rerun_section(cells) == cells[:2]
    assert without_rerun_section(cells[:2]) == cells[:2]
