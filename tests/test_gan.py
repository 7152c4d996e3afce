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


def test_known_gaussians_isotropic_give_the_closed_form():
    # N(0, I) vs N(m, s^2 I) in d dims: ||m||^2 + d (1 - s)^2
    d, s = 4, 3.0
    m = np.array([1.0, 2.0, 0.0, -2.0])
    value = gan.frechet_distance(np.zeros(d), np.eye(d), m, s ** 2 * np.eye(d))
    assert value == pytest.approx(m @ m + d * (1 - s) ** 2)  # 9 + 16 = 25


def test_known_gaussians_diagonal_and_rotated_give_the_closed_form():
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


def test_known_gaussians_non_commuting_covariances_give_the_closed_form():
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


def test_known_gaussians_1d_give_the_closed_form_symmetrically():
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
def test_frechet_bad_input_raises(args, match):
    with pytest.raises(ValueError, match=match):
        gan.frechet_distance(*args)


def test_feature_bad_input_raises():
    with pytest.raises(ValueError, match="at least 2"):
        gan.feature_statistics(np.zeros((1, 4)))
    with pytest.raises(ValueError, match="2 dimension"):
        gan.feature_statistics(np.zeros(4))
    with pytest.raises(ValueError, match="same width"):
        gan.frechet_distance_features(np.zeros((5, 3)), np.zeros((5, 4)))
    with pytest.raises(TypeError, match="numeric"):
        gan.feature_statistics([["a", "b"], ["c", "d"]])


# --- class entropy ----------------------------------------------------------------------

def test_class_entropy_values_match_the_definition():
    assert gan.class_entropy(np.arange(10).repeat(7)) == pytest.approx(math.log(10))
    assert gan.class_entropy(np.full(50, 3)) == pytest.approx(0.0)
    assert math.copysign(1.0, gan.class_entropy(np.full(50, 3))) == 1.0  # prints as 0.000
    assert gan.class_entropy(np.array([0, 1, 0, 1]), num_classes=10) == pytest.approx(
        math.log(2))


def test_class_entropy_bad_input_raises():
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
def test_interpolation_bad_input_raises(kwargs, error, match):
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


def test_tile_bad_input_raises_and_as_rgb_repeats_channels():
    with pytest.raises(ValueError, match="N, H, W"):
        gan.tile(np.zeros((2, 3)), ncols=2)
    with pytest.raises(ValueError, match="ncols"):
        gan.tile(np.zeros((2, 3, 3)), ncols=0)
    frames = np.random.default_rng(5).uniform(size=(4, 5, 6))
    rgb = gan.as_rgb(frames)
    assert rgb.shape == (4, 5, 6, 3)
    for channel in range(3):
        np.testing.assert_array_equal(rgb[..., channel], frames)


# --- what mutation testing (make mutation) showed untested ---------------------------------

def test_error_messages_name_the_argument():
    with pytest.raises(ValueError, match=r"^features must have 2 dimension\(s\)"):
        gan.feature_statistics(np.zeros(4))
    with pytest.raises(ValueError, match=r"^need at least 2 feature vectors .*, got 1$"):
        gan.feature_statistics(np.zeros((1, 4)))
    with pytest.raises(TypeError, match=r"^features must be a numeric array, got list$"):
        gan.feature_statistics([["a", "b"], ["c", "d"]])
    good_mu, good_sigma = np.zeros(2), np.eye(2)
    for i, (name, bad) in enumerate([("mu1", np.zeros((2, 2))), ("sigma1", np.zeros(2)),
                                     ("mu2", np.zeros((2, 2))), ("sigma2", np.zeros(2))]):
        args = [good_mu, good_sigma, good_mu, good_sigma]
        args[i] = bad
        with pytest.raises(ValueError, match=rf"^{name} must have \d dimension"):
            gan.frechet_distance(*args)
    for name, args in [("sigma1", (good_mu, np.eye(3), good_mu, good_sigma)),
                       ("sigma2", (good_mu, good_sigma, good_mu, np.eye(3)))]:
        with pytest.raises(ValueError, match=rf"^{name} must be a 2x2 matrix to match the means"):
            gan.frechet_distance(*args)
    asym, neg = np.array([[1.0, 2.0], [0.0, 1.0]]), -np.eye(2)
    for name, args in [("sigma1", (good_mu, asym, good_mu, good_sigma)),
                       ("sigma2", (good_mu, good_sigma, good_mu, asym))]:
        with pytest.raises(ValueError, match=rf"^{name} must be symmetric"):
            gan.frechet_distance(*args)
    for name, args in [("sigma1", (good_mu, neg, good_mu, good_sigma)),
                       ("sigma2", (good_mu, good_sigma, good_mu, neg))]:
        with pytest.raises(ValueError, match=rf"^{name} must be positive semi-definite"):
            gan.frechet_distance(*args)


