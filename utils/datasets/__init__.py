"""The course datasets as TensorFlow Datasets (TFDS): ``tfds.load`` on verified files.

Importing this package registers the course builders with TFDS:

============================  ==================================  =========================
course dataset                TFDS name                           splits
============================  ==================================  =========================
``mnist``                     ``dlb_mnist`` (``mnist.py``)        train 60,000 / test 10,000
``fashion_mnist``             ``dlb_fashion_mnist``               train 60,000 / test 10,000
``tinyshakespeare``           ``tiny_shakespeare`` (TFDS's own)   train / validation / test
``camvid``                    ``dlb_camvid`` (``camvid.py``)      train 184 / validation 101 / test 117
============================  ==================================  =========================

Boston housing stays as arrays (``utils.data.load_boston_housing``).

Every builder reads the files of ``utils.data``'s registry, found and sha256-checked by
``utils.data.fetch_file`` (offline mirror ``$DLB_DATA_DIR``, Debian's Fashion-MNIST, the
download cache, or a download), so online and offline use differ only in where the verified
files come from.  TFDS's own ``tiny_shakespeare`` builder is used because its registered
download is byte-identical to the registry's file: it is served to TFDS as a manually
downloaded file (``manual_dir``), and TFDS checks it against its own sha256 as well.  The
MNIST archives of the mirror are re-compressed (their bytes differ from the canonical files
TFDS checks), so MNIST and Fashion-MNIST get course builders; TFDS has no CamVid.

TFDS writes its record files once, on first use, into ``data_dir()`` (``data/tfds`` in the
repository, or ``$DLB_CACHE_DIR/tfds``), and reuses them afterwards.  It prepares into a
temporary ``incomplete.*`` folder and renames it only when everything was written, so a
failed or interrupted preparation is never taken for a prepared dataset.  When two processes
prepare the same dataset at once (two notebooks opened together), the second to finish cannot
rename its folder onto the first's (``FileExistsError``); ``load`` then loads the first's.

    from utils import datasets
    train, info = datasets.load("mnist", split="train", as_supervised=True, with_info=True)
    x, y = tfds.as_numpy(datasets.load("mnist", split="test", batch_size=-1, as_supervised=True))

``load`` is ``tfds.load`` with the course's ``data_dir``, TensorFlow's start-up log and absl's
notes kept off stderr, and ``tiny_shakespeare`` served from the verified file.  Plain
``tfds.load("dlb_mnist", data_dir=datasets.data_dir())`` works too once this package is
imported (so do ``dlb_fashion_mnist`` and ``dlb_camvid``, and ``tiny_shakespeare`` once
prepared).  Importing this package turns TFDS's progress bars off (they print to stderr).

Any other TFDS name works as with ``tfds.load``: online, TFDS downloads and prepares it into
``data_dir()`` on first use.  Offline, its download fails; ``load`` then raises
``utils.data.DataNotFoundError`` naming the dataset and the ways out (run once with internet,
copy a prepared TFDS folder into ``data_dir()``, or use a course dataset).
``check_images(name, shape)`` tells, before any download, whether a dataset holds labelled
images of one shape (what the image lessons assume when their ``DATASET`` is swapped).
"""
from __future__ import annotations

import contextlib
import errno
import logging
import warnings
from pathlib import Path

from ._compat import ensure_importlib_resources

ensure_importlib_resources()

import tensorflow_datasets as tfds  # noqa: E402

from .. import data as _data  # noqa: E402
from .camvid import DlbCamvid  # noqa: E402
from .fashion_mnist import DlbFashionMnist  # noqa: E402
from .mnist import DlbMnist  # noqa: E402
from .tiny_shakespeare import download_config as _tiny_shakespeare_config  # noqa: E402

__all__ = ["DlbCamvid", "DlbFashionMnist", "DlbMnist", "TFDS_NAMES", "builder", "check_images",
           "data_dir", "load", "tfds_name"]

