"""Unit tests of utils.checks: the argument checks the helper modules share."""
import math

import numpy as np
import pytest

from utils.checks import check_int


# --- check_int --------------------------------------------------------------------------

@pytest.mark.parametrize("value", [0, 1, 7, -3, np.int64(5), np.int32(2), np.uint8(9)])
def test_check_int_returns_a_python_int(value):
    result = check_int("n", value)
    assert result == value and type(result) is int


def test_check_int_minimum_is_inclusive():
    assert check_int("step", 1, 1) == 1
    assert check_int("step", 2, 1) == 2
    assert check_int("k", 0, 0) == 0
    assert check_int("k", -2, -2) == -2
    with pytest.raises(ValueError, match=r"^step must be a positive integer, got 0$"):
        check_int("step", 0, 1)
    with pytest.raises(ValueError, match=r"^k must be an integer >= 0, got -1$"):
        check_int("k", -1, 0)
    with pytest.raises(ValueError, match=r"^k must be an integer >= 3, got 2$"):
        check_int("k", 2, 3)
    with pytest.raises(ValueError, match=r"^k must be an integer >= -2, got -3$"):
        check_int("k", -3, -2)


@pytest.mark.parametrize("value", [True, False, 2.0, 2.5, "3", None, np.float64(1.0), [1]])
def test_check_int_rejects_what_is_not_an_integer(value):
    with pytest.raises(ValueError) as info:
        check_int("n", value)
    assert str(info.value) == f"n must be an integer, got {value!r}"


def test_check_int_passes_none_through_when_allowed():
    assert check_int("max_frames", None, 1, allow_none=True) is None
    assert check_int("max_frames", 4, 1, allow_none=True) == 4  # a number still comes back
    with pytest.raises(ValueError, match=r"^max_frames must be a positive integer or None, "
                                         r"got 0$"):
        check_int("max_frames", 0, 1, allow_none=True)
    with pytest.raises(ValueError, match=r"^max_frames must be a positive integer, got None$"):
        check_int("max_frames", None, 1)  # allow_none is off by default
    with pytest.raises(ValueError, match=r"^n must be an integer or None, got 'x'$"):
        check_int("n", "x", allow_none=True)


def test_check_int_raises_the_error_class_it_is_given():
    with pytest.raises(TypeError, match="size must be a positive integer"):
        check_int("size", 0, 1, error=TypeError)
    with pytest.raises(KeyError):
        check_int("size", 1.5, error=KeyError)