def test_two_feature_vectors_are_enough():
    mu, sigma = gan.feature_statistics(np.array([[0.0, 1.0], [2.0, 5.0]]))
    np.testing.assert_allclose(mu, [1.0, 3.0])
    np.testing.assert_allclose(sigma, [[2.0, 4.0], [4.0, 8.0]])  # N - 1 = 1 in the denominator


def test_round_off_tolerance_scales_with_the_covariance():
    mu = np.zeros(2)
    # asymmetry up to 1e-6 x max(1, largest entry) is round-off: accepted, symmetrised
    small = np.array([[0.5, 0.0], [5e-7, 0.5]])
    assert gan.frechet_distance(mu, small, mu, np.eye(2) * 0.5) == pytest.approx(0.0, abs=1e-9)
    with pytest.raises(ValueError, match="symmetric"):
        gan.frechet_distance(mu, np.array([[0.5, 0.0], [1.5e-6, 0.5]]), mu, np.eye(2))
    large = np.array([[100.0, 0.0], [5e-5, 100.0]])
    assert gan.frechet_distance(mu, large, mu, large.T) == pytest.approx(0.0, abs=1e-6)
    # eigenvalues down to -1e-6 x scale are round-off too; their square roots count as 0
    assert gan.frechet_distance(mu, np.eye(2), mu, np.diag([1.0, -5e-7])) == pytest.approx(1.0)
    assert gan.frechet_distance(mu, np.diag([1.0, -5e-7]), mu, np.eye(2)) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="positive semi-definite"):
        gan.frechet_distance(mu, np.diag([1.0, -1.2e-6]), mu, np.eye(2))
    assert gan.frechet_distance(mu, np.diag([100.0, -5e-5]), mu, np.diag([100.0, 0.0])) \
        == pytest.approx(0.0, abs=1e-6)


def test_class_entropy_num_classes_is_checked():
    assert gan.class_entropy(np.zeros(5, dtype=int), num_classes=1) == 0.0
    assert gan.class_entropy(np.array([0, 1, 2, 3]), num_classes=np.int64(4)) == pytest.approx(
        math.log(4))
    for bad in (True, 2.0, "10", -1):
        with pytest.raises(ValueError, match=r"^num_classes must be a positive integer"):
            gan.class_entropy(np.array([0]), num_classes=bad)


def test_interpolation_steps_and_sizes_are_checked():
    with pytest.raises(TypeError, match=r"^steps must be an integer, got 2.0$"):
        gan.interpolate(np.zeros(3), np.ones(3), 2.0)
    with pytest.raises(TypeError, match=r"^steps must be an integer, got True$"):
        gan.interpolate(np.zeros(3), np.ones(3), True)
    assert gan.interpolate(np.zeros(3), np.ones(3), np.int64(3)).shape == (3, 3)
    # a single number is a latent vector too; an empty one is not
    np.testing.assert_allclose(gan.interpolate([0.0], [1.0], 3)[:, 0], [0.0, 0.5, 1.0])
    with pytest.raises(ValueError, match=r"^start and end must be non-empty and finite$"):
        gan.interpolate(np.zeros(0), np.zeros(0), 3)


