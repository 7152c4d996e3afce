"""Smoke run of lesson 04 (encoder-decoder segmentation on CamVid)."""
import math

import pytest

import utils

STEM = "04_encoder_decoder_segmentation"
METRICS = (["test_pixel_accuracy", "test_miou", "test_miou_smoothed"]
           + [f"iou_{c}" for c in utils.CAMVID_CLASSES]
           + ["pretrained", "train_images", "majority_pixel_accuracy"])


@pytest.mark.notebook
def test_nb_04_smoke(run_smoke, smoke_results_dir):
    r = run_smoke(STEM)
    m = r["metrics"]
    assert list(m) == METRICS  # exactly the metrics, headline first
    for name in ("test_pixel_accuracy", "test_miou", "test_miou_smoothed",
                 "majority_pixel_accuracy"):
        assert m[name] is not None and math.isfinite(m[name]) and 0 <= m[name] <= 1, name
    for c in utils.CAMVID_CLASSES:  # a class absent from a small test subset may be null
        assert m[f"iou_{c}"] is None or 0 <= m[f"iou_{c}"] <= 1
    assert m["pretrained"] == 0  # tests run offline: no ImageNet download is even tried
    assert m["train_images"] > 0
    # the smoke bar: better than always answering the most frequent class
    assert m["test_pixel_accuracy"] > m["majority_pixel_accuracy"]
    video = smoke_results_dir / f"{STEM}_video.mp4"
    assert video.is_file() and video.stat().st_size > 1000
