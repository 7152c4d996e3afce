"""Unit tests of utils.segmentation (joint augmentation, smoothing, colours) and of the CamVid
loader's errors.  No network, no real data needed.  The lesson's network, loss, class weights
and metrics live in notebook 04 and are checked by its run (claims, tests/test_nb_04.py)."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import utils
from utils import segmentation as seg
from utils.data import DatasetError, camvid_pairs_in, load_camvid

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
def test_smooth_logits():
    x = np.arange(5, dtype=np.float32)[:, None] * np.ones((5, 2))
    s = seg.smooth_logits(x, window=3)
    np.testing.assert_allclose(s[:, 0], [0.5, 1, 2, 3, 3.5])
    np.testing.assert_allclose(seg.smooth_logits(x, 1), x)
    with pytest.raises(ValueError, match="odd"):
        seg.smooth_logits(x, 2)
    assert seg.sequences(["a_1", "b_1", "a_2", "Seq05VD_f0"]) == [[0, 2], [1], [3]]


def test_colorize_and_overlay():
    lab = np.array([[0, 11]])
    rgb = seg.colorize(lab)
    np.testing.assert_array_equal(rgb[0, 0], utils.CAMVID_COLORS[0])
    np.testing.assert_array_equal(rgb[0, 1], [0, 0, 0])
    assert seg.overlay(np.full((1, 2, 3), 255, np.uint8), lab).dtype == np.uint8
    with pytest.raises(ValueError, match="labels must lie"):
        seg.colorize(np.array([[12]]))


# --------------------------------------------------------------------------- loader errors
def _write_split(root, split, image_names, label_names, label_shape=(6, 8)):
    (root / split).mkdir(parents=True, exist_ok=True)
    (root / f"{split}annot").mkdir(parents=True, exist_ok=True)
    for n in image_names:
        Image.fromarray(np.zeros((6, 8, 3), np.uint8)).save(root / split / n)
    for n in label_names:
        Image.fromarray(np.full(label_shape, 3, np.uint8)).save(root / f"{split}annot" / n)


def test_loader_reads_a_segnet_folder(tmp_path):
    _write_split(tmp_path, "train", ["a_1.png", "a_2.png"], ["a_1.png", "a_2.png"])
    pairs = camvid_pairs_in(tmp_path, "train")
    assert utils.camvid_pairs("train", tmp_path) == pairs  # the notebook's public way in
    images, labels, names = load_camvid("train", pairs)
    assert images.shape == (2, 6, 8, 3) and labels.shape == (2, 6, 8)
    assert names == ["a_1", "a_2"]


def test_loader_missing_label(tmp_path):
    _write_split(tmp_path, "train", ["a_1.png", "a_2.png"], ["a_1.png"])
    with pytest.raises(DatasetError, match="no partner"):
        camvid_pairs_in(tmp_path, "train")


def test_loader_missing_image(tmp_path):
    _write_split(tmp_path, "val", ["a_1.png"], ["a_1.png", "a_9.png"])
    with pytest.raises(DatasetError, match="a_9.png"):
        camvid_pairs_in(tmp_path, "val")


def test_loader_mismatched_sizes(tmp_path):
    _write_split(tmp_path, "test", ["a_1.png"], ["a_1.png"], label_shape=(5, 8))
    with pytest.raises(DatasetError, match="mismatch"):
        load_camvid("test", camvid_pairs_in(tmp_path, "test"))


def test_loader_empty_folder_and_bad_split(tmp_path):
    with pytest.raises(utils.DataNotFoundError):
        camvid_pairs_in(tmp_path, "train")
    with pytest.raises(ValueError, match="unknown CamVid split"):
        utils.camvid_pairs("everything")


def test_loader_bad_label_values(tmp_path):
    _write_split(tmp_path, "train", ["a_1.png"], [])
    Image.fromarray(np.full((6, 8), 40, np.uint8)).save(tmp_path / "trainannot" / "a_1.png")
    with pytest.raises(DatasetError, match="label values"):
        load_camvid("train", camvid_pairs_in(tmp_path, "train"))

