"""Static checks of the committed notebooks and environment files (nothing is executed)."""
import re

import pytest
import yaml

import utils
from tests.helpers import LAST_CELL, NOTEBOOKS, REPO, lesson_notebook, load, setup_source, source

BADGE = re.compile(r"\(https://colab\.research\.google\.com/github/([^/]+/[^/]+)/blob/main/"
                   r"([^)\s]+\.ipynb)\)")
ALLOWED_NB_METADATA = {"kernelspec", "language_info", "colab", "accelerator"}
EXPECTED = ["01_feedforward_regression", "02_convolutional_mnist",
            "03_recurrent_text_generation", "04_encoder_decoder_segmentation", "05_autoencoders",
            "06_gans", "07_deep_rl_deeptraffic"]

#: one test per lesson notebook, named after it
each_lesson = pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)


def test_notebooks_exist_and_are_named_after_the_course():
    assert NOTEBOOKS, "no notebooks committed"
    for path in NOTEBOOKS:
        assert path.stem in EXPECTED, f"{path.name} is not one of the course's notebooks"


def clean_problems(nb: dict) -> list[str]:
    """What makes a notebook unclean: outputs, execution counts, metadata beyond what is
    committed (every cell alike: lesson, exercise and solution cells)."""
    problems = []
    if nb["nbformat"] != 4:
        problems.append(f"nbformat {nb['nbformat']}")
    if not set(nb["metadata"]) <= ALLOWED_NB_METADATA:
        problems.append(f"notebook metadata {sorted(nb['metadata'])}")
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            if cell["outputs"]:
                problems.append(f"cell {i} has outputs")
            if cell["execution_count"] is not None:
                problems.append(f"cell {i} has an execution count")
        if not set(cell["metadata"]) <= {"tags", "id"}:
            problems.append(f"cell {i} metadata {dict(cell['metadata'])}")
    return problems


@each_lesson
def test_notebook_is_clean(path):
    """Committed without outputs or execution counts: a diff shows only what a person wrote."""
    assert clean_problems(load(path)) == [], path.name


@each_lesson
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


def layout_problems(nb: dict, stem: str) -> list[str]:
    """The lesson's frame: a title ``# NN ...``, the setup cell before the one papermill
    parameters cell (which reads ``SMOKE`` from the environment and defines ``SOLUTIONS =
    True``), the run started under the notebook's name, the last code cell writing results."""
    cells, problems = nb["cells"], []
    if not (cells[0]["cell_type"] == "markdown" and source(cells[0]).startswith(f"# {stem[:2]} ")):
        problems.append("the first cell is the title '# NN ...'")
    params = [c for c in cells if "parameters" in c["metadata"].get("tags", [])]
    if len(params) != 1:
        return problems + ["exactly one papermill parameters cell"]
    if "SMOKE = utils.smoke_from_env()" not in source(params[0]):
        problems.append("the parameters cell reads SMOKE from the environment")
    if not re.search(r"^SOLUTIONS = True\b", source(params[0]), re.M):
        problems.append("the parameters cell defines SOLUTIONS = True")
    setup = setup_source(nb)
    if cells.index(next(c for c in cells if source(c) == setup)) > cells.index(params[0]):
        problems.append("setup cell comes before the parameters")
    if f'utils.start_run("{stem}"' not in "".join(source(c) for c in cells):
        problems.append("the run is started under the notebook's name")
    last_code = [c for c in cells if c["cell_type"] == "code"][-1]
    if "run.save(" not in source(last_code):
        problems.append("the last code cell writes the results")
    return problems


@each_lesson
def test_notebook_layout_has_one_parameters_cell_and_sections(path):
    problems = layout_problems(load(path), path.stem)
    assert not problems, f"{path.name}: {problems}"


def _headings(nb):
    return [(i, line.lstrip("#").strip().lower()) for i, c in enumerate(nb["cells"])
            if c["cell_type"] == "markdown" for line in source(c).splitlines()
            if line.startswith("#")]


