"""Reading a video frame by frame and turning frames into MNIST-like digits (lesson 02).

The decoder is ``imageio`` with its ``imageio-ffmpeg`` plugin: both install from PyPI, the
plugin ships its own ffmpeg binary (no system ffmpeg needed, on Colab or elsewhere), and
frames arrive one at a time, so a long 1080x1080 video never has to fit in memory.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from .checks import check_int

#: Weights of ITU-R BT.601 luma, the grey that PIL's "L" mode and most tools compute.
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114], dtype=np.float32)


class VideoError(ValueError):
    """A video file exists but cannot be decoded (corrupt, truncated, not a video, empty)."""


def _check_path(path) -> Path:
    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a str or pathlib.Path, got {type(path).__name__}")
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"video file not found: {path}")
    if not path.is_file():
        raise VideoError(f"{path} is not a file (a video file such as .mp4 is expected)")
    return path


def _decode_error(path: Path, exc: Exception) -> VideoError:
    first_line = str(exc).strip().split("\n", 1)[0]
    return VideoError(f"could not decode {path} as a video ({type(exc).__name__}: {first_line}). "
                      f"The file may be corrupt, truncated or not a video; replace it with a "
                      f"good copy (for course data: delete it and fetch it again).")


def video_info(path) -> dict:
    """Metadata of a video: ``fps``, ``size`` (width, height), ``duration`` in seconds and
    ``codec``.  Raises FileNotFoundError for a missing file, VideoError for a corrupt one."""
    import imageio.v3 as iio

    path = _check_path(path)
    try:
        meta = iio.immeta(path, plugin="FFMPEG")
    except Exception as exc:  # imageio raises OSError with ffmpeg's log for a bad file
        raise _decode_error(path, exc) from exc
    return {"fps": float(meta.get("fps", float("nan"))), "size": tuple(meta.get("size", ())),
            "duration": float(meta.get("duration", float("nan"))), "codec": meta.get("codec")}


def iter_frames(path, step: int = 1, max_frames: int | None = None) -> Iterator[np.ndarray]:
    """Decode a video one frame at a time: yields (H, W, 3) uint8 RGB arrays.

    ``step``: keep every ``step``-th frame (1 = all).  ``max_frames``: stop after that many
    kept frames (None = to the end).  The file is checked before the first frame is asked
    for: a missing file raises FileNotFoundError, a file ffmpeg cannot read (corrupt,
    truncated, not a video) or one without any frame raises VideoError.
    """
    import imageio.v3 as iio

    check_int("step", step, 1)
    check_int("max_frames", max_frames, 1, allow_none=True)
    path = _check_path(path)
    try:  # open eagerly so that a bad file fails here, not at the first next()
        frames = iio.imiter(path, plugin="FFMPEG")
        first = next(frames, None)
    except Exception as exc:
        raise _decode_error(path, exc) from exc
    if first is None:
        raise VideoError(f"{path} holds no video frames")

    def generate():
        kept = 0
        try:
            for index, frame in enumerate(itertools.chain([first], frames)):
                if index % step:
                    continue
                yield np.asarray(frame)[..., :3]
                kept += 1
                if max_frames is not None and kept >= max_frames:
                    return
        except (OSError, RuntimeError) as exc:  # the stream breaks off mid-way
            raise _decode_error(path, exc) from exc
        finally:
            close = getattr(frames, "close", None)
            if close is not None:
                close()

    return generate()


def to_gray(frame) -> np.ndarray:
    """A frame as float32 grey levels in [0, 1], shape (H, W).

    Accepts (H, W), (H, W, 1), (H, W, 3) RGB or (H, W, 4) RGBA arrays, either uint8 (0-255)
    or floating point already in [0, 1].
    """
    frame = np.asarray(frame)
    if frame.ndim == 3 and frame.shape[-1] in (1, 3, 4):
        pass
    elif frame.ndim != 2:
        raise ValueError(f"a frame must be (H, W) or (H, W, 1|3|4), got shape {frame.shape}")
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise ValueError(f"the frame is empty: shape {frame.shape}")
    if frame.dtype == np.uint8:
        values = frame.astype(np.float32) / 255.0
    elif np.issubdtype(frame.dtype, np.floating):
        values = frame.astype(np.float32)
        if not np.all(np.isfinite(values)) or values.min() < 0 or values.max() > 1:
            raise ValueError("a floating-point frame must hold finite values in [0, 1]; "
                             f"got range [{np.nanmin(values)}, {np.nanmax(values)}]")
    else:
        raise TypeError(f"a frame must be uint8 (0-255) or float in [0, 1], got {frame.dtype}")
    if values.ndim == 2:
        return values
    if values.shape[-1] == 1:
        return values[..., 0]
    return values[..., :3] @ LUMA_WEIGHTS  # alpha, if any, is ignored


def preprocess_frame(frame, size: int = 28, invert: bool = True) -> np.ndarray:
    """Make one video frame look like an MNIST digit.

    Grayscale (BT.601 luma), resize to ``size`` x ``size`` with area averaging (which
    anti-aliases a large downscale, as MNIST's own resampling did), invert so that dark
    strokes on a light page become bright strokes on a dark background (MNIST's
    convention), and keep the result as float32 in [0, 1].  Returns shape (size, size).
    With ``invert=False`` it is a plain grey thumbnail (useful for display).
    """
    from PIL import Image

    check_int("size", size, 1)
    gray = to_gray(frame)
    small = Image.fromarray(np.ascontiguousarray(gray, dtype=np.float32)).resize((int(size), int(size)), Image.Resampling.BOX)
    out = np.asarray(small, dtype=np.float32)
    if invert:
        out = 1.0 - out
    return np.clip(out, 0.0, 1.0)