#: Course registry name -> TFDS name.  TFDS names are accepted as they are.
TFDS_NAMES = {
    "mnist": DlbMnist.name,
    "fashion_mnist": DlbFashionMnist.name,
    "tinyshakespeare": "tiny_shakespeare",
    "camvid": DlbCamvid.name,
}

#: TFDS's own builders whose download the course serves from a verified registry file.
_SERVED_BUILTINS = {"tiny_shakespeare": ("tinyshakespeare", _tiny_shakespeare_config)}

# TFDS's tqdm bars go to stderr (a pink block in Jupyter) and say nothing a student can act
# on; TFDS still prints one line on stdout when it prepares a dataset and one when it is done.
tfds.disable_progress_bar()

# Keras 3 warns on every ``fit`` on a tf.data dataset ("`shuffle=True` was passed, but will be
# ignored ..."): ``fit``'s ``shuffle`` defaults to True, and a pipeline shuffles itself
# (``Dataset.shuffle``), as the TensorFlow tutorials' pipelines do.  Nothing to act on.
warnings.filterwarnings("ignore", message=r"`shuffle=True` was passed, but will be ignored",
                        category=UserWarning)


def data_dir() -> Path:
    """Where TFDS keeps the prepared datasets: ``tfds/`` inside the course's download cache."""
    return _data.cache_dir() / "tfds"


def tfds_name(name: str) -> str:
    """The TFDS name of a course dataset (``"mnist"`` -> ``"dlb_mnist"``)."""
    if name == "boston_housing":
        raise _data.UnknownDatasetError(
            "boston_housing is not a TFDS dataset: it stays as arrays, "
            "use utils.data.load_boston_housing()")
    return TFDS_NAMES.get(name, name)


def builder(name: str, **kwargs) -> tfds.core.DatasetBuilder:
    """``tfds.builder`` of a course dataset with the course's ``data_dir``."""
    kwargs.setdefault("data_dir", str(data_dir()))
    return tfds.builder(tfds_name(name), **kwargs)


@contextlib.contextmanager
def _quiet_absl():
    """TFDS logs through absl (e.g. "Variant folder ... has no dataset_info.json" before the
    first preparation); below ERROR that is nothing a student can act on."""
    logger = logging.getLogger("absl")
    level = logger.level
    logger.setLevel(max(level, logging.ERROR))
    try:
        yield
    finally:
        logger.setLevel(level)


@contextlib.contextmanager
def _random_state_kept():
    """Preparing a dataset draws from Python's ``random`` (TFDS's temporary names), and Keras
    seeds unseeded initialisers from it: without this, the first run of a lesson, the one
    that prepares its dataset, would start from other initial weights than every later run
    with the same seed."""
    import random

    import numpy as np

    kept, kept_np = random.getstate(), np.random.get_state()
    try:
        yield
    finally:
        random.setstate(kept)
        np.random.set_state(kept_np)


def load(name: str, **kwargs):
    """``tfds.load(name, **kwargs)`` with the course's ``data_dir``, quietly.

    ``name``: a course name (``mnist``, ``fashion_mnist``, ``tinyshakespeare``, ``camvid``)
    or a TFDS name (``dlb_mnist``, ``tiny_shakespeare``, ...).  The first call prepares the
    dataset (TFDS writes its record files into ``data_dir()``); later calls reuse it.  A
    missing or corrupt source file raises ``utils.data.DataNotFoundError`` or
    ``ChecksumError`` with the file, where it was looked for and the fix.  Any other TFDS
    name is downloaded by TFDS; when that fails for want of a network, ``DataNotFoundError``
    says so and what to do instead.  Loading leaves the random state of Python and NumPy as
    it found it, prepared or not, so a seeded lesson gives the same numbers on its first run.
    """
    from ..runtime import start_tensorflow

    start_tensorflow()  # TensorFlow's C++ start-up log would otherwise reach stderr
    name = tfds_name(name)
    kwargs.setdefault("data_dir", str(data_dir()))
    with _quiet_absl(), _random_state_kept():
        if name in _SERVED_BUILTINS and kwargs.get("download", True):
            _prepare_builtin(name, kwargs["data_dir"])
        try:
            return tfds.load(name, **kwargs)
        except Exception as error:
            if _lost_the_race(error, name, kwargs["data_dir"], kwargs.get("builder_kwargs")):
                return tfds.load(name, **{**kwargs, "download": False})
            offline = None if name in TFDS_NAMES.values() else _network_error(error)
            if offline is None:
                raise
            raise _offline_error(name, kwargs["data_dir"], offline) from error


