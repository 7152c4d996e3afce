"""Static checks of the committed notebooks and environment files (nothing is executed)."""
import re

import pytest
import yaml

import utils
from tests.helpers import NOTEBOOKS, REPO, load, setup_source, source
BADGE = re.compile(r"\(https://colab\.research\.google\.com/github/([^/]+/[^/]+)/blob/main/"
                   r"([^)\s]+\.ipynb)\)")
ALLOWED_NB_METADATA = {"kernelspec", "language_info", "colab", "accelerator"}
EXPECTED = ["01_feedforward_regression", "02_convolutional_mnist",
            "03_recurrent_text_generation", "04_encoder_decoder_segmentation", "05_autoencoders",
            "06_gans", "07_deep_rl_deeptraffic"]


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
def test_notebook_metadata_is_what_jupyterlab_writes(path):
    """Opening a notebook must not modify it: JupyterLab rewrites the kernelspec and the
    kernel's language_info on opening, so they are committed as the course kernel reports
    them (the Python version is this project's reference interpreter's; another Python's
    kernel changes that one value)."""
    from ipykernel.ipkernel import IPythonKernel

    meta = load(path)["metadata"]
    assert meta["kernelspec"] == {"display_name": "Python 3 (Deep Learning Basics)",
                                  "language": "python", "name": "python3"}
    reported = dict(IPythonKernel.language_info)
    assert {k: v for k, v in meta["language_info"].items() if k != "version"} == \
        {k: v for k, v in reported.items() if k != "version"}
    assert re.fullmatch(r"3\.1\d\.\d+", meta["language_info"]["version"])


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
    last_code = [c for c in cells if c["cell_type"] == "code"][-1]
    assert "run.save(" in source(last_code), "the last code cell writes the results"


def _headings(nb):
    return [(i, line.lstrip("#").strip().lower()) for i, c in enumerate(nb["cells"])
            if c["cell_type"] == "markdown" for line in source(c).splitlines()
            if line.startswith("#")]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_lesson_ends_with_takeaways_then_results_then_exercises(path):
    """Key takeaways (three to five bullets), then the cell that saves the results, then
    "What to try next" (with exercises).  The saving cell stays last among code cells."""
    nb = load(path)
    heads = _headings(nb)
    takeaways = [i for i, h in heads if h.startswith("key takeaways")]
    nexts = [i for i, h in heads if h.startswith("what to try next")]
    saves = [i for i, c in enumerate(nb["cells"]) if "run.save(" in source(c)]
    assert len(takeaways) == 1 and len(nexts) == 1 and len(saves) == 1, (takeaways, nexts, saves)
    assert takeaways[0] < saves[0] < nexts[0]
    bullets = [line for line in source(nb["cells"][takeaways[0]]).splitlines()
               if re.match(r"\s*[-*] ", line)]
    assert 3 <= len(bullets) <= 5, f"{len(bullets)} takeaways"
    assert all(c["cell_type"] == "markdown" for c in nb["cells"][saves[0] + 1:])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_code_cells_are_short(path):
    """One idea per cell: no code cell longer than 30 lines."""
    long = {i: n for i, c in enumerate(load(path)["cells"]) if c["cell_type"] == "code"
            for n in [len(source(c).rstrip().splitlines())] if n > 30}
    assert not long, f"cells (index: lines) longer than 30 lines: {long}"


#: Numbers a lesson's prose may state although they look measured, each with its reason.
#: Everything else that looks like a measurement must come from the run (printed or a claim).
ALLOWED_NUMBERS = {
    "2.30": "ln 10, a constant",
    "4.17": "ln 65, the loss of a uniform guess over 65 characters: a constant",
    "60,000": "MNIST's training set size, a dataset fact",
    "10,000": "MNIST's test set size, a dataset fact",
    "70,000": "MNIST's size, a dataset fact",
    "1,115,394": "tiny Shakespeare's length in characters, a dataset fact",
    "51.6": "the original DeepTraffic game's do-nothing median, a published figure",
    "44.5": "the original game's always-decelerate median, a published figure",
    "60.3": "the original game's random-policy median, a published figure",
    "76.3": "the top of the original DeepTraffic leaderboard, a published figure",
    "3.0": "gymnasium/Keras major versions and similar names, not results",
    "2.0": "gymnasium/Keras major versions and similar names, not results",
}
_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S)
_LINK = re.compile(r"\]\([^)]*\)|https?://\S+")
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d+(?=\s*%))"
                     r"(\s*%)?(?![\w.]*\d)")


def measured_looking_numbers(markdown: str, code: str) -> list[str]:
    """Decimals, percentages and thousands-separated numbers in prose (outside LaTeX math
    and links) that are neither a setting written in the notebook's code nor allowed."""
    prose = _LINK.sub(" ", _MATH.sub(" ", markdown))
    found = []
    for match in _NUMBER.finditer(prose):
        number = match.group(1)
        if number in ALLOWED_NUMBERS or re.search(rf"(?<![\w.]){re.escape(number)}(?![\w.]*\d)",
                                                  code.replace("_", ",")):
            continue
        found.append(match.group(0).strip())
    return found


def test_number_scanner_finds_what_it_should():
    code = "LEARNING_RATE = 0.001\nN = 5_000\n"
    md = ("accuracy 0.9925, 97 % of pixels, a rate of 0.001, $\\ln 10 \\approx 2.30$, "
          "[link](https://x.org/v1.2), 5,000 images, 60,000 images, 3 layers")
    assert measured_looking_numbers(md, code) == ["0.9925", "97 %"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_markdown_states_no_measured_value(path):
    """Claims come from the run: prose may state expectations, not measured numbers."""
    nb = load(path)
    code = "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "code")
    offenders = {i: found for i, c in enumerate(nb["cells"]) if c["cell_type"] == "markdown"
                 for found in [measured_looking_numbers(source(c), code)] if found}
    assert not offenders, f"cells (index: numbers) state values the run should print: {offenders}"


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
    sources = {path.stem: setup_source(path) for path in NOTEBOOKS}
    reference = sources[NOTEBOOKS[0].stem]
    for stem, src in sources.items():
        assert src == reference, f"{stem}'s setup cell differs from {NOTEBOOKS[0].stem}'s"
    assert "tensorflow" not in reference.lower().replace("ships tensorflow", "").replace(
        "starts tensorflow", "")


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
    makefile = (REPO / "Makefile").read_text()
    lo = re.search(r"^PYTHON_MIN := (3\.\d+)$", makefile, re.M).group(1)
    hi = re.search(r"^PYTHON_MAX := 3\.(\d+)$", makefile, re.M).group(1)
    assert python == f"python>={lo},<3.{int(hi) + 1}", "environment.yml follows the Makefile"
    assert f"Python {lo} to 3.{hi}" in (REPO / "README.md").read_text()
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
