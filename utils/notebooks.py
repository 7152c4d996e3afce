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


#: The quality bars each lesson promises, per mode: expressions over its metrics (and
#: ``seconds``, the wall time).  ``make run`` checks them after a run; time budgets hold on
#: an otherwise idle two-core CPU.
QUALITY_BARS: dict[str, dict[str, tuple[str, ...]]] = {
    "01_feedforward_regression": {
        "full": ("test_mae <= 2.7", "test_rmse <= 4.3", "test_rmse < linear_test_rmse"),
        "smoke": ("test_rmse < linear_test_rmse",)},
    "02_convolutional_mnist": {
        "full": ("test_accuracy >= 0.992",),
        "smoke": ("test_accuracy >= 0.93", "dream_frames >= 30")},
    "03_recurrent_text_generation": {
        "full": ("val_loss <= 1.60", "val_loss < ngram_val_loss", "seconds <= 1500"),
        "smoke": ("val_loss <= 2.6", "sample_chars >= 200")},
    "04_encoder_decoder_segmentation": {
        "full": ("test_miou >= (0.55 if pretrained and train_images >= 367 else 0.35)",
                 "seconds <= 1500"),
        "smoke": ("test_pixel_accuracy > majority_pixel_accuracy",)},
    "05_autoencoders": {
        "full": ("psnr_gain >= 8", "knn_acc_codes >= 0.95", "code_dim <= 32",
                 "seconds <= 1125"),
        "smoke": ("psnr_gain >= 3", "knn_acc_codes >= 0.6")},
    "06_gans": {
        "full": ("cgan_label_accuracy >= 0.90", "class_entropy_dcgan >= 2.1",
                 "fid_dcgan <= fid_untrained / 10", "seconds <= 1500"),
        "smoke": ("fid_dcgan < fid_untrained",)},
    "07_deep_rl_deeptraffic": {
        "full": ("score_dqn_mph >= 68", "score_runs >= 200", "seconds <= 1500"),
        "smoke": ("abs(score_noop_mph - 51.6) <= 3",)},
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


def scoreboard(stems=None, max_metrics: int = 4) -> str:
    """One row per notebook with a results JSON: mode, wall time, quality bars, claims held
    and headline metrics (the first ``max_metrics`` the notebook wrote); below the table,
    every claim that did not hold."""
    stems = stems or [p.stem for p in notebook_paths()]
    rows = [("notebook", "mode", "seconds", "bars", "claims", "headline metrics")]
    broken = []
    for stem in stems:
        path = results_dir() / f"{stem}.json"
        if not path.is_file():
            rows.append((stem, "-", "-", "-", "-", "no results yet"))
            continue
        r = json.loads(path.read_text())
        head = list(r["metrics"].items())[:max_metrics]
        text = ", ".join(f"{k}={v:.4g}" if isinstance(v, (int, float)) else f"{k}={v}"
                         for k, v in head)
        bars = check_bars(r)
        failed = [bar for bar, ok in bars if not ok]
        verdict = f"FAILED {'; '.join(failed)}" if failed else f"ok {len(bars)}/{len(bars)}"
        claims = r.get("claims", {})
        wrong = false_claims(r)
        broken += [f"  {stem}: ✗ {claim}" for claim in wrong]
        rows.append((stem, r["mode"], f"{r['seconds']:.0f}", verdict,
                     f"{len(claims) - len(wrong)}/{len(claims)}", text))
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
    failed = []
    for stem in stems:
        path = results_dir() / f"{stem}.json"
        if not path.is_file():
            continue
        result = json.loads(path.read_text())
        if (not all(ok for _, ok in check_bars(result))
                or (result["mode"] == "full" and false_claims(result))):
            failed.append(stem)
    return failed


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