def test_slerp_walks_the_arc_between_vectors_of_different_length():
    # a at 0 degrees with norm 2, b at 60 degrees with norm 4: point t is at 60 t degrees with
    # norm 2 + 2 t (not at 90 degrees, where sin(omega) = 1 hides mistakes)
    a = np.array([2.0, 0.0])
    b = 4 * np.array([np.cos(np.pi / 3), np.sin(np.pi / 3)])
    path = gan.interpolate(a, b, 5, method="slerp").astype(np.float64)
    t = np.linspace(0, 1, 5)
    np.testing.assert_allclose(np.arctan2(path[:, 1], path[:, 0]), t * np.pi / 3, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), 2 + 2 * t, rtol=1e-6)
    # short vectors (norm < 1) follow the arc as well
    short = gan.interpolate([0.5, 0.0], [0.0, 0.5], 5, method="slerp")
    np.testing.assert_allclose(np.linalg.norm(short, axis=1), 0.5, rtol=1e-6)
    short = gan.interpolate([0.0, 0.5], [0.5, 0.0], 5, method="slerp")
    np.testing.assert_allclose(np.linalg.norm(short, axis=1), 0.5, rtol=1e-6)


@pytest.mark.parametrize("start, end", [
    ([0.0, 0.0], [0.0, 3.0]), ([0.0, 3.0], [0.0, 0.0]),         # a zero vector
    ([0.1, 0.2, 0.3], [0.3, 0.6, 0.9]),                         # parallel
    ([0.1, 0.2, 0.3], [-0.1, -0.2, -0.3]),                      # opposite
    # float32 vectors whose cosine rounds to just beyond +1 and -1 (must be clipped)
    ([0.42986369132995605, 0.6960427165031433, -1.1841179132461548, -0.661702573299408,
      -0.4364352524280548, -1.169801950454712],
     [0.8597273826599121, 1.3920854330062866, -2.3682358264923096, -1.323405146598816,
      -0.8728705048561096, -2.339603900909424]),
    ([-1.2803939580917358, -0.7130680680274963, 0.6210178732872009, -2.250141143798828,
      0.38636958599090576, -0.5816408395767212],
     [1.2803939580917358, 0.7130680680274963, -0.6210178732872009, 2.250141143798828,
      -0.38636958599090576, 0.5816408395767212]),
])
def test_slerp_falls_back_to_a_line_without_warnings(start, end):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no division by zero, no arccos outside [-1, 1]
        path = gan.interpolate(start, end, 3, method="slerp")
    np.testing.assert_allclose(path[1], (np.array(start) + np.array(end)) / 2, atol=1e-7)


def test_tile_sizes_and_padding_are_exact():
    images = np.zeros((3, 2, 2))
    assert gan.tile(images, ncols=3).shape == (2 + 2 + 2, 3 * 4 + 2)  # pad defaults to 2
    single = gan.tile(np.full((1, 2, 3), 0.5), ncols=np.int64(1), pad=1)
    np.testing.assert_array_equal(single, [[1, 1, 1, 1, 1], [1, .5, .5, .5, 1],
                                           [1, .5, .5, .5, 1], [1, 1, 1, 1, 1]])
    assert single.dtype == np.float32
    assert gan.tile(np.zeros((3, 2, 2)), ncols=1, pad=0).shape == (6, 2)
    with pytest.raises(ValueError, match="non-empty"):
        gan.tile(np.zeros((0, 2, 2)), ncols=1)
    for bad in (True, 2.0, 0, -1):
        with pytest.raises(ValueError, match=r"^ncols must be a positive integer"):
            gan.tile(images, ncols=bad)
