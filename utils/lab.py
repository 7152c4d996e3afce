"""Open the course in JupyterLab, the way ``make lab`` does: ``python -m utils lab``.

Works for root (containers, Colab-like images: adds ``--allow-root``) and ordinary users,
with a browser (JupyterLab opens it) or without one (the URL with its token is printed).
Jupyter's own environment variables keep working (``JUPYTER_PORT``, ``JUPYTER_TOKEN``, ...).
The course's JupyterLab settings (no "news" pop-up over the lessons) are installed into the
environment's ``share/jupyter/lab/settings/overrides.json`` first.
"""
from __future__ import annotations

import json
import os
import sys
import webbrowser
from pathlib import Path

from .data import REPO_ROOT

#: JupyterLab settings for the course's environment: nothing pops up over a lesson, and every
#: cell of a notebook is rendered (not only those in view), so outputs such as animations are
#: drawn at their size as soon as their cell has run.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                    "checkForUpdates": False},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "defer"},
}


def install_settings(prefix: str | Path = sys.prefix) -> Path:
    """Merge ``LAB_SETTINGS`` into ``<prefix>/share/jupyter/lab/settings/overrides.json``."""
    path = Path(prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    current = json.loads(path.read_text()) if path.is_file() else {}
    for plugin, values in LAB_SETTINGS.items():
        current.setdefault(plugin, {}).update(values)
    path.write_text(json.dumps(current, indent=2) + "\n")
    return path


def has_browser() -> bool:
    try:
        webbrowser.get()
        return True
    except webbrowser.Error:
        return False


def lab_command(extra=()) -> list[str]:
    """The command ``make lab`` runs, for the current user and machine; ``extra`` are
    JupyterLab options (one of them may name another root folder)."""
    cmd = [sys.executable, "-m", "jupyterlab"]
    if not any(a.startswith(("--ServerApp.root_dir", "--notebook-dir")) for a in extra):
        cmd.append(f"--ServerApp.root_dir={REPO_ROOT / 'notebooks'}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # Jupyter refuses root without it (containers run as root)
    if not has_browser():
        cmd.append("--no-browser")  # Jupyter prints the URL to open instead
    return cmd + list(extra)


def main(argv=()) -> int:
    install_settings()
    cmd = lab_command(argv)
    if "--no-browser" in cmd:
        print("No web browser found here: open the http://127.0.0.1:...?token=... URL that "
              "JupyterLab prints below.", flush=True)
    os.execv(cmd[0], cmd)
    return 0  # not reached
