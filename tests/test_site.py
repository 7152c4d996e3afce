"""The course website (``make site``), checked as a reader sees it.

The smoke site is built from the notebooks the suite has already executed (``run_smoke``:
once per session, copies in build/test-executed/; results JSON in ``smoke_results_dir``),
with ``book/build.py --no-run`` (it never executes), then served from 127.0.0.1 and opened in
Debian's Chromium (Playwright, never a downloaded browser).  Every page: loads with no console
error, every image decoded, every animation decoded and changing when stepped, math rendered.
The home page: one scoreboard row per lesson.  Screenshots go to build/site-check/.

``DLB_SITE_STEMS="01 07"`` limits the site to some lessons (development, when the other
notebooks' executed copies are not at hand).
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.helpers import NOTEBOOKS, REPO, check_animations, serve

SITE_PYTHON = os.environ.get("DLB_SITE_PYTHON", str(REPO / ".venv-site" / "bin" / "python"))
SHOTS = REPO / "build" / "site-check"
STEMS = [p.stem for p in NOTEBOOKS
         if not os.environ.get("DLB_SITE_STEMS")
         or p.stem[:2] in os.environ["DLB_SITE_STEMS"].split()]


@pytest.fixture(scope="module")
def site(run_smoke, smoke_results_dir, tmp_path_factory):
    """The smoke site built into a temporary folder, served on 127.0.0.1: its base URL."""
    if not os.path.exists(SITE_PYTHON):
        pytest.fail(f"no site environment at {SITE_PYTHON}: `make test` builds it "
                    "(requirements-site.txt), or set DLB_SITE_PYTHON")
    for stem in STEMS:
        run_smoke(stem)
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "DLB_RESULTS_DIR": str(smoke_results_dir)}
    if os.environ.get("DLB_SITE_STEMS"):
        env["DLB_SITE_STEMS"] = os.environ["DLB_SITE_STEMS"]
    proc = subprocess.run([sys.executable, str(REPO / "book" / "build.py"), "--smoke", "--no-run",
                           "--sphinx-python", SITE_PYTHON, "--out", str(out)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, f"site build failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    assert "executing" not in proc.stdout, "the site build executed a notebook"

    with serve(out) as url:
        yield url


def open_page(browser, url):
    """The page at ``url``, fully loaded, and the console errors and failed requests it had."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    problems = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url[:120]}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url[:120]}")
            if r.status >= 400 else None)
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, f"{url}: {response and response.status}"
    page.wait_for_load_state("networkidle")
    return page, problems


def check_images(page):
    """Every image on the page (shown or not) has loaded and decoded: its count."""
    page.evaluate("() => document.querySelectorAll('img').forEach(i => { i.loading = 'eager'; })")
    images = page.locator("img")
    for i in range(images.count()):
        img = images.nth(i)
        page.wait_for_function("(e) => e.complete", arg=img.element_handle(), timeout=30_000)
        width = img.evaluate("(e) => e.naturalWidth")
        assert width > 0, f"image not decoded: {(img.get_attribute('src') or '')[:100]}"
    return images.count()


@pytest.mark.browser
def test_home_page(site, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page, problems = open_page(browser, f"{site}/index.html")
    rows = page.locator("table.dlb-scoreboard tbody tr")
    assert rows.count() == len(STEMS), "the scoreboard has one row per lesson"
    for i, stem in enumerate(STEMS):
        text = rows.nth(i).inner_text()
        assert "smoke" in text, f"{stem}: no results in its scoreboard row: {text}"
        assert "tensorflow" in text
    links = page.locator("table:not(.dlb-scoreboard) a[href$='.html']")
    assert links.count() >= len(STEMS), "the lesson table links every lesson page"
    assert page.locator("form.bd-search input, input[type=search]").count() >= 1, "search box"
    check_images(page)
    page.screenshot(path=str(SHOTS / "index.png"), full_page=True)
    assert not problems, problems
    page.close()


@pytest.mark.browser
def test_search_finds_a_lesson(site, browser):
    """The search box works on the static site (Sphinx's own index, no server)."""
    page, problems = open_page(browser, f"{site}/search.html?q=network")
    page.wait_for_function("() => document.querySelectorAll('ul.search li').length > 0",
                           timeout=30_000)
    found = page.locator("ul.search li a").all_inner_texts()
    assert any(text.startswith(STEMS[0][:2]) for text in found), found
    page.screenshot(path=str(SHOTS / "search.png"))
    assert not problems, problems
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize("stem", STEMS)
def test_lesson_page(site, browser, stem):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page, problems = open_page(browser, f"{site}/{stem}.html")
    assert page.locator("h1").count() >= 1
    assert page.locator("div.cell_output").count() > 0, "the page shows the cells' outputs"
    n_images = check_images(page)
    assert n_images > 1, "the lesson's figures are on the page"
    # navigation: the sidebar lists every lesson; previous/next links
    assert page.locator(".bd-sidebar-primary a.reference.internal").count() >= len(STEMS)
    assert page.locator(".prev-next-area a").count() >= 1
    # math rendered by MathJax (served by the site itself)
    if page.locator(".math").count():
        page.wait_for_function("() => document.querySelector('mjx-container') !== null",
                               timeout=30_000)
        display = page.locator("mjx-container[display='true']")
        shown = (display if display.count() else page.locator("mjx-container")).first
        shown.scroll_into_view_if_needed()
        shown.screenshot(path=str(SHOTS / f"{stem}_math.png"))
    check_animations(page, page.locator("video"), stem, SHOTS)
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / f"{stem}.png"))
    assert not problems, problems
    page.close()
