"""Unit tests of utils.plots (headless)."""
import base64

import matplotlib
import numpy as np
import pytest

from utils import plots


def test_plot_history_reads_keras3_metric_names():
    history = {"loss": [3, 2, 1], "val_loss": [3, 2.5, 2.4], "mae": [2, 1, .5],
               "val_mae": [2, 1.5, 1.4], "learning_rate": [1e-3] * 3}
    fig = plots.plot_history(history)
    assert len(fig.axes) == 2  # loss and mae; learning_rate is not a metric panel
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["train", "validation"]
    np.testing.assert_array_equal(ax.get_lines()[1].get_ydata(), [3, 2.5, 2.4])
    with pytest.raises(KeyError, match="accuracy"):
        plots.plot_history(history, metrics=("accuracy",))
    with pytest.raises(ValueError, match="empty"):
        plots.plot_history({})


def test_plot_history_accepts_a_keras_history():
    import keras

    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    history = model.fit(np.ones((8, 1)), np.ones(8), validation_split=0.25, epochs=2, verbose=0)
    fig = plots.plot_history(history)
    assert {ax.get_ylabel() for ax in fig.axes} == {"loss", "mae"}


def test_image_grid_accepts_shapes_and_rejects_bad_ones():
    fig = plots.image_grid(np.zeros((10, 28, 28)), labels=list(range(10)), ncols=4)
    assert len(fig.axes) == 12  # 3 rows x 4 columns
    assert fig.axes[9].get_title() == "9"
    plots.image_grid(np.zeros((3, 8, 8, 1)))
    plots.image_grid(np.zeros((3, 8, 8, 3), np.uint8))
    with pytest.raises(ValueError, match="shape"):
        plots.image_grid(np.zeros((28, 28)))
    with pytest.raises(ValueError, match="labels"):
        plots.image_grid(np.zeros((3, 8, 8)), labels=[1, 2])


def test_confusion_matrix_plot_normalises_rows_and_checks_names():
    cm = np.array([[5, 1], [0, 4]])
    fig = plots.plot_confusion_matrix(cm, ["cat", "dog"], normalize=True)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["0.83", "0.17", "0.00", "1.00"]
    with pytest.raises(ValueError, match="square"):
        plots.plot_confusion_matrix(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="names"):
        plots.plot_confusion_matrix(cm, ["one"])


@pytest.mark.parametrize("suffix", [".gif", ".mp4"])
def test_animation_is_saved_and_playable_inline(tmp_path, suffix):
    frames = np.random.default_rng(0).integers(0, 255, (4, 16, 16, 3), dtype=np.uint8)
    anim = plots.frames_animation(frames, fps=4, titles=[f"t={i}" for i in range(4)])
    html = plots.save_animation(anim, tmp_path / f"anim{suffix}", fps=4)
    saved = tmp_path / f"anim{suffix}"
    assert saved.stat().st_size > 100
    # the saved file itself is embedded: it shows its first frame without JavaScript
    assert "<script" not in html.data
    tag, mime = ("<video", "video/mp4") if suffix == ".mp4" else ("<img", "image/gif")
    assert html.data.startswith(tag) and f"data:{mime};base64," in html.data
    assert base64.b64decode(html.data.split("base64,")[1].split('"')[0]) == saved.read_bytes()
    if suffix == ".mp4":
        assert " controls" in html.data
    with pytest.raises(ValueError, match=".mp4 or .gif"):
        plots.save_animation(anim, tmp_path / "anim.avi")
    with pytest.raises(ValueError, match="non-empty"):
        plots.frames_animation(np.zeros((0, 4, 4)))


def test_animation_captions_fit_the_figure():
    frames = np.zeros((3, 70, 7))  # a tall, narrow road
    long = [f"frame {i}: 80 mph, accelerate" for i in range(3)]
    anim = plots.frames_animation(frames, titles=long, size=4)
    fig = anim._fig
    fig.canvas.draw()
    box = fig.axes[0].title.get_window_extent()
    assert box.x0 >= 0 and box.x1 <= fig.bbox.x1
    with pytest.raises(ValueError, match="titles"):
        plots.frames_animation(frames, titles=long[:2])


def test_headless_backend_is_agg():
    assert matplotlib.get_backend().lower() == "agg"


def test_grey_animation_uses_one_colour_scale_for_all_frames():
    frames = np.stack([np.full((4, 4), 0.1), np.linspace(0, 5, 16).reshape(4, 4)])
    anim = plots.frames_animation(frames)
    image = anim._fig.axes[0].images[0]
    assert image.get_clim() == (0.0, 5.0)  # not the first frame's flat 0.1..0.1
    anim = plots.frames_animation(frames, vmin=0, vmax=1)
    assert anim._fig.axes[0].images[0].get_clim() == (0, 1)
