"""Unit tests of utils.segmentation (metrics, joint augmentation, loss, model, smoothing) and
of the CamVid loader's errors.  No network, no real data needed."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import utils
from utils import segmentation as seg
from utils.data import DatasetError, camvid_pairs_in, load_camvid

VOID = utils.CAMVID_VOID


# --------------------------------------------------------------------------- metrics
# A 2x4 hand-worked example with 4 classes (class 3 is absent from truth and prediction)
# and two void pixels (whatever is predicted there must not count).
TRUE = np.array([[0, 0, 1, 1],
                 [2, VOID, 0, VOID]])
PRED = np.array([[0, 1, 1, 1],
                 [0, 2, 0, 3]])
# counted pixels (true, pred): (0,0) (0,1) (1,1) (1,1) (2,0) (0,0)
#   class 0: TP 2, FP 1 (the 2 predicted as 0), FN 1 (the 0 predicted as 1) -> 2/4 = 0.5
#   class 1: TP 2, FP 1, FN 0 -> 2/3
#   class 2: TP 0, FP 0 (its prediction on a void pixel does not count), FN 1 -> 0
#   class 3: never true, predicted only on a void pixel -> no IoU (NaN)
# pixel accuracy 4/6; mean IoU over classes 0-2 = (0.5 + 2/3 + 0) / 3


def test_confusion_matrix_by_hand():
    cm = seg.confusion_matrix(TRUE, PRED, num_classes=4, void=VOID)
    expected = np.zeros((4, 4), int)
    expected[0, 0], expected[0, 1], expected[1, 1], expected[2, 0] = 2, 1, 2, 1
    np.testing.assert_array_equal(cm, expected)
    assert cm.sum() == 6  # the two void pixels are left out


def test_iou_pixel_accuracy_and_mean_by_hand():
    cm = seg.confusion_matrix(TRUE, PRED, num_classes=4, void=VOID)
    iou = seg.iou_per_class(cm)
    np.testing.assert_allclose(iou[:3], [0.5, 2 / 3, 0.0])
    assert np.isnan(iou[3])  # absent from both: no IoU, not 0 and not 1
    assert seg.pixel_accuracy(cm) == pytest.approx(4 / 6)
    assert seg.mean_iou(cm) == pytest.approx((0.5 + 2 / 3 + 0.0) / 3)
    report = seg.segmentation_report(cm, ["a", "b", "c", "d"])
    assert report["iou"]["b"] == pytest.approx(2 / 3)
    assert report["miou"] == pytest.approx(seg.mean_iou(cm))


def test_perfect_prediction_and_metric_errors():
    cm = seg.confusion_matrix(TRUE, np.where(TRUE == VOID, 0, TRUE), num_classes=4)
    assert seg.pixel_accuracy(cm) == 1.0 and seg.mean_iou(cm) == 1.0
    with pytest.raises(ValueError, match="same shape"):
        seg.confusion_matrix(TRUE, PRED[:, :2], num_classes=4)
    with pytest.raises(ValueError, match="outside"):
        seg.confusion_matrix(TRUE, np.full_like(PRED, VOID), num_classes=4)  # void predicted
    with pytest.raises(TypeError, match="integer"):
        seg.confusion_matrix(TRUE, PRED.astype(float), num_classes=4)
    with pytest.raises(ValueError, match="square"):
        seg.iou_per_class(np.zeros((2, 3)))


def test_confusion_matrix_accumulates_over_batches():
    a = seg.confusion_matrix(TRUE, PRED, num_classes=4)
    both = seg.confusion_matrix(np.stack([TRUE, TRUE]), np.stack([PRED, PRED]), num_classes=4)
    np.testing.assert_array_equal(both, 2 * a)


def test_class_shares_and_weights():
    shares = seg.class_pixel_shares(TRUE, num_classes=4)
    np.testing.assert_allclose(shares, [3 / 6, 2 / 6, 1 / 6, 0])
    w = seg.class_weights(shares, power=1.0, max_weight=5.0)
    assert w[1] == pytest.approx(1.0)  # the median share gets weight 1
    assert w[0] < 1 < w[2] and w[3] == 5.0
    np.testing.assert_allclose(seg.class_weights(shares, power=0.0)[:3], 1.0)


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
    _, lab_plain = seg.augment_pair(image, label, np.array([4, 2]), (16, 24), (1, 1), jitter=False)
    img_j, lab_j = seg.augment_pair(image, label, np.array([4, 2]), (16, 24), (1, 1), jitter=True)
    np.testing.assert_array_equal(lab_plain.numpy(), lab_j.numpy())


def test_augment_pair_rejects_bad_input():
    image, label = _pair()
    with pytest.raises(ValueError, match="scale_range"):
        seg.augment_pair(image, label, np.array([0, 0]), (16, 24), scale_range=(0, 1))
    with pytest.raises(ValueError, match="expected image"):
        seg.augment_pair(image[..., 0], label, np.array([0, 0]), (16, 24))


# --------------------------------------------------------------------------- loss, model, video
def test_masked_crossentropy_ignores_void():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(2, 4, 4, 3)).astype(np.float32)
    y = rng.integers(0, 3, size=(2, 4, 4))
    y_void = y.copy()
    y_void[:, :2] = VOID
    loss = seg.masked_crossentropy(void=VOID)
    # the loss of a half-void map equals the plain loss of its labelled half
    got = np.asarray(loss(y_void, logits))
    ref = np.asarray(loss(y[:, 2:], logits[:, 2:]))
    np.testing.assert_allclose(got, ref, rtol=1e-5)
    # by hand: mean negative log-softmax of the true class over labelled pixels
    logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    by_hand = -np.take_along_axis(logp[:, 2:], y[:, 2:, :, None], -1).mean(axis=(1, 2, 3))
    np.testing.assert_allclose(got, by_hand, rtol=1e-5)
    # class weights: weighting every class by 3 changes nothing (normalised by the weights)
    np.testing.assert_allclose(np.asarray(seg.masked_crossentropy([3, 3, 3])(y_void, logits)),
                               got, rtol=1e-5)
    # an all-void map costs nothing
    assert np.allclose(np.asarray(loss(np.full_like(y, VOID), logits)), 0)


@pytest.mark.parametrize("skips", [True, False])
def test_build_unet_shapes(skips):
    model = seg.build_unet((64, 96, 3), num_classes=5, alpha=0.35, skips=skips)
    out = model(np.zeros((1, 64, 96, 3), np.float32))
    assert tuple(out.shape) == (1, 64, 96, 5)
    assert any(layer.name.startswith("skip") for layer in model.layers) == skips
    with pytest.raises(ValueError, match="multiples of 32"):
        seg.build_unet((60, 96, 3))


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


def test_build_unet_sets_batchnorm_momentum():
    import keras

    model = seg.build_unet((64, 64, 3), num_classes=3, alpha=0.35, bn_momentum=0.8)
    bns = [l for l in model.get_layer("encoder").layers + model.layers
           if isinstance(l, keras.layers.BatchNormalization)]
    assert len(bns) > 10 and all(l.momentum == 0.8 for l in bns)
