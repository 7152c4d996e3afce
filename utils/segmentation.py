"""Semantic segmentation helpers for lesson 04 (CamVid road scenes).

- metrics from a confusion matrix: pixel accuracy, per-class IoU, mean IoU (void ignored);
- ``augment_pair``: one random flip / scale / crop applied to an image *and* its label map
  together, colour jitter on the image only;
- ``masked_crossentropy``: a per-pixel cross-entropy that ignores void, optionally weighted
  per class;
- ``build_unet``: a U-Net-style network with a ``keras.applications`` MobileNetV2 encoder;
- ``smooth_logits``: temporal smoothing of per-frame predictions of a video;
- ``colorize`` / ``overlay``: label maps as pictures.

Labels follow CamVid: 0..K-1 are classes, ``void`` (11 for CamVid) marks unlabelled pixels,
which count neither in the loss nor in any metric.
"""
from __future__ import annotations

import numpy as np

from .data import CAMVID_CLASSES, CAMVID_COLORS, CAMVID_VOID

NUM_CLASSES = len(CAMVID_CLASSES)


# --------------------------------------------------------------------------- metrics
def confusion_matrix(y_true, y_pred, num_classes: int = NUM_CLASSES,
                     void: int | None = CAMVID_VOID) -> np.ndarray:
    """Pixel confusion matrix (rows: true class, columns: predicted class), int64 K x K.

    ``y_true`` and ``y_pred`` are integer label maps of the same shape (any number of axes).
    Pixels whose true label is ``void`` are left out.  Every other true label and every
    predicted label must lie in ``0..num_classes-1``.
    """
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has shape {y_true.shape} but y_pred has {y_pred.shape}; "
                         "they must be label maps of the same shape")
    for name, arr in (("y_true", y_true), ("y_pred", y_pred)):
        if not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"{name} must hold integer class ids, got dtype {arr.dtype}")
    t = y_true.ravel().astype(np.int64)
    p = y_pred.ravel().astype(np.int64)
    if void is not None:
        keep = t != void
        t, p = t[keep], p[keep]
    for name, arr in (("y_true", t), ("y_pred", p)):
        if arr.size and (arr.min() < 0 or arr.max() >= num_classes):
            raise ValueError(f"{name} has class ids outside 0..{num_classes - 1} "
                             f"(found {arr.min()}..{arr.max()}; void={void} is only "
                             "allowed in y_true)")
    return np.bincount(t * num_classes + p, minlength=num_classes ** 2).reshape(
        num_classes, num_classes)


def _check_cm(cm) -> np.ndarray:
    cm = np.asarray(cm, dtype=np.float64)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"a confusion matrix is square (K x K), got shape {cm.shape}")
    return cm


def pixel_accuracy(cm) -> float:
    """Share of non-void pixels whose class was predicted correctly (NaN if there are none)."""
    cm = _check_cm(cm)
    total = cm.sum()
    return float(np.trace(cm) / total) if total else float("nan")


def iou_per_class(cm) -> np.ndarray:
    """Intersection over union of each class: TP / (TP + FP + FN).

    A class that occurs neither in the truth nor in the prediction has no IoU: NaN (it is
    then left out of the mean, not counted as 0 or 1).
    """
    cm = _check_cm(cm)
    tp = np.diag(cm)
    union = cm.sum(axis=0) + cm.sum(axis=1) - tp
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, tp / np.where(union > 0, union, 1), np.nan)


def mean_iou(cm) -> float:
    """Mean of the per-class IoUs over the classes that have one (see ``iou_per_class``)."""
    iou = iou_per_class(cm)
    return float(np.nanmean(iou)) if np.isfinite(iou).any() else float("nan")


def segmentation_report(cm, class_names=CAMVID_CLASSES) -> dict:
    """``{"pixel_accuracy", "miou", "iou": {class name: IoU}}`` of a confusion matrix."""
    iou = iou_per_class(cm)
    if len(class_names) != len(iou):
        raise ValueError(f"{len(iou)} classes in the matrix but {len(class_names)} names")
    return {"pixel_accuracy": pixel_accuracy(cm), "miou": mean_iou(cm),
            "iou": {n: float(v) for n, v in zip(class_names, iou)}}