def _tags(cell) -> list[str]:
    return list(cell["metadata"].get("tags", []))


def ending_problems(nb: dict) -> list[str]:
    """The end of a lesson (see the worked-solutions layout): key takeaways (three to five
    bullets), the results cell ``run.save({...})``, right after it the markdown cell
    ``## What to try next``, then at least three exercises, each an untagged markdown cell
    ``### Exercise k: ...`` (k = 1, 2, ... in order) followed by one or more cells tagged
    ``solution`` (code ones start with the line ``if SOLUTIONS:`` and indent everything
    under it); no ``solution`` cell anywhere else; last, the untagged code cell ``LAST_CELL``."""
    cells, problems = nb["cells"], []
    heads = _headings(nb)
    takeaways = [i for i, h in heads if h.startswith("key takeaways")]
    nexts = [i for i, c in enumerate(cells) if c["cell_type"] == "markdown"
             and source(c).startswith("## What to try next")]
    saves = [i for i, c in enumerate(cells) if "run.save({" in source(c)]
    if len(takeaways) != 1 or len(nexts) != 1 or len(saves) != 1:
        return [f"one key takeaways heading, one results cell run.save({{...}}) and one "
                f"'## What to try next' cell, found {(takeaways, saves, nexts)}"]
    if not takeaways[0] < saves[0] < nexts[0]:
        problems.append("key takeaways, then the results cell, then what to try next")
    elif nexts[0] != saves[0] + 1:
        problems.append("'## What to try next' comes right after the results cell")
    bullets = [line for line in source(cells[takeaways[0]]).splitlines()
               if re.match(r"\s*[-*] ", line)]
    if not 3 <= len(bullets) <= 5:
        problems.append(f"{len(bullets)} takeaways (three to five)")
    early = [i for i, c in enumerate(cells[:nexts[0] + 1]) if "solution" in _tags(c)]
    if early:
        problems.append(f"cells {early} are tagged solution before the exercises")
    last = cells[-1]
    if not (last["cell_type"] == "code" and not _tags(last) and source(last).strip() == LAST_CELL):
        problems.append(f"the last cell is the untagged code cell {LAST_CELL!r}")
    exercises = 0
    body = list(enumerate(cells))[nexts[0] + 1:-1]
    for i, cell in body:
        text = source(cell)
        if "solution" in _tags(cell):
            if _tags(cell) != ["solution"]:
                problems.append(f"cell {i}: a solution is tagged exactly ['solution']")
            if exercises == 0:
                problems.append(f"cell {i}: a solution before the first exercise")
            if cell["cell_type"] == "code":
                lines = text.splitlines()
                if not lines or lines[0] != "if SOLUTIONS:":
                    problems.append(f"cell {i}: a solution code cell starts with 'if SOLUTIONS:'")
                elif any(line.strip() and not line[:1].isspace() for line in lines[1:]):
                    problems.append(f"cell {i}: the whole solution is indented under "
                                    "'if SOLUTIONS:'")
        elif cell["cell_type"] == "markdown" and not _tags(cell) \
                and text.startswith(f"### Exercise {exercises + 1}:"):
            if exercises and "solution" not in _tags(cells[i - 1]):
                problems.append(f"exercise {exercises} has no solution")
            exercises += 1
        else:
            problems.append(f"cell {i}: after '## What to try next' only untagged "
                            f"'### Exercise {exercises + 1}: ...' cells and solutions")
    if exercises and "solution" not in _tags(cells[-2]):
        problems.append(f"exercise {exercises} has no solution")
    if exercises < 3:
        problems.append(f"{exercises} exercises (at least three)")
    return problems


@each_lesson
def test_lesson_ends_with_takeaways_then_results_then_exercises_with_solutions(path):
    """Key takeaways, the results cell, "What to try next", exercises each with a worked
    solution, and the results written again (see ``ending_problems``)."""
    problems = ending_problems(load(path))
    assert not problems, f"{path.name}: {problems}"


