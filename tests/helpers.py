"""Small helpers shared by the test modules (paths and notebook reading)."""
from __future__ import annotations

import json
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = REPO / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))


def load(path: Path) -> dict:
    return json.loads(Path(path).read_text())


def source(cell: dict) -> str:
    return "".join(cell["source"])


def setup_source(nb_or_path) -> str:
    """The source of a notebook's setup cell (the code cell that names ``REPO_URL``)."""
    nb = load(nb_or_path) if isinstance(nb_or_path, (str, Path)) else nb_or_path
    return next(source(c) for c in nb["cells"]
                if c["cell_type"] == "code" and "REPO_URL" in source(c))
