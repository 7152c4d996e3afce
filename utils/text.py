"""Character-level text helper for lesson 03 (recurrent text generation).

``CharVocab``: text <-> integer ids, with the inverse mapping.  The lesson cuts the ids into
(input, target) windows itself, with ``tf.data``.
"""
from __future__ import annotations

import numpy as np


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