def long_cells(nb: dict) -> dict[int, int]:
    """Code cells (any: lesson or solution) longer than 30 lines: index -> lines."""
    return {i: n for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"
            for n in [len(source(c).rstrip().splitlines())] if n > 30}


@each_lesson
def test_code_cells_are_short(path):
    """One idea per cell: no code cell longer than 30 lines."""
    long = long_cells(load(path))
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


def measured_value_cells(nb: dict) -> dict[int, list[str]]:
    """Markdown cells (any: lesson, exercise or solution) stating measured-looking numbers,
    against the settings written in all code cells (solutions' included)."""
    code = "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "code")
    return {i: found for i, c in enumerate(nb["cells"]) if c["cell_type"] == "markdown"
            for found in [measured_looking_numbers(source(c), code)] if found}


@each_lesson
def test_markdown_states_no_measured_value(path):
    """Claims come from the run: prose may state expectations, not measured numbers."""
    offenders = measured_value_cells(load(path))
    assert not offenders, f"cells (index: numbers) state values the run should print: {offenders}"


@each_lesson
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


def test_environment_yml_matches_requirements_txt():
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


# -- the checks above on a synthetic lesson: each rule passes the layout and can fail ---------

def _cell(nb, prefix):
    return next(c for c in nb.cells if source(c).startswith(prefix))


def _drop(nb, predicate):
    nb.cells = [c for c in nb.cells if not predicate(c)]


def _solutions(nb):
    return [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]


def test_synthetic_lesson_passes_every_check():
    for markdown_solutions in (True, False):
        nb = lesson_notebook(markdown_solutions=markdown_solutions)
        assert layout_problems(nb, "01_synthetic") == []
        assert ending_problems(nb) == []
        assert clean_problems(nb) == [] and long_cells(nb) == {} and measured_value_cells(nb) == {}
    assert ending_problems(lesson_notebook(exercises=4)) == []


def _no_solutions_flag(nb):
    params = _cell(nb, "SMOKE =")
    params.source = params.source.replace("SOLUTIONS = True", "SOLUTIONS = False")


def _no_params_solutions(nb):
    params = _cell(nb, "SMOKE =")
    params.source = "\n".join(l for l in params.source.splitlines() if "SOLUTIONS" not in l)


@pytest.mark.parametrize("break_it, expected", [
    (_no_solutions_flag, "SOLUTIONS = True"),
    (_no_params_solutions, "SOLUTIONS = True"),
    (lambda nb: setattr(nb.cells[0], "source", "# A lesson"), "title"),
    (lambda nb: _cell(nb, "run = ").update(source='run = utils.start_run("02_other")'),
     "started under"),
], ids=["solutions_false", "no_solutions", "title", "run_name"])
def test_layout_rules_can_fail(break_it, expected):
    nb = lesson_notebook()
    break_it(nb)
    problems = layout_problems(nb, "01_synthetic")
    assert any(expected in p for p in problems), problems


def _move_next_before_save(nb):
    nxt = _cell(nb, "## What to try next")
    nb.cells.remove(nxt)
    nb.cells.insert(nb.cells.index(_cell(nb, "run.save({")), nxt)


def _cell_between_save_and_next(nb):
    import nbformat

    nb.cells.insert(nb.cells.index(_cell(nb, "## What to try next")),
                    nbformat.v4.new_code_cell("print(1)"))


def _untagged_solution(nb):
    _solutions(nb)[0].metadata.pop("tags")


def _first_line(nb):
    cell = next(c for c in _solutions(nb) if c.cell_type == "code")
    cell.source = "if SOLUTIONS:  # comment\n" + cell.source.split("\n", 1)[1]


def _unindented(nb):
    cell = next(c for c in _solutions(nb) if c.cell_type == "code")
    cell.source += "\nprint('outside the if')"


