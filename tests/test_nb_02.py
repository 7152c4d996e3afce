"""Lesson 02 in smoke mode: the results JSON and the saved animation.

The checks below are ones an untrained network fails (run the notebook with
``TRAIN=False`` to see them fail): its test accuracy sits at chance level (about 0.1), its
test loss near ln 10 = 2.30, and on the dream frames its probabilities stay close to uniform
(top probability near 0.1, entropy near log2(10) = 3.32 bits)."""
import math

import pytest

NOTEBOOK = "02_convolutional_mnist"
METRICS = ("test_accuracy", "test_loss", "params", "dream_frames", "dream_mean_top_prob",
           "dream_mean_entropy", "dense_test_accuracy")


@pytest.mark.notebook
def test_02_convolutional_mnist_smoke(run_smoke, smoke_results_dir):
    result = run_smoke(NOTEBOOK)
    m = result["metrics"]
    assert tuple(m) == METRICS  # the metrics, headline first, then the dense baseline
    for name in METRICS:
        assert m[name] is not None and math.isfinite(m[name]), name
    assert isinstance(m["params"], int) and isinstance(m["dream_frames"], int)
    # trained: far above chance (0.1) and above the dense baseline trained on the same budget
    assert m["test_accuracy"] >= 0.9
    assert m["test_accuracy"] > m["dense_test_accuracy"]
    assert m["dense_test_accuracy"] >= 0.8  # the baseline was trained too
    assert m["test_loss"] < 0.5  # an untrained network: about ln 10 = 2.30
    assert m["dream_frames"] >= 30
    # a trained network is decisive on the dream frames; an untrained one is near uniform
    assert m["dream_mean_top_prob"] >= 0.5
    assert m["dream_mean_entropy"] <= 0.5 * math.log2(10)
    # the claims the prose relies on were made (in smoke mode they are only recorded)
    assert any("dense network" in claim for claim in result["claims"])
    animation = smoke_results_dir / f"{NOTEBOOK}_dream.mp4"
    assert animation.is_file() and animation.stat().st_size > 10_000
