"""Run the course notebooks headlessly and print a scoreboard of their results.

    python -m utils run [--smoke] [NAME ...]   # execute with papermill
    python -m utils scoreboard                  # print the results table

Executed copies go to ``build/executed/``; each notebook writes its own results JSON.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from .data import REPO_ROOT
from .runtime import results_dir

NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
EXECUTED_DIR = REPO_ROOT / "build" / "executed"


def notebook_paths(names=()) -> list[Path]:
    """The course notebooks (``NN_name.ipynb``), or those whose name starts with one of
    ``names`` (``01`` or ``01_feedforward_regression``)."""
    paths = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
    if names:
        chosen = [p for p in paths if any(p.stem.startswith(n) for n in names)]
        unknown = [n for n in names if not any(p.stem.startswith(n) for p in paths)]
        if unknown:
            raise SystemExit(f"no notebook matches {unknown}; "
                             f"known: {', '.join(p.stem for p in paths)}")
        paths = chosen
    return paths


def execute(path: Path, smoke: bool, output_dir: Path = EXECUTED_DIR, **parameters) -> Path:
    """Execute one notebook with papermill (cwd = notebooks/) and return the executed copy."""
    import papermill as pm

    output_dir.mkdir(parents=True, exist_ok=True)
    out = output_dir / path.name
    pm.execute_notebook(str(path), str(out), parameters={"SMOKE": bool(smoke), **parameters},
                        cwd=str(path.parent), kernel_name="python3", progress_bar=False)
    return out


def scoreboard(stems=None, max_metrics: int = 4) -> str:
    """One row per notebook with a results JSON: mode, wall time, headline metrics
    (the first ``max_metrics`` the notebook wrote)."""
    stems = stems or [p.stem for p in notebook_paths()]
    rows = [("notebook", "mode", "seconds", "headline metrics")]
    for stem in stems:
        path = results_dir() / f"{stem}.json"
        if not path.is_file():
            rows.append((stem, "-", "-", "no results yet"))
            continue
        r = json.loads(path.read_text())
        head = list(r["metrics"].items())[:max_metrics]
        text = ", ".join(f"{k}={v:.4g}" if isinstance(v, (int, float)) else f"{k}={v}"
                         for k, v in head)
        rows.append((stem, r["mode"], f"{r['seconds']:.0f}", text))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row[:3], widths)) + "  " + row[3]
             for row in rows]
    lines.insert(1, "-" * max(len(line) for line in lines))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="execute notebooks, then print the scoreboard")
    run.add_argument("--smoke", action="store_true", help="quick pass (SMOKE=True)")
    run.add_argument("names", nargs="*", help="notebook prefixes, e.g. 01 03")
    sub.add_parser("scoreboard", help="print the results table")
    args = parser.parse_args(argv)
    if args.command == "run":
        failed = []
        paths = notebook_paths(args.names)
        for path in paths:
            start = time.time()
            print(f"== {path.stem} ({'smoke' if args.smoke else 'full'})", flush=True)
            try:
                execute(path, args.smoke)
            except Exception as exc:  # keep going: one broken notebook should not hide others
                failed.append(path.stem)
                print(f"   FAILED: {type(exc).__name__}: {str(exc)[:2000]}", flush=True)
            print(f"   {time.time() - start:.0f} s", flush=True)
        print(scoreboard([p.stem for p in paths]))
        if failed:
            print(f"failed: {', '.join(failed)}")
            return 1
        return 0
    print(scoreboard())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
