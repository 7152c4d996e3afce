"""Lesson 02 in smoke mode: the results JSON and the saved animation."""
import math

import pytest

NOTEBOOK = "02_convolutional_mnist"
METRICS = ("test_accuracy", "test_loss", "params", "dream_frames", "dream_mean_top_prob",
           "dream_mean_entropy")


@pytest.mark.notebook
def test_02_convolutional_mnist_smoke(run_smoke, smoke_results_dir):
    m = run_smoke(NOTEBOOK)["metrics"]
    assert tuple(m) == METRICS  # exactly the metrics, headline first
    for name in METRICS:
        assert m[name] is not None and math.isfinite(m[name]), name
    assert m["test_accuracy"] >= 0.93  # smoke bar: trained on a subset, held-out test subset
    assert 0 < m["test_loss"] < 1
    assert isinstance(m["params"], int) and 100_000 < m["params"] < 5_000_000
    assert isinstance(m["dream_frames"], int) and m["dream_frames"] >= 30
    assert 0.1 <= m["dream_mean_top_prob"] <= 1.0
    assert 0.0 <= m["dream_mean_entropy"] <= math.log2(10)
    animation = smoke_results_dir / f"{NOTEBOOK}_dream.mp4"
    assert animation.is_file() and animation.stat().st_size > 10_000
