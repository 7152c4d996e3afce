"""Unit tests of utils.video: frame preprocessing and the video reader's errors."""
import numpy as np
import pytest

from utils import video


def page_with_square(h=120, w=90, channels=3):
    """A white page (255) with a black square in the middle, like a dark stroke on paper."""
    frame = np.full((h, w, channels), 255, np.uint8)
    frame[h // 3: 2 * h // 3, w // 3: 2 * w // 3] = 0
    return frame


# --------------------------------------------------------------------------- preprocessing
@pytest.mark.parametrize("shape", [(120, 90, 3), (64, 64, 4), (50, 70), (33, 33, 1)])
def test_preprocess_gives_the_shape_dtype_and_range(shape):
    frame = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    out = video.preprocess_frame(frame)
    assert out.shape == (28, 28)
    assert out.dtype == np.float32
    assert 0.0 <= out.min() and out.max() <= 1.0


def test_preprocess_other_size_is_honoured():
    out = video.preprocess_frame(page_with_square(), size=16)
    assert out.shape == (16, 16) and out.dtype == np.float32


def test_preprocess_inverts_dark_strokes_to_bright():
    out = video.preprocess_frame(page_with_square())
    centre, corner = out[12:16, 12:16], out[:4, :4]
    assert centre.min() > 0.95  # the black square became (nearly) white
    assert corner.max() < 0.05  # the white page became (nearly) black
    plain = video.preprocess_frame(page_with_square(), invert=False)
    np.testing.assert_allclose(plain, 1.0 - out, atol=1e-6)


def test_preprocess_uses_the_full_range():
    white = np.full((56, 56, 3), 255, np.uint8)
    black = np.zeros((56, 56, 3), np.uint8)
    np.testing.assert_allclose(video.preprocess_frame(white), 0.0, atol=1e-6)
    np.testing.assert_allclose(video.preprocess_frame(black), 1.0, atol=1e-6)


def test_preprocess_float_input_matches_uint8():
    frame = page_with_square()
    np.testing.assert_allclose(video.preprocess_frame(frame),
                               video.preprocess_frame(frame.astype(np.float32) / 255), atol=1e-5)


def test_grayscale_weights_colour_channels():
    green = np.zeros((28, 28, 3), np.uint8)
    green[..., 1] = 255
    out = video.preprocess_frame(green, invert=False)
    np.testing.assert_allclose(out, 0.587, atol=1e-3)


@pytest.mark.parametrize("bad, error", [
    (np.zeros((10,), np.uint8), ValueError),
    (np.zeros((4, 10, 10, 3), np.uint8), ValueError),
    (np.zeros((10, 10, 2), np.uint8), ValueError),
    (np.zeros((0, 10), np.uint8), ValueError),
    (np.full((10, 10), 2.0, np.float32), ValueError),
    (np.zeros((10, 10), np.int64), TypeError),
])
def test_preprocess_rejects_bad_frames(bad, error):
    with pytest.raises(error, match="frame"):
        video.preprocess_frame(bad)


def test_preprocess_rejects_bad_size():
    with pytest.raises(ValueError, match="size"):
        video.preprocess_frame(page_with_square(), size=0)


# --------------------------------------------------------------------------- reader
@pytest.fixture(scope="module")
def small_video(tmp_path_factory):
    """A 12-frame 64x64 mp4 written with the same ffmpeg the reader uses."""
    import imageio.v3 as iio

    path = tmp_path_factory.mktemp("video") / "moving_square.mp4"
    frames = np.full((12, 64, 64, 3), 255, np.uint8)
    for i in range(12):
        frames[i, 16:48, 2 + 2 * i: 18 + 2 * i] = 0
    iio.imwrite(path, frames, plugin="FFMPEG", fps=10)
    return path


def test_reader_yields_rgb_frames_in_order(small_video):
    frames = list(video.iter_frames(small_video))
    assert len(frames) == 12
    assert all(f.shape == (64, 64, 3) and f.dtype == np.uint8 for f in frames)
    digit = video.preprocess_frame(frames[0])
    assert digit[12, 3] > 0.8 and digit[2, 20] < 0.1  # the dark square, inverted to bright


def test_reader_step_and_max_frames_are_honoured(small_video):
    assert len(list(video.iter_frames(small_video, step=3))) == 4
    assert len(list(video.iter_frames(small_video, step=2, max_frames=5))) == 5


def test_video_info_reports_size_and_fps(small_video):
    info = video.video_info(small_video)
    assert info["size"] == (64, 64)
    assert info["fps"] == pytest.approx(10)


def test_reader_missing_file_is_an_error(tmp_path):
    missing = tmp_path / "no_such_video.mp4"
    with pytest.raises(FileNotFoundError, match="no_such_video.mp4"):
        video.iter_frames(missing)
    with pytest.raises(FileNotFoundError, match="not found"):
        video.video_info(missing)


@pytest.mark.parametrize("content", [b"", b"this is not a video\n" * 50,
                                     bytes(range(256)) * 40])
def test_reader_corrupt_file_is_an_error(tmp_path, content):
    bad = tmp_path / "corrupt.mp4"
    bad.write_bytes(content)
    with pytest.raises(video.VideoError, match="could not decode .*corrupt.mp4"):
        video.iter_frames(bad)
    with pytest.raises(ValueError, match="corrupt"):  # VideoError is a ValueError
        video.video_info(bad)


def test_reader_truncated_file_is_an_error(tmp_path, small_video):
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(small_video.read_bytes()[: small_video.stat().st_size // 3])
    with pytest.raises(video.VideoError, match="could not decode"):
        list(video.iter_frames(cut))


def test_reader_rejects_bad_arguments_with_clear_errors(small_video, tmp_path):
    with pytest.raises(ValueError, match="step"):
        video.iter_frames(small_video, step=0)
    with pytest.raises(ValueError, match="max_frames"):
        video.iter_frames(small_video, max_frames=0)
    with pytest.raises(TypeError, match="path"):
        video.iter_frames(42)
    with pytest.raises(video.VideoError, match="not a file"):
        video.iter_frames(tmp_path)
