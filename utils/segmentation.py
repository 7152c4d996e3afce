"""Plumbing of lesson 04 (CamVid road scenes); the network, its loss, the class weights and
the metrics are written in the notebook itself.

- ``augment_pair``: one random flip / scale / crop applied to an image *and* its label map
  together, colour jitter on the image only;
- ``smooth_logits`` / ``sequences``: temporal smoothing of per-frame predictions of a video;
- ``colorize`` / ``overlay``: label maps as pictures;
- ``encoder_with_weights``: the encoder with ImageNet weights, weights from a file, or random
  ones (the lesson's ``ENCODER_WEIGHTS``).

Labels follow CamVid: 0..K-1 are classes, ``void`` (11 for CamVid) marks unlabelled pixels.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

#: CamVid's 11 classes (label values 0-10), the void label and the colours of all 12.
CAMVID_CLASSES = ("Sky", "Building", "Pole", "Road", "Pavement", "Tree", "SignSymbol",
                  "Fence", "Car", "Pedestrian", "Bicyclist")
CAMVID_VOID = 11
CAMVID_COLORS = np.array([[128, 128, 128], [128, 0, 0], [192, 192, 128], [128, 64, 128],
                          [60, 40, 222], [128, 128, 0], [192, 128, 128], [64, 64, 128],
                          [64, 0, 128], [64, 64, 0], [0, 128, 192], [0, 0, 0]], np.uint8)


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


# --------------------------------------------------------------------------- encoder weights
def encoder_with_weights(build, weights="imagenet"):
    """``(encoder, pretrained)``: the encoder ``build`` makes, with the weights asked for.

    ``build(keras_weights)`` builds the encoder, passing ``keras_weights`` (``None`` or
    ``"imagenet"``) on to ``keras.applications`` (e.g. ``MobileNetV2(weights=...)``).
    ``weights``:

    - ``None``: random initial weights; ``pretrained`` is 0;
    - ``"imagenet"``: Keras downloads the ImageNet weights (``pretrained`` 1).  When that is
      not possible (no network, ``DLB_OFFLINE=1``) a warning is printed and the encoder
      starts from random weights (``pretrained`` 0): the lesson still runs, offline too;
    - a path to a weights file (``.weights.h5`` or ``.keras`` as Keras 3 saves them, or Keras'
      legacy ``.h5``, e.g. the ImageNet file downloaded on another machine), loaded into the
      encoder with ``load_weights`` (``pretrained`` 1).  A missing file raises
      ``FileNotFoundError``; a file whose weights do not fit the encoder (other layers,
      another width) raises ``ValueError``.
    """
    if weights is None:
        return build(None), 0
    if weights == "imagenet":
        return _imagenet_or_random(build)
    path = Path(weights).expanduser()
    if not path.is_file():
        raise FileNotFoundError(
            f"encoder weights file not found: {path}. The encoder weights must be "
            f"'imagenet', None (random initial weights) or the path of an existing weights "
            f"file (.weights.h5, .keras or a Keras .h5 file).")
    encoder = build(None)
    with warnings.catch_warnings(record=True) as caught:  # Keras warns per layer it skips
        warnings.simplefilter("always")
        try:
            encoder.load_weights(path)
        except (ValueError, OSError, KeyError, TypeError) as exc:
            reason = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
            raise ValueError(
                f"the weights in {path} do not fit this encoder ({encoder.name!r}, "
                f"{len(encoder.weights)} weight arrays): they must come from the same network "
                f"(same layers and widths, e.g. the same MobileNetV2 alpha). Keras: "
                f"{type(exc).__name__}: {reason}") from exc
    for w in caught:  # loaded after all: pass Keras' remarks on
        warnings.warn(w.message, w.category, stacklevel=2)
    return encoder, 1


def _imagenet_or_random(build):
    """ImageNet weights if Keras can download them; else a loud warning and random ones."""
    from .data import downloads_allowed

    if downloads_allowed():
        try:
            return build("imagenet"), 1
        except Exception as exc:  # no network, blocked download, unsupported width, ...
            reason = f"{type(exc).__name__}: {str(exc)[:150]}"
    else:
        reason = "DLB_OFFLINE=1, so no download was tried"
    rule = "!" * 78
    print(f"{rule}\nWARNING: no ImageNet weights for the encoder ({reason}).\n"
          f"The encoder starts from RANDOM weights: expect clearly lower scores than with\n"
          f"pre-training. Offline? Download the weights file elsewhere and pass its path.\n"
          f"{rule}")
    return build(None), 0
