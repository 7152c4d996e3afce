"""The course website (``make site``), checked as a reader sees it.

The smoke site is built from the notebooks the suite has already executed (``run_smoke``:
once per session, copies in build/test-executed/; results JSON in ``smoke_results_dir``),
with ``book/build.py --no-run`` (it never executes), then served from 127.0.0.1 and opened in
Debian's Chromium (Playwright, never a downloaded browser).  Every page: loads with no console
error, every image decoded, every animation decoded and changing when stepped, math rendered.
The home page: one scoreboard row per lesson.  Worked solutions (cells tagged ``solution``)
are collapsed behind a "Show solution" toggle: on the lesson pages that have some, and on a
small synthetic site (so the toggle is checked before the lessons have solutions).
Screenshots go to build/site-check/.  Without a browser: ``book/build.py``'s transformation
of the solution cells and its freshness rule (which ``utils`` files a notebook depends on).

``DLB_SITE_STEMS="01 07"`` limits the site to some lessons (development, when the other
notebooks' executed copies are not at hand).
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from tests.helpers import NOTEBOOKS, REPO, check_animations, lesson_notebook, serve, source

SITE_PYTHON = os.environ.get("DLB_SITE_PYTHON", str(REPO / ".venv-site" / "bin" / "python"))
SHOTS = REPO / "build" / "site-check"
STEMS = [p.stem for p in NOTEBOOKS
         if not os.environ.get("DLB_SITE_STEMS")
         or p.stem[:2] in os.environ["DLB_SITE_STEMS"].split()]


def _build_module():
    spec = importlib.util.spec_from_file_location("book_build", REPO / "book" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _build_module()


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
def test_animation_check_tells_a_moving_video_from_a_still_one(browser, tmp_path):
    """``check_animations`` passes a video whose picture moves and fails a still one (whose
    frames differ at most by the codec's noise), both saved as the lessons save theirs."""
    import numpy as np

    import utils

    square = np.zeros((10, 48, 64))
    square[:, 10:30, 10:30] = 1.0
    moving = np.stack([np.roll(f, 3 * i, axis=1) for i, f in enumerate(square)])
    html = "".join(utils.save_animation(utils.frames_animation(frames, fps=4, cmap="gray"),
                                        tmp_path / f"{name}.mp4", fps=4).data
                   for name, frames in (("moving", moving), ("still", square)))
    (tmp_path / "index.html").write_text(f"<html><body>{html}</body></html>")
    with serve(tmp_path) as url:
        page, _ = open_page(browser, f"{url}/index.html")  # (no favicon: a 404 here)
        videos = page.locator("video")
        check_animations(page, videos.nth(0), "moving", tmp_path)
        with pytest.raises(AssertionError, match="did not change"):
            check_animations(page, videos.nth(1), "still", tmp_path)
        page.close()


@pytest.mark.browser
def test_home_page_has_the_lessons_and_the_scoreboard(site, browser):
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
def test_lesson_page_shows_outputs_and_navigation(site, browser, stem):
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
        # a screenshot of the first formula on show (those in a collapsed solution are hidden;
        # lesson 04 has math only there, rendered all the same)
        display = page.locator("mjx-container[display='true']:visible")
        shown = display if display.count() else page.locator("mjx-container:visible")
        if shown.count():
            shown.first.scroll_into_view_if_needed()
            shown.first.screenshot(path=str(SHOTS / f"{stem}_math.png"))
    check_animations(page, page.locator("video"), stem, SHOTS)
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / f"{stem}.png"))
    # the worked solutions (once the lesson has them): closed, shown on a click
    if page.locator("div.cell.tag_solution").count():
        assert check_solution_toggles(page, stem) >= 3, "every exercise has a solution"
    assert not problems, problems
    page.close()


#: A solution's box on a page: MyST-NB's collapsible box of a ``hide-cell`` code cell, or the
#: same box around a markdown solution (``book/build.py``'s ``collapse_solutions``).
SOLUTION_BOX = "div.cell.tag_solution details.hide"