def _lost_the_race(error: BaseException, name: str, directory: str,
                   builder_kwargs: dict | None = None) -> bool:
    """Whether ``error`` is TFDS failing to rename its finished ``incomplete.*`` folder onto
    the dataset's folder because another process (a second notebook opened at the same time)
    prepared the same dataset first, and that dataset is now prepared: then its data is
    loaded, which is the same data."""
    if not isinstance(error, OSError) or not (isinstance(error, FileExistsError)
                                              or error.errno == errno.ENOTEMPTY):
        return False
    return tfds.builder(name, data_dir=directory, **(builder_kwargs or {})).is_prepared()


def _network_error(error: BaseException) -> BaseException | None:
    """The connection error behind ``error`` (itself or one it was raised from), if any.
    Offline, TFDS's downloader fails in ``requests`` (``urllib`` for ftp addresses)."""
    import socket
    import urllib.error

    import requests

    kinds = (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
             urllib.error.URLError, ConnectionError, socket.gaierror)
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, kinds):
            return error
        error = error.__cause__ or error.__context__
    return None


def _offline_error(name: str, directory: str, cause: BaseException) -> _data.DataNotFoundError:
    course = ", ".join(TFDS_NAMES)
    return _data.DataNotFoundError(
        f"TFDS could not download the dataset {name!r}: this machine seems to be offline "
        f"({type(cause).__name__}). {name!r} is not one of the course's datasets, whose files "
        f"come with the course. To use it: run this once with internet, and TFDS prepares it "
        f"into {directory} for later offline use; or copy a folder that TFDS prepared "
        f"elsewhere ({name}/<version>/ of its data_dir, e.g. ~/tensorflow_datasets) into "
        f"{directory}; or use a course dataset, which needs no internet: {course}.")


def check_images(name: str, shape=(28, 28, 1), **kwargs):
    """``info`` of dataset ``name`` (read from TFDS's builder: no download) if it holds
    labelled images of ``shape``; otherwise ``utils.data.DatasetError`` saying what it holds."""
    info = builder(name, **kwargs).info
    features = info.features
    image = features["image"] if "image" in features else None
    if (image is None or tuple(image.shape) != tuple(shape) or "label" not in features
            or not hasattr(features["label"], "num_classes")):
        found = "no 'image'" if image is None else f"images of shape {tuple(image.shape)}"
        raise _data.DatasetError(
            f"{name!r} has {found}; this lesson needs an image-classification dataset with "
            f"images of shape {tuple(shape)} and a 'label' class (e.g. mnist, fashion_mnist, "
            f"kmnist, emnist/mnist). Its features: {features}")
    return info


def _prepare_builtin(name: str, directory: str) -> None:
    """Prepare one of TFDS's own builders from the registry's verified file (never online),
    recording the registry's licence, which TFDS's builder leaves empty, in its info."""
    b = tfds.builder(name, data_dir=directory)
    if b.is_prepared():
        return
    registry_name, download_config = _SERVED_BUILTINS[name]
    info = b.info.as_proto
    if not info.redistribution_info.license:
        info.redistribution_info.license = _data.dataset(registry_name).license
    try:
        b.download_and_prepare(download_config=download_config())
    except OSError as error:
        if not _lost_the_race(error, name, directory):
            raise
