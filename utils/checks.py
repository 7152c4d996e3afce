"""Argument checks the helpers share, so that every module says the same thing the same way."""
from __future__ import annotations

import numpy as np


def check_int(name: str, value, minimum: int | None = None, *, allow_none: bool = False,
              error: type[Exception] = ValueError) -> int | None:
    """``value`` as a Python int: an ``int`` or NumPy integer, never a ``bool``, at least
    ``minimum`` when given (``None`` passes through with ``allow_none``).  Raises ``error``
    with a message naming the argument, e.g. "step must be a positive integer, got 0"."""
    if value is None and allow_none:
        return None
    if (isinstance(value, bool) or not isinstance(value, (int, np.integer))
            or (minimum is not None and value < minimum)):
        need = ("an integer" if minimum is None else "a positive integer" if minimum == 1
                else f"an integer >= {minimum}")
        raise error(f"{name} must be {need}{' or None' if allow_none else ''}, got {value!r}")
    return int(value)