def class_pixel_shares(labels, num_classes: int = NUM_CLASSES,
                       void: int | None = CAMVID_VOID) -> np.ndarray:
    """Share of each class among the non-void pixels of ``labels`` (sums to 1)."""
    labels = np.asarray(labels).ravel()
    if void is not None:
        labels = labels[labels != void]
    if labels.size == 0:
        raise ValueError("no labelled (non-void) pixels")
    counts = np.bincount(labels.astype(np.int64), minlength=num_classes)[:num_classes]
    return counts / counts.sum()


def class_weights(shares, power: float = 0.5, max_weight: float = 10.0) -> np.ndarray:
    """Loss weights from class pixel shares: ``(median share / share) ** power``, clipped.

    ``power=1`` is SegNet's median-frequency balancing; ``power=0.5`` is a gentler version;
    ``power=0`` weighs all classes equally.  Classes with no pixels get the largest weight.
    """
    shares = np.asarray(shares, dtype=np.float64)
    if shares.ndim != 1 or (shares < 0).any():
        raise ValueError("shares must be a 1-D array of non-negative numbers")
    median = np.median(shares[shares > 0])
    with np.errstate(divide="ignore"):
        w = np.where(shares > 0, (median / np.where(shares > 0, shares, 1)) ** power, max_weight)
    return np.minimum(w, max_weight).astype(np.float32)


# --------------------------------------------------------------------------- augmentation
def augment_pair(image, label, seed, crop_size, scale_range=(0.75, 1.25), flip: bool = True,
                 jitter: bool = True, void: int = CAMVID_VOID):
    """One random view of an (image, label map) pair, the same geometry applied to both.

    ``image``: (H, W, 3) float32 in [0, 1]; ``label``: (H, W) integer label map;
    ``seed``: shape-(2,) integer tensor (``tf.random.stateless_*`` seed), so a view can be
    reproduced.  Steps: random left-right flip; random rescale by a factor in ``scale_range``
    (image bilinear, label nearest-neighbour, so labels stay class ids); random crop of
    ``crop_size`` = (h, w), padding with black image / void label where the rescaled
    picture is smaller; then brightness/contrast/saturation jitter of the image only.
    Returns ``(image float32 (h, w, 3), label uint8 (h, w))``.
    """
    import tensorflow as tf

    ch, cw = int(crop_size[0]), int(crop_size[1])
    lo, hi = float(scale_range[0]), float(scale_range[1])
    if not 0 < lo <= hi:
        raise ValueError(f"scale_range must be 0 < low <= high, got {scale_range}")
    image = tf.convert_to_tensor(image, tf.float32)
    label = tf.convert_to_tensor(label)
    if image.shape.rank != 3 or label.shape.rank != 2:
        raise ValueError(f"expected image (H, W, 3) and label (H, W), got {image.shape} and "
                         f"{label.shape}")
    seeds = tf.random.experimental.stateless_split(tf.cast(seed, tf.int64), 6)
    lab = tf.cast(label, tf.int32)[..., None]
    if flip:
        do_flip = tf.random.stateless_uniform([], seeds[0]) < 0.5
        image = tf.cond(do_flip, lambda: tf.reverse(image, [1]), lambda: image)
        lab = tf.cond(do_flip, lambda: tf.reverse(lab, [1]), lambda: lab)
    h = tf.shape(image)[0]
    w = tf.shape(image)[1]
    scale = tf.random.stateless_uniform([], seeds[1], lo, hi)
    nh = tf.cast(tf.round(tf.cast(h, tf.float32) * scale), tf.int32)
    nw = tf.cast(tf.round(tf.cast(w, tf.float32) * scale), tf.int32)
    image = tf.image.resize(image, [nh, nw], method="bilinear")
    lab = tf.image.resize(lab, [nh, nw], method="nearest")
    # pad to at least the crop size: black image, void label (shift labels by one so that
    # the zero padding of tf.image can be told apart, then map 0 back to void)
    ph, pw = tf.maximum(nh, ch), tf.maximum(nw, cw)
    image = tf.image.pad_to_bounding_box(image, 0, 0, ph, pw)
    lab = tf.image.pad_to_bounding_box(lab + 1, 0, 0, ph, pw)
    lab = tf.where(lab == 0, void, lab - 1)
    top = tf.random.stateless_uniform([], seeds[2], 0, ph - ch + 1, dtype=tf.int32)
    left = tf.random.stateless_uniform([], seeds[3], 0, pw - cw + 1, dtype=tf.int32)
    image = image[top:top + ch, left:left + cw]
    lab = lab[top:top + ch, left:left + cw, 0]
    if jitter:
        image = tf.image.stateless_random_brightness(image, 0.15, seeds[4])
        image = tf.image.stateless_random_contrast(image, 0.8, 1.2, seeds[5])
        image = tf.image.stateless_random_saturation(image, 0.8, 1.2, seeds[5][::-1])
        image = tf.clip_by_value(image, 0.0, 1.0)
    image = tf.ensure_shape(image, [ch, cw, 3])
    return image, tf.ensure_shape(tf.cast(lab, tf.uint8), [ch, cw])