def check_solution_toggles(page, stem: str) -> int:
    """Every worked solution on the page is closed, its content hidden, under a "Show
    solution" prompt; clicking the first one shows its content (code and outputs): the
    number of solution boxes."""
    boxes = page.locator(SOLUTION_BOX)
    for i in range(boxes.count()):
        box = boxes.nth(i)
        assert box.get_attribute("open") is None, f"solution {i} is open at first"
        assert box.locator("summary").inner_text().strip() == build.SHOW_SOLUTION
        content = box.locator(":scope > :not(summary)").first
        assert not content.is_visible(), f"solution {i}'s content shows before the click"
    if boxes.count():
        first = boxes.first
        first.locator("summary").scroll_into_view_if_needed()
        first.locator("summary").click()
        assert first.get_attribute("open") is not None
        content = first.locator(":scope > :not(summary)")
        for j in range(content.count()):
            assert content.nth(j).is_visible(), "the solution shows after the click"
        assert first.locator("summary").inner_text().strip() == build.HIDE_SOLUTION
        first.screenshot(path=str(SHOTS / f"{stem}_solution.png"))
    return boxes.count()


def test_collapse_solutions_on_a_synthetic_lesson():
    """Code solutions get MyST-NB's ``hide-cell`` tag and "Show solution" prompts (cell-level
    ``mystnb`` metadata), markdown solutions the same box as raw HTML around their text;
    nothing else changes, and the notebook stays valid."""
    import nbformat

    nb = lesson_notebook(outputs=True)
    before = json.loads(json.dumps(nb))
    page = build.collapse_solutions(json.loads(json.dumps(nb)))
    nbformat.validate(nbformat.from_dict(page))
    solutions = 0
    for old, new in zip(before["cells"], page["cells"], strict=True):
        if "solution" not in old["metadata"].get("tags", []):
            assert new == old
            continue
        solutions += 1
        if old["cell_type"] == "code":
            assert new["metadata"]["tags"] == ["solution", "hide-cell"]
            assert new["metadata"]["mystnb"] == {"code_prompt_show": "Show solution",
                                                 "code_prompt_hide": "Hide solution"}
            assert new["source"] == old["source"] and new["outputs"] == old["outputs"]
        else:
            text = source(new)
            assert text.startswith('<div class="cell tag_solution')
            assert "Show solution" in text and text.rstrip().endswith("</details>\n</div>")
            assert source(old).strip() in text
            assert f"\n\n{source(old).strip()}\n\n" in text, "the text stays markdown"
    assert solutions == 6


def _touch(path, when):
    os.utime(path, (when, when))


def test_freshness_follows_the_utils_modules_a_notebook_imports(tmp_path):
    """An executed copy goes stale when its notebook or a ``utils`` module it imports
    (directly, through another module, or as a package ``__init__`` on the way) changes,
    and stays fresh when an unrelated module changes."""
    import nbformat

    root = tmp_path / "utils"
    (root / "sub").mkdir(parents=True)
    files = {
        "__init__.py": "from .runtime import start_run\n",
        "runtime.py": "import os\nfrom . import checks\n",
        "checks.py": "def check(x):\n    return x\n",
        "plots.py": "from .checks import check\n",
        "text.py": "import numpy\n",
        "lonely.py": "",
        "sub/__init__.py": "",
        "sub/deep.py": "from ..helpers import helper\nfrom utils.extra import thing\n",
        "helpers.py": "def helper():\n    pass\n",
        "extra.py": "thing = 1\n",
        "sub/other.py": "",
    }
    for name, text in files.items():
        (root / name).write_text(text)
    nb = lesson_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(
        "from utils import plots\nimport utils.sub.deep\n%matplotlib inline\n"
        "utils.start_run('x')"))
    notebook = tmp_path / "01_synthetic.ipynb"
    nbformat.write(nb, str(notebook))
    imported = {p.relative_to(root).as_posix() for p in build.utils_files(notebook, root)}
    assert imported == {"__init__.py", "runtime.py", "checks.py", "plots.py",
                        "sub/__init__.py", "sub/deep.py", "helpers.py", "extra.py"}

    executed = tmp_path / "executed.ipynb"
    nb.metadata["papermill"] = {"parameters": {"SMOKE": True}, "exception": None}
    nbformat.write(nb, str(executed))
    for path in [notebook, *root.rglob("*.py")]:
        _touch(path, 1_000)
    _touch(executed, 2_000)
    assert build.executed_ok(executed, notebook, smoke=True, root=root)
    assert not build.executed_ok(executed, notebook, smoke=False, root=root), "other mode"
    for unrelated in ("text.py", "lonely.py", "sub/other.py"):
        _touch(root / unrelated, 3_000)
        assert build.executed_ok(executed, notebook, smoke=True, root=root), unrelated
    for imported_file in ("plots.py", "checks.py", "sub/__init__.py", "extra.py", "helpers.py"):
        _touch(root / imported_file, 3_000)
        assert not build.executed_ok(executed, notebook, smoke=True, root=root), imported_file
        _touch(root / imported_file, 1_000)
    _touch(notebook, 3_000)
    assert not build.executed_ok(executed, notebook, smoke=True, root=root), "the notebook"


