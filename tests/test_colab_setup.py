"""The notebooks' setup cell, on the Colab path and the local path, offline.

The cell has no switches for tests.  Colab is simulated as its kernel is: a ``google.colab``
module already imported (a stand-in package on the path).  GitHub is replaced by a local
clone through git's own ``url.<base>.insteadOf`` setting, passed in the environment, so the
cell's real ``git clone`` command runs unchanged.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import NOTEBOOKS_DIR, REPO, setup_source

import utils

NOTEBOOK = NOTEBOOKS_DIR / "01_feedforward_regression.ipynb"
PROBE = "\nprint('UTILS=' + utils.__file__)\n"


def run_cell(source, cwd, colab_stub=None, github=None):
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GIT_CONFIG_COUNT")}
    prefix = ""
    if colab_stub is not None:  # Colab's kernel has google.colab imported before any cell
        environ["PYTHONPATH"] = str(colab_stub)
        prefix = "import google.colab\n"
    if github is not None:
        environ.update(GIT_CONFIG_COUNT="1", GIT_CONFIG_KEY_0=f"url.{github}.insteadOf",
                       GIT_CONFIG_VALUE_0=utils.REPO_URL)
    return subprocess.run([sys.executable, "-c", prefix + source + PROBE], cwd=cwd,
                          capture_output=True, text=True, env=environ, timeout=300)


def utils_file(proc):
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)
    return Path(out["UTILS"]).resolve()


@pytest.fixture(scope="module")
def colab_stub(tmp_path_factory):
    root = tmp_path_factory.mktemp("colab-stub")
    (root / "google" / "colab").mkdir(parents=True)  # `google` stays a namespace package,
    (root / "google" / "colab" / "__init__.py").write_text('"""Stand-in for Colab."""\n')
    # so google.protobuf (TensorFlow's) is still found beside the stand-in
    return root


@pytest.fixture(scope="module")
def local_github(tmp_path_factory):
    if not (REPO / ".git").exists() or shutil.which("git") is None:
        pytest.fail("these tests need a git checkout of the course and git")
    clone = tmp_path_factory.mktemp("github") / "deep-learning-basics.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(REPO), str(clone)], check=True)
    return clone


def test_setup_cell_is_short_and_has_no_test_switches():
    source = setup_source(NOTEBOOK)
    assert len(source.strip().splitlines()) <= 8
    assert "DLB_" not in source and "environ" not in source


def test_colab_path_clones_the_course_and_imports_utils(tmp_path, colab_stub, local_github):
    outside = tmp_path / "content"  # Colab's working directory
    outside.mkdir()
    source = setup_source(NOTEBOOK)
    found = utils_file(run_cell(source, outside, colab_stub, local_github))
    clone = outside / "deep-learning-basics"
    assert found == (clone / "utils" / "__init__.py").resolve()
    assert (clone / "notebooks" / NOTEBOOK.name).is_file()
    # re-running the cell reuses the clone instead of cloning again
    (clone / "marker").write_text("kept")
    utils_file(run_cell(source, outside, colab_stub, local_github))
    assert (clone / "marker").read_text() == "kept"


def test_colab_path_fails_loudly_on_a_bad_repository(tmp_path, colab_stub):
    proc = run_cell(setup_source(NOTEBOOK), tmp_path, colab_stub, tmp_path / "no-such-repo")
    assert proc.returncode != 0
    assert "CalledProcessError" in proc.stderr


def test_colab_installs_nothing_that_is_already_there(monkeypatch):
    monkeypatch.setitem(sys.modules, "google.colab", object())
    assert utils.install_colab_extras() == []  # everything is installed here


def test_local_path_only_imports():
    found = utils_file(run_cell(setup_source(NOTEBOOK), NOTEBOOKS_DIR))
    assert found == (REPO / "utils" / "__init__.py").resolve()
    assert not (NOTEBOOKS_DIR / "deep-learning-basics").exists()
