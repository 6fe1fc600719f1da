"""The book's MyST, as the Markdown a Jupyter notebook renders: for an assignment's notebooks.

In the book a chapter's text pastes computed values (``{glue:text}`key```), cross-references
sections, figures and papers (``{ref}``, ``{numref}``, ``{prf:ref}``, ``{cite}``) and shows
glued figures (a ``{glue:figure}`` block). Jupyter shows all of these as raw markup.
:func:`plain` replaces each with text: a glued value with the value the chapter's run
computed, a reference with its text (or "the book"), a citation with its key, a glued
figure with a line naming it and its caption. :func:`without_rerun_section` drops the
book's "Rerun this chapter" section, which is about the repository, not the exercise.
"""

from __future__ import annotations

import re

_GLUE = re.compile(r"\{glue(?::text)?\}`((?:[^`:]+::)?[^`:]+)(?::[^`]*)?`")
_LABEL = re.compile(r"^\([\w-]+\)=\n", re.M)
_ADMONITION = re.compile(r":::\{admonition\}\s*([^\n]*)\n(?::[^\n]*\n)*(.*?)\n:::", re.S)
_INDEX = re.compile(r"```\{index\}[^\n]*\n```\n?")
_REF_WITH_TEXT = re.compile(r"\{(?:ref|numref|prf:ref|doc)\}`([^`<]+?)\s*<[^`>]+>`")
_REF = re.compile(r"\{(?:ref|numref|prf:ref|doc)\}`[^`]+`")
_CITE = re.compile(r"\{cite(?::\w+)?\}`([^`]+)`")
_FIGURE = re.compile(r"```\{glue:figure\}\s*(\S+)\n(?::[^\n]*\n)*\n?(.*?)```", re.S)
_OTHER_ROLE = re.compile(r"\{[a-z:-]+\}`([^`]*)`")
_EXERCISE = re.compile(r"```\{exercise\}[^\n]*\n(?::[^\n]*\n)*(.*?)```", re.S)


def plain(text: str, glued: dict[str, object]) -> str:
    """``text`` with the book's MyST roles and glued figures replaced by plain text;
    ``glued``: the values the chapter's run glued, by name, and those of other chapters as
    ``"chapter.ipynb::name"`` (an unknown name stays visible as ``[name]``)."""
    text = _LABEL.sub("", _INDEX.sub("", text))
    text = _ADMONITION.sub(lambda m: f"**{m[1].strip()}**\n\n{m[2].strip()}", text)
    text = _EXERCISE.sub(lambda m: f"**Exercise.** {m[1].strip()}\n", text)
    text = _FIGURE.sub(
        lambda m: f"*(The book shows a figure here: {' '.join(m[2].split())})*\n", text
    )
    text = _GLUE.sub(lambda m: str(glued.get(m[1], f"[{m[1].split('::')[-1]}]")), text)
    text = _REF_WITH_TEXT.sub(lambda m: m[1], text)
    text = _REF.sub("the book", text)
    text = _CITE.sub(lambda m: f"[{m[1]}]", text)
    return _OTHER_ROLE.sub(lambda m: m[1], text)


def other_chapters(text: str) -> set[str]:
    """The chapters (``name.ipynb``) whose glued values ``text`` pastes."""
    return {m[1].split("::")[0] for m in _GLUE.finditer(text) if "::" in m[1]}


def without_rerun_section(cells: list) -> list:
    """The cells before the chapter's "## Rerun this chapter" heading (all, if it has none)."""
    for i, cell in enumerate(cells):
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith(
            "## Rerun this chapter"
        ):
            return cells[:i]
    return cells
