"""Lesson 03 (recurrent text generation) executed in smoke mode; its results JSON is checked."""
import math

import pytest

STEM = "03_recurrent_text_generation"
METRICS = ("val_loss", "val_bits_per_char", "val_perplexity", "unigram_val_loss",
           "ngram_val_loss", "val_loss_simplernn", "val_loss_gru", "val_loss_lstm",
           "sample_chars")


@pytest.mark.notebook
def test_recurrent_text_generation_smoke(run_smoke):
    m = run_smoke(STEM)["metrics"]
    assert list(m) == list(METRICS), "exactly the issue's metrics, headline first"
    for key in METRICS:
        assert isinstance(m[key], (int, float)) and math.isfinite(m[key]) and m[key] > 0, key
    # smoke bar: clearly better than guessing among 65 characters (ln 65 = 4.17)
    assert m["val_loss"] <= 2.6
    assert m["sample_chars"] >= 200
    # the three units say the same thing
    assert m["val_bits_per_char"] == pytest.approx(m["val_loss"] / math.log(2), rel=1e-6)
    assert m["val_perplexity"] == pytest.approx(math.exp(m["val_loss"]), rel=1e-6)
    # the baselines are deterministic counts on the fixed 90/10 split
    assert m["unigram_val_loss"] == pytest.approx(3.3473, abs=1e-3)
    assert m["ngram_val_loss"] == pytest.approx(1.6688, abs=1e-3)
    assert m["ngram_val_loss"] < m["unigram_val_loss"] < math.log(65)
    for key in ("val_loss_simplernn", "val_loss_gru", "val_loss_lstm"):
        assert m[key] < 4.5, key  # trained a little; no divergence
