"""Datasets of the course: one registry, verified files, small loaders.

``registry`` (what the datasets are), ``files`` (finding and verifying them), ``loaders``
(Boston housing as arrays, and what the TFDS builders of ``utils.datasets`` read: IDX
files, CamVid pairs), ``errors``.  Everything public is importable from ``utils.data``.

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

from .errors import ChecksumError, DataNotFoundError, DatasetError, UnknownDatasetError
from .files import (REPO_ROOT, cache_dir, data_dir, dataset, downloads_allowed, fetch,
                    fetch_file, offline, sha256_of)
from .loaders import (BOSTON_FEATURES, CAMVID_SPLITS, FASHION_MNIST_CLASSES, camvid_pairs,
                      describe, load_boston_housing, read_idx)
from .registry import DATASETS, DEBIAN_FASHION_MNIST, DataFile, Dataset
from ..segmentation import CAMVID_CLASSES, CAMVID_COLORS, CAMVID_VOID  # noqa: E402,F401


def main(argv=None) -> int:
    """``python -m utils data [list | fetch [NAME ...] | prepare [NAME ...]]``: show the
    registry; download (or find in the mirror) and verify datasets; or prepare them for
    ``tfds.load`` (TFDS writes its record files once into ``utils.datasets.data_dir()``).
    Without names: every dataset (``prepare``: every one with a TFDS builder)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m utils data", description=main.__doc__)
    parser.add_argument("command", choices=("list", "fetch", "prepare"))
    parser.add_argument("names", nargs="*")
    args = parser.parse_args(argv)
    if args.command == "list":
        print(describe())
        return 0
    if args.command == "prepare":
        return _prepare(args.names)
    for name in args.names or sorted(DATASETS):
        try:
            paths = _fetch_all(name)
        except DataNotFoundError as exc:
            if name == "fashion_mnist" and not args.names:
                print(f"{name}: skipped ({str(exc).splitlines()[0]})")
                continue
            raise
        where = sorted({str(p.parent.parent if name == "camvid" else p.parent) for p in paths})
        print(f"{name}: {len(paths)} file(s) verified in {', '.join(where)}")
    return 0


def _prepare(names: list[str]) -> int:
    """Prepare the TFDS datasets (reusing what is prepared already), with the time each took."""
    import time

    from .. import datasets

    for name in names or list(datasets.TFDS_NAMES):
        if not names and name == "fashion_mnist" and not _available("fashion_mnist"):
            print(f"{name}: skipped (no source files here; see `python -m utils data fetch`)")
            continue
        start = time.perf_counter()
        was_prepared = datasets.builder(name).is_prepared()
        datasets.load(name, split="train")
        state = "already prepared" if was_prepared else "prepared"
        print(f"{name}: {state} in {datasets.data_dir()} "
              f"({time.perf_counter() - start:.0f} s)")
    return 0


def _fetch_all(name: str) -> list:
    """Every file of a dataset, verified (raises DataNotFoundError for a missing one)."""
    return [fetch_file(f) for f in dataset(name).files]


def _available(name: str) -> bool:
    try:
        _fetch_all(name)
    except DataNotFoundError:
        return False
    return True
