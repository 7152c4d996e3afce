"""Student copies of the lessons, without the worked solutions (what ``make student`` runs).

    python -m utils student [NN ...]    # build/student/notebooks/NN_name.ipynb

Every lesson ends with exercises, each followed by its worked solution: cells tagged
``solution``.  A student copy replaces the solution cells that follow one exercise by a single
code cell to work in: ``# your code here``, or, where the solution defines functions, their
``def`` lines (with their docstrings) and an empty body ``...  # your code here``, so the
exercise keeps the names and arguments it asks for.  Markdown solution cells are dropped.
Everything else (cells, ids, notebook metadata) is copied unchanged, the copy stays a valid,
clean notebook and runs top to bottom (a stub does nothing).

The copies go to ``build/student/notebooks/`` next to a link ``build/student/utils`` to the
course package: their setup cell finds ``utils`` one folder up, as in the repository, so
``jupyter lab build/student`` (or ``cd build/student/notebooks``) runs them as they are.
"""
from __future__ import annotations

import argparse
import ast
import copy
import os
from pathlib import Path

from .data import REPO_ROOT

SOLUTION_TAG = "solution"
STUDENT_DIR = REPO_ROOT / "build" / "student"
STUB = "# your code here"


def is_solution(cell) -> bool:
    return SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def _text(cell) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def _functions(tree: ast.AST):
    """The function definitions of a module, outside other functions' bodies, in order."""
    found = []

    def visit(node):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.append(child)
            elif not isinstance(child, (ast.Lambda, ast.ClassDef)):
                visit(child)

    visit(tree)
    return found


def signatures(code: str) -> list[str]:
    """Each function that ``code`` defines as a top-level stub: its ``def`` line(s) as
    written (decorators left out), its docstring if it has one, then
    ``...  # your code here``.  Code that is not plain Python (a ``%magic``) gives none."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    lines = code.splitlines()
    stubs = []
    for fn in _functions(tree):
        first = fn.body[0]
        doc = (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
               and isinstance(first.value.value, str))

        def outdent(text: str, by: int = fn.col_offset) -> str:
            return text[by:] if text[:by].strip() == "" else text.lstrip()

        if first.lineno > fn.lineno:  # the usual layout: the body starts on its own line
            header = [outdent(line) for line in lines[fn.lineno - 1:first.lineno - 1]]
            body = ([outdent(line) for line in lines[first.lineno - 1:first.end_lineno]]
                    if doc else [])
        else:  # def f(x): return x
            header = [lines[fn.lineno - 1][fn.col_offset:first.col_offset].rstrip()]
            body = ["    " + ast.get_source_segment(code, first)] if doc else []
        stubs.append("\n".join(header + body + ["    ...  # your code here"]))
    return stubs


def stub_source(codes: list[str]) -> str:
    """The student's cell that replaces the solution code cells ``codes`` of one exercise."""
    found = [s for code in codes for s in signatures(code)]
    return "\n\n\n".join(found) if found else STUB


def student_notebook(nb):
    """A copy of ``nb`` (an nbformat notebook or its dict) without its solutions: each run of
    consecutive ``solution`` cells becomes one stub code cell if it held code, and nothing if
    it held only markdown.  A stub's id is new (its first solution cell's id + ``-stub``)."""
    import nbformat

    nb = nbformat.from_dict(copy.deepcopy(dict(nb)))
    taken = {c.get("id") for c in nb.cells}
    cells, group = [], []

    def flush():
        codes = [_text(c) for c in group if c["cell_type"] == "code"]
        if codes:
            stub = nbformat.v4.new_code_cell(stub_source(codes))
            # a new id, the same on every run (no churn): the first solution cell's, marked
            first = str(group[0].get("id") or "")
            fresh = f"{first[:58]}-stub" if first else stub.id
            while fresh in taken:
                fresh = nbformat.v4.new_code_cell().id
            stub.id = fresh
            taken.add(fresh)
            cells.append(stub)
        group.clear()

    for cell in nb.cells:
        if is_solution(cell):
            group.append(cell)
            continue
        flush()
        cells.append(cell)
    flush()
    nb.cells = cells
    return nb


def write_student_copies(paths=None, out: Path | None = None) -> list[Path]:
    """Student copies of ``paths`` (default: every lesson) in ``out/notebooks/`` (default
    ``build/student/``), with ``out/utils`` linking to the course package; the copies."""
    import nbformat

    from .notebooks import notebook_paths

    out = Path(out or STUDENT_DIR)
    folder = out / "notebooks"
    folder.mkdir(parents=True, exist_ok=True)
    link = out / "utils"
    if not link.exists() and not link.is_symlink():
        # relative, so the folder keeps working when the checkout moves
        link.symlink_to(os.path.relpath(REPO_ROOT / "utils", out.resolve()),
                        target_is_directory=True)
    written = []
    for path in (notebook_paths() if paths is None else paths):
        nb = student_notebook(nbformat.read(str(path), as_version=4))
        nbformat.validate(nb)
        target = folder / Path(path).name
        nbformat.write(nb, str(target))
        written.append(target)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils student",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="notebook prefixes, e.g. 01 03")
    parser.add_argument("--out", default=str(STUDENT_DIR), help="the folder (build/student)")
    args = parser.parse_args(argv)
    from .notebooks import notebook_paths

    for target in write_student_copies(notebook_paths(args.names), Path(args.out)):
        print(f"  {target.relative_to(REPO_ROOT) if target.is_relative_to(REPO_ROOT) else target}")
    print(f"student copies (worked solutions replaced by stubs): {Path(args.out) / 'notebooks'}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
