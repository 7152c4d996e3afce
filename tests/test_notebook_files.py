"""Static checks of the committed notebooks and environment files (nothing is executed)."""
import json
import re
from pathlib import Path

import pytest
import yaml

import utils

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
BADGE = re.compile(r"\(https://colab\.research\.google\.com/github/([^/]+/[^/]+)/blob/main/"
                   r"([^)\s]+\.ipynb)\)")
ALLOWED_NB_METADATA = {"kernelspec", "language_info", "colab", "accelerator"}
EXPECTED = ["01_feedforward_regression", "02_convolutional_mnist",
            "03_recurrent_text_generation", "04_encoder_decoder_segmentation", "05_autoencoders",
            "06_gans", "07_deep_rl_deeptraffic"]


def load(path):
    return json.loads(path.read_text())


def setup_source(nb):
    return next("".join(c["source"]) for c in nb["cells"]
                if c["cell_type"] == "code" and "REPO_URL" in "".join(c["source"]))


def test_notebooks_exist_and_are_named_after_the_course():
    assert NOTEBOOKS, "no notebooks committed"
    for path in NOTEBOOKS:
        assert path.stem in EXPECTED, f"{path.name} is not one of the course's notebooks"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_clean(path):
    nb = load(path)
    assert nb["nbformat"] == 4
    assert set(nb["metadata"]) <= ALLOWED_NB_METADATA, nb["metadata"].keys()
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{path.name}: a cell has outputs"
            assert cell["execution_count"] is None, f"{path.name}: a cell has an execution count"
        assert set(cell["metadata"]) <= {"tags", "id"}, f"{path.name}: {cell['metadata']}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_layout(path):
    nb = load(path)
    cells = nb["cells"]
    title = "".join(cells[0]["source"])
    assert cells[0]["cell_type"] == "markdown" and title.startswith(f"# {path.stem[:2]} ")
    params = [c for c in cells if "parameters" in c["metadata"].get("tags", [])]
    assert len(params) == 1, "exactly one papermill parameters cell"
    assert "SMOKE = utils.smoke_from_env()" in "".join(params[0]["source"])
    setup = setup_source(nb)
    assert cells.index(next(c for c in cells if "".join(c["source"]) == setup)) < \
        cells.index(params[0]), "setup cell comes before the parameters"
    assert f'utils.start_run("{path.stem}"' in "".join("".join(c["source"]) for c in cells)
    assert "run.save(" in "".join(cells[-1]["source"]), "the last cell writes the results"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_colab_badge_points_at_its_own_notebook(path):
    nb = load(path)
    badges = BADGE.findall("".join(nb["cells"][0]["source"]))
    assert badges, "the first cell has an Open-in-Colab badge"
    repo = utils.REPO_URL.removeprefix("https://github.com/")
    for badge_repo, badge_path in badges:
        assert badge_repo == repo
        assert badge_path == f"notebooks/{path.name}"
    assert f'REPO_URL = "{utils.REPO_URL}"' in setup_source(nb)


def test_setup_cell_is_identical_everywhere():
    sources = {path.stem: setup_source(load(path)) for path in NOTEBOOKS}
    reference = sources[NOTEBOOKS[0].stem]
    for stem, src in sources.items():
        assert src == reference, f"{stem}'s setup cell differs from {NOTEBOOKS[0].stem}'s"
    assert "tensorflow" not in reference.lower().replace("never tensorflow", "")


def test_readme_badges_point_at_existing_notebooks():
    readme = (REPO / "README.md").read_text()
    badges = BADGE.findall(readme)
    assert {p for _, p in badges} == {f"notebooks/{p.name}" for p in NOTEBOOKS}
    for stem in EXPECTED:
        assert stem[:2] in readme


def _requirement_names(lines):
    names = []
    for line in lines:
        line = line.split("#")[0].strip()
        if line:
            names.append(re.split(r"[<>=!~\[; ]", line, maxsplit=1)[0].lower().replace("_", "-"))
    return names


def test_environment_yml_matches_requirements():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    assert env["name"] and "channels" in env
    deps = env["dependencies"]
    python = next(d for d in deps if isinstance(d, str) and d.startswith("python"))
    assert "3.10" in python and "3.13" in python
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict))
    requirements = (REPO / "requirements.txt").read_text().splitlines()
    assert _requirement_names(pip_section) == _requirement_names(requirements)
    # same version ranges too
    def spec(lines):
        return sorted(re.sub(r"\s+", "", line.split("#")[0]) for line in lines
                      if line.split("#")[0].strip())
    assert spec(pip_section) == spec(requirements)


def test_requirements_use_compatible_ranges():
    for line in (REPO / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            assert ">=" in line and "<" in line, f"{line!r}: give a lower and an upper bound"
            assert "==" not in line
    text = (REPO / "requirements.txt").read_text()
    assert "tf-keras" not in text and "tf_keras" not in text
