"""The page check's rules, on hand-made pages (no browser needed)."""

from pathlib import Path

import pytest

from attribution_book.bookbuild.check_pages import measures, problems, redirect_target
from attribution_book.plots import FONT_KEY

PAGE = """<html><body><div id="top">
<p>Rendered math: <mjx-container class="MathJax">x</mjx-container></p>
<pre>code may contain \\( and $$ freely</pre>
<img src="pic.png"><a href="other.html#sec">link</a><a href="#top">up</a>
<a href="https://example.org/x">external</a>
{extra}
</div></body></html>"""


def _png(path: Path, smallest_font_px: float | None) -> None:
    """A 100 x 50 image, with the smallest font glue_figure would record (or none)."""
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    if smallest_font_px is not None:
        info.add_text(FONT_KEY, f"{smallest_font_px:.1f}")
    Image.new("RGB", (100, 50), "white").save(path, pnginfo=info)


@pytest.fixture
def site(tmp_path):
    _png(tmp_path / "pic.png", 12.5)  # 9 pt at 100 dpi
    _png(tmp_path / "unmeasured.png", None)
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
        '<figure id="fig-y"><img src="pic.png" data-scale="0.8"><figcaption><p>Figure 1: bars</p>'
        "</figcaption></figure>"
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
            '<figure><img src="pic.png" alt="bars" data-scale="0.6"><figcaption>c</figcaption></figure>',
            "figure text 7.5 px on screen (smallest font 12.5 px, image shown at 60%",
        ),
        (
            '<figure><img src="unmeasured.png" alt="x"><figcaption>c</figcaption></figure>',
            "figure text not measured",
        ),
        (
            '<table data-overflow="1400px in 688px"><tr><td>a</td></tr></table>',
            "table too wide (1400px in 688px)",
        ),
        ("<article><p>text</p></article>", "not measured"),
        (
            '<pre data-overflow="900px in 688px">x = 1\nresult = a_long_call(with_many, arguments)</pre>',
            "code wider than its column (900px in 688px): result = a_long_call",
        ),
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


def test_glue_figure_records_the_smallest_font_the_page_check_reads(tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import myst_nb

    from attribution_book import plots
    from attribution_book.bookbuild.check_pages import smallest_font

    fig, (shown, hidden) = plt.subplots(1, 2)
    shown.set_title("a 7 pt title", fontsize=7)
    hidden.set_title("hidden, 4 pt", fontsize=4)
    hidden.set_visible(False)  # as panel_grid hides unused panels
    assert plots.smallest_font_px(fig) == pytest.approx(7 * plots.DPI / 72)
    glued = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, obj, display: glued.update({name: obj}))
    plots.glue_figure("fig-demo", fig)
    (tmp_path / "demo.png").write_bytes(glued["fig-demo"].data)
    assert smallest_font(tmp_path / "demo.png") == pytest.approx(9.7)
    with pytest.raises(ValueError, match="no text"):
        plots.smallest_font_px(plt.figure())


def test_the_report_gives_each_pages_height_and_smallest_figure_text(site):
    dom = (
        '<html><body data-height="12378"><figure><img src="pic.png" data-scale="0.8">'
        "<figcaption>c</figcaption></figure></body></html>"
    )
    found = measures(site / "page.html", dom)
    assert found["height"] == 12378
    assert found["smallest figure text"] == pytest.approx(12.5 * 0.8)
    assert measures(site / "page.html", "<html><body></body></html>") == {}


def test_the_ledger_over_its_height_limit_fails_the_check(site):
    ledger = site / "book" / "executed" / "claims.html"
    ledger.parent.mkdir(parents=True)
    for height, fails in ((11_900, False), (12_100, True)):
        dom = f'<html><body data-height="{height}"><p>claims</p></body></html>'
        found = problems(ledger, dom, site)
        assert any("at most 12,000 px" in p for p in found) == fails, found
    # another page may be as tall as it needs
    dom = '<html><body data-height="40000"><p>a chapter</p></body></html>'
    assert problems(site / "page.html", dom, site) == []