def test_the_lessons_depend_on_their_own_modules_only():
    """On the real package: every lesson depends on ``utils/__init__.py`` and the run
    machinery; the tooling of ``make run`` / ``make student`` is no lesson's dependency; a
    lesson's own plumbing (``utils.gan``) is only its lesson's."""
    deps = {p.stem: {f.relative_to(build.UTILS).as_posix() for f in build.utils_files(p)}
            for p in NOTEBOOKS}
    for stem, files in deps.items():
        assert {"__init__.py", "runtime.py"} <= files, stem
        assert not files & {"notebooks.py", "student.py", "lab.py"}, stem
    gan = [stem for stem, files in deps.items() if "gan.py" in files]
    assert all(stem.startswith("06") for stem in gan), gan


@pytest.mark.browser
def test_solution_toggle_on_a_synthetic_page(browser, tmp_path):
    """A one-lesson site from a synthetic executed lesson (its page prepared by
    ``book/build.py``'s ``page_notebook``, built by Sphinx with the course configuration):
    each solution, code or markdown, is closed at first and shows after a click."""
    import nbformat

    if not os.path.exists(SITE_PYTHON):
        pytest.fail(f"no site environment at {SITE_PYTHON}: `make test` builds it "
                    "(requirements-site.txt), or set DLB_SITE_PYTHON")
    SHOTS.mkdir(parents=True, exist_ok=True)
    executed = tmp_path / "01_synthetic.ipynb"
    nbformat.write(lesson_notebook(outputs=True), str(executed))
    src, out = tmp_path / "src", tmp_path / "site"
    src.mkdir()
    (src / "01_synthetic.ipynb").write_text(build.page_notebook(executed))
    (src / "index.md").write_text("# Synthetic\n\n```{toctree}\n01_synthetic\n```\n")
    proc = subprocess.run([SITE_PYTHON, "-m", "sphinx", "-b", "html", "-q", "-c",
                           str(REPO / "book"), "-d", str(tmp_path / "doctrees"), str(src),
                           str(out)], cwd=REPO, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONWARNINGS": "ignore::DeprecationWarning"})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "WARNING" not in proc.stderr, proc.stderr[-3000:]
    with serve(out) as url:
        page, problems = open_page(browser, f"{url}/01_synthetic.html")
        assert page.locator("div.cell.tag_solution.tag_hide-cell").count() == 3
        assert page.locator("div.dlb-solution-text").count() == 3
        assert check_solution_toggles(page, "synthetic") == 6
        # the markdown solution's box opens too, and its text is rendered markdown
        text_box = page.locator("div.dlb-solution-text details").first
        text_box.locator("summary").click()
        assert text_box.locator("p", has_text="squared plus").is_visible()
        # an ordinary cell stays as it was: shown, with its output
        plain = page.locator("div.cell:not(.tag_solution)").first
        assert plain.locator(".cell_input").is_visible() and not plain.locator("details").count()
        page.screenshot(path=str(SHOTS / "synthetic.png"), full_page=True)
        assert not problems, problems
        page.close()
