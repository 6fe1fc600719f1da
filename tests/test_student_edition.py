"""The student edition: chapters without their solutions, and the check that no built page
still shows one (the full build is `make book-student`)."""

import nbformat

from attribution_book.bookbuild import assignment, student


def test_a_chapter_loses_its_solutions_and_keeps_everything_else():
    chapter = assignment.read_chapter("taylor_interactions")
    kept = student.strip_solutions(chapter)
    text = "\n".join(c.source for c in kept.cells)
    assert "solution-start" not in text and "solution-end" not in text
    assert "symbolic.harsanyi_dividends(sum(v)" not in text  # a solution's code
    assert not any("grade" in c.metadata for c in kept.cells)
    assert "{exercise}" in text  # the exercises stay
    inside = sum(flag for _, flag in assignment.split_solutions(chapter))
    assert len(kept.cells) == len(assignment.split_solutions(chapter)) - inside


def test_the_source_copy_strips_every_executed_chapter(tmp_path):
    root = tmp_path / "repo"
    (root / "book" / "executed").mkdir(parents=True)
    (root / "book" / "intro.md").write_text("# Intro\n")
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/intro\n")
    (root / "_config.yml").write_text("title: Book\nsphinx:\n  config:\n    nitpicky: true\n")
    chapter = assignment.read_chapter("taylor_interactions")
    nbformat.write(chapter, root / "book" / "executed" / "taylor_interactions.ipynb")
    out = student.write_source(tmp_path / "student-src", root)
    copied = (out / "book" / "executed" / "taylor_interactions.ipynb").read_text()
    assert "solution-start" not in copied
    config = (out / "_config.yml").read_text()
    assert "hide_solutions: true" in config and "(student edition)" in config
    assert (out / "book" / "intro.md").exists() and (out / "_toc.yml").exists()


def test_the_check_finds_a_page_that_still_shows_a_solution(tmp_path):
    (tmp_path / "ok.html").write_text("<div class='exercise'>Do this.</div>")
    assert student.check(tmp_path) == []
    (tmp_path / "bad.html").write_text('<div class="solution dropdown">the answer</div>')
    assert student.check(tmp_path) == ["bad.html: 'class=\"solution'"]


def test_a_student_bundle_holds_no_solution(tmp_path, monkeypatch):
    from attribution_book.bookbuild import bundle

    monkeypatch.setattr(bundle, "wheel", lambda out: out.mkdir(parents=True))  # not under test
    executed = tmp_path / "executed"
    executed.mkdir()
    chapter = assignment.read_chapter("taylor_interactions")
    nbformat.write(chapter, executed / "taylor_interactions.ipynb")
    folder = bundle.bundle("taylor_interactions", tmp_path / "out", executed, student=True)
    shipped = (folder / "notebooks" / "taylor_interactions.ipynb").read_text()
    assert "solution-start" not in shipped and "{exercise}" in shipped
    full = bundle.bundle("taylor_interactions", tmp_path / "out", executed)
    assert "solution-start" in (full / "notebooks" / "taylor_interactions.ipynb").read_text()
