"""Lesson 01 executed in smoke mode, with papermill (results JSON) and with nbval."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
STEM = "01_feedforward_regression"


@pytest.mark.notebook
def test_feedforward_regression_smoke(run_smoke):
    m = run_smoke(STEM)["metrics"]
    for key in ("test_rmse", "test_mae", "linear_test_rmse", "linear_test_mae", "mean_test_rmse",
                "kfold_rmse_mean", "kfold_rmse_std", "no_b_test_rmse", "no_b_linear_rmse"):
        assert isinstance(m[key], float) and m[key] >= 0, key
    # baselines are deterministic: they pin the data split and the preprocessing
    assert abs(m["linear_test_rmse"] - 4.816) < 0.01
    assert abs(m["mean_test_rmse"] - 9.149) < 0.01
    # an untrained (or constant) network fails each of these
    assert m["test_rmse"] < m["linear_test_rmse"]  # the smoke bar: the MLP beats linear regression
    assert m["test_mae"] < m["linear_test_mae"]
    assert m["no_b_test_rmse"] < m["mean_test_rmse"]
    assert m["kfold_rmse_mean"] < m["mean_test_rmse"]


@pytest.mark.notebook
@pytest.mark.nbval
def test_feedforward_regression_cell_by_cell(tmp_path):
    """nbval runs every cell in order and reports the first failing cell by number."""
    env = {**os.environ, "DLB_SMOKE": "1", "DLB_RESULTS_DIR": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
         "--nbval-current-env", "--nbval-cell-timeout=600", "-c", os.devnull,
         str(REPO / "notebooks" / f"{STEM}.ipynb")],
        cwd=REPO / "notebooks", env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]
    assert json.loads((tmp_path / f"{STEM}.json").read_text())["mode"] == "smoke"
