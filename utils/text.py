"""Character-level text helpers for lesson 03 (recurrent text generation).

- ``CharVocab``: text <-> integer ids, with the inverse mapping;
- ``make_windows``: a ``tf.data`` pipeline of (input, target) windows where the target is the
  input shifted by one character.
"""
from __future__ import annotations

import numpy as np

from .checks import check_int


class CharVocab:
    """A character vocabulary: every distinct character gets an integer id.

    Ids are assigned in sorted character order, so the same text always gives the same ids.
    ``encode`` maps a string to an ``int32`` array, ``decode`` maps ids back to a string
    (the inverse mapping), and ``decode(encode(s)) == s`` for any ``s`` made of known
    characters.
    """

    def __init__(self, text: str):
        if not isinstance(text, str):
            raise TypeError(f"CharVocab needs the training text as a str, "
                            f"got {type(text).__name__}")
        if not text:
            raise ValueError("CharVocab needs a non-empty text to collect characters from")
        self.chars: tuple[str, ...] = tuple(sorted(set(text)))
        self.char_to_id: dict[str, int] = {c: i for i, c in enumerate(self.chars)}
        self._id_to_char = np.array(self.chars)

    def __len__(self) -> int:
        return len(self.chars)

    def __repr__(self) -> str:
        return f"CharVocab({len(self)} characters)"

    def encode(self, text: str) -> np.ndarray:
        """The ids of the characters of ``text`` as a 1-D ``int32`` array."""
        if not isinstance(text, str):
            raise TypeError(f"encode expects a str, got {type(text).__name__}")
        unknown = sorted(set(text) - self.char_to_id.keys())
        if unknown:
            raise ValueError(f"characters not in the vocabulary: {unknown!r} "
                             f"(the vocabulary has {len(self)} characters)")
        lookup = self.char_to_id
        return np.fromiter((lookup[c] for c in text), dtype=np.int32, count=len(text))

    def decode(self, ids) -> str:
        """The string whose characters have these ids (1-D sequence of integers)."""
        arr = np.asarray(ids)
        if arr.ndim != 1:
            raise ValueError(f"decode expects a 1-D sequence of ids, got shape {arr.shape}")
        if arr.size == 0:
            return ""
        if not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"decode expects integer ids, got dtype {arr.dtype}")
        bad = arr[(arr < 0) | (arr >= len(self))]
        if bad.size:
            raise ValueError(f"ids out of range [0, {len(self)}): {sorted(set(bad.tolist()))[:10]}")
        return "".join(self._id_to_char[arr].tolist())


def windows(ids, seq_len: int, stride: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Cut a 1-D id array into (inputs, targets), each of shape (n_windows, seq_len).

    Window ``k`` covers ``ids[k*stride : k*stride + seq_len + 1]``; its input is the first
    ``seq_len`` ids and its target the last ``seq_len`` ids, so ``targets[:, t]`` is the
    character that follows ``inputs[:, t]``.  ``stride`` defaults to ``seq_len`` (every
    character is a target exactly once; the last incomplete window is dropped).
    """
    arr = np.asarray(ids)
    if arr.ndim != 1:
        raise ValueError(f"ids must be a 1-D array, got shape {arr.shape}")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"ids must be integers, got dtype {arr.dtype}")
    check_int("seq_len", seq_len, 1)
    stride = seq_len if stride is None else check_int("stride", stride, 1)
    if arr.size < seq_len + 1:
        raise ValueError(f"need at least seq_len + 1 = {seq_len + 1} ids for one window, "
                         f"got {arr.size}")
    chunks = np.lib.stride_tricks.sliding_window_view(arr, seq_len + 1)[::stride]
    return np.ascontiguousarray(chunks[:, :-1]), np.ascontiguousarray(chunks[:, 1:])


def make_windows(ids, seq_len: int, batch_size: int, shuffle: bool = True,
                 stride: int | None = None, seed: int | None = None, repeat: bool = False,
                 drop_remainder: bool = True):
    """A ``tf.data.Dataset`` of batches ``(inputs, targets)``, both (batch, seq_len) int32,
    targets shifted by one character (see ``windows``).

    ``shuffle`` reshuffles the windows every epoch; by default an incomplete last batch is
    dropped so every batch has the same shape (``drop_remainder=False`` keeps it, e.g. to
    score every validation window).  ``repeat=True`` gives an endless stream.
    """
    import tensorflow as tf

    check_int("batch_size", batch_size, 1)
    inputs, targets = windows(ids, seq_len, stride)
    if drop_remainder and len(inputs) < batch_size:
        raise ValueError(f"only {len(inputs)} windows of {seq_len} characters, fewer than "
                         f"one batch of {batch_size}: use a longer text or smaller sizes")
    ds = tf.data.Dataset.from_tensor_slices((inputs.astype(np.int32), targets.astype(np.int32)))
    if shuffle:
        ds = ds.shuffle(len(inputs), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        ds = ds.repeat()
    return ds.batch(batch_size, drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)
