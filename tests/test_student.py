"""``make student``: the lessons without their worked solutions (``utils.student``).

Unit tests on a synthetic lesson (``tests.helpers.lesson_notebook``), and one notebook test
that runs the student copy of lesson 01 in smoke mode (meaningful once the lesson has
solutions; it skips before).
"""
from __future__ import annotations

import json
import os
import types

import nbformat
import pytest

from tests.helpers import LAST_CELL, NOTEBOOKS_DIR, lesson_notebook, load, source
from utils.student import (STUB, is_solution, signatures, stub_source, student_notebook,
                           write_student_copies)


def _solutions(nb):
    return [c for c in nb.cells if is_solution(c)]


def test_each_exercise_gets_one_stub_and_nothing_else_changes():
    nb = lesson_notebook(exercises=3, markdown_solutions=True)
    student = student_notebook(nb)
    assert not _solutions(student), "no solution cell is left"
    ids = {c.id for c in nb.cells}
    kept = [c for c in nb.cells if not is_solution(c)]
    new = [c for c in student.cells if c.id not in ids]
    assert [c for c in student.cells if c.id in ids] == kept, "other cells copied unchanged"
    assert len(new) == 3, "one stub per exercise (code and markdown solution collapse)"
    assert [c.id for c in new] == [f"{c.id}-stub" for c in _solutions(nb)
                                   if c.cell_type == "code"], "new ids, the same on every run"
    for k, stub in enumerate(new, 1):
        before = student.cells[student.cells.index(stub) - 1]
        assert source(before).startswith(f"### Exercise {k}:"), "the stub follows its exercise"
        assert stub.cell_type == "code" and stub.metadata == {} and stub.outputs == []
        assert stub.execution_count is None
    assert source(new[1]) == STUB and source(new[2]) == STUB
    assert student.metadata == nb.metadata
    assert student.cells[-1].source == LAST_CELL
    assert nb.cells != student.cells and _solutions(nb), "the original is left as it was"
    nbformat.validate(student)
    assert len({c.id for c in student.cells}) == len(student.cells), "cell ids stay unique"


def test_signatures_are_kept_with_their_docstrings():
    """The first exercise's solution defines ``power(x, n=1)`` with a docstring: the stub
    keeps that line and the docstring, at top level (not under ``if SOLUTIONS:``)."""
    student = student_notebook(lesson_notebook())
    stub = source(student.cells[student.cells.index(
        next(c for c in student.cells if source(c).startswith("### Exercise 1:"))) + 1])
    assert stub == 'def power(x, n=1):\n    """x to the n."""\n    ...  # your code here'
    namespace = {}
    exec(compile(stub, "stub", "exec"), namespace)
    assert namespace["power"](2) is None, "the stub defines the function and does nothing"


def test_signature_forms_are_all_kept():
    code = '''if SOLUTIONS:
    import math

    @staticmethod
    def wider(units, depth=2,
              *, seed: int = 0) -> "keras.Model":
        """A wider network.

        Returns it, untrained."""
        def inner(x):
            return x
        return inner

    def short(x): return x
    async def later(a):
        return a
    print(math.pi)
'''
    assert signatures(code) == [
        'def wider(units, depth=2,\n          *, seed: int = 0) -> "keras.Model":\n'
        '    """A wider network.\n\n    Returns it, untrained."""\n    ...  # your code here',
        "def short(x):\n    ...  # your code here",
        "async def later(a):\n    ...  # your code here"]
    assert signatures("if SOLUTIONS:\n    %timeit 1") == [], "not Python: a plain stub"
    assert stub_source(["if SOLUTIONS:\n    print(1)"]) == STUB
    two = stub_source(["if SOLUTIONS:\n    def f(a):\n        return a",
                       "if SOLUTIONS:\n    def g(b):\n        return b"])
    assert two == "def f(a):\n    ...  # your code here\n\n\ndef g(b):\n    ...  # your code here"
    compile(two, "stub", "exec")


def test_markdown_only_solutions_are_dropped():
    nb = lesson_notebook()
    for cell in _solutions(nb):
        if cell.cell_type == "code":
            nb.cells.remove(cell)
    student = student_notebook(nb)
    assert len(student.cells) == len(nb.cells) - len(_solutions(nb))
    assert not any(source(c) == STUB for c in student.cells)


