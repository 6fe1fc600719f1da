"""Open every built page in headless Chromium, as a reader would, and fail on what a reader
would see as broken.

For each ``*.html`` page of the built book it saves the DOM after scripts ran (MathJax
included) and a screenshot under ``_build/page-check/``, then reports:

- unrendered TeX: ``\\(``, ``\\[``, ``$$`` or ``\\begin{`` left in visible text outside code,
  or a page with math markup but no MathJax output;
- a Python traceback, or papermill's marker of a failed cell, anywhere on the page;
- an image whose file is missing;
- an internal link to a missing page, or to an anchor that the target page lacks;
- a "Key results" box with an empty glued value;
- a solution without a toggle (the reader could not open it) or without content;
- a display equation, a table or a code cell (shown or folded) wider than its column, or an
  image shown at less than 60 % of its width (its labels shrink with it), as marked by
  ``book/_static/page-measure.js`` at a 1280 px wide window; a page the script did not measure;
- a figure whose smallest text is under :data:`MIN_FONT_PX` pixels on screen: the smallest
  font ``plots.glue_figure`` recorded in the PNG, times the scale the image is shown at; a
  figure that recorded none;
- a figure without a caption;
- a page taller than its limit in :data:`MAX_HEIGHT_PX` (the claims ledger).

Usage: ``python -m attribution_book.bookbuild.check_pages _build/html``.
Exit status 1 lists every problem with its page.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup, CData, NavigableString

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--hide-scrollbars",
    "--virtual-time-budget=8000",
]
TEX_MARKERS = ("\\(", "\\[", "$$", "\\begin{")
ERROR_MARKERS = ("Traceback (most recent call last)", "An Exception was encountered at")
NOT_PROSE = ("script", "style", "pre", "code", "textarea", "mjx-container", "noscript")
SKIP_DIRS = ("_static", "_sources", "_images", "page-check")
WINDOW = "1280,1600"  # a laptop screen: the content column is about 750 px wide
MIN_FONT_PX = 9  # the smallest text a reader can read in a figure at that window
#: Pages that must be read in one sitting: their height (px at :data:`WINDOW`) at most this.
MAX_HEIGHT_PX = {"book/executed/claims.html": 12_000}


def find_chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise SystemExit(
        "no Chromium found: install it with `apt-get install chromium` "
        "(make book does this when run as root)"
    )


def built_pages(html_dir: Path) -> list[Path]:
    return sorted(
        p
        for p in html_dir.rglob("*.html")
        if not any(part in SKIP_DIRS for part in p.relative_to(html_dir).parts)
    )


def render(chromium: str, page: Path, screenshot: Path) -> str:
    """The page's DOM after its scripts ran, and a screenshot of its top, from one launch
    of the browser (not one for each)."""
    url = page.resolve().as_uri()
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    screenshot.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        dom = subprocess.run(
            [
                chromium,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={WINDOW}",
                "--dump-dom",
                f"--screenshot={screenshot}",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
    if not screenshot.is_file():
        raise RuntimeError(f"{chromium} wrote no screenshot of {page}")
    return dom


def _prose_text(soup: BeautifulSoup) -> str:
    """The page's text outside code, scripts and rendered math (the soup is left as it is)."""
    hidden = {id(tag) for tag in soup.find_all(NOT_PROSE)}
    hidden |= {id(tag) for tag in soup.select(".highlight")}
    return " ".join(
        text
        for text in soup.find_all(string=True)
        if type(text) in (NavigableString, CData)
        and not any(id(parent) in hidden for parent in text.parents)
    )


def _soup(dom: str | BeautifulSoup) -> BeautifulSoup:
    return dom if isinstance(dom, BeautifulSoup) else BeautifulSoup(dom, "html.parser")


@lru_cache(maxsize=None)
def _ids(path: Path) -> frozenset[str]:
    soup = BeautifulSoup(path.read_text(encoding="utf-8", errors="replace"), "html.parser")
    return frozenset(tag["id"] for tag in soup.find_all(id=True))


