"""Build the course website into build/site/ (what ``make site`` runs).

    .venv/bin/python book/build.py [--smoke] [--no-run] [--sphinx-python .venv-site/bin/python]

1. Finds an executed copy of every notebook: full site from ``build/executed/``; smoke site
   from the test suite's ``build/test-executed/`` if there, else ``build/executed/``.  A copy
   counts only if it is newer than its notebook and every ``utils`` module the notebook
   imports, directly or through other modules (``utils_files``), ran in the site's mode
   (papermill's recorded ``SMOKE`` parameter) and did not stop on an error.  The
   notebooks without one are executed with ``python -m utils run [--smoke] NN ...`` (unless
   ``--no-run``), so an unchanged notebook is never executed again.
2. Writes the Sphinx source folder ``build/site-src/``: the executed notebooks (a file is
   rewritten only when its content changed, so Sphinx rebuilds only those pages; the worked
   solutions collapsed behind a "Show solution" toggle, ``collapse_solutions``) and the home
   page ``index.md`` (README's introduction and lesson table, the scoreboard of the results in
   ``$DLB_RESULTS_DIR`` or ``build/results/``).
3. Runs Sphinx (MyST-NB, Sphinx Book Theme; configuration in ``book/conf.py``) from the site's
   own environment.  MyST-NB executes nothing.

``DLB_SITE_STEMS="01 07"`` builds a site of some lessons only (development).
"""
from __future__ import annotations

import argparse
import ast
import html
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from utils.notebooks import notebook_paths, scoreboard_records  # noqa: E402

BUILD = REPO / "build"
SRC = BUILD / "site-src"
OUT = BUILD / "site"
COLAB_BADGE_URL = "https://colab.research.google.com/assets/colab-badge.svg"
#: The badge drawn locally: the site loads nothing from other hosts (it works offline).
COLAB_BADGE = (REPO / "book" / "colab-badge.svg").read_text()


UTILS = REPO / "utils"


def _module_file(module: str, root: Path) -> Path | None:
    """The file of ``utils.x.y`` under ``root`` (the ``utils`` folder): ``x/y.py`` or
    ``x/y/__init__.py``; None if it is not a module (a function, a class)."""
    parts = module.split(".")[1:]
    base = root.joinpath(*parts)
    for path in (base.with_suffix(".py") if parts else None, base / "__init__.py"):
        if path is not None and path.is_file():
            return path
    return None


