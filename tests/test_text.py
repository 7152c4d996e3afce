"""Unit tests of utils/text.py: the character vocabulary (lesson 03 builds its windows
itself)."""
import numpy as np
import pytest

from utils import text

SAMPLE = "First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n"


def test_vocab_round_trip_gives_the_text_back():
    vocab = text.CharVocab(SAMPLE)
    ids = vocab.encode(SAMPLE)
    assert ids.dtype == np.int32 and ids.shape == (len(SAMPLE),)
    assert vocab.decode(ids) == SAMPLE
    assert vocab.decode(vocab.encode("hear me")) == "hear me"
    assert vocab.decode(list(ids[:5])) == SAMPLE[:5]
    assert vocab.decode([]) == ""


def test_vocab_is_sorted_and_inverse():
    vocab = text.CharVocab("cabbage")
    assert vocab.chars == ("a", "b", "c", "e", "g")
    assert len(vocab) == 5
    assert list(vocab.encode("abc")) == [0, 1, 2]
    for i, c in enumerate(vocab.chars):
        assert vocab.char_to_id[c] == i
        assert vocab.decode([i]) == c


def test_vocab_bad_input_raises():
    with pytest.raises(TypeError, match="str"):
        text.CharVocab(b"bytes")
    with pytest.raises(ValueError, match="non-empty"):
        text.CharVocab("")
    vocab = text.CharVocab("abc")
    with pytest.raises(ValueError, match="not in the vocabulary"):
        vocab.encode("abz")
    with pytest.raises(TypeError, match="str"):
        vocab.encode(123)
    with pytest.raises(ValueError, match="out of range"):
        vocab.decode([0, 3])
    with pytest.raises(ValueError, match="out of range"):
        vocab.decode([-1])
    with pytest.raises(ValueError, match="1-D"):
        vocab.decode([[0, 1]])
    with pytest.raises(TypeError, match="integer"):
        vocab.decode([0.5])


# --- what mutation testing (make mutation) showed untested ---------------------------------

def test_vocab_error_messages_name_the_problem():
    with pytest.raises(TypeError, match=r"^CharVocab needs the training text as a str, got bytes$"):
        text.CharVocab(b"bytes")
    with pytest.raises(ValueError, match=r"^CharVocab needs a non-empty text to collect "
                                         r"characters from$"):
        text.CharVocab("")
    vocab = text.CharVocab("abc")
    with pytest.raises(TypeError, match=r"^encode expects a str, got int$"):
        vocab.encode(123)
    assert vocab.encode("").shape == (0,)
    with pytest.raises(ValueError) as info:
        vocab.decode(np.arange(3, 15))  # twelve bad ids: the message lists the first ten
    assert str(info.value) == f"ids out of range [0, 3): {list(range(3, 13))}"
