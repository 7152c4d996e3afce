"""Smoke run of lesson 05 (autoencoders): every metric present, the smoke quality bars met."""
import math

import pytest

METRICS = ("recon_mse", "noisy_psnr", "denoised_psnr", "psnr_gain", "knn_acc_codes",
           "knn_acc_pixels", "knn_acc_pca", "code_dim", "vae_elbo")


@pytest.mark.notebook
def test_05_autoencoders_smoke(run_smoke):
    m = run_smoke("05_autoencoders")["metrics"]
    assert set(METRICS) <= set(m), f"missing metrics: {set(METRICS) - set(m)}"
    for name in METRICS:
        assert m[name] is not None and math.isfinite(m[name]), f"{name} = {m[name]}"
    # the smoke bars of the issue
    assert m["psnr_gain"] >= 3.0
    assert m["knn_acc_codes"] >= 0.6
    # consistency of the numbers
    assert m["psnr_gain"] == pytest.approx(m["denoised_psnr"] - m["noisy_psnr"])
    assert 0 < m["recon_mse"] < 0.1
    assert 0 < m["code_dim"] <= 32
    for name in ("knn_acc_codes", "knn_acc_pixels", "knn_acc_pca"):
        assert 0.1 < m[name] <= 1.0
    assert 50 < m["vae_elbo"] < 543  # nats per image; 543 = 784 * ln 2, a coin per pixel