def _skip_exercise_number(nb):
    cell = _cell(nb, "### Exercise 2:")
    cell.source = cell.source.replace("Exercise 2:", "Exercise 3:")


def _tagged_exercise(nb):
    _cell(nb, "### Exercise 2:").metadata["tags"] = ["exercise"]


def _exercise_without_solution(nb):
    ex2 = nb.cells.index(_cell(nb, "### Exercise 2:"))
    ex3 = nb.cells.index(_cell(nb, "### Exercise 3:"))
    del nb.cells[ex2 + 1:ex3]


def _last_without_solution(nb):
    ex3 = nb.cells.index(_cell(nb, "### Exercise 3:"))
    del nb.cells[ex3 + 1:-1]


def _solution_in_lesson(nb):
    _cell(nb, "def square").metadata["tags"] = ["solution"]


def _solution_and_other_tag(nb):
    _solutions(nb)[0].metadata["tags"] = ["solution", "hide-cell"]


def _no_last_cell(nb):
    nb.cells.pop()


def _last_cell_tagged(nb):
    nb.cells[-1].metadata["tags"] = ["solution"]


def _last_cell_other(nb):
    nb.cells[-1].source = "run.save()"


def _untagged_prose_among_exercises(nb):
    import nbformat

    nb.cells.insert(nb.cells.index(_cell(nb, "### Exercise 2:")),
                    nbformat.v4.new_markdown_cell("Some prose."))


def _two_takeaways(nb):
    cell = _cell(nb, "## Key takeaways")
    cell.source = "## Key takeaways\n- only one"


@pytest.mark.parametrize("break_it, expected", [
    (_move_next_before_save, "then what to try next"),
    (_cell_between_save_and_next, "right after the results cell"),
    (_untagged_solution, "only untagged"),
    (_first_line, "starts with 'if SOLUTIONS:'"),
    (_unindented, "indented"),
    (_skip_exercise_number, "only untagged '### Exercise 2"),
    (_tagged_exercise, "only untagged '### Exercise 2"),
    (_exercise_without_solution, "exercise 2 has no solution"),
    (_last_without_solution, "exercise 3 has no solution"),
    (lambda nb: _drop(nb, lambda c: source(c).startswith("### Exercise 3")), "2 exercises"),
    (_solution_in_lesson, "tagged solution before the exercises"),
    (_solution_and_other_tag, "tagged exactly ['solution']"),
    (_no_last_cell, "the last cell"),
    (_last_cell_tagged, "the last cell"),
    (_last_cell_other, "the last cell"),
    (_untagged_prose_among_exercises, "only untagged"),
    (_two_takeaways, "takeaways (three to five)"),
], ids=lambda x: x.__name__.strip("_") if callable(x) else None)
def test_ending_rules_can_fail(break_it, expected):
    nb = lesson_notebook()
    break_it(nb)
    problems = ending_problems(nb)
    assert any(expected in p for p in problems), problems


def test_other_checks_see_solution_cells():
    """Cleanliness, cell length and the number scanner treat a solution like any cell."""
    nb = lesson_notebook(outputs=True)
    solution = [i for i, c in enumerate(nb.cells) if "solution" in c.metadata.get("tags", [])
                and c.cell_type == "code"][0]
    assert f"cell {solution} has outputs" in clean_problems(nb)
    nb = lesson_notebook()
    code = next(c for c in _solutions(nb) if c.cell_type == "code")
    code.source = "if SOLUTIONS:\n" + "\n".join(f"    x{j} = {j}" for j in range(31))
    assert long_cells(nb) == {nb.cells.index(code): 32}
    prose = next(c for c in _solutions(nb) if c.cell_type == "markdown")
    prose.source = "The wider network reaches a test error of 2.71."
    assert measured_value_cells(nb) == {nb.cells.index(prose): ["2.71"]}
    prose.metadata["collapsed"] = True
    assert any("metadata" in p for p in clean_problems(nb))
