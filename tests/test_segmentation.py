"""Unit tests of utils.segmentation (joint augmentation, smoothing, colours, encoder weights)
and of the CamVid files' checks (``utils.data.camvid_pairs`` and the ``dlb_camvid`` builder).
No network, no real data needed.  The lesson's network, loss, class weights and metrics live
in notebook 04 and are checked by its run (claims, tests/test_notebooks.py)."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import utils
from utils import segmentation as seg
from utils.data import DatasetError

VOID = utils.CAMVID_VOID


# --------------------------------------------------------------------------- augmentation
def _pair(h=24, w=32, seed=0):
    """A label map with void pixels and an image whose red channel encodes the label."""
    rng = np.random.default_rng(seed)
    label = rng.integers(0, 12, size=(h, w)).astype(np.uint8)  # 11 = void included
    image = np.stack([label / 11.0, np.zeros((h, w)), np.ones((h, w))], -1).astype(np.float32)
    return image, label


@pytest.mark.parametrize("seed", [(1, 2), (3, 4), (5, 6), (7, 8)])
def test_same_flip_and_crop_hit_image_and_label(seed):
    image, label = _pair()
    img, lab = seg.augment_pair(image, label, np.array(seed), crop_size=(16, 24),
                                scale_range=(1.0, 1.0), jitter=False)
    img, lab = img.numpy(), lab.numpy()
    assert img.shape == (16, 24, 3) and lab.shape == (16, 24)
    # every output pixel's label is the one encoded in the image at the same place
    np.testing.assert_array_equal(np.round(img[..., 0] * 11).astype(int), lab)
    # and the window is a (possibly mirrored) crop of the original label map
    found = False
    for src in (label, label[:, ::-1]):
        for top in range(24 - 16 + 1):
            for left in range(32 - 24 + 1):
                found |= np.array_equal(src[top:top + 16, left:left + 24], lab)
    assert found


def test_flip_happens_for_some_seeds():
    image, label = _pair(16, 16)
    outs = {seg.augment_pair(image, label, np.array([s, 0]), crop_size=(16, 16),
                             scale_range=(1.0, 1.0), jitter=False)[1].numpy().tobytes()
            for s in range(12)}
    assert outs == {label.tobytes(), label[:, ::-1].tobytes()}


@pytest.mark.parametrize("scale", [(0.5, 0.6), (1.3, 1.6), (0.7, 1.4)])
def test_scaling_keeps_labels_integer_and_void_void(scale):
    image, label = _pair()
    label[:, :8] = VOID  # a void band
    for s in range(4):
        img, lab = seg.augment_pair(image, label, np.array([s, 9]), crop_size=(16, 24),
                                    scale_range=scale, jitter=True)
        lab = lab.numpy()
        assert lab.dtype == np.uint8 and lab.shape == (16, 24)
        assert set(np.unique(lab)) <= set(range(12))  # only class ids and void
        assert img.numpy().min() >= 0 and img.numpy().max() <= 1
        # nearest-neighbour resizing: no new classes, void is never turned into a class
        # by interpolation; padding (scale < 1) is void
        assert set(np.unique(lab)) <= set(np.unique(label))
    # a shrunk picture smaller than the crop is padded with void labels and black pixels
    img, lab = seg.augment_pair(image, np.zeros_like(label), np.array([0, 0]),
                                crop_size=(16, 24), scale_range=(0.5, 0.5), jitter=False)
    lab = lab.numpy()
    assert (lab == VOID).any() and (lab == 0).any()
    assert np.all(img.numpy()[lab == VOID] == 0)


def test_jitter_touches_the_image_only():
    image, label = _pair()
    img_plain, lab_plain = seg.augment_pair(image, label, np.array([4, 2]), (16, 24), (1, 1),
                                            jitter=False)
    img_j, lab_j = seg.augment_pair(image, label, np.array([4, 2]), (16, 24), (1, 1), jitter=True)
    np.testing.assert_array_equal(lab_plain.numpy(), lab_j.numpy())
    plain, jittered = img_plain.numpy(), img_j.numpy()
    # the colours change, within [0, 1] and by a bounded amount ...
    assert np.abs(jittered - plain).max() > 0.01
    assert jittered.min() >= 0 and jittered.max() <= 1
    assert np.abs(jittered - plain).mean() < 0.3
    # ... but nothing moves: the jittered picture is the same picture, pixel by pixel
    assert np.corrcoef(jittered[..., 0].ravel(), plain[..., 0].ravel())[0, 1] > 0.9


def test_augment_pair_rejects_bad_input():
    image, label = _pair()
    with pytest.raises(ValueError, match="scale_range"):
        seg.augment_pair(image, label, np.array([0, 0]), (16, 24), scale_range=(0, 1))
    with pytest.raises(ValueError, match="expected image"):
        seg.augment_pair(image[..., 0], label, np.array([0, 0]), (16, 24))


# --------------------------------------------------------------------------- video, pictures
def test_smooth_logits_averages_neighbours_and_sequences_split_by_name():
    x = np.arange(5, dtype=np.float32)[:, None] * np.ones((5, 2))
    s = seg.smooth_logits(x, window=3)
    np.testing.assert_allclose(s[:, 0], [0.5, 1, 2, 3, 3.5])
    np.testing.assert_allclose(seg.smooth_logits(x, 1), x)
    with pytest.raises(ValueError, match="odd"):
        seg.smooth_logits(x, 2)
    assert seg.sequences(["a_1", "b_1", "a_2", "Seq05VD_f0"]) == [[0, 2], [1], [3]]


def test_colorize_and_overlay_use_the_class_colours():
    lab = np.array([[0, 11]])
    rgb = seg.colorize(lab)
    np.testing.assert_array_equal(rgb[0, 0], utils.CAMVID_COLORS[0])
    np.testing.assert_array_equal(rgb[0, 1], [0, 0, 0])
    assert seg.overlay(np.full((1, 2, 3), 255, np.uint8), lab).dtype == np.uint8
    with pytest.raises(ValueError, match="labels must lie"):
        seg.colorize(np.array([[12]]))


# --------------------------------------------------------------------------- CamVid files
def _write_split(root, split, image_names, label_names, label_size=(480, 360), label_value=3,
                 label_mode="L"):
    """PNG files of one split in the mirror's layout: ``camvid/<split>/`` (480x360 RGB
    images) and ``camvid/<split>annot/`` (labels)."""
    (root / "camvid" / split).mkdir(parents=True, exist_ok=True)
    (root / "camvid" / f"{split}annot").mkdir(parents=True, exist_ok=True)
    for n in image_names:
        Image.new("RGB", (480, 360)).save(root / "camvid" / split / n)
    for n in label_names:
        Image.new(label_mode, label_size, color=label_value).save(
            root / "camvid" / f"{split}annot" / n)


@pytest.fixture
def camvid_registry(tmp_path, monkeypatch):
    """Registers the PNG files written under ``tmp_path/camvid`` (see ``_write_split``) as
    the registry's camvid entry, with their sha256, served from a mirror at ``tmp_path``."""
    import hashlib

    from utils import data

    def register():
        files = tuple(data.DataFile(str(p.relative_to(tmp_path)), "https://example.invalid/",
                                    hashlib.sha256(p.read_bytes()).hexdigest())
                      for p in sorted((tmp_path / "camvid").rglob("*.png")))
        real = data.dataset("camvid")
        monkeypatch.setitem(data.DATASETS, "camvid", data.Dataset(
            "camvid", real.description, real.license, real.citation, files, real.homepage))

    monkeypatch.setenv("DLB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DLB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("DLB_OFFLINE", "1")
    (tmp_path / "camvid").mkdir()
    return register


def _generate(pairs, tmp_path):
    """The examples ``dlb_camvid`` would write for these pairs (its checks included)."""
    pytest.importorskip("tensorflow_datasets")
    from utils.datasets import DlbCamvid

    builder = DlbCamvid(data_dir=str(tmp_path / "tfds"))
    return list(builder._generate_examples(pairs))


def test_camvid_pairs_pair_each_frame_with_its_label(tmp_path, camvid_registry):
    _write_split(tmp_path, "train", ["a_2.png", "a_1.png"], ["a_1.png", "a_2.png"])
    _write_split(tmp_path, "val", ["b_1.png"], ["b_1.png"])
    camvid_registry()
    pairs = utils.camvid_pairs("train")
    assert pairs == [(tmp_path / "camvid" / "train" / n, tmp_path / "camvid" / "trainannot" / n)
                     for n in ("a_1.png", "a_2.png")]
    examples = _generate(pairs, tmp_path)
    assert [key for key, _ in examples] == ["a_1", "a_2"]
    assert examples[0][1] == {"image": pairs[0][0], "segmentation_mask": pairs[0][1],
                              "file_name": "a_1"}


def test_camvid_pairs_missing_label_is_an_error(tmp_path, camvid_registry):
    _write_split(tmp_path, "train", ["a_1.png", "a_2.png"], ["a_1.png"])
    camvid_registry()
    with pytest.raises(DatasetError, match="no partner.*a_2.png"):
        utils.camvid_pairs("train")


def test_camvid_pairs_missing_image_is_an_error(tmp_path, camvid_registry):
    _write_split(tmp_path, "val", ["a_1.png"], ["a_1.png", "a_9.png"])
    camvid_registry()
    with pytest.raises(DatasetError, match="a_9.png"):
        utils.camvid_pairs("val")


def test_camvid_pairs_empty_split_and_bad_split_are_errors(tmp_path, camvid_registry):
    _write_split(tmp_path, "train", ["a_1.png"], ["a_1.png"])
    camvid_registry()
    with pytest.raises(utils.DataNotFoundError, match="no val files"):
        utils.camvid_pairs("val")
    with pytest.raises(ValueError, match="unknown CamVid split"):
        utils.camvid_pairs("everything")


def test_camvid_builder_mismatched_sizes_are_an_error(tmp_path, camvid_registry):
    _write_split(tmp_path, "test", ["a_1.png"], ["a_1.png"], label_size=(480, 359))
    camvid_registry()
    with pytest.raises(DatasetError, match=r"a_1.png: expected a 480x360 image.*\(480, 359\)"):
        _generate(utils.camvid_pairs("test"), tmp_path)


def test_camvid_builder_label_that_is_not_8_bit_grey_is_an_error(tmp_path, camvid_registry):
    _write_split(tmp_path, "test", ["a_1.png"], ["a_1.png"], label_mode="RGB",
                 label_value=(3, 3, 3))
    camvid_registry()
    with pytest.raises(DatasetError, match="8-bit 480x360 label.*RGB"):
        _generate(utils.camvid_pairs("test"), tmp_path)


def test_camvid_builder_bad_label_values_are_an_error(tmp_path, camvid_registry):
    _write_split(tmp_path, "train", ["a_1.png"], ["a_1.png"], label_value=40)
    camvid_registry()
    with pytest.raises(DatasetError, match=f"label values must be 0-{VOID}, found 40"):
        _generate(utils.camvid_pairs("train"), tmp_path)


# --------------------------------------------------------------------------- found by make mutation
def _coordinates(h=32, w=32):
    """An image whose red channel is x / (w - 1) and green channel y / (h - 1)."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    image = np.stack([x / (w - 1), y / (h - 1), np.ones((h, w), np.float32)], -1)
    return image, np.zeros((h, w), np.uint8)


def test_default_view_is_jittered_and_float32():
    image, label = _pair()
    seed = np.array([3, 1])
    default, _ = seg.augment_pair(image, label, seed, (16, 24))
    jittered, _ = seg.augment_pair(image, label, seed, (16, 24), jitter=True)
    plain, _ = seg.augment_pair(image, label, seed, (16, 24), jitter=False)
    np.testing.assert_array_equal(default.numpy(), jittered.numpy())
    assert not np.array_equal(default.numpy(), plain.numpy())
    img, lab = seg.augment_pair(image.astype(np.float64), label, seed, (16, 24))
    assert img.dtype == tf_float32() and lab.dtype == np.uint8


def tf_float32():
    import tensorflow as tf

    return tf.float32


def test_random_flip_scale_and_crop_are_independent():
    # each random choice has its own seed: the flip does not follow from the scale, the crop
    # offset not from the scale, the left offset not from the top one
    image, label = _coordinates()
    views = []
    for s in range(40):
        img = seg.augment_pair(image, label, np.array([s, 17]), crop_size=(16, 16),
                               scale_range=(0.6, 1.4), jitter=False)[0].numpy()
        dx = np.median(np.diff(img[..., 0], axis=1))      # red per output column
        flipped = dx < 0
        scale = 1 / (31 * abs(dx))
        y0, x0 = img[0, 0, 1] * 31, img[0, 0, 0] * 31      # source position of pixel (0, 0)
        views.append((flipped, scale, y0, x0))
    scales = [v[1] for v in views]
    assert min(scales) < 0.8 and max(scales) > 1.2
    assert {(f, s > 1.0) for f, s, _, _ in views} == {(False, False), (False, True),
                                                      (True, False), (True, True)}
    pairs = [(a, b) for a in views for b in views]
    assert any(a[1] < b[1] and a[2] > b[2] + 0.5 for a, b in pairs)  # bigger scale, smaller y0
    assert any(abs(y0 - x0) > 1 for f, _, y0, x0 in views if not f)


def test_shrunk_view_covers_the_scaled_size_on_both_axes():
    image, label = _pair(24, 32)
    img, lab = seg.augment_pair(image, np.zeros_like(label), np.array([1, 1]), crop_size=(16, 24),
                                scale_range=(0.5, 0.5), jitter=False)
    lab = lab.numpy()
    inside = lab != VOID
    assert inside.any(axis=1).sum() == 12 and inside.any(axis=0).sum() == 16  # 24 x 32 halved
    assert np.all(img.numpy()[~inside] == 0)


def test_labels_are_resized_nearest_neighbour():
    label = np.zeros((24, 32), np.uint8)
    label[:, ::2] = 10  # stripes one pixel wide: any interpolation would make new values
    image = np.zeros((24, 32, 3), np.float32)
    for s in range(3):
        _, lab = seg.augment_pair(image, label, np.array([s, 5]), crop_size=(16, 24),
                                  scale_range=(1.3, 1.6), jitter=False)
        assert set(np.unique(lab.numpy())) == {0, 10}


def test_jitter_stays_within_its_ranges():
    # brightness +-0.15, contrast and saturation factors in [0.8, 1.2]
    grey = np.full((16, 16, 3), 0.4, np.float32)
    grey[:, 8:] = 0.6                                    # two grey halves: contrast
    colour = np.ones((16, 16, 3), np.float32) * np.array([0.5, 0.4, 0.3], np.float32)
    label = np.zeros((16, 16), np.uint8)
    contrasts, saturations, brightness = [], [], []
    for s in range(12):
        seed = np.array([s, 2])
        out = seg.augment_pair(grey, label, seed, (16, 16), (1, 1), flip=False)[0].numpy()
        contrasts.append((out[0, 8:, 0].mean() - out[0, :8, 0].mean()) / 0.2)
        out = seg.augment_pair(colour, label, seed, (16, 16), (1, 1), flip=False)[0].numpy()
        saturations.append((out[0, 0].max() - out[0, 0].min()) / 0.2)  # V - min scales by it
        brightness.append(out[0, 0].max() - 0.5)                        # V moves by delta
    for values, lo, hi in [(contrasts, 0.8, 1.2), (saturations, 0.8, 1.2),
                           (brightness, -0.15, 0.15)]:
        assert lo - 1e-4 <= min(values) and max(values) <= hi + 1e-4
        assert max(values) - min(values) > (hi - lo) / 4  # and they do vary
    # each from its own seed: no factor follows from another
    for first, second in [(brightness, contrasts), (contrasts, saturations),
                          (brightness, saturations)]:
        assert not _same_order(first, second)


def _same_order(a, b):
    """Whether b grows and shrinks with a (or against it), pair by pair."""
    signs = {np.sign(a[i] - a[j]) * np.sign(b[i] - b[j])
             for i in range(len(a)) for j in range(i)} - {0}
    return len(signs) < 2


def test_augment_pair_in_a_graph_has_static_shapes():
    # in a tf.data map the picture size is unknown; the crop size is known (Keras needs it)
    import tensorflow as tf

    augment = tf.function(lambda x, y, s: seg.augment_pair(x, y, s, (16, 24)))
    out = augment.get_concrete_function(tf.TensorSpec([None, None, 3], tf.float32),
                                        tf.TensorSpec([None, None], tf.uint8),
                                        tf.TensorSpec([2], tf.int32)).structured_outputs
    assert out[0].shape.as_list() == [16, 24, 3]
    assert out[1].shape.as_list() == [16, 24]


def test_smooth_logits_windows_are_checked():
    x = np.arange(5, dtype=np.float64)[:, None, None]
    np.testing.assert_allclose(seg.smooth_logits(x), seg.smooth_logits(x, 3))  # the default
    np.testing.assert_allclose(seg.smooth_logits(x, 5)[:, 0, 0], [1, 1.5, 2, 2.5, 3])
    with pytest.raises(ValueError, match=r"^logits must be \(T, \.\.\.\) with a time axis"):
        seg.smooth_logits(np.zeros(4))


def test_sequences_split_at_the_last_underscore():
    assert seg.sequences(["0001TP_006690", "0001TP_006720", "a_b_1", "a_b_2", "a_c_1"]) == [
        [0, 1], [2, 3], [4]]


def test_colorize_accepts_other_colours():
    colours = [[255, 0, 0], [0, 0, 255]]                 # a plain list works too
    rgb = seg.colorize(np.array([[1, 0]]), colours)
    assert rgb.dtype == np.uint8
    np.testing.assert_array_equal(rgb, [[[0, 0, 255], [255, 0, 0]]])
    with pytest.raises(ValueError, match=r"^labels must lie in 0\.\.11, found 12\.\.12$"):
        seg.colorize(np.array([[12]]))
    with pytest.raises(ValueError, match=r"^labels must lie in 0\.\.1, found -1\.\.0$"):
        seg.colorize(np.array([[-1, 0]]), colours)


def test_overlay_blends_colours_over_the_image():
    lab = np.array([[0, 11]])                          # Sky (128, 128, 128) and void (black)
    image = np.full((1, 2, 3), 100, np.uint8)
    np.testing.assert_array_equal(seg.overlay(image, lab), [[[114] * 3, [50] * 3]])  # alpha 0.5
    np.testing.assert_array_equal(seg.overlay(image, lab, 0.25), [[[107] * 3, [75] * 3]])
    # a float image in [0, 1] is scaled to 0..255 first, values outside are clipped
    floats = np.array([[[0.2, 1.5, -0.5], [1.0, 0.0, 0.6]]], np.float32)
    np.testing.assert_array_equal(seg.overlay(floats, lab, 0.0), [[[51, 255, 0], [255, 0, 153]]])
    np.testing.assert_array_equal(seg.overlay(floats, lab, 0.5),
                                  [[[90, 192, 64], [128, 0, 76]]])
    colours = [[0, 0, 0], [200, 100, 0]]
    np.testing.assert_array_equal(seg.overlay(image, np.array([[1, 0]]), 0.5, colours),
                                  [[[150, 100, 50], [50, 50, 50]]])
    assert seg.overlay(floats, lab).dtype == np.uint8


# --------------------------------------------------------------------------- encoder weights
SMOKE_ALPHA = 0.35  # the lesson's smoke-mode width: small and quick to build


def _encoder(alpha=SMOKE_ALPHA, weights=None):
    """A MobileNetV2 encoder as the lesson builds it: open input size, several outputs."""
    import keras

    base = keras.applications.MobileNetV2(input_shape=(None, None, 3), include_top=False,
                                          weights=weights, alpha=alpha)
    taps = [base.get_layer(name).output for name in ("block_1_expand_relu", "out_relu")]
    return keras.Model(base.input, taps, name="encoder")


def test_encoder_weights_from_a_file_are_loaded(tmp_path):
    import keras

    keras.utils.set_random_seed(1)
    saved = _encoder()
    path = tmp_path / "encoder.weights.h5"
    saved.save_weights(path)
    keras.utils.set_random_seed(2)  # a fresh build starts from other random weights
    loaded, pretrained = seg.encoder_with_weights(lambda w: _encoder(weights=w), str(path))
    assert pretrained == 1
    assert [v.path for v in loaded.weights] == [v.path for v in saved.weights]
    assert [v.shape for v in loaded.weights] == [v.shape for v in saved.weights]
    assert not np.array_equal(loaded.weights[0].numpy(), _encoder().weights[0].numpy())
    for got, want in zip(loaded.get_weights(), saved.get_weights()):
        np.testing.assert_array_equal(got, want)


def test_encoder_weights_missing_file_is_an_error(tmp_path):
    missing = tmp_path / "nowhere.weights.h5"
    with pytest.raises(FileNotFoundError, match="encoder weights file not found: .*nowhere"):
        seg.encoder_with_weights(_fail_to_build, missing)


def test_encoder_weights_that_do_not_fit_are_an_error(tmp_path):
    path = tmp_path / "wider.weights.h5"
    _encoder(alpha=0.5).save_weights(path)  # another width: other kernel shapes
    with pytest.raises(ValueError, match=r"the weights in .*wider\.weights\.h5 do not fit "
                                         r"this encoder \('encoder', \d+ weight arrays\)"):
        seg.encoder_with_weights(lambda w: _encoder(weights=w), path)
    junk = tmp_path / "junk.h5"
    junk.write_text("not an HDF5 file")
    with pytest.raises(ValueError, match="do not fit this encoder"):
        seg.encoder_with_weights(lambda w: _encoder(weights=w), junk)


def _fail_to_build(weights):
    raise AssertionError(f"nothing should be built here (weights={weights!r})")


class _Built:
    """Stands in for an encoder: records the weights it was built with."""

    def __init__(self, weights):
        self.weights = weights


def test_encoder_weights_none_is_random_and_never_downloads(capsys):
    encoder, pretrained = seg.encoder_with_weights(_Built, None)
    assert (encoder.weights, pretrained) == (None, 0)
    assert capsys.readouterr().out == ""


def test_imagenet_offline_falls_back_to_random_weights_loudly(monkeypatch, capsys):
    monkeypatch.setenv("DLB_OFFLINE", "1")
    encoder, pretrained = seg.encoder_with_weights(_Built, "imagenet")
    assert (encoder.weights, pretrained) == (None, 0)
    out = capsys.readouterr().out
    assert "WARNING: no ImageNet weights" in out and "RANDOM weights" in out
    assert "DLB_OFFLINE=1" in out


def test_imagenet_download_failure_falls_back_to_random_weights(monkeypatch, capsys):
    monkeypatch.setenv("DLB_OFFLINE", "0")

    def build(weights):
        if weights == "imagenet":
            raise OSError("URL fetch failure: no network")
        return _Built(weights)

    encoder, pretrained = seg.encoder_with_weights(build, "imagenet")
    assert (encoder.weights, pretrained) == (None, 0)
    out = capsys.readouterr().out
    assert "WARNING: no ImageNet weights for the encoder (OSError: URL fetch failure" in out
    assert "RANDOM weights" in out
    # and when the download works, the ImageNet build is used as it is
    encoder, pretrained = seg.encoder_with_weights(_Built, "imagenet")
    assert (encoder.weights, pretrained) == ("imagenet", 1)
