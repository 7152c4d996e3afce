"""Every lesson executed in smoke mode, driven by one table.

``run_smoke`` (tests/conftest.py) executes each notebook once per session with papermill and
asserts what all lessons share: the smoke bars of ``utils.notebooks.QUALITY_BARS`` (the single
source of truth for bars, each against a baseline computed in the same run), at least four
claims, and no stderr.  The table adds, per lesson, what only that lesson promises: its
metric names in order (headline first), the files it writes, checks beyond its bars (each
failed by an untrained model, or pinning a deterministic baseline), and claims that hold even
in smoke mode.
"""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from dataclasses import dataclass

import pytest

from tests.helpers import NOTEBOOKS, NOTEBOOKS_DIR, load, source
from utils import CAMVID_CLASSES


@dataclass(frozen=True)
class Lesson:
    metrics: tuple[str, ...]
    artefacts: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()
    held: tuple[str, ...] = ()


LESSONS = {
    "01_feedforward_regression": Lesson(
        metrics=("test_rmse", "test_mae", "linear_test_rmse", "linear_test_mae",
                 "mean_test_rmse", "kfold_rmse_mean", "kfold_rmse_std", "no_b_test_rmse",
                 "no_b_linear_rmse", "epochs_chosen", "early_stopping_epochs"),
        checks=(  # the baselines are deterministic: they pin the data split and preprocessing
                "abs(linear_test_rmse - 4.816) < 0.01", "abs(mean_test_rmse - 9.149) < 0.01",
                # an untrained (or constant) network fails each of these
                "test_mae < linear_test_mae", "no_b_test_rmse < mean_test_rmse",
                "kfold_rmse_mean < mean_test_rmse", "0 < kfold_rmse_std < kfold_rmse_mean")),
    "02_convolutional_mnist": Lesson(
        metrics=("test_accuracy", "test_loss", "params", "dream_frames", "dream_mean_top_prob",
                 "dream_mean_entropy", "dense_test_accuracy"),
        artefacts=("_dream.mp4",),
        checks=("isinstance(params, int) and isinstance(dream_frames, int)",
                "dense_test_accuracy >= 0.8",  # the baseline was trained too
                "test_loss < 0.5",  # an untrained network: about ln 10 = 2.30
                # decisive on the dream frames; an untrained network is near uniform
                "dream_mean_top_prob >= 0.5", "dream_mean_entropy <= 0.5 * math.log2(10)")),
    "03_recurrent_text_generation": Lesson(
        metrics=("val_loss", "val_bits_per_char", "val_perplexity", "unigram_val_loss",
                 "ngram_val_loss", "val_loss_simplernn", "val_loss_gru", "val_loss_lstm",
                 "sample_chars"),
        checks=(  # the count baselines are deterministic on TFDS's train/validation split
                "abs(unigram_val_loss - 3.3327) < 1e-3", "abs(ngram_val_loss - 1.5701) < 1e-3",
                "val_loss < unigram_val_loss - 0.5",  # learned context beyond frequencies
                "abs(val_bits_per_char - val_loss / math.log(2)) < 1e-6 * val_bits_per_char",
                "abs(val_perplexity - math.exp(val_loss)) < 1e-6 * val_perplexity",
                "max(val_loss_simplernn, val_loss_gru, val_loss_lstm) < unigram_val_loss")),
    "04_encoder_decoder_segmentation": Lesson(
        metrics=("test_pixel_accuracy", "test_miou", "test_miou_smoothed",
                 *[f"iou_{c}" for c in CAMVID_CLASSES], "pretrained", "train_images",
                 "best_constant_pixel_accuracy", "untrained_pixel_accuracy"),
        artefacts=("_video.mp4",),
        checks=("pretrained == 0",  # tests run offline: no ImageNet download is even tried
                "train_images > 0",
                "test_pixel_accuracy > untrained_pixel_accuracy",  # the same net, untrained
                # mIoU is the mean of the IoUs that exist, and more than one class was learnt
                # (a network answering one class has a single non-zero IoU)
                "abs(test_miou - mean(present(ious))) < 1e-9",
                "sum(v > 0.05 for v in present(ious)) >= 3"),
        held=("The masked loss ignores void pixels",
              "The metrics reproduce the hand-worked example, void pixels left out",
              "Our confusion-matrix mIoU agrees with Keras' MeanIoU",
              "The learning rate ends at zero on the last step")),
    "05_autoencoders": Lesson(
        metrics=("psnr_gain", "knn_acc_codes", "knn_acc_random_projection", "vae_elbo",
                 "recon_mse", "mean_image_mse", "noisy_psnr", "denoised_psnr",
                 "knn_acc_pixels", "knn_acc_pca", "code_dim"),
        checks=("recon_mse < mean_image_mse", "denoised_psnr > noisy_psnr",
                "abs(psnr_gain - (denoised_psnr - noisy_psnr)) < 1e-6",
                "vae_elbo < 784 * math.log(2)"),  # better than a fair coin per pixel
        held=("noisy images stay in [0, 1]", "PSNR is infinite for identical images")),
    "06_gans": Lesson(
        metrics=("cgan_label_accuracy", "fid_dcgan", "fid_cgan", "fid_untrained",
                 "class_entropy_dcgan", "epochs", "cgan_epochs", "classifier_test_accuracy"),
        artefacts=("_dcgan_progress.mp4", "_latent_walk.mp4", "_digit_morph.mp4",
                   "_cgan_grid.png"),
        checks=("epochs >= 1", "cgan_epochs >= 1",  # TRAIN is on by default
                "classifier_test_accuracy > 0.8",  # the judge must read real digits
                # an untrained or broken training step leaves the distances equal
                "fid_cgan < fid_untrained",
                # the DCGAN's samples are read as several digits; an untrained generator's
                # blobs all look alike and are read as one (entropy 0)
                "class_entropy_dcgan > 1.0")),
    "07_deep_rl_deeptraffic": Lesson(
        metrics=("score_dqn_mph", "score_noop_mph", "score_random_mph", "score_rule_mph",
                 "score_runs", "train_decisions", "env_frames_per_second", "score_multi_mph",
                 "other_agents", "score_multi_solo_mph", "score_multi_rule_mph", "crowd_seconds"),
        artefacts=("_agent.mp4",),
        checks=("score_random_mph > score_noop_mph",  # as in the original (60.3 vs 51.6)
                "score_rule_mph > score_random_mph",
                "isinstance(score_runs, int) and score_runs >= 20",
                "isinstance(train_decisions, int) and train_decisions > 0",
                "env_frames_per_second > 1000",
                "isinstance(other_agents, int) and other_agents >= 1",
                # every copy replaces a slow random car: the rule gains (75.9 vs 67.4 in full)
                "score_multi_rule_mph > score_rule_mph",
                "crowd_seconds > 0"),
        held=("Random driving beats doing nothing, as in the original game",
              "The lane-change rule beats random driving")),
}


