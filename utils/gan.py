"""Helpers of lesson 06 (generative adversarial networks) that tests reach.

- ``feature_statistics`` / ``frechet_distance`` / ``frechet_distance_features``: the
  Fréchet distance between two Gaussians fitted to feature vectors (the formula behind FID);
- ``class_entropy``: how evenly predicted labels cover the classes (max ``ln(num_classes)``);
- ``interpolate``: evenly spaced points between two latent vectors (linear or spherical);
- ``tile`` / ``as_rgb``: animation plumbing, a batch of small grey images as one picture.

Only NumPy: no TensorFlow needed here.
"""
from __future__ import annotations

import numpy as np

from .checks import check_int


def _as_float_array(name: str, value, ndim: int) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a numeric array, got {type(value).__name__}") from exc
    if array.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def feature_statistics(features) -> tuple[np.ndarray, np.ndarray]:
    """Mean vector and covariance matrix of ``features`` (N samples x D features).

    The covariance uses ``N - 1`` in the denominator (``np.cov``); at least two samples are
    needed.
    """
    feats = _as_float_array("features", features, 2)
    if feats.shape[0] < 2:
        raise ValueError(f"need at least 2 feature vectors to estimate a covariance, "
                         f"got {feats.shape[0]}")
    return feats.mean(axis=0), np.atleast_2d(np.cov(feats, rowvar=False))


def frechet_distance(mu1, sigma1, mu2, sigma2) -> float:
    """Fréchet (2-Wasserstein squared) distance between N(mu1, sigma1) and N(mu2, sigma2):

        ||mu1 - mu2||^2 + Tr(sigma1 + sigma2 - 2 (sigma1 sigma2)^(1/2))

    ``mu`` are vectors of length D, ``sigma`` D x D covariance matrices.  This is the
    formula of the FID score; which features it is applied to is the caller's choice.
    Tiny negative values from round-off are clipped to 0.
    """
    mu1 = _as_float_array("mu1", mu1, 1)
    mu2 = _as_float_array("mu2", mu2, 1)
    sigma1 = _as_float_array("sigma1", sigma1, 2)
    sigma2 = _as_float_array("sigma2", sigma2, 2)
    d = mu1.shape[0]
    if mu2.shape != (d,):
        raise ValueError(f"mu1 and mu2 must have the same length, got {mu1.shape} and "
                         f"{mu2.shape}")
    for name, sigma in (("sigma1", sigma1), ("sigma2", sigma2)):
        if sigma.shape != (d, d):
            raise ValueError(f"{name} must be a {d}x{d} matrix to match the means, got "
                             f"shape {sigma.shape}")
    diff = mu1 - mu2
    # Tr((sigma1 sigma2)^(1/2)) = sum of sqrt(eigenvalues of s1^(1/2) sigma2 s1^(1/2)), a
    # symmetric positive semi-definite matrix: stable even when a covariance is singular.
    for name, sigma in (("sigma1", sigma1), ("sigma2", sigma2)):
        scale = max(1.0, float(np.abs(sigma).max()))
        if not np.allclose(sigma, sigma.T, atol=1e-6 * scale):
            raise ValueError(f"{name} must be symmetric (a covariance matrix)")
        if np.linalg.eigvalsh((sigma + sigma.T) / 2).min() < -1e-6 * scale:
            raise ValueError(f"{name} must be positive semi-definite (a covariance matrix)")
    sym1 = (sigma1 + sigma1.T) / 2
    sym2 = (sigma2 + sigma2.T) / 2
    w, v = np.linalg.eigh(sym1)
    root1 = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    middle = root1 @ sym2 @ root1
    eig = np.linalg.eigvalsh((middle + middle.T) / 2)
    trace_covmean = np.sqrt(np.clip(eig, 0, None)).sum()
    value = diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * trace_covmean
    return float(max(value, 0.0))


