"""Finding, verifying and downloading the registry's files (the order is in ``utils.data``'s
docstring).  Every copy is checked against its sha256 before use."""
from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path

from .errors import ChecksumError, DataNotFoundError, UnknownDatasetError
from .registry import DATASETS, DataFile, Dataset

REPO_ROOT = Path(__file__).resolve().parents[2]


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
                          "Replace it with a good copy, or unset DLB_DATA_DIR to use the cache.")
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
        except ValueError as exc:
            if "hash" not in str(exc).lower():  # not pooch's hash check: a bad URL or such
                raise
            # pooch: the download does not match the registered hash (pooch deletes it)
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