# --------------------------------------------------------------------------- loss
def masked_crossentropy(weights=None, void: int = CAMVID_VOID):
    """A Keras loss ``loss(y_true, logits)`` for label maps with void pixels.

    Per image: the cross-entropy of every non-void pixel, times the weight of its true class
    (``weights``: one number per class, or None for all 1), divided by the sum of those
    weights -- void pixels add nothing to either.  Returns one value per image.
    """
    import keras
    from keras import ops

    w = None if weights is None else np.asarray(weights, dtype=np.float32)

    def loss(y_true, logits):
        y_true = ops.cast(y_true, "int32")
        if len(y_true.shape) == len(logits.shape):  # (B, H, W, 1) -> (B, H, W)
            y_true = ops.squeeze(y_true, -1)
        valid = ops.not_equal(y_true, void)
        safe = ops.where(valid, y_true, ops.zeros_like(y_true))
        ce = keras.losses.sparse_categorical_crossentropy(safe, logits, from_logits=True)
        pw = ops.cast(valid, "float32")
        if w is not None:
            pw = pw * ops.take(ops.convert_to_tensor(w), safe)
        axes = tuple(range(1, len(ce.shape)))
        return ops.sum(ce * pw, axis=axes) / ops.maximum(ops.sum(pw, axis=axes), 1e-6)

    loss.__name__ = "masked_crossentropy"
    return loss


# --------------------------------------------------------------------------- model
#: MobileNetV2 layers whose outputs feed the decoder, finest first (strides 2, 4, 8, 16).
MOBILENETV2_SKIPS = ("block_1_expand_relu", "block_3_expand_relu", "block_6_expand_relu",
                     "block_13_expand_relu")


