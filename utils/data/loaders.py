"""Small loaders: Boston housing as arrays, MNIST-format IDX files, CamVid pairs."""
from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from .errors import DataNotFoundError, DatasetError
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


FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
                         "Shirt", "Sneaker", "Bag", "Ankle boot")


# CamVid (class names and colours live with the segmentation helpers)
CAMVID_SPLITS = ("train", "val", "test")


def camvid_pairs(split: str) -> list[tuple[Path, Path]]:
    """(image, label) paths of one CamVid split (SegNet's ``train``, ``val`` or ``test``) from
    the registry, verified, sorted by frame name: what ``utils.datasets``' ``dlb_camvid`` reads.

    A split without files, or an image without its label (or a label without its image),
    raises an error.
    """
    if split not in CAMVID_SPLITS:
        raise ValueError(f"unknown CamVid split {split!r}; choose one of {CAMVID_SPLITS}")
    files = [f for f in dataset("camvid").files
             if f.path.split("/")[1] in (split, split + "annot")]
    if not files:
        raise DataNotFoundError(f"the registry's camvid entry has no {split} files")
    images = {f.path.rsplit("/", 1)[1]: f for f in files if f.path.split("/")[1] == split}
    labels = {f.path.rsplit("/", 1)[1]: f for f in files if f.path.split("/")[1] != split}
    unmatched = sorted(set(images) ^ set(labels))
    if unmatched:
        raise DatasetError(
            f"CamVid {split}: {len(unmatched)} image/label files have no partner, e.g. "
            f"{unmatched[:3]}; every {split}/X.png needs {split}annot/X.png")
    return [(fetch_file(images[k]), fetch_file(labels[k])) for k in sorted(images)]


def describe(name: str | None = None) -> str:
    """A human-readable table of the registry (or of one dataset)."""
    names = [name] if name else sorted(DATASETS)
    rows = []
    for n in names:
        d = dataset(n)
        rows.append(f"{d.name}: {d.description}\n    license: {d.license}\n"
                    f"    files: {len(d.files)}; cite: {d.citation}")
    return "\n".join(rows)
