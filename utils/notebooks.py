"""Run the course notebooks headlessly and print a scoreboard of their results.

    python -m utils run [--smoke] [NAME ...]   # execute with papermill
    python -m utils run --seed 43 NAME          # another seed: results in build/results/seed-43/
    python -m utils scoreboard                  # print the results table

Executed copies go to ``build/executed/``; each notebook writes its own results JSON.
"""
from __future__ import annotations

import argparse
import json
import os
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


def execute(path: Path, smoke: bool, output_dir: Path | None = None, progress: bool = False,
            **parameters) -> Path:
    """Execute one notebook with papermill (cwd = its folder) and return the executed copy
    (in ``output_dir``, default ``build/executed/``).  ``progress`` shows papermill's
    progress bar over the notebook's cells."""
    import papermill as pm

    output_dir = Path(output_dir or EXECUTED_DIR)
    output_dir.mkdir(parents=True, exist_ok=True)
    out = output_dir / path.name
    pm.execute_notebook(str(path), str(out), parameters={"SMOKE": bool(smoke), **parameters},
                        cwd=str(path.parent), kernel_name="python3", progress_bar=progress,
                        # the kernel's own start-up notices (e.g. "running over TCP without
                        # encryption" on a local run) tell a student nothing: errors only
                        extra_arguments=["--IPKernelApp.log_level=ERROR"])
    return out


