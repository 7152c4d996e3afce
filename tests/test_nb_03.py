"""Lesson 03 (recurrent text generation) executed in smoke mode; its results JSON is checked.

An untrained model (``TRAIN=False``) predicts every character about uniformly, a loss near
ln 65 = 4.17 nats/char: each check on a model's loss below fails for it."""
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
        assert isinstance(m[key], (int, float)) and math.isfinite(m[key]), key
    # the baselines are deterministic counts on the fixed 90/10 split (this checks the
    # notebook's unigram and Witten-Bell code)
    assert m["unigram_val_loss"] == pytest.approx(3.3473, abs=1e-3)
    assert m["ngram_val_loss"] == pytest.approx(1.6688, abs=1e-3)
    # smoke bar: the main model learned context, clearly beyond character frequencies
    assert m["val_loss"] < m["unigram_val_loss"] - 0.5
    # the three units say the same thing
    assert m["val_bits_per_char"] == pytest.approx(m["val_loss"] / math.log(2), rel=1e-6)
    assert m["val_perplexity"] == pytest.approx(math.exp(m["val_loss"]), rel=1e-6)
    # the short SimpleRNN/GRU/LSTM comparison: each cell beats character frequencies alone
    for key in ("val_loss_simplernn", "val_loss_gru", "val_loss_lstm"):
        assert m[key] < m["unigram_val_loss"], key