def test_student_copy_runs_top_to_bottom(monkeypatch):
    """Every code cell of the student copy runs in order in one namespace (the synthetic
    lesson's ``run`` replaced by a recorder): the stubs do nothing and break nothing."""
    import utils

    saved = []
    run = types.SimpleNamespace(save=lambda metrics=None: saved.append(metrics),
                                claim=lambda statement, holds: bool(holds))
    monkeypatch.setattr(utils, "start_run", lambda *args, **kwargs: run)
    student = student_notebook(lesson_notebook())
    namespace = {}
    for cell in student.cells:
        if cell.cell_type == "code":
            exec(compile(cell.source, "cell", "exec"), namespace)
    assert saved == [{"nine": 9}, None]


def test_write_student_copies_is_repeatable_and_valid(tmp_path):
    """Written as valid notebooks (read back by nbformat) into ``out/notebooks/``, next to a
    link ``out/utils`` to the package, so their setup cell finds it one folder up."""
    nb = lesson_notebook()
    lesson = tmp_path / "lessons" / "01_synthetic.ipynb"
    lesson.parent.mkdir()
    nbformat.write(nb, str(lesson))
    out = tmp_path / "student"
    written = write_student_copies([lesson], out)
    assert written == [out / "notebooks" / "01_synthetic.ipynb"]
    copy = nbformat.read(str(written[0]), as_version=4)
    nbformat.validate(copy)
    assert not _solutions(copy) and copy.metadata == nb.metadata
    assert (out / "utils" / "student.py").is_file()
    raw = json.loads(written[0].read_text())
    assert all(c.get("outputs", []) == [] for c in raw["cells"])
    write_student_copies([lesson], out)  # again: the link exists already
    assert json.loads(written[0].read_text()) == raw


def test_student_copies_of_the_lessons_are_valid(tmp_path):
    """Every committed lesson (with or without solutions yet) gives a valid student copy
    that keeps all its non-solution cells."""
    from utils.notebooks import notebook_paths

    for target in write_student_copies(notebook_paths(), tmp_path):
        original = load(NOTEBOOKS_DIR / target.name)
        copy = nbformat.read(str(target), as_version=4)
        nbformat.validate(copy)
        assert copy.metadata == original["metadata"]
        kept = [c["id"] for c in original["cells"]
                if "solution" not in c["metadata"].get("tags", [])]
        assert [c.id for c in copy.cells if c.id in set(kept)] == kept
        assert not _solutions(copy)


@pytest.mark.notebook
def test_student_copy_of_lesson_01_runs_in_smoke_mode(tmp_path):
    """The student copy of lesson 01 (stubs instead of solutions) executes top to bottom
    through the course runner in smoke mode and writes its results twice over."""
    from utils.notebooks import execute

    lesson = NOTEBOOKS_DIR / "01_feedforward_regression.ipynb"
    if not any("solution" in c["metadata"].get("tags", []) for c in load(lesson)["cells"]):
        pytest.skip("lesson 01 has no worked solutions (cells tagged 'solution') yet: its "
                    "student copy would be the lesson itself")
    [copy] = write_student_copies([lesson], tmp_path / "student")
    results = tmp_path / "results"
    old = os.environ.get("DLB_RESULTS_DIR")
    os.environ["DLB_RESULTS_DIR"] = str(results)
    try:
        executed = execute(copy, smoke=True, output_dir=tmp_path / "executed")
    finally:
        if old is None:
            os.environ.pop("DLB_RESULTS_DIR")
        else:
            os.environ["DLB_RESULTS_DIR"] = old
    ran = json.loads(executed.read_text())
    assert not ran["metadata"]["papermill"].get("exception")
    assert all(c.get("execution_count") for c in ran["cells"] if c["cell_type"] == "code"), \
        "every code cell ran"
    assert not any(o.get("output_type") == "error" for c in ran["cells"]
                   for o in c.get("outputs", []))
    result = json.loads((results / f"{lesson.stem}.json").read_text())
    assert result["mode"] == "smoke" and result["metrics"]


def test_command_line_writes_the_copies(tmp_path, capsys):
    """``python -m utils student [NN ...] [--out DIR]`` (what ``make student`` runs)."""
    from utils.__main__ import main

    assert main(["student", "--out", str(tmp_path), "01"]) == 0
    assert [p.name for p in (tmp_path / "notebooks").iterdir()] == \
        ["01_feedforward_regression.ipynb"]
    assert "student copies" in capsys.readouterr().out