def describe_failure(exc: Exception, head: int = 6) -> str:
    """What a student needs to find a failure: the cell, the first lines of its source and
    the error (papermill's own error carries all three)."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        lines = exc.source.splitlines()
        shown = "\n".join(f"      | {line}" for line in lines[:head])
        more = f"\n      | ... ({len(lines) - head} more lines)" if len(lines) > head else ""
        return (f"cell {exc.exec_count or exc.cell_index}:\n{shown}{more}\n"
                f"   {exc.ename}: {exc.evalue}")
    return f"{type(exc).__name__}: {str(exc)[:2000]}"


def verdict_line(stem: str, started: float) -> str:
    """One line after a notebook ran: its time, its bars and its claims."""
    seconds = time.time() - started
    r = scoreboard_records([stem])[0]
    if r["mode"] is None or r["written"] < started:
        return f"   {seconds:.0f} s | no results written by this run"
    missed, wrong, bars, claims = _counts(r)
    return (f"   {seconds:.0f} s | bars {bars}"
            + (f" (missed: {'; '.join(missed)})" if missed else "")
            + f" | claims {claims}"
            + (f" (not held: {'; '.join(wrong)})" if wrong else ""))


#: The quality bars each lesson promises, per mode: expressions over its metrics (and
#: ``seconds``, the wall time).  ``make run`` checks them after a run; time budgets hold on
#: an otherwise idle two-core CPU.  Other seeds: ``make run NB=02 SEED=43``.
QUALITY_BARS: dict[str, dict[str, tuple[str, ...]]] = {
    "01_feedforward_regression": {
        "full": ("test_mae <= 2.7", "test_rmse <= 4.3", "test_rmse < linear_test_rmse"),
        "smoke": ("test_rmse < linear_test_rmse",)},
    "02_convolutional_mnist": {
        "full": ("test_accuracy >= 0.994", "test_accuracy > dense_test_accuracy",
                 "seconds <= 600"),
        "smoke": ("test_accuracy >= 0.9", "test_accuracy > dense_test_accuracy",
                  "dream_frames >= 30")},
    "03_recurrent_text_generation": {
        "full": ("val_loss <= 1.50", "val_loss < ngram_val_loss", "seconds <= 900"),
        "smoke": ("val_loss < unigram_val_loss",)},
    "04_encoder_decoder_segmentation": {
        "full": ("test_miou >= 0.35",
                 "test_pixel_accuracy > best_constant_pixel_accuracy", "seconds <= 1500"),
        "smoke": ("test_pixel_accuracy > best_constant_pixel_accuracy", "test_miou > 1 / 11")},
    "05_autoencoders": {
        "full": ("psnr_gain >= 10", "knn_acc_codes >= 0.975",
                 "knn_acc_codes > knn_acc_random_projection", "vae_elbo < 543",
                 "code_dim <= 32", "seconds <= 600"),
        "smoke": ("psnr_gain >= 3", "knn_acc_codes > knn_acc_random_projection",
                  "vae_elbo < 543")},
    "06_gans": {
        "full": ("classifier_test_accuracy >= 0.99", "cgan_label_accuracy >= 0.95",
                 "class_entropy_dcgan >= 2.2", "fid_dcgan <= fid_untrained / 20",
                 "seconds <= 600"),
        "smoke": ("fid_dcgan < fid_untrained", "cgan_label_accuracy >= 0.15")},
    "07_deep_rl_deeptraffic": {
        # the crowd section ("Ten cars, one network") has a 600 s budget of its own
        "full": ("score_dqn_mph >= 72", "score_runs >= 200",
                 "score_multi_mph > score_multi_solo_mph",
                 "seconds - crowd_seconds <= 600", "crowd_seconds <= 600"),
        "smoke": ("abs(score_noop_mph - 51.6) <= 3", "score_dqn_mph > score_random_mph")},
}


def check_bars(result: dict) -> list[tuple[str, bool]]:
    """Evaluate the quality bars of a results record: ``[(bar, passed), ...]``.
    A bar naming a metric the notebook did not write counts as failed."""
    names = {**result["metrics"], "seconds": result["seconds"]}
    outcome = []
    for bar in QUALITY_BARS.get(result["notebook"], {}).get(result["mode"], ()):
        try:
            passed = bool(eval(bar, {"__builtins__": {"abs": abs}}, names))  # our own strings
        except (NameError, TypeError):  # metric missing or null
            passed = False
        outcome.append((bar, passed))
    return outcome


def false_claims(result: dict) -> list[str]:
    """The claims a results record says did not hold in that run."""
    return [claim for claim, held in result.get("claims", {}).items() if not held]


def scoreboard_records(stems=None, max_metrics: int = 4) -> list[dict]:
    """The scoreboard as data (``make run``, the scoreboard, the website's home page): one
    dict per notebook with ``notebook``, ``mode``, ``seconds``, ``bars`` [(bar, passed)],
    ``claims`` {claim: held}, ``headline`` (the first ``max_metrics`` metrics), ``versions``
    and ``date`` (when the results JSON was written, UTC ISO); ``mode`` is None for a
    notebook without results."""
    from datetime import datetime, timezone

    records = []
    for stem in stems or [p.stem for p in notebook_paths()]:
        path = results_dir() / f"{stem}.json"
        if not path.is_file():
            records.append({"notebook": stem, "mode": None})
            continue
        r = json.loads(path.read_text())
        records.append({
            "notebook": stem, "mode": r["mode"], "seconds": r["seconds"],
            "bars": check_bars(r), "claims": dict(r.get("claims", {})),
            "headline": dict(list(r["metrics"].items())[:max_metrics]),
            "versions": dict(r.get("versions", {})), "written": path.stat().st_mtime,
            "date": datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
                            .strftime("%Y-%m-%d %H:%M UTC")})
    return records


def _counts(record: dict) -> tuple[list[str], list[str], str, str]:
    """Missed bars, claims that did not hold, and "passed/total" for both."""
    missed = [bar for bar, ok in record["bars"] if not ok]
    wrong = false_claims(record)
    n_bars, n_claims = len(record["bars"]), len(record["claims"])
    return (missed, wrong, f"{n_bars - len(missed)}/{n_bars}",
            f"{n_claims - len(wrong)}/{n_claims}")


def scoreboard(stems=None, max_metrics: int = 4) -> str:
    """One row per notebook with a results JSON: mode, wall time, quality bars, claims held
    and headline metrics (the first ``max_metrics`` the notebook wrote); below the table,
    every claim that did not hold."""
    rows = [("notebook", "mode", "seconds", "bars", "claims", "headline metrics")]
    broken = []
    for r in scoreboard_records(stems, max_metrics):
        if r["mode"] is None:
            rows.append((r["notebook"], "-", "-", "-", "-", "no results yet"))
            continue
        text = ", ".join(f"{k}={v:.4g}" if isinstance(v, (int, float)) else f"{k}={v}"
                         for k, v in r["headline"].items())
        missed, wrong, bars, claims = _counts(r)
        broken += [f"  {r['notebook']}: ✗ {claim}" for claim in wrong]
        verdict = f"FAILED {'; '.join(missed)}" if missed else f"ok {bars}"
        rows.append((r["notebook"], r["mode"], f"{r['seconds']:.0f}", verdict, claims, text))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row[:5], widths)) + "  " + row[5]
             for row in rows]
    lines.insert(1, "-" * max(len(line) for line in lines))
    if broken:
        lines += ["claims that did not hold:", *broken]
    return "\n".join(lines)


def bars_failed(stems) -> list[str]:
    """Notebooks among ``stems`` whose latest results miss one of their bars or, in full
    mode, make a claim that did not hold (smoke runs record claims without enforcing them)."""
    return [r["notebook"] for r in scoreboard_records(stems) if r["mode"] is not None
            and (not all(ok for _, ok in r["bars"])
                 or (r["mode"] == "full" and false_claims(r)))]


def use_seed_folders(seed: int) -> Path:
    """Send this process's results to a ``seed-<seed>`` folder (``$DLB_RESULTS_DIR`` is
    inherited by the notebooks' kernels), so a run with another seed keeps the default run's
    results; returns the matching folder for the executed copies."""
    os.environ["DLB_RESULTS_DIR"] = str(results_dir() / f"seed-{seed}")
    return EXECUTED_DIR / f"seed-{seed}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="execute notebooks, then print the scoreboard")
    run.add_argument("--smoke", action="store_true", help="quick pass (SMOKE=True)")
    run.add_argument("--seed", type=int, default=None,
                     help="run with this SEED; results and executed copies go to a "
                          "seed-N folder beside the default ones")
    run.add_argument("names", nargs="*", help="notebook prefixes, e.g. 01 03")
    board = sub.add_parser("scoreboard", help="print the results table")
    board.add_argument("--seed", type=int, default=None, help="the results of that seed")
    args = parser.parse_args(argv)
    executed_dir, parameters = EXECUTED_DIR, {}
    if args.seed is not None:
        executed_dir, parameters = use_seed_folders(args.seed), {"SEED": args.seed}
    if args.command == "run":
        failed = []
        paths = notebook_paths(args.names)
        for path in paths:
            start = time.time()
            print(f"== {path.stem} ({'smoke' if args.smoke else 'full'})", flush=True)
            try:
                execute(path, args.smoke, executed_dir, progress=True, **parameters)
            except Exception as exc:  # keep going: one broken notebook should not hide others
                failed.append(path.stem)
                print(f"   FAILED in {describe_failure(exc)}", flush=True)
            print(verdict_line(path.stem, start), flush=True)
        print(scoreboard([p.stem for p in paths]))
        print(f"executed notebooks: {executed_dir}/")
        missed = bars_failed([p.stem for p in paths if p.stem not in failed])
        if failed or missed:
            print(f"failed to run: {', '.join(failed) or 'none'}; "
                  f"missed a quality bar or a claim: {', '.join(missed) or 'none'}")
            return 1
        return 0
    print(scoreboard())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