def redirect_target(page: Path) -> str | None:
    """Where a meta-refresh page (Sphinx's root index.html) sends the reader, or None."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8", errors="replace"), "html.parser")
    meta = soup.find("meta", attrs={"http-equiv": lambda v: v and v.lower() == "refresh"})
    if meta is None:
        return None
    match = re.search(r"url\s*=\s*(\S+)", meta.get("content", ""), flags=re.IGNORECASE)
    return match.group(1).strip("'\"") if match else ""


def smallest_font(png: Path) -> float | None:
    """The smallest font (image pixels) that ``plots.glue_figure`` recorded in ``png``."""
    from PIL import Image, UnidentifiedImageError

    from attribution_book.plots import FONT_KEY

    try:
        with Image.open(png) as image:
            value = getattr(image, "text", {}).get(FONT_KEY)
    except (OSError, UnidentifiedImageError):
        return None
    return float(value) if value else None


def measures(page: Path, dom: str | BeautifulSoup) -> dict[str, float]:
    """What a reader meets on the page, for the report: its height (px, at the check's
    window) and the smallest figure text on screen (px), where measured."""
    soup = _soup(dom)
    found: dict[str, float] = {}
    body = soup.find("body")
    if body is not None and body.get("data-height"):
        found["height"] = float(body["data-height"])
    shown = [
        font * float(img["data-scale"])
        for img in soup.select("figure img[data-scale]")
        if (font := smallest_font(page.parent / unquote(urlsplit(img.get("src", "")).path)))
    ]
    if shown:
        found["smallest figure text"] = min(shown)
    return found


def _figure_fonts(soup: BeautifulSoup, page: Path) -> list[str]:
    found = []
    for img in soup.select("figure img"):
        name = img.get("alt") or img.get("src", "")
        target = page.parent / unquote(urlsplit(img.get("src", "")).path)
        if not target.is_file():
            continue  # reported as a missing image
        font = smallest_font(target)
        if font is None:
            found.append(f"figure text not measured (the PNG records no smallest font): {name}")
        elif img.has_attr("data-scale") and font * float(img["data-scale"]) < MIN_FONT_PX:
            shown = font * float(img["data-scale"])
            found.append(
                f"figure text {shown:.1f} px on screen (smallest font {font:.1f} px, image "
                f"shown at {float(img['data-scale']):.0%}; at least {MIN_FONT_PX} px): {name}"
            )
    return found


def problems(page: Path, dom: str | BeautifulSoup, html_dir: Path) -> list[str]:
    """Everything wrong with ``page`` (a file under ``html_dir``) as rendered to ``dom``."""
    found: list[str] = []
    soup = _soup(dom)
    prose = _prose_text(soup)
    for marker in TEX_MARKERS:
        at = prose.find(marker)
        if at >= 0:
            snippet = " ".join(prose[max(0, at - 30) : at + 50].split())
            found.append(f"unrendered TeX {marker!r}: ...{snippet}...")
    if soup.select(".math") and not soup.find("mjx-container"):
        found.append("math markup but no MathJax output (did MathJax load?)")
    text = soup.get_text(" ")
    for marker in ERROR_MARKERS:
        if marker in text:
            found.append(f"error output on the page: {marker!r}")
    for img in soup.find_all("img"):
        src = img.get("src", "")
        if src and not src.startswith(("data:", "http:", "https:")):
            target = (page.parent / unquote(urlsplit(src).path)).resolve()
            if not target.is_file():
                found.append(f"missing image {src}")
    for box in soup.select("div.admonition"):
        title = box.select_one(".admonition-title")
        if title and "Key results" in title.get_text():
            empty = [t for t in box.select(".pasted-text") if not t.get_text(strip=True)]
            if empty:
                found.append(f"Key results box with {len(empty)} empty glued value(s)")
    for solution in soup.select("div.solution"):
        name = " ".join(solution.select_one(".admonition-title").get_text().split())
        if not solution.select("button.toggle-button"):
            found.append(f"{name}: no toggle to open it")
        body = solution.select_one("section")
        if body is None or len(body.get_text(strip=True)) < 20:
            found.append(f"{name}: empty")
    body = soup.find("body")
    limit = MAX_HEIGHT_PX.get(page.relative_to(html_dir).as_posix())
    if limit and body is not None and float(body.get("data-height") or 0) > limit:
        found.append(f"{float(body['data-height']):,.0f} px tall: at most {limit:,} px")
    if body is not None and soup.find("article") and body.get("data-measured") != "true":
        found.append("not measured: page-measure.js did not run (is it in html_js_files?)")
    for box in soup.select("mjx-container[data-overflow]"):
        tex = " ".join(box.get_text(" ").split())[:60]
        found.append(f"display equation too wide ({box['data-overflow']}): {tex}...")
    for table in soup.select("table[data-overflow]"):
        head = " ".join(table.get_text(" ").split())[:60]
        found.append(f"table too wide ({table['data-overflow']}): {head}...")
    for pre in soup.select("pre[data-overflow]"):
        line = max(pre.get_text().splitlines() or [""], key=len).strip()[:60]
        found.append(f"code wider than its column ({pre['data-overflow']}): {line}...")
    for img in soup.select("img[data-shrunk]"):
        found.append(f"image shrunk to {img['data-shrunk']}: {img.get('alt') or img.get('src')}")
    found += _figure_fonts(soup, page)
    for figure in soup.select("figure"):
        if not figure.select_one("figcaption") or not figure.select_one("figcaption").get_text(
            strip=True
        ):
            found.append(f"figure without a caption: {figure.get('id') or figure.img}")
    own_ids = frozenset(tag["id"] for tag in soup.find_all(id=True))
    for a in soup.find_all("a", href=True):
        parts = urlsplit(a["href"])
        if parts.scheme or parts.netloc or a["href"].startswith("mailto:"):
            continue
        fragment = unquote(parts.fragment)
        if not parts.path:
            if fragment and fragment not in own_ids:
                found.append(f"broken anchor #{fragment}")
            continue
        target = (page.parent / unquote(parts.path)).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            found.append(f"broken link {a['href']}")
        elif fragment and target.suffix == ".html" and fragment not in _ids(target):
            found.append(f"broken anchor {a['href']}")
    return found


def check(html_dir: Path, shots_dir: Path, jobs: int = 2) -> dict[str, tuple[list[str], dict]]:
    """Render every page of ``html_dir``; return, by page, the problems found and what
    :func:`measures` read."""
    chromium = find_chromium()
    pages = built_pages(html_dir)
    if not pages:
        raise SystemExit(f"no built pages in {html_dir}/: build the book first (make html)")

    def one(page: Path) -> tuple[str, tuple[list[str], dict]]:
        rel = page.relative_to(html_dir)
        target = redirect_target(page)
        if target is not None:  # a redirect: its target is checked as a page of its own
            ok = target and (page.parent / unquote(urlsplit(target).path)).is_file()
            return str(rel), ([] if ok else [f"redirects to a missing page {target!r}"], {})
        dom = render(chromium, page, shots_dir / rel.with_suffix(".png"))
        (shots_dir / rel).write_text(dom, encoding="utf-8")
        soup = BeautifulSoup(dom, "html.parser")  # parsed once, read by both
        return str(rel), (problems(page, soup, html_dir), measures(page, soup))

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return dict(pool.map(one, pages))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("html_dir", type=Path, nargs="?", default=Path("_build/html"))
    parser.add_argument("--screenshots", type=Path, default=Path("_build/page-check"))
    args = parser.parse_args(argv)
    report = check(args.html_dir, args.screenshots)
    bad = {page: found for page, (found, _) in report.items() if found}
    for page, (_, measured) in report.items():
        said = []
        if "height" in measured:
            said.append(f"{measured['height']:,.0f} px tall")
        if "smallest figure text" in measured:
            said.append(f"smallest figure text {measured['smallest figure text']:.1f} px")
        print(
            f"  {'ok    ' if page not in bad else 'BROKEN'} {page}"
            + (f"  ({'; '.join(said)})" if said else "")
        )
    for page, found in bad.items():
        for problem in found:
            print(f"{page}: {problem}", file=sys.stderr)
    print(
        f"checked {len(report)} page(s) in Chromium; screenshots and rendered DOM in "
        f"{args.screenshots}/; {len(bad)} page(s) with problems"
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
