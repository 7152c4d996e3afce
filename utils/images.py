"""Image-quality helpers of lesson 05 (autoencoders): corrupt images with Gaussian noise and
measure how close a reconstruction is to the clean original with PSNR.

Images are floats in [0, 1]; a batch is an array whose first axis indexes the images.
"""
from __future__ import annotations

import numpy as np


def _as_float_array(x, name: str) -> np.ndarray:
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be an array of numbers: {exc}") from None
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer)
                                 or np.issubdtype(arr.dtype, np.floating)):
        raise TypeError(f"{name} must hold integers or floats, got dtype {arr.dtype}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); expected at least one pixel")
    return arr.astype(np.float64)


def _check_pair(reference, estimate, max_value) -> tuple[np.ndarray, np.ndarray]:
    ref = _as_float_array(reference, "reference")
    est = _as_float_array(estimate, "estimate")
    if ref.shape != est.shape:
        raise ValueError(f"reference and estimate must have the same shape, got {ref.shape} "
                         f"and {est.shape}")
    if isinstance(max_value, bool) or not isinstance(max_value, (int, float, np.number)) \
            or not np.isfinite(max_value) or max_value <= 0:
        raise ValueError(f"max_value must be a positive number (1.0 for images in [0, 1], "
                         f"255 for uint8), got {max_value!r}")
    return ref, est


def _db(mse: np.ndarray, max_value: float, max_db: float | None) -> np.ndarray:
    with np.errstate(divide="ignore"):
        value = 10.0 * np.log10(float(max_value) ** 2 / mse)  # mse == 0 -> +inf
    if max_db is not None:
        value = np.minimum(value, float(max_db))
    return value


def psnr(reference, estimate, max_value: float = 1.0, max_db: float | None = None) -> float:
    """Peak signal-to-noise ratio in dB between two arrays, pooled over all their pixels:
    ``10 * log10(max_value**2 / MSE)``.

    Identical arrays give ``inf`` (or ``max_db`` when given, a cap on the result).  For the
    average PSNR of a set of images, use :func:`batch_psnr` and take the mean.
    """
    ref, est = _check_pair(reference, estimate, max_value)
    return float(_db(np.mean((ref - est) ** 2), max_value, max_db))


def batch_psnr(reference, estimate, max_value: float = 1.0,
               max_db: float | None = None) -> np.ndarray:
    """PSNR in dB of every image of a batch (first axis = images): an array of length N.

    ``reference`` and ``estimate`` have the same shape, e.g. (N, 28, 28) or (N, 28, 28, 1).
    Identical images give ``inf`` (or ``max_db``).
    """
    ref, est = _check_pair(reference, estimate, max_value)
    if ref.ndim < 2:
        raise ValueError(f"batch_psnr expects a batch of images (N, H, W[, C]), got shape "
                         f"{ref.shape}; use psnr() for a single image")
    mse = np.mean((ref - est) ** 2, axis=tuple(range(1, ref.ndim)))
    return _db(mse, max_value, max_db)


def add_gaussian_noise(images, sigma: float, seed=None) -> np.ndarray:
    """``images`` plus Gaussian noise of standard deviation ``sigma``, clipped to [0, 1].

    ``images``: floats in [0, 1] (divide uint8 pixels by 255 first), any shape.
    ``seed``: an int (the same seed gives the same noise), a ``numpy.random.Generator``,
    or None (fresh randomness).  Returns float32 of the same shape; the input is unchanged.
    """
    x = _as_float_array(images, "images")
    if not np.all(np.isfinite(x)):
        raise ValueError("images contain NaN or infinite values")
    if x.min() < 0 or x.max() > 1:
        raise ValueError(f"images must be scaled to [0, 1], got values in [{x.min():g}, "
                         f"{x.max():g}]; for uint8 pixels divide by 255 first")
    if isinstance(sigma, bool) or not isinstance(sigma, (int, float, np.number)) \
            or not np.isfinite(sigma) or sigma < 0:
        raise ValueError(f"sigma must be a finite number >= 0, got {sigma!r}")
    if seed is not None and not isinstance(seed, (int, np.integer, np.random.Generator)):
        raise TypeError(f"seed must be an int, a numpy.random.Generator or None, "
                        f"got {type(seed).__name__}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    noisy = x + rng.normal(0.0, float(sigma), size=x.shape)
    return np.clip(noisy, 0.0, 1.0).astype(np.float32)
