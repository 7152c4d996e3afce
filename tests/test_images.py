"""Unit tests of utils.images: PSNR and the Gaussian-noise corruption of lesson 05."""
import math

import numpy as np
import pytest

from utils import images


def test_psnr_identical_images_is_infinite_or_capped():
    x = np.random.default_rng(0).random((28, 28))
    assert images.psnr(x, x) == math.inf
    assert images.psnr(x, x, max_db=100.0) == 100.0
    batch = np.stack([x, x])
    assert np.all(np.isinf(images.batch_psnr(batch, batch)))
    assert np.all(images.batch_psnr(batch, batch, max_db=60) == 60)


def test_psnr_known_pair():
    a = np.zeros((4, 4))
    b = np.full((4, 4), 0.1)  # MSE = 0.01 -> 10 * log10(1 / 0.01) = 20 dB
    assert images.psnr(a, b) == pytest.approx(20.0)
    # half the pixels off by 0.5: MSE = 0.125 -> 9.0309 dB
    c = np.zeros((2, 2))
    d = np.array([[0.5, 0.5], [0.0, 0.0]])
    assert images.psnr(c, d) == pytest.approx(10 * math.log10(8))
    # uint8 scale: an error of 255/10 on every pixel is 20 dB as well
    assert images.psnr(np.zeros((3, 3)), np.full((3, 3), 25.5), max_value=255) == \
        pytest.approx(20.0)


def test_batch_psnr_is_per_image():
    ref = np.zeros((3, 8, 8, 1))
    est = ref.copy()
    est[0] += 0.1   # 20 dB
    est[1] += 0.01  # 40 dB
    per_image = images.batch_psnr(ref, est)
    assert per_image.shape == (3,)
    assert per_image[:2] == pytest.approx([20.0, 40.0])
    assert per_image[2] == math.inf


def test_psnr_bad_input():
    with pytest.raises(ValueError, match="same shape"):
        images.psnr(np.zeros((28, 28)), np.zeros((28, 27)))
    with pytest.raises(ValueError, match="same shape"):
        images.batch_psnr(np.zeros((5, 28, 28)), np.zeros((5, 28, 28, 1)))
    with pytest.raises(ValueError, match="single image"):
        images.batch_psnr(np.zeros(10), np.zeros(10))
    with pytest.raises(ValueError, match="empty"):
        images.psnr(np.zeros((0, 28)), np.zeros((0, 28)))
    with pytest.raises(ValueError, match="max_value"):
        images.psnr(np.zeros(4), np.ones(4), max_value=0)
    with pytest.raises(TypeError, match="integers or floats"):
        images.psnr(np.array(["a", "b"]), np.array(["a", "c"]))


def test_noise_range_shape_and_dtype():
    x = np.random.default_rng(1).random((100, 28, 28, 1)).astype(np.float32)
    noisy = images.add_gaussian_noise(x, 0.5, seed=0)
    assert noisy.shape == x.shape and noisy.dtype == np.float32
    assert noisy.min() >= 0.0 and noisy.max() <= 1.0
    assert noisy.min() == 0.0 and noisy.max() == 1.0  # strong noise is clipped at both ends
    assert not np.array_equal(noisy, x)
    assert np.array_equal(images.add_gaussian_noise(x, 0.0, seed=0), x)
    # the input is left alone
    assert x.max() < 1.0


def test_noise_strength_follows_sigma():
    x = np.full((200, 28, 28), 0.5)
    weak = images.add_gaussian_noise(x, 0.05, seed=0)
    strong = images.add_gaussian_noise(x, 0.2, seed=0)
    assert np.std(weak - x) == pytest.approx(0.05, rel=0.05)
    assert np.std(strong - x) == pytest.approx(0.2, rel=0.05)


def test_noise_is_reproducible_with_a_seed():
    x = np.random.default_rng(2).random((10, 28, 28))
    a = images.add_gaussian_noise(x, 0.3, seed=123)
    b = images.add_gaussian_noise(x, 0.3, seed=123)
    c = images.add_gaussian_noise(x, 0.3, seed=124)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    g1, g2 = np.random.default_rng(7), np.random.default_rng(7)
    assert np.array_equal(images.add_gaussian_noise(x, 0.3, seed=g1),
                          images.add_gaussian_noise(x, 0.3, seed=g2))


def test_noise_bad_input():
    x = np.zeros((2, 28, 28))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        images.add_gaussian_noise(np.full((2, 28, 28), 255, np.uint8), 0.5)
    with pytest.raises(ValueError, match="sigma"):
        images.add_gaussian_noise(x, -0.1)
    with pytest.raises(ValueError, match="sigma"):
        images.add_gaussian_noise(x, float("nan"))
    with pytest.raises(ValueError, match="empty"):
        images.add_gaussian_noise(np.zeros((0, 28, 28)), 0.5)
    with pytest.raises(TypeError, match="seed"):
        images.add_gaussian_noise(x, 0.5, seed="42")