def test_the_table_covers_every_lesson():
    assert sorted(LESSONS) == [p.stem for p in NOTEBOOKS]


def evaluate(check: str, metrics: dict) -> bool:
    """A check over the metrics; ``ious`` lists lesson 04's per-class IoUs (None where a
    class is absent), ``present`` drops the Nones."""
    names = {**metrics, "ious": [v for k, v in metrics.items() if k.startswith("iou_")]}
    helpers = {"abs": abs, "max": max, "min": min, "sum": sum, "isinstance": isinstance,
               "int": int, "math": math, "mean": lambda xs: sum(xs) / len(xs),
               "present": lambda xs: [x for x in xs if x is not None]}
    return bool(eval(check, {"__builtins__": helpers}, names))


def test_checks_are_evaluated_over_the_metrics():
    assert evaluate("a < b and isinstance(n, int)", {"a": 1.0, "b": 2.0, "n": 3})
    assert not evaluate("abs(a - 2.3) < 0.01", {"a": 2.4})
    assert evaluate("mean(present(ious)) == 0.5", {"iou_a": 0.25, "iou_b": None, "iou_c": 0.75})


@pytest.mark.notebook
@pytest.mark.parametrize("stem", sorted(LESSONS))
def test_lesson_smoke_run_keeps_its_promises(run_smoke, smoke_results_dir, stem):
    lesson = LESSONS[stem]
    result = run_smoke(stem)
    m = result["metrics"]
    assert tuple(m) == lesson.metrics, "exactly the lesson's metrics, headline first"
    for name, value in m.items():  # a class absent from a small test subset may be null
        assert value is not None and math.isfinite(value) or name.startswith("iou_"), name
    failed = [check for check in lesson.checks if not evaluate(check, m)]
    assert not failed, f"{stem}: {failed} (metrics: {m})"
    for part in lesson.held:
        found = [ok for claim, ok in result["claims"].items() if part in claim]
        assert found == [True], f"{stem}: claim {part!r} found as {found}"
    for suffix in lesson.artefacts:
        path = smoke_results_dir / f"{stem}{suffix}"
        assert path.is_file() and path.stat().st_size > 10_000, path


@pytest.mark.notebook
@pytest.mark.nbval
def test_lesson_01_runs_cell_by_cell_and_repeats_its_numbers(run_smoke, tmp_path):
    """nbval runs lesson 01 the way a student's Run All does: no papermill, ``SMOKE`` from
    ``DLB_SMOKE`` (the parameters cell's own default, which papermill's injected value
    hides), the first failing cell reported by its number.  Same seed, same machine: its
    metrics must equal those of the papermill run (TensorFlow's op determinism is on)."""
    stem = "01_feedforward_regression"
    expected = run_smoke(stem)["metrics"]
    env = {**os.environ, "DLB_SMOKE": "1", "DLB_RESULTS_DIR": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
         "--nbval-current-env", "--nbval-cell-timeout=900", "-c", os.devnull,
         str(NOTEBOOKS_DIR / f"{stem}.ipynb")],
        cwd=NOTEBOOKS_DIR, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]
    again = json.loads((tmp_path / f"{stem}.json").read_text())
    assert again["mode"] == "smoke"
    assert again["metrics"] == expected, "the same seed gave different numbers"


def _uses_strategy(path) -> bool:
    return any("utils.get_strategy()" in source(c) for c in load(path)["cells"]
               if c["cell_type"] == "code")


@pytest.mark.notebook
@pytest.mark.parametrize("stem", [p.stem for p in NOTEBOOKS if _uses_strategy(p)])
def test_lesson_trains_unchanged_on_two_devices(tmp_path, monkeypatch, stem):
    """``DLB_DEVICES=2`` splits the CPU into two logical devices, so ``get_strategy()`` is a
    MirroredStrategy with two replicas: the lesson's training code runs unchanged and still
    clears its smoke bars."""
    from utils.notebooks import check_bars, execute

    monkeypatch.setenv("DLB_DEVICES", "2")
    monkeypatch.setenv("DLB_RESULTS_DIR", str(tmp_path))
    execute(NOTEBOOKS_DIR / f"{stem}.ipynb", smoke=True, output_dir=tmp_path)
    result = json.loads((tmp_path / f"{stem}.json").read_text())
    assert result["replicas"] == 2
    missed = [bar for bar, ok in check_bars(result) if not ok]
    assert not missed, f"{stem} on two devices missed {missed}: {result['metrics']}"
