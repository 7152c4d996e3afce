"""Unit tests of utils.gan: Fréchet distance, class entropy, latent interpolation, tiling."""
import math

import numpy as np
import pytest

from utils import gan


# --- Fréchet distance -------------------------------------------------------------------

def test_identical_statistics_give_zero():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(500, 6))
    mu, sigma = gan.feature_statistics(a)
    assert gan.frechet_distance(mu, sigma, mu, sigma) == pytest.approx(0.0, abs=1e-8)
    assert gan.frechet_distance_features(a, a.copy()) == pytest.approx(0.0, abs=1e-8)


def test_identical_singular_statistics_give_zero():
    # rank-deficient covariance (features on a line): still exactly comparable
    t = np.linspace(-1, 1, 50)[:, None]
    feats = np.hstack([t, 2 * t, np.zeros_like(t)])
    assert gan.frechet_distance_features(feats, feats) == pytest.approx(0.0, abs=1e-8)


def test_known_gaussians_isotropic():
    # N(0, I) vs N(m, s^2 I) in d dims: ||m||^2 + d (1 - s)^2
    d, s = 4, 3.0
    m = np.array([1.0, 2.0, 0.0, -2.0])
    value = gan.frechet_distance(np.zeros(d), np.eye(d), m, s ** 2 * np.eye(d))
    assert value == pytest.approx(m @ m + d * (1 - s) ** 2)  # 9 + 16 = 25


def test_known_gaussians_diagonal_and_rotated():
    # diagonal covariances: sum of (sqrt(a_i) - sqrt(b_i))^2 plus the mean term
    a = np.array([1.0, 4.0, 9.0])
    b = np.array([4.0, 1.0, 16.0])
    mu1, mu2 = np.array([0.0, 1.0, 2.0]), np.array([3.0, 1.0, 2.0])
    expected = 9.0 + ((np.sqrt(a) - np.sqrt(b)) ** 2).sum()  # 9 + 1 + 1 + 1
    assert gan.frechet_distance(mu1, np.diag(a), mu2, np.diag(b)) == pytest.approx(expected)
    # the distance does not depend on the coordinate system: rotate both Gaussians
    q, _ = np.linalg.qr(np.random.default_rng(1).normal(size=(3, 3)))
    rotated = gan.frechet_distance(q @ mu1, q @ np.diag(a) @ q.T,
                                   q @ mu2, q @ np.diag(b) @ q.T)
    assert rotated == pytest.approx(expected)


def test_known_gaussians_non_commuting_covariances():
    # issue 17: sigma1 and sigma2 do not commute, so Tr((s1 s2)^(1/2)) differs from the
    # wrong Tr(s1^(1/2) s2^(1/2)); every other known-value case cannot tell the two apart
    sigma1 = np.array([[2.0, 1.0], [1.0, 1.0]])
    sigma2 = np.diag([1.0, 3.0])
    assert not np.allclose(sigma1 @ sigma2, sigma2 @ sigma1)
    mu = np.zeros(2)
    assert gan.frechet_distance(mu, sigma1, mu, sigma2) == pytest.approx(1.18137, abs=1e-5)
    assert gan.frechet_distance(mu, sigma2, mu, sigma1) == pytest.approx(1.18137, abs=1e-5)

    def sqrtm(sigma):
        w, v = np.linalg.eigh(sigma)
        return (v * np.sqrt(w)) @ v.T

    wrong = np.trace(sigma1 + sigma2 - 2 * sqrtm(sigma1) @ sqrtm(sigma2))
    assert wrong == pytest.approx(1.21833, abs=1e-5)
    assert wrong != pytest.approx(1.18137, abs=1e-3)  # so the test above catches that bug


def test_known_gaussians_1d_and_symmetry():
    # 1-D: (m1 - m2)^2 + (s1 - s2)^2
    assert gan.frechet_distance([1.0], [[4.0]], [-1.0], [[1.0]]) == pytest.approx(4 + 1)
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(300, 5)), 2 + 0.5 * rng.normal(size=(400, 5))
    assert gan.frechet_distance_features(x, y) == pytest.approx(
        gan.frechet_distance_features(y, x), rel=1e-9)


def test_sample_estimate_close_to_formula():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(20000, 3))
    y = 1.0 + 2.0 * rng.normal(size=(20000, 3))
    assert gan.frechet_distance_features(x, y) == pytest.approx(3 * 1 + 3 * 1, rel=0.05)


@pytest.mark.parametrize("args, match", [
    (([0.0, 0.0], np.eye(2), [0.0], np.eye(1)), "same length"),
    (([0.0, 0.0], np.eye(3), [0.0, 0.0], np.eye(2)), "2x2"),
    (([0.0, 0.0], np.eye(2), [0.0, 0.0], [[1.0, 2.0], [0.0, 1.0]]), "symmetric"),
    (([0.0, 0.0], -np.eye(2), [0.0, 0.0], np.eye(2)), "positive semi-definite"),
    ((np.zeros((2, 2)), np.eye(2), [0.0, 0.0], np.eye(2)), "dimension"),
    (([np.nan, 0.0], np.eye(2), [0.0, 0.0], np.eye(2)), "NaN"),
])
def test_frechet_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        gan.frechet_distance(*args)


