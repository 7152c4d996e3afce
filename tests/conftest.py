"""Shared test set-up.

Tests never touch the network: ``DLB_OFFLINE=1`` makes every download attempt fail with
the registry's clear error.  Data comes from ``DLB_DATA_DIR`` (CI: ../shared/data), the
download cache (``make data``) or, for Fashion-MNIST, Debian's package.
Notebook runs write their results JSON into a temporary folder, not into build/results.
"""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import matplotlib
import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ["DLB_OFFLINE"] = "1"
matplotlib.use("Agg")  # this process only: executed notebooks keep Jupyter's inline figures
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # as utils.runtime.start_tensorflow


#: What an executed notebook may print to stderr, each with its reason.  Anything else in a
#: stderr stream (TensorFlow's start-up log, a library warning a student cannot act on) fails.
ALLOWED_STDERR = {
}


def stderr_noise(executed: dict) -> list[str]:
    """Stderr lines and error outputs of an executed notebook that are not allowed."""
    found = []
    for i, cell in enumerate(executed["cells"]):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                found.append(f"cell {i}: error {out.get('ename')}")
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                found += [f"cell {i}: {line}" for line in "".join(out["text"]).splitlines()
                          if line.strip() and not any(re.search(p, line) for p in ALLOWED_STDERR)]
    return found


@pytest.fixture(scope="session")
def smoke_results_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("results")


_executed: dict[str, dict] = {}


@pytest.fixture(scope="session")
def run_smoke(smoke_results_dir):
    """``run_smoke("01_feedforward_regression")`` executes that notebook once per session in
    smoke mode with papermill (executed copy in build/test-executed/), checks the smoke-mode
    quality bars of ``utils.notebooks.QUALITY_BARS``, that it registers at least four claims
    and prints nothing to stderr beyond ``ALLOWED_STDERR``, and returns its results JSON."""
    from utils.notebooks import NOTEBOOKS_DIR, check_bars, execute

    def run(stem: str, **parameters) -> dict:
        if stem not in _executed:
            old = os.environ.get("DLB_RESULTS_DIR")
            os.environ["DLB_RESULTS_DIR"] = str(smoke_results_dir)
            try:
                executed = execute(NOTEBOOKS_DIR / f"{stem}.ipynb", smoke=True,
                                   output_dir=REPO / "build" / "test-executed", **parameters)
            finally:
                if old is None:
                    os.environ.pop("DLB_RESULTS_DIR")
                else:
                    os.environ["DLB_RESULTS_DIR"] = old
            result = json.loads((smoke_results_dir / f"{stem}.json").read_text())
            assert result["notebook"] == stem
            assert result["mode"] == "smoke"
            assert result["seconds"] > 0
            assert {"tensorflow", "keras", "python"} <= set(result["versions"])
            missed = [bar for bar, ok in check_bars(result) if not ok]
            assert not missed, f"{stem} missed its smoke-mode bars: {missed}"
            assert len(result["claims"]) >= 4, f"{stem} registers fewer than four claims"
            noise = stderr_noise(json.loads(executed.read_text()))
            assert not noise, f"{stem} printed to stderr: {noise[:10]}"
            _executed[stem] = result
        return _executed[stem]

    return run


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright, started as on this kind of machine."""
    from tests.helpers import CHROMIUM, CHROMIUM_ARGS

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"no Chromium at {CHROMIUM}: install Debian's chromium once "
                    "(sudo apt-get install chromium chromium-driver) or set DLB_CHROMIUM")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