def build_unet(input_shape=(None, None, 3), num_classes: int = NUM_CLASSES, alpha: float = 0.5,
               weights: str | None = None, decoder_filters=(128, 64, 48, 32),
               skips: bool = True, bn_momentum: float = 0.9, name: str = "mobilenetv2_unet"):
    """A U-Net-style segmentation network: MobileNetV2 encoder, upsampling decoder.

    The encoder is ``keras.applications.MobileNetV2`` without its classifier (``weights``:
    ``"imagenet"`` or None for random initialisation), fed images in [0, 1].  The decoder
    doubles the resolution four times; with ``skips=True`` each step concatenates the
    encoder's feature map of the same resolution (the U-Net skip connections), with
    ``skips=False`` it does not (an ablation).  A last 2x bilinear upsampling and 1x1
    convolution give logits of shape (H, W, num_classes).  H and W must be multiples of 32.

    ``bn_momentum`` is set on every batch-normalisation layer: Keras' MobileNetV2 uses 0.999,
    whose running statistics need thousands of steps to settle -- too slow for a short
    training from scratch, where the model would then predict garbage in inference mode.
    """
    import keras
    from keras import layers

    h, w = input_shape[0], input_shape[1]
    for side in (h, w):
        if side is not None and side % 32:
            raise ValueError(f"input height and width must be multiples of 32, got {input_shape}")
    if len(decoder_filters) != len(MOBILENETV2_SKIPS):
        raise ValueError(f"decoder_filters needs {len(MOBILENETV2_SKIPS)} numbers, one per "
                         f"upsampling step, got {decoder_filters}")
    base = keras.applications.MobileNetV2(input_shape=tuple(input_shape), include_top=False,
                                          weights=weights, alpha=alpha)
    encoder = keras.Model(base.input,
                          [base.get_layer(n).output for n in MOBILENETV2_SKIPS]
                          + [base.get_layer("out_relu").output], name="encoder")
    inputs = keras.Input(tuple(input_shape), name="image")
    x = layers.Rescaling(2.0, offset=-1.0, name="to_mobilenet_range")(inputs)  # [0,1]->[-1,1]
    *features, x = encoder(x)
    for i, (filters, skip) in enumerate(zip(decoder_filters, reversed(features))):
        x = layers.UpSampling2D(interpolation="bilinear", name=f"up{i}")(x)
        if skips:
            x = layers.Concatenate(name=f"skip{i}")([x, skip])
        x = layers.SeparableConv2D(filters, 3, padding="same", use_bias=False,
                                   name=f"dec{i}_conv")(x)
        x = layers.BatchNormalization(name=f"dec{i}_bn")(x)
        x = layers.ReLU(name=f"dec{i}_relu")(x)
    x = layers.UpSampling2D(interpolation="bilinear", name="up_final")(x)
    logits = layers.Conv2D(num_classes, 1, name="logits")(x)
    model = keras.Model(inputs, logits, name=name)
    for layer in encoder.layers + model.layers:
        if isinstance(layer, layers.BatchNormalization):
            layer.momentum = bn_momentum
    return model


# --------------------------------------------------------------------------- video
def smooth_logits(logits, window: int = 3) -> np.ndarray:
    """Average the logits of each frame with its neighbours in time.

    ``logits``: (T, H, W, K), consecutive frames of one video.  Frame t becomes the mean of
    frames t - window//2 .. t + window//2 that exist (at the ends fewer frames are
    averaged).  ``window=1`` returns a copy.
    """
    logits = np.asarray(logits, dtype=np.float32)
    if logits.ndim < 2:
        raise ValueError(f"logits must be (T, ...) with a time axis first, got {logits.shape}")
    if window < 1 or window % 2 == 0:
        raise ValueError(f"window must be an odd number >= 1, got {window}")
    r = window // 2
    csum = np.concatenate([np.zeros_like(logits[:1]), np.cumsum(logits, axis=0)])
    t = np.arange(len(logits))
    lo = np.maximum(t - r, 0)
    hi = np.minimum(t + r + 1, len(logits))
    count = (hi - lo).reshape((-1,) + (1,) * (logits.ndim - 1))
    return (csum[hi] - csum[lo]) / count


def sequences(names) -> list[list[int]]:
    """Indices of frames grouped by video: CamVid names are ``<sequence>_<frame>``."""
    groups: dict[str, list[int]] = {}
    for i, n in enumerate(names):
        groups.setdefault(str(n).rsplit("_", 1)[0], []).append(i)
    return list(groups.values())


# --------------------------------------------------------------------------- pictures
def colorize(labels, colors=CAMVID_COLORS) -> np.ndarray:
    """Label map(s) (..., H, W) as RGB pictures (..., H, W, 3) uint8 in the class colours."""
    labels = np.asarray(labels)
    colors = np.asarray(colors, dtype=np.uint8)
    if labels.size and (labels.min() < 0 or labels.max() >= len(colors)):
        raise ValueError(f"labels must lie in 0..{len(colors) - 1}, found "
                         f"{labels.min()}..{labels.max()}")
    return colors[labels.astype(np.int64)]


def overlay(image, labels, alpha: float = 0.5, colors=CAMVID_COLORS) -> np.ndarray:
    """An RGB picture (uint8) with the coloured label map blended over ``image``."""
    image = np.asarray(image)
    if image.dtype != np.uint8:
        image = np.clip(np.asarray(image, np.float32) * 255.0, 0, 255)
    mixed = (1 - alpha) * np.asarray(image, np.float32) + alpha * colorize(labels, colors)
    return mixed.round().astype(np.uint8)
