"""Shared test set-up.

Tests never touch the network: ``DLB_OFFLINE=1`` makes every download attempt fail with
the registry's clear error.  Data comes from ``DLB_DATA_DIR`` (CI: ../shared/data), the
download cache (``make data``) or, for Fashion-MNIST, Debian's package.
Notebook runs write their results JSON into a temporary folder, not into build/results.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import matplotlib
import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ["DLB_OFFLINE"] = "1"
matplotlib.use("Agg")  # this process only: executed notebooks keep Jupyter's inline figures
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(scope="session")
def smoke_results_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("results")


_executed: dict[str, dict] = {}


@pytest.fixture(scope="session")
def run_smoke(smoke_results_dir):
    """``run_smoke("01_feedforward_regression")`` executes that notebook once per session in
    smoke mode with papermill (executed copy in build/test-executed/), checks the smoke-mode
    quality bars of ``utils.notebooks.QUALITY_BARS`` and returns its results JSON as a dict."""
    from utils.notebooks import NOTEBOOKS_DIR, check_bars, execute

    def run(stem: str, **parameters) -> dict:
        if stem not in _executed:
            old = os.environ.get("DLB_RESULTS_DIR")
            os.environ["DLB_RESULTS_DIR"] = str(smoke_results_dir)
            try:
                execute(NOTEBOOKS_DIR / f"{stem}.ipynb", smoke=True,
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
            _executed[stem] = result
        return _executed[stem]

    return run
