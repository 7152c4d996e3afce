"""The student's screen: JupyterLab in a real browser (Debian's Chromium driven by Playwright),
started the way ``make lab`` does, each notebook opened and run with Run > Run All Cells in
smoke mode.

Checked: the tab is not marked modified on opening; after running, no error and no stderr
output; every animation shows a decoded first frame that changes when stepped.  Screenshots
of the first cells and of each animation go to ``build/lab-check/``.  ``make test`` runs the
two notebooks with animations (02, 07); ``make check-lab`` all seven (``DLB_LAB_CHECK=all``).
"""
import os

import pytest

from tests.helpers import NOTEBOOKS, REPO, LabServer, check_animations, course_copy, load

SHOTS = REPO / "build" / "lab-check"
CHECKED = (NOTEBOOKS if os.environ.get("DLB_LAB_CHECK") == "all"
           else [p for p in NOTEBOOKS if p.stem[:2] in ("02", "07")])
RUN_TIMEOUT_MS = 15 * 60 * 1000  # smoke mode on a busy two-core machine


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """The server as ``make lab`` starts it, on a copy of the lessons: JupyterLab autosaves
    the outputs of a notebook it runs, and the committed notebooks stay clean."""
    results = tmp_path_factory.mktemp("lab-results")
    root = course_copy(tmp_path_factory.mktemp("course"))
    with LabServer(tmp_path_factory.mktemp("lab") / "server.log", root, DLB_SMOKE="1",
                   DLB_RESULTS_DIR=str(results)) as server:
        yield server


@pytest.mark.notebook
@pytest.mark.browser
@pytest.mark.parametrize("path", CHECKED, ids=lambda p: p.stem)
def test_notebook_runs_cleanly_in_jupyterlab(browser, lab, path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    # a workspace of its own, reset: nothing restored from an earlier session opens beside it
    page.goto(f"{lab.base}/lab/workspaces/check-{path.stem[:2]}/tree/{path.name}"
              f"?reset&token={lab.token}")
    panel = page.locator(".jp-NotebookPanel").first
    panel.wait_for(timeout=120_000)
    page.wait_for_function(  # the kernel has started and is waiting
        "() => /\\|\\s*Idle/.test(document.querySelector('.jp-StatusBar-Widget')?.innerText)",
        timeout=300_000, polling=500)
    page.wait_for_timeout(2000)
    assert page.locator(".lm-TabBar-tab.jp-mod-dirty").count() == 0, \
        "opening the notebook marked it modified (its metadata differs from what Lab writes)"
    n_code = sum(c["cell_type"] == "code" for c in load(path)["cells"])

    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    page.wait_for_function(  # every code cell rendered and run ("[n]:"), or stopped by an error
        """(n) => { const p = [...document.querySelectorAll(
                        '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')];
                    const done = p.length === n && p.every(e => /\\[\\d+\\]/.test(e.textContent));
                    const idle = /\\|\\s*Idle/.test(
                        document.querySelector('.jp-StatusBar-Widget')?.innerText);
                    return done || (idle && document.querySelector('.jp-RenderedText[data-mime-type=' +
                        '"application/vnd.jupyter.stderr"]') !== null); }""",
        arg=n_code, timeout=RUN_TIMEOUT_MS, polling=2000)
    page.locator(".jp-Cell").first.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"{path.stem}_top.png"))

    stderr = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    texts = [stderr.nth(i).inner_text()[:500] for i in range(stderr.count())]
    assert not texts, f"error or stderr output in the browser: {texts}"

    check_animations(page, page.locator(".jp-OutputArea-output video"), path.stem, SHOTS)
    page.close()

