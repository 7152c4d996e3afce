"""``tiny_shakespeare``: TFDS's own builder, served from the registry's verified file.

TFDS's builder downloads ``input.txt`` of karpathy/char-rnn and checks it against its own
sha256, which is the registry's (``utils.data.DATASETS["tinyshakespeare"]``).  The course
hands it the verified file as a manually downloaded one: TFDS looks for ``input.txt`` in
``manual_dir`` before it would download, checks the file, and never goes online.
"""
from __future__ import annotations

import tensorflow_datasets as tfds

from .. import data


def download_config() -> tfds.download.DownloadConfig:
    """A ``DownloadConfig`` whose ``manual_dir`` holds the verified ``input.txt`` (found in
    the mirror or the cache, or downloaded there first, by ``utils.data.fetch``)."""
    path = data.fetch("tinyshakespeare")
    return tfds.download.DownloadConfig(manual_dir=str(path.parent))
