"""Smoke run of lesson 04 (encoder-decoder segmentation on CamVid)."""
import math

import pytest

import utils

STEM = "04_encoder_decoder_segmentation"
METRICS = (["test_pixel_accuracy", "test_miou", "test_miou_smoothed"]
           + [f"iou_{c}" for c in utils.CAMVID_CLASSES]
           + ["pretrained", "train_images", "best_constant_pixel_accuracy",
              "untrained_pixel_accuracy"])


@pytest.mark.notebook
def test_nb_04_smoke(run_smoke, smoke_results_dir):
    r = run_smoke(STEM)
    m = r["metrics"]
    assert list(m) == METRICS  # exactly the metrics, headline first
    assert m["pretrained"] == 0  # tests run offline: no ImageNet download is even tried
    assert m["train_images"] > 0
    # the network beats both in-run baselines: the best constant answer on the evaluated
    # frames (their largest class share) and the same network before training
    assert m["test_pixel_accuracy"] > m["best_constant_pixel_accuracy"]
    assert m["test_pixel_accuracy"] > m["untrained_pixel_accuracy"]
    # mean IoU above what 11 classes give a constant or random answer
    assert m["test_miou"] > 1 / len(utils.CAMVID_CLASSES)
    assert m["test_miou_smoothed"] is not None and math.isfinite(m["test_miou_smoothed"])
    # the notebook's own metrics: mIoU is the mean of the per-class IoUs that exist, and it
    # learnt more than one class (a network answering one class has a single non-zero IoU)
    ious = [m[f"iou_{c}"] for c in utils.CAMVID_CLASSES if m[f"iou_{c}"] is not None]
    assert m["test_miou"] == pytest.approx(sum(ious) / len(ious))
    assert sum(v > 0.05 for v in ious) >= 3
    # the loss ignores void pixels and the metrics match the hand-worked example and Keras
    for claim in ("The masked loss ignores void pixels (equal to the loss of the labelled rows "
                  "alone)", "The metrics reproduce the hand-worked example, void pixels left out",
                  "Our confusion-matrix mIoU agrees with Keras' MeanIoU",
                  "The learning rate ends at zero on the last step"):
        assert r["claims"][claim], claim
    video = smoke_results_dir / f"{STEM}_video.mp4"
    assert video.is_file() and video.stat().st_size > 1000
