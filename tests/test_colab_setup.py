"""The notebooks' setup cell, on the Colab path and the local path, offline.

The Colab path is exercised from a copy of a notebook outside the repository, against a
local clone standing in for GitHub (DLB_REPO_URL), with Colab simulated by
DLB_PRETEND_COLAB=1.
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = REPO / "notebooks" / "01_feedforward_regression.ipynb"
PROBE = "\nprint('UTILS=' + utils.__file__)\nprint('MISSING=' + repr(missing if 'missing' in dir() else None))\n"


def setup_cell(path):
    nb = json.loads(path.read_text())
    return next("".join(c["source"]) for c in nb["cells"]
                if c["cell_type"] == "code" and "REPO_URL" in "".join(c["source"]))


def run_cell(source, cwd, **env):
    environ = {k: v for k, v in os.environ.items() if k not in ("DLB_PRETEND_COLAB", "PYTHONPATH")}
    proc = subprocess.run([sys.executable, "-c", source + PROBE], cwd=cwd, capture_output=True,
                          text=True, env={**environ, **env}, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)
    return Path(out["UTILS"]).resolve(), out["MISSING"]


@pytest.fixture(scope="module")
def local_clone(tmp_path_factory):
    if not (REPO / ".git").exists() or shutil.which("git") is None:
        pytest.skip("needs a git checkout of the course")
    clone = tmp_path_factory.mktemp("github") / "deep-learning-basics.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(REPO), str(clone)], check=True)
    return clone


def test_colab_path_clones_the_course_and_imports_utils(tmp_path, local_clone):
    outside = tmp_path / "content"  # Colab's working directory
    outside.mkdir()
    copy = outside / NOTEBOOK.name
    shutil.copy(NOTEBOOK, copy)
    source = setup_cell(copy)
    utils_file, missing = run_cell(source, outside, DLB_PRETEND_COLAB="1",
                                   DLB_REPO_URL=str(local_clone))
    clone = outside / "deep-learning-basics"
    assert utils_file == (clone / "utils" / "__init__.py").resolve()
    assert (clone / "notebooks" / NOTEBOOK.name).is_file()
    assert missing == "[]"  # everything is installed here: nothing to pip install
    # a second run (re-executing the cell) reuses the clone instead of cloning again
    (clone / "marker").write_text("kept")
    utils_file, _ = run_cell(source, outside, DLB_PRETEND_COLAB="1",
                             DLB_REPO_URL=str(local_clone))
    assert (clone / "marker").read_text() == "kept"


def test_colab_path_fails_loudly_on_a_bad_repository(tmp_path):
    source = setup_cell(NOTEBOOK)
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([sys.executable, "-c", source], cwd=tmp_path, capture_output=True,
                          text=True, env={**environ, "DLB_PRETEND_COLAB": "1",
                                          "DLB_REPO_URL": str(tmp_path / "no-such-repo")})
    assert proc.returncode != 0
    assert "CalledProcessError" in proc.stderr


def test_local_path_only_imports(tmp_path):
    source = setup_cell(NOTEBOOK)
    utils_file, missing = run_cell(source, REPO / "notebooks")
    assert utils_file == (REPO / "utils" / "__init__.py").resolve()
    assert missing == "None"  # the install branch did not run
    assert not (REPO / "notebooks" / "deep-learning-basics").exists()
