"""Plots the notebooks share.  Inline in Jupyter/Colab; headless (Agg) under papermill
and in tests, where no display exists."""
from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt  # without a screen matplotlib picks Agg by itself
import numpy as np


def _history_dict(history) -> dict[str, list[float]]:
    return dict(getattr(history, "history", history))


def plot_history(history, metrics: tuple[str, ...] | None = None, title: str = ""):
    """Learning curves from a Keras ``History`` (or its ``.history`` dict).

    One panel per metric, training and validation (``val_<name>``, Keras 3 naming) together.
    By default every metric that was logged.
    """
    logs = _history_dict(history)
    if not logs:
        raise ValueError("the history is empty: was the model trained?")
    if metrics is None:
        metrics = tuple(k for k in logs if not k.startswith("val_") and k != "learning_rate")
    missing = [m for m in metrics if m not in logs]
    if missing:
        raise KeyError(f"not in the history: {missing}; logged: {sorted(logs)}")
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.5), squeeze=False)
    for ax, name in zip(axes[0], metrics):
        epochs = np.arange(1, len(logs[name]) + 1)
        ax.plot(epochs, logs[name], label="train")
        if f"val_{name}" in logs:
            ax.plot(epochs, logs[f"val_{name}"], label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def image_grid(images, labels=None, ncols: int = 8, cmap: str = "gray", size: float = 1.4,
               title: str = ""):
    """A grid of images (N, H, W) or (N, H, W, C) with optional per-image captions."""
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError(f"images must be (N, H, W) or (N, H, W, C), got shape {images.shape}")
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if labels is not None and len(labels) != len(images):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    n = len(images)
    ncols = max(1, min(ncols, n))
    nrows = max(1, -(-n // ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows * 1.1),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(images[i], cmap=cmap if images.ndim == 3 else None)
            if labels is not None:
                ax.set_title(str(labels[i]), fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_confusion_matrix(cm, class_names=None, normalize: bool = False, title: str = ""):
    """Heat map of a confusion matrix (rows: true class, columns: predicted)."""
    cm = np.asarray(cm, dtype=float)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"a confusion matrix is square, got shape {cm.shape}")
    if normalize:
        cm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    k = len(cm)
    names = list(class_names) if class_names is not None else [str(i) for i in range(k)]
    if len(names) != k:
        raise ValueError(f"{k} classes but {len(names)} names")
    fig, ax = plt.subplots(figsize=(0.55 * k + 2.5, 0.55 * k + 2))
    im = ax.imshow(cm, cmap="Blues")
    fig.colorbar(im, ax=ax, fraction=0.046)
    ax.set_xticks(range(k), names, rotation=45, ha="right")
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if k <= 12:
        for i in range(k):
            for j in range(k):
                text = f"{cm[i, j]:.2f}" if normalize else f"{int(cm[i, j])}"
                ax.text(j, i, text, ha="center", va="center", fontsize=7,
                        color="white" if cm[i, j] > cm.max() / 2 else "black")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def frames_animation(frames, fps: int = 10, titles=None, cmap=None, size: float = 4.0,
                     vmin=None, vmax=None):
    """A matplotlib animation that shows ``frames`` (N, H, W[, C]) one after another.

    Single-channel frames share one colour scale, from ``vmin``/``vmax`` or else from the
    minimum and maximum over all frames (not just the first)."""
    from matplotlib import animation

    frames = np.asarray(frames)
    if frames.ndim not in (3, 4) or len(frames) == 0:
        raise ValueError(f"frames must be a non-empty (N, H, W[, C]) array, got {frames.shape}")
    if titles is not None and len(titles) != len(frames):
        raise ValueError(f"{len(frames)} frames but {len(titles)} titles")
    h, w = frames.shape[1:3]
    width = size * w / max(h, w) + 0.2
    fig, ax = plt.subplots(figsize=(width, size * h / max(h, w) + 0.4))
    ax.axis("off")
    im = ax.imshow(frames[0], cmap=cmap, vmin=frames.min() if vmin is None else vmin,
                   vmax=frames.max() if vmax is None else vmax)
    longest = max((len(str(t)) for t in titles), default=1) if titles is not None else 1
    # captions fit the figure: a character is about 0.6 of the font size wide
    fontsize = min(10.0, 72 * (width - 0.1) / (0.6 * longest))
    title = ax.set_title(titles[0] if titles is not None else "", fontsize=fontsize)

    def update(i):
        im.set_data(frames[i])
        if titles is not None:
            title.set_text(titles[i])
        return (im, title)

    anim = animation.FuncAnimation(fig, update, frames=len(frames), interval=1000 / fps,
                                   blit=False)
    plt.close(fig)
    return anim


def save_animation(anim, path: str | Path, fps: int = 10):
    """Save an animation (``.mp4`` via imageio-ffmpeg's bundled ffmpeg, or ``.gif``) and
    return an HTML object that plays it inline: an HTML5 ``<video>`` with controls (or the
    GIF itself), embedded in the notebook, so its first frame shows as soon as the cell has
    run, in JupyterLab, Colab and a static HTML page alike, with no JavaScript."""
    import base64

    from IPython.display import HTML
    from matplotlib import animation

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".mp4":
        import imageio_ffmpeg

        plt.rcParams["animation.ffmpeg_path"] = imageio_ffmpeg.get_ffmpeg_exe()
        writer = animation.FFMpegWriter(fps=fps)
    elif path.suffix == ".gif":
        writer = animation.PillowWriter(fps=fps)
    else:
        raise ValueError(f"save animations as .mp4 or .gif, not {path.suffix!r}")
    anim.save(str(path), writer=writer)
    print(f"animation saved to {path}")
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    if path.suffix == ".gif":
        return HTML(f'<img class="dlb-animation" src="data:image/gif;base64,{data}">')
    return HTML(f'<video class="dlb-animation" controls loop muted playsinline '
                f'preload="auto" src="data:video/mp4;base64,{data}"></video>')
