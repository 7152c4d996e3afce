"""Smoke run of lesson 05 (autoencoders): every metric present, and results an untrained
model would not reach (each compared with a baseline computed in the same run)."""
import math

import pytest

METRICS = ("psnr_gain", "knn_acc_codes", "knn_acc_random_projection", "vae_elbo", "recon_mse",
           "mean_image_mse", "noisy_psnr", "denoised_psnr", "knn_acc_pixels", "knn_acc_pca",
           "code_dim")


def held(claims: dict, part: str) -> bool:
    """Whether the one claim whose sentence contains ``part`` held in the run."""
    found = [ok for sentence, ok in claims.items() if part in sentence]
    assert len(found) == 1, f"expected one claim containing {part!r}, found {len(found)}"
    return found[0]


@pytest.mark.notebook
def test_05_autoencoders_smoke(run_smoke):
    result = run_smoke("05_autoencoders")
    m, claims = result["metrics"], result["claims"]
    assert set(METRICS) <= set(m), f"missing metrics: {set(METRICS) - set(m)}"
    for name in METRICS:
        assert m[name] is not None and math.isfinite(m[name]), f"{name} = {m[name]}"
    # learned, not given: each beats a baseline of the same run that an untrained model misses
    assert m["recon_mse"] < m["mean_image_mse"], "reconstructions no better than the mean image"
    assert m["denoised_psnr"] > m["noisy_psnr"], "the denoiser does not remove noise"
    assert m["knn_acc_codes"] > m["knn_acc_random_projection"], "codes no better than random"
    assert m["vae_elbo"] < 784 * math.log(2), "VAE no better than a fair coin per pixel"
    assert m["psnr_gain"] == pytest.approx(m["denoised_psnr"] - m["noisy_psnr"])
    # the noise model and PSNR written in the notebook behave as the lesson says
    assert held(claims, "noisy images stay in [0, 1]")
    assert held(claims, "PSNR is infinite for identical images")