def frechet_distance_features(features_a, features_b) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets (N x D and M x D)."""
    mu_a, sigma_a = feature_statistics(features_a)
    mu_b, sigma_b = feature_statistics(features_b)
    if mu_a.shape != mu_b.shape:
        raise ValueError(f"the two feature sets must have the same width, got "
                         f"{mu_a.shape[0]} and {mu_b.shape[0]} features")
    return frechet_distance(mu_a, sigma_a, mu_b, sigma_b)


def class_entropy(labels, num_classes: int = 10) -> float:
    """Entropy (natural log) of the histogram of integer ``labels`` in ``[0, num_classes)``.

    ``ln(num_classes)`` when every class is equally frequent, 0 when only one class occurs:
    a mode-coverage score for the labels a classifier predicts on generated samples.
    """
    check_int("num_classes", num_classes, 1)
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError(f"labels must be a non-empty 1-D array, got shape {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"labels must be integers (class indices), got dtype {labels.dtype}")
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(f"labels must lie in [0, {num_classes}), got range "
                         f"[{labels.min()}, {labels.max()}]")
    p = np.bincount(labels, minlength=num_classes) / labels.size
    p = p[p > 0]
    return float(-(p * np.log(p)).sum()) + 0.0  # + 0.0: one class gives 0.0, not -0.0


def interpolate(start, end, steps: int, method: str = "linear") -> np.ndarray:
    """``steps`` points from ``start`` to ``end`` (both included, exactly), stacked on a new
    first axis: shape ``(steps, *start.shape)``, dtype float32.

    ``method="linear"`` walks the straight line; ``"slerp"`` walks the great circle (angle
    and norm interpolated), which keeps Gaussian latent vectors at a typical length instead
    of cutting through the low-norm middle.  Parallel vectors fall back to linear.
    """
    if method not in ("linear", "slerp"):
        raise ValueError(f"method must be 'linear' or 'slerp', not {method!r}")
    check_int("steps", steps, error=TypeError)
    if steps < 2:
        raise ValueError(f"steps must be at least 2 (both endpoints are included), got {steps}")
    a = np.asarray(start, dtype=np.float32)
    b = np.asarray(end, dtype=np.float32)
    if a.shape != b.shape:
        raise ValueError(f"start and end must have the same shape, got {a.shape} and {b.shape}")
    if a.size == 0 or not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("start and end must be non-empty and finite")
    t = np.linspace(0.0, 1.0, steps).reshape((steps,) + (1,) * a.ndim)
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    out = None
    if method == "slerp":
        na, nb = np.linalg.norm(a64), np.linalg.norm(b64)
        if na > 0 and nb > 0:
            cos = np.clip((a64 * b64).sum() / (na * nb), -1.0, 1.0)
            omega = np.arccos(cos)
            if np.sin(omega) > 1e-6:
                ua, ub = a64 / na, b64 / nb
                direction = (np.sin((1 - t) * omega) * ua + np.sin(t * omega) * ub) \
                    / np.sin(omega)
                out = direction * ((1 - t) * na + t * nb)
    if out is None:
        out = (1 - t) * a64 + t * b64
    out = out.astype(np.float32)
    out[0], out[-1] = a, b  # exact endpoints, whatever the round-off
    return out


def tile(images, ncols: int, pad: int = 2) -> np.ndarray:
    """Grey images ``(N, H, W)`` in 0..1 -> one picture of ``ncols`` columns (float32), each
    image framed by ``pad`` white pixels: shape ``(rows*(H+pad)+pad, ncols*(W+pad)+pad)``.
    Unused places in the last row stay white."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(f"images must be a non-empty (N, H, W) array, got shape {images.shape}")
    check_int("ncols", ncols, 1)
    n, h, w = images.shape
    nrows = -(-n // ncols)
    canvas = np.ones((nrows * (h + pad) + pad, ncols * (w + pad) + pad), dtype=np.float32)
    for i, img in enumerate(images):
        r, c = divmod(i, ncols)
        top, left = pad + r * (h + pad), pad + c * (w + pad)
        canvas[top:top + h, left:left + w] = img
    return canvas


def as_rgb(frames) -> np.ndarray:
    """Grey frames ``(..., H, W)`` -> RGB ``(..., H, W, 3)``, which matplotlib shows without
    rescaling the colours to each frame's own range."""
    frames = np.asarray(frames)
    return np.repeat(frames[..., None], 3, axis=-1)