def test_feature_bad_input():
    with pytest.raises(ValueError, match="at least 2"):
        gan.feature_statistics(np.zeros((1, 4)))
    with pytest.raises(ValueError, match="2 dimension"):
        gan.feature_statistics(np.zeros(4))
    with pytest.raises(ValueError, match="same width"):
        gan.frechet_distance_features(np.zeros((5, 3)), np.zeros((5, 4)))
    with pytest.raises(TypeError, match="numeric"):
        gan.feature_statistics([["a", "b"], ["c", "d"]])


# --- class entropy ----------------------------------------------------------------------

def test_class_entropy_values():
    assert gan.class_entropy(np.arange(10).repeat(7)) == pytest.approx(math.log(10))
    assert gan.class_entropy(np.full(50, 3)) == pytest.approx(0.0)
    assert math.copysign(1.0, gan.class_entropy(np.full(50, 3))) == 1.0  # prints as 0.000
    assert gan.class_entropy(np.array([0, 1, 0, 1]), num_classes=10) == pytest.approx(
        math.log(2))


def test_class_entropy_bad_input():
    with pytest.raises(ValueError, match=r"\[0, 10\)"):
        gan.class_entropy(np.array([0, 10]))
    with pytest.raises(TypeError, match="integers"):
        gan.class_entropy(np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match="non-empty"):
        gan.class_entropy(np.array([], dtype=int))
    with pytest.raises(ValueError, match="num_classes"):
        gan.class_entropy(np.array([0]), num_classes=0)


# --- latent interpolation ---------------------------------------------------------------

@pytest.mark.parametrize("method", ["linear", "slerp"])
@pytest.mark.parametrize("steps", [2, 3, 17])
def test_interpolation_endpoints_and_length(method, steps):
    rng = np.random.default_rng(4)
    a = rng.normal(size=64).astype(np.float32)
    b = rng.normal(size=64).astype(np.float32)
    path = gan.interpolate(a, b, steps, method=method)
    assert path.shape == (steps, 64)
    assert path.dtype == np.float32
    np.testing.assert_array_equal(path[0], a)
    np.testing.assert_array_equal(path[-1], b)
    assert np.all(np.isfinite(path))


def test_linear_interpolation_is_evenly_spaced():
    path = gan.interpolate(np.zeros((2, 2)), np.ones((2, 2)), 5)
    assert path.shape == (5, 2, 2)
    np.testing.assert_allclose(path[:, 0, 0], [0, 0.25, 0.5, 0.75, 1.0])


def test_slerp_keeps_the_norm_and_handles_parallel_vectors():
    a = np.array([3.0, 0.0])
    b = np.array([0.0, 3.0])
    path = gan.interpolate(a, b, 9, method="slerp")
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), 3.0, rtol=1e-6)
    # parallel (angle 0) and a zero vector fall back to a straight line
    np.testing.assert_allclose(gan.interpolate(a, 2 * a, 3, method="slerp")[1], 1.5 * a)
    np.testing.assert_allclose(gan.interpolate(np.zeros(2), b, 3, method="slerp")[1], b / 2)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(start=np.zeros(3), end=np.zeros(4), steps=5), ValueError, "same shape"),
    (dict(start=np.zeros(3), end=np.zeros(3), steps=1), ValueError, "at least 2"),
    (dict(start=np.zeros(3), end=np.zeros(3), steps=2.5), TypeError, "integer"),
    (dict(start=np.zeros(3), end=np.zeros(3), steps=5, method="cubic"), ValueError, "method"),
    (dict(start=np.array([np.inf, 0.0]), end=np.zeros(2), steps=3), ValueError, "finite"),
])
def test_interpolation_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        gan.interpolate(**kwargs)


# --- tiling (animation frames) ------------------------------------------------------------

def test_tile_places_images_in_rows_with_white_padding():
    images = np.stack([np.full((3, 2), v, dtype=np.float32) for v in (0.0, 0.25, 0.5)])
    picture = gan.tile(images, ncols=2, pad=1)
    assert picture.shape == (2 * (3 + 1) + 1, 2 * (2 + 1) + 1)
    assert picture.dtype == np.float32
    np.testing.assert_array_equal(picture[1:4, 1:3], 0.0)     # first image, top left
    np.testing.assert_array_equal(picture[1:4, 4:6], 0.25)    # second, top right
    np.testing.assert_array_equal(picture[5:8, 1:3], 0.5)     # third starts the next row
    np.testing.assert_array_equal(picture[5:8, 4:6], 1.0)     # empty place stays white
    assert picture[0].min() == 1.0 and picture[:, 0].min() == 1.0  # white frame


def test_tile_bad_input_and_as_rgb():
    with pytest.raises(ValueError, match="N, H, W"):
        gan.tile(np.zeros((2, 3)), ncols=2)
    with pytest.raises(ValueError, match="ncols"):
        gan.tile(np.zeros((2, 3, 3)), ncols=0)
    frames = np.random.default_rng(5).uniform(size=(4, 5, 6))
    rgb = gan.as_rgb(frames)
    assert rgb.shape == (4, 5, 6, 3)
    for channel in range(3):
        np.testing.assert_array_equal(rgb[..., channel], frames)
