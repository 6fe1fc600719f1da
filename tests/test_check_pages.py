"""The page check's rules, on hand-made pages (no browser needed)."""

from pathlib import Path

import pytest

from attribution_book.bookbuild.check_pages import problems, redirect_target

PAGE = """<html><body><div id="top">
<p>Rendered math: <mjx-container class="MathJax">x</mjx-container></p>
<pre>code may contain \\( and $$ freely</pre>
<img src="pic.png"><a href="other.html#sec">link</a><a href="#top">up</a>
<a href="https://example.org/x">external</a>
{extra}
</div></body></html>"""


@pytest.fixture
def site(tmp_path):
    (tmp_path / "pic.png").write_bytes(b"png")
    (tmp_path / "other.html").write_text('<html><body><h1 id="sec">S</h1></body></html>')
    return tmp_path


def _check(site: Path, extra: str = "") -> list[str]:
    page = site / "page.html"
    dom = PAGE.format(extra=extra)
    page.write_text(dom)
    return problems(page, dom, site)


def test_a_good_page_has_no_problems(site):
    assert _check(site) == []
    good = (
        '<div class="admonition"><p class="admonition-title">Key results</p>'
        '<p><span class="pasted-text">holds</span></p></div>'
        '<div class="solution"><p class="admonition-title">Solution to Exercise 3</p>'
        '<button class="toggle-button"></button><section>the whole derivation, step by step</section></div>'
        '<figure id="fig-y"><img src="pic.png"><figcaption><p>Figure 1: bars</p></figcaption></figure>'
    )
    assert _check(site, good) == []


@pytest.mark.parametrize(
    "extra, expected",
    [
        ("<p>the sum \\(\\sum_i x_i\\) here</p>", "unrendered TeX '\\\\('"),
        ("<p>$$ f(x) $$</p>", "unrendered TeX '$$'"),
        ('<span class="math">\\(x\\)</span>', "unrendered TeX"),
        ("<pre>Traceback (most recent call last):\n  ZeroDivisionError</pre>", "error output"),
        ('<img src="_images/gone.png">', "missing image _images/gone.png"),
        ('<a href="missing.html">x</a>', "broken link missing.html"),
        ('<a href="other.html#nowhere">x</a>', "broken anchor other.html#nowhere"),
        ('<a href="#nowhere">x</a>', "broken anchor #nowhere"),
        (
            '<div class="admonition"><p class="admonition-title">Key results</p>'
            '<p>n = <span class="pasted-text"></span></p></div>',
            "Key results box with 1 empty glued value",
        ),
        (
            '<div class="solution"><p class="admonition-title">Solution to Exercise 1</p>'
            "<section>a solution long enough to count</section></div>",
            "Solution to Exercise 1: no toggle to open it",
        ),
        (
            '<div class="solution"><p class="admonition-title">Solution to Exercise 2</p>'
            '<button class="toggle-button"></button><section> </section></div>',
            "Solution to Exercise 2: empty",
        ),
        (
            '<mjx-container display="true" data-overflow="980px in 750px">a = b</mjx-container>',
            "display equation too wide (980px in 750px)",
        ),
        (
            '<img src="pic.png" alt="six panels" data-shrunk="700px of 1900px">',
            "image shrunk to 700px of 1900px: six panels",
        ),
        ('<figure id="fig-x"><img src="pic.png"></figure>', "figure without a caption: fig-x"),
        (
            '<table data-overflow="1400px in 688px"><tr><td>a</td></tr></table>',
            "table too wide (1400px in 688px)",
        ),
        ("<article><p>text</p></article>", "not measured"),
    ],
)
def test_each_broken_thing_is_reported(site, extra, expected):
    found = _check(site, extra)
    assert any(expected in p for p in found), found


def test_math_without_mathjax_output_is_reported(site):
    page = site / "bare.html"
    dom = '<html><body><div class="math">x</div></body></html>'
    page.write_text(dom)
    assert any("no MathJax output" in p for p in problems(page, dom, site))


def test_redirect_target(site):
    page = site / "index.html"
    page.write_text(
        '<html><head><meta http-equiv="Refresh" content="0; URL=book/intro.html" /></head></html>'
    )
    assert redirect_target(page) == "book/intro.html"
    assert redirect_target(site / "other.html") is None
