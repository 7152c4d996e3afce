"""``make lab``: the server starts as the current user (root included), serves /lab, lists the
seven lessons with the course's kernel, and keeps Jupyter's own environment variables."""
import json
import os
import sys

import pytest

from tests.helpers import NOTEBOOKS, LabServer, load
from tests.helpers import http_get as get
from utils import lab

KERNEL_NAME = "Python 3 (Deep Learning Basics)"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with LabServer(tmp_path_factory.mktemp("lab") / "server.log") as lab_server:
        yield lab_server.base, lab_server.token, lab_server.log


def test_lab_command_fits_the_user_and_the_machine(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(lab, "has_browser", lambda: False)
    assert {"--allow-root", "--no-browser"} <= set(lab.lab_command())
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setattr(lab, "has_browser", lambda: True)
    cmd = lab.lab_command(["--port=9"])
    assert "--allow-root" not in cmd and "--no-browser" not in cmd and cmd[-1] == "--port=9"


def test_lab_answers_and_lists_the_lessons(server):
    base, token, log = server
    status, page = get(f"{base}/lab", token)
    assert status == 200 and "JupyterLab" in page
    _, listing = get(f"{base}/api/contents", token)
    names = {item["name"] for item in json.loads(listing)["content"]}
    assert {p.name for p in NOTEBOOKS} <= names and len(NOTEBOOKS) == 7
    if os.geteuid() == 0:
        assert "Running as root is not recommended" not in log.read_text()


def test_lab_runs_the_course_kernel_named_as_the_notebooks_say(server):
    base, token, _ = server
    _, specs = get(f"{base}/api/kernelspecs", token)
    specs = json.loads(specs)
    spec = specs["kernelspecs"][specs["default"]]["spec"]
    assert spec["display_name"] == KERNEL_NAME
    assert spec["argv"][0].startswith(sys.prefix)  # the course environment's Python
    for path in NOTEBOOKS:  # what JupyterLab would otherwise rewrite on opening
        assert load(path)["metadata"]["kernelspec"] == {
            "display_name": KERNEL_NAME, "language": "python", "name": specs["default"]}


def test_lab_shows_no_news_pop_up(server):
    base, token, _ = server
    _, raw = get(f"{base}/lab/api/settings/@jupyterlab/apputils-extension:notification", token)
    # overrides.json becomes the schema's defaults, which the user's own settings may still change
    props = json.loads(raw)["schema"]["properties"]
    assert props["fetchNews"]["default"] == "false"  # "Never", instead of "Ask"
    assert props["checkForUpdates"]["default"] is False
