"""Small loaders: the registry's verified files as NumPy arrays, text and CamVid pairs."""
from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from ..segmentation import CAMVID_VOID
from .errors import DataNotFoundError, DatasetError, UnknownDatasetError
from .files import dataset, fetch, fetch_file
from .registry import DATASETS


def load_boston_housing(test_split: float = 0.2, seed: int = 113):
    """Boston housing with the exact split of ``keras.datasets.boston_housing.load_data``.

    Returns ``(x_train, y_train), (x_test, y_test)``: float64, 13 features, price in $1000s.
    """
    path = fetch("boston_housing")
    table = np.loadtxt(path, delimiter=",", skiprows=2)
    if table.shape != (506, 14):
        raise DatasetError(f"{path}: expected a 506x14 table, got {table.shape}")
    x, y = table[:, :13], table[:, 13]
    idx = np.arange(len(x))
    np.random.RandomState(seed).shuffle(idx)
    x, y = x[idx], y[idx]
    n_train = int(len(x) * (1 - test_split))
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])


BOSTON_FEATURES = ("CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE", "DIS", "RAD", "TAX",
                   "PTRATIO", "B", "LSTAT")


def read_idx(path: Path) -> np.ndarray:
    """Decode one (optionally gzipped) IDX file of unsigned bytes."""
    raw = (gzip.open if str(path).endswith(".gz") else open)(path, "rb").read()
    if len(raw) < 8 or raw[:2] != b"\x00\x00" or raw[2] != 0x08:
        raise DatasetError(f"{path} is not an IDX file of unsigned bytes")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    data = np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(shape)):
        raise DatasetError(f"{path}: header says {shape}, file holds {data.size} values")
    return data.reshape(shape)


MNIST_LIKE = ("mnist", "fashion_mnist")
FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
                         "Shirt", "Sneaker", "Bag", "Ankle boot")


def load_mnist(name: str = "mnist"):
    """MNIST or Fashion-MNIST as ``(x_train, y_train), (x_test, y_test)``, uint8, 28x28."""
    if name not in MNIST_LIKE:
        raise UnknownDatasetError(f"load_mnist: unknown dataset {name!r}; "
                                  f"choose one of {', '.join(MNIST_LIKE)}")
    arrays = [read_idx(fetch_file(f)) for f in dataset(name).files]
    return (arrays[0], arrays[1]), (arrays[2], arrays[3])


def load_text(name: str = "tinyshakespeare") -> str:
    """A text dataset as one string."""
    return fetch(name).read_text(encoding="utf-8")


# CamVid (class names and colours live with the segmentation helpers)
CAMVID_SPLITS = ("train", "val", "test")


def camvid_pairs(split: str, folder: str | Path | None = None) -> list[tuple[Path, Path]]:
    """(image, label) paths of one CamVid split, sorted by frame name.

    From the registry (verified files) by default, or from ``folder``, any folder in the
    SegNet layout (``train/``, ``trainannot/``, ...), e.g. a download of the full CamVid.
    An image without its label (or a label without its image) raises an error.
    """
    if split not in CAMVID_SPLITS:
        raise ValueError(f"unknown CamVid split {split!r}; choose one of {CAMVID_SPLITS}")
    if folder:
        return camvid_pairs_in(folder, split)
    files = [f for f in dataset("camvid").files
             if f.path.split("/")[1] in (split, split + "annot")]
    images = {f.path.rsplit("/", 1)[1]: f for f in files if f.path.split("/")[1] == split}
    labels = {f.path.rsplit("/", 1)[1]: f for f in files if f.path.split("/")[1] != split}
    return _pair_up({k: fetch_file(v) for k, v in images.items()},
                    {k: fetch_file(v) for k, v in labels.items()}, split)


def _pair_up(images: dict, labels: dict, split: str) -> list[tuple[Path, Path]]:
    unmatched = sorted(set(images) ^ set(labels))
    if unmatched:
        raise DatasetError(
            f"CamVid {split}: {len(unmatched)} image/label files have no partner, e.g. "
            f"{unmatched[:3]}; every {split}/X.png needs {split}annot/X.png")
    return [(images[k], labels[k]) for k in sorted(images)]


def camvid_pairs_in(folder: str | Path, split: str) -> list[tuple[Path, Path]]:
    """(image, label) paths of a CamVid split in any SegNet-layout folder (e.g. the full set)."""
    folder = Path(folder)
    images = {p.name: p for p in (folder / split).glob("*.png")}
    labels = {p.name: p for p in (folder / f"{split}annot").glob("*.png")}
    if not images and not labels:
        raise DataNotFoundError(f"no CamVid {split} images in {folder / split}")
    return _pair_up(images, labels, split)


def load_camvid(split: str, pairs: list[tuple[Path, Path]] | None = None):
    """One CamVid split as ``images`` (N, 360, 480, 3) uint8 and ``labels`` (N, 360, 480) uint8
    with values 0-10 and 11 = void, plus the frame names."""
    from PIL import Image

    pairs = camvid_pairs(split) if pairs is None else pairs
    images, labels = [], []
    for img_path, lab_path in pairs:
        img = np.asarray(Image.open(img_path).convert("RGB"))
        lab = np.asarray(Image.open(lab_path))
        if lab.ndim != 2 or img.shape[:2] != lab.shape:
            raise DatasetError(f"CamVid pair mismatch: {img_path.name} is {img.shape}, "
                               f"its label is {lab.shape}")
        if lab.max() > CAMVID_VOID:
            raise DatasetError(f"{lab_path}: label values must be 0-{CAMVID_VOID}, "
                               f"found {int(lab.max())}")
        images.append(img)
        labels.append(lab)
    names = [p[0].stem for p in pairs]
    return np.stack(images), np.stack(labels), names


def describe(name: str | None = None) -> str:
    """A human-readable table of the registry (or of one dataset)."""
    names = [name] if name else sorted(DATASETS)
    rows = []
    for n in names:
        d = dataset(n)
        rows.append(f"{d.name}: {d.description}\n    license: {d.license}\n"
                    f"    files: {len(d.files)}; cite: {d.citation}")
    return "\n".join(rows)