def _imported_names(code: str, package: str | None = None) -> set[str]:
    """The dotted names under ``utils`` that ``code`` imports or reaches as attributes
    (``import utils``, ``from utils import x``, ``from utils.x import y``, ``utils.x.y``;
    inside the package also ``from . import x`` and ``from .x import y``, relative to
    ``package``).  Each name may be a module or not; ``utils_files`` keeps the modules."""
    try:
        tree = ast.parse(code)
    except SyntaxError:  # IPython syntax (%magic, !shell): drop those lines and retry
        kept = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                         for line in code.splitlines())
        try:
            tree = ast.parse(kept)
        except SyntaxError:
            return {m.group(0) for m in re.finditer(r"\butils(?:\.\w+)*", code)}
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names if a.name.split(".")[0] == "utils"}
        elif isinstance(node, ast.ImportFrom):
            if node.level and package:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.split(".")[0] == "utils":
                names.add(module)
                names |= {f"{module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Attribute):
            chain, inner = [node.attr], node.value
            while isinstance(inner, ast.Attribute):
                chain.append(inner.attr)
                inner = inner.value
            if isinstance(inner, ast.Name) and inner.id == "utils":
                names.add(".".join(["utils", *reversed(chain)]))
    return names


def utils_files(notebook: Path, root: Path = UTILS) -> set[Path]:
    """The files of the ``utils`` modules a notebook imports, transitively: those its code
    cells name (see ``_imported_names``), every package ``__init__.py`` on the way to each,
    and what those files import in turn.  ``root`` is the ``utils`` folder."""
    nb = json.loads(Path(notebook).read_text())
    code = "\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                     for c in nb["cells"] if c["cell_type"] == "code")
    todo = list(_imported_names(code))
    files: set[Path] = set()
    while todo:
        name = todo.pop()
        parts = name.split(".")
        # a name's prefixes: the packages it goes through, then the longest module
        for i in range(1, len(parts) + 1):
            path = _module_file(".".join(parts[:i]), root)
            if path is None or path in files:
                continue
            files.add(path)
            module = ".".join(parts[:i])
            package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
            todo += _imported_names(path.read_text(), package)
    return files


def sources_mtime(notebook: Path, root: Path = UTILS) -> float:
    """The newest change to a notebook or to the ``utils`` code it imports."""
    return max([notebook.stat().st_mtime] + [p.stat().st_mtime
                                              for p in utils_files(notebook, root)])


def executed_ok(path: Path, notebook: Path, smoke: bool, root: Path = UTILS) -> bool:
    """``path`` is an executed copy of ``notebook``, up to date, in this mode, without error."""
    if not path.is_file() or path.stat().st_mtime < sources_mtime(notebook, root):
        return False
    try:
        meta = json.loads(path.read_text()).get("metadata", {}).get("papermill", {})
    except (OSError, ValueError):
        return False
    return (not meta.get("exception")
            and bool(meta.get("parameters", {}).get("SMOKE")) == smoke)


def find_executed(smoke: bool, run: bool) -> dict[str, Path]:
    folders = ([BUILD / "test-executed"] if smoke else []) + [BUILD / "executed"]
    notebooks = notebook_paths(os.environ.get("DLB_SITE_STEMS", "").split())

    def lookup():
        found = {}
        for nb in notebooks:
            for folder in folders:
                if executed_ok(folder / nb.name, nb, smoke):
                    found[nb.stem] = folder / nb.name
                    break
        return found

    found = lookup()
    missing = [nb.stem for nb in notebooks if nb.stem not in found]
    if missing and run:
        print(f"executing (missing or out of date): {' '.join(missing)}", flush=True)
        cmd = [sys.executable, "-m", "utils", "run", *(["--smoke"] if smoke else []),
               *[stem[:2] for stem in missing]]
        code = subprocess.call(cmd, cwd=REPO)
        if code:
            print(f"warning: `{' '.join(cmd[2:])}` exited {code} (a failed run or a missed "
                  "quality bar); building the site with what was executed", flush=True)
        found = lookup()
        missing = [nb.stem for nb in notebooks if nb.stem not in found]
    if missing:
        raise SystemExit(f"no executed copy ({'smoke' if smoke else 'full'} mode, up to date) "
                         f"of: {', '.join(missing)}; looked in "
                         f"{', '.join(str(f.relative_to(REPO)) for f in folders)}")
    return found


def write_if_changed(path: Path, text: str) -> None:
    if not path.is_file() or path.read_text() != text:
        path.write_text(text)


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def widget_text(model_id: str, state: dict) -> str | None:
    """The final text of a progress-bar widget (tqdm's HBox of HTML, FloatProgress, HTML)
    from the widget state papermill saved: ``scoring: 100% ██████████ 60/60 [00:02<00:00]``."""
    model = state.get(model_id, {}).get("state", {})
    parts = []
    for child in model.get("children", []):
        sub = state.get(child.replace("IPY_MODEL_", ""), {})
        value = sub.get("state", {})
        if sub.get("model_name") == "HTMLModel":
            parts.append(html.unescape(str(value.get("value", ""))))
        elif sub.get("model_name") == "FloatProgressModel" and value.get("max"):
            filled = round(10 * value.get("value", 0) / value["max"])
            parts.append(" " + "█" * filled + "░" * (10 - filled))
    return "".join(parts).replace("\u2007", " ").strip() or None


SOLUTION_TAG = "solution"
SHOW_SOLUTION, HIDE_SOLUTION = "Show solution", "Hide solution"
#: A markdown solution inside the same collapsible box MyST-NB draws for a ``hide-cell`` code
#: cell (its own HTML and CSS classes): MyST-NB renders markdown cells as plain text and reads
#: no tags on them, so the box is written around the text as raw HTML blocks.
MARKDOWN_SOLUTION_OPEN = f"""<div class="cell tag_solution dlb-solution-text docutils container">
<details class="admonition hide above-input">
<summary aria-label="Toggle hidden content">
<p class="collapsed admonition-title">{SHOW_SOLUTION}</p>
<p class="expanded admonition-title">{HIDE_SOLUTION}</p>
</summary>

"""
MARKDOWN_SOLUTION_CLOSE = "\n\n</details>\n</div>\n"


def collapse_solutions(nb: dict) -> dict:
    """The worked solutions (cells tagged ``solution``) collapsed behind a "Show solution"
    toggle, in place: a code cell gets MyST-NB's ``hide-cell`` tag (source and outputs in
    one closed box) with its prompts set in the cell's ``mystnb`` metadata; a markdown cell
    is wrapped in the same box.  Other cells are left alone.  Returns ``nb``."""
    for cell in nb["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if SOLUTION_TAG not in tags:
            continue
        if cell["cell_type"] == "code":
            cell["metadata"]["tags"] = [*tags, "hide-cell"]
            cell["metadata"]["mystnb"] = {"code_prompt_show": SHOW_SOLUTION,
                                          "code_prompt_hide": HIDE_SOLUTION}
        elif cell["cell_type"] == "markdown":
            src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            cell["source"] = MARKDOWN_SOLUTION_OPEN + src.strip("\n") + MARKDOWN_SOLUTION_CLOSE
    return nb


def page_notebook(executed: Path) -> str:
    """The executed notebook as the site shows it: the Colab badge drawn locally; progress-bar
    widgets shown as their final text (embedding live widgets would load a widget manager from a
    CDN); the worked solutions collapsed (``collapse_solutions``)."""
    nb = collapse_solutions(json.loads(executed.read_text()))
    state = (nb.get("metadata", {}).pop("widgets", {})
             .get("application/vnd.jupyter.widget-state+json", {}).get("state", {}))
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            cell["source"] = src.replace(COLAB_BADGE_URL, "colab-badge.svg")
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW in data:
                text = widget_text(data.pop(WIDGET_VIEW).get("model_id", ""), state)
                if text:
                    data["text/plain"] = text
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def readme_parts() -> tuple[str, str]:
    """README's introduction (first paragraph) and its lesson table, links made local."""
    text = (REPO / "README.md").read_text()
    lines = text.splitlines()
    intro = []
    for line in lines[1:]:
        if line.startswith("|") or line.startswith("#"):
            break
        intro.append(line)
    table = [line for line in lines if line.startswith("|")]
    table = table[:next(i for i, line in enumerate(table[2:], 2)
                        if not re.match(r"\|\s*\d\d\s*\|", line))]
    table = "\n".join(table)
    table = re.sub(r"\]\(notebooks/(\d\d_\w+)\.ipynb\)", r"](\1.ipynb)", table)
    table = table.replace(f"[![Open In Colab]({COLAB_BADGE_URL})]",
                          "[![Open In Colab](colab-badge.svg)]")
    return "\n".join(intro).strip(), table


def fmt(value) -> str:
    return f"{value:.4g}" if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else str(value)


def scoreboard_html(records: list[dict], titles: dict[str, str]) -> str:
    head = ("lesson", "mode", "wall time", "quality bars", "claims held", "headline metrics",
            "library versions", "date")
    rows = []
    for r in records:
        link = f'<a href="{r["notebook"]}.html">{html.escape(titles.get(r["notebook"], r["notebook"]))}</a>'
        if r["mode"] is None:
            cells = [link, "–", "–", "–", "–", "no results yet", "–", "–"]
        else:
            missed = [b for b, ok in r["bars"] if not ok]
            bars = (f'<span class="dlb-missed">missed: {html.escape("; ".join(missed))}</span>'
                    if missed else f'<span class="dlb-held">{len(r["bars"])}/{len(r["bars"])}</span>')
            wrong = [c for c, held in r["claims"].items() if not held]
            n = len(r["claims"])
            claims = f"{n - len(wrong)}/{n}" + "".join(
                f'<br><span class="dlb-missed">✗ {html.escape(c)}</span>' for c in wrong)
            metrics = "<br>".join(f"{html.escape(k)} = {fmt(v)}" for k, v in r["headline"].items())
            versions = ", ".join(f"{k} {html.escape(str(r['versions'][k]))}"
                                 for k in ("python", "tensorflow", "keras") if k in r["versions"])
            cells = [link, r["mode"], f'{r["seconds"]:.0f} s', bars, claims, metrics, versions,
                     r["date"]]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return ('<table class="table dlb-scoreboard">\n<thead><tr>'
            + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead>\n<tbody>\n"
            + "\n".join(rows) + "\n</tbody>\n</table>")


def title_of(executed: Path) -> str:
    for cell in json.loads(executed.read_text())["cells"]:
        if cell["cell_type"] == "markdown":
            src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            m = re.search(r"^#\s+(.+)$", src, re.M)
            if m:
                return m.group(1).strip()
    return executed.stem


def home_page(found: dict[str, Path], smoke: bool) -> str:
    intro, table = readme_parts()
    titles = {stem: title_of(path) for stem, path in found.items()}
    records = scoreboard_records(sorted(found))
    modes = {r["mode"] for r in records if r["mode"]}
    toc = "\n".join(f"{stem}" for stem in sorted(found))
    return f"""# Deep Learning Basics

{intro}

Every lesson page below is the notebook **as executed** ({'smoke mode: the quick pass' if smoke
else 'full mode'}), with all its outputs: figures, tables, animations and the numbers it
measured. Open a lesson in Colab with its badge, or run it yourself with `make lab`.

## The lessons

{table}

## Scoreboard of the latest results

What each lesson measured in its last run{f' ({", ".join(sorted(modes))} mode)' if modes else ''}:
its quality bars, the claims of its prose that held, its headline metrics and wall time.

```{{raw}} html
{scoreboard_html(records, titles)}
```

```{{toctree}}
:hidden:
:maxdepth: 1
:caption: Lessons

{toc}
```
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="the quick-pass site")
    parser.add_argument("--no-run", action="store_true",
                        help="never execute a notebook: fail if an executed copy is missing")
    parser.add_argument("--sphinx-python", default=str(REPO / ".venv-site" / "bin" / "python"),
                        help="the Python of the site environment (requirements-site.txt)")
    parser.add_argument("--out", default=str(OUT), help="the site folder (build/site)")
    args = parser.parse_args(argv)
    started = time.time()

    found = find_executed(args.smoke, run=not args.no_run)
    SRC.mkdir(parents=True, exist_ok=True)
    for stale in SRC.glob("*.ipynb"):
        if stale.stem not in found:
            stale.unlink()
    for stem, path in found.items():
        write_if_changed(SRC / f"{stem}.ipynb", page_notebook(path))
        print(f"  {stem}: {path.relative_to(REPO)}")
    write_if_changed(SRC / "colab-badge.svg", COLAB_BADGE)
    write_if_changed(SRC / "index.md", home_page(found, args.smoke))

    out = Path(args.out)
    cmd = [args.sphinx_python, "-m", "sphinx", "-b", "html", "-q", "-j", "1",
           "-c", str(REPO / "book"), "-d", str(BUILD / "site-doctrees"), str(SRC), str(out)]
    env = {**os.environ, "PYTHONWARNINGS": "ignore::DeprecationWarning"}
    code = subprocess.call(cmd, cwd=REPO, env=env)
    if code:
        return code
    print(f"site built in {time.time() - started:.0f} s: {out}/index.html")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
