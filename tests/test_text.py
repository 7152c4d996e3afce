"""Unit tests of utils/text.py: the character vocabulary and the window builder."""
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


def test_windows_targets_are_inputs_shifted_by_one():
    ids = np.arange(23, dtype=np.int32)
    x, y = text.windows(ids, seq_len=5)
    assert x.shape == y.shape == (4, 5)          # 23 ids -> 4 full windows of 5 + 1
    np.testing.assert_array_equal(y[:, :-1], x[:, 1:])
    np.testing.assert_array_equal(x[:, 0], [0, 5, 10, 15])
    np.testing.assert_array_equal(y, x + 1)      # with ids 0..22, "next" is +1
    x2, y2 = text.windows(ids, seq_len=5, stride=2)
    assert x2.shape == (9, 5)
    np.testing.assert_array_equal(y2, x2 + 1)


def test_make_windows_dataset_gives_shifted_batches():
    vocab = text.CharVocab(SAMPLE)
    ids = vocab.encode(SAMPLE * 4)
    ds = text.make_windows(ids, seq_len=10, batch_size=4, shuffle=True, seed=0)
    batches = list(ds.as_numpy_iterator())
    assert len(batches) == (len(ids) - 1) // 10 // 4
    for x, y in batches:
        assert x.shape == y.shape == (4, 10) and x.dtype == np.int32
        np.testing.assert_array_equal(x[:, 1:], y[:, :-1])
        for row_x, row_y in zip(x, y):
            # the window really is a piece of the text, and the target is the next character
            s = vocab.decode(np.concatenate([row_x, row_y[-1:]]))
            assert s in SAMPLE * 4
            assert vocab.decode(row_y) == s[1:]


def test_make_windows_repeat_and_no_shuffle_keep_order():
    ids = np.arange(41)
    ds = text.make_windows(ids, seq_len=4, batch_size=2, shuffle=False, repeat=True)
    first = [x for x, _ in ds.take(7).as_numpy_iterator()]
    np.testing.assert_array_equal(first[0], [[0, 1, 2, 3], [4, 5, 6, 7]])
    np.testing.assert_array_equal(first[5], first[0])  # 10 windows = 5 batches, then again


def test_make_windows_keep_remainder_keeps_the_last_window():
    ds = text.make_windows(np.arange(41), seq_len=4, batch_size=3, shuffle=False,
                           drop_remainder=False)
    sizes = [len(x) for x, _ in ds.as_numpy_iterator()]
    assert sizes == [3, 3, 3, 1]                      # all 10 windows are kept
    ds = text.make_windows(np.arange(11), seq_len=4, batch_size=8, drop_remainder=False)
    assert [len(x) for x, _ in ds.as_numpy_iterator()] == [2]


@pytest.mark.parametrize("kwargs, match", [
    (dict(seq_len=0, batch_size=2), "seq_len"),
    (dict(seq_len=2.5, batch_size=2), "seq_len"),
    (dict(seq_len=3, batch_size=0), "batch_size"),
    (dict(seq_len=3, batch_size=2, stride=0), "stride"),
    (dict(seq_len=50, batch_size=2), "at least"),
    (dict(seq_len=3, batch_size=100), "fewer than one batch"),
])
def test_make_windows_bad_input_raises(kwargs, match):
    with pytest.raises(ValueError, match=match):
        text.make_windows(np.arange(20), **kwargs)


def test_windows_bad_ids_raise():
    with pytest.raises(ValueError, match="1-D"):
        text.windows(np.zeros((3, 4), dtype=int), seq_len=2)
    with pytest.raises(TypeError, match="integers"):
        text.windows(np.linspace(0, 1, 10), seq_len=2)


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


def test_windows_smallest_sizes_work():
    ids = np.arange(6)
    x, y = text.windows(ids, seq_len=1)                 # one character predicts the next
    np.testing.assert_array_equal(x[:, 0], ids[:-1])
    np.testing.assert_array_equal(y[:, 0], ids[1:])
    x, y = text.windows(ids, seq_len=5)                 # exactly seq_len + 1 ids: one window
    np.testing.assert_array_equal(x, [[0, 1, 2, 3, 4]])
    np.testing.assert_array_equal(y, [[1, 2, 3, 4, 5]])
    x, _ = text.windows(ids, seq_len=2, stride=1)      # every start position
    np.testing.assert_array_equal(x[:, 0], [0, 1, 2, 3])
    with pytest.raises(ValueError, match=r"^need at least seq_len \+ 1 = 7 ids for one window, "
                                         r"got 6$"):
        text.windows(ids, seq_len=6)
    with pytest.raises(ValueError, match=r"^need at least seq_len \+ 1 = 8 ids"):
        text.windows(ids, seq_len=7)


@pytest.mark.parametrize("kwargs, match", [
    (dict(seq_len=0, batch_size=2), r"^seq_len must be a positive integer, got 0$"),
    (dict(seq_len=3, batch_size=0), r"^batch_size must be a positive integer, got 0$"),
    (dict(seq_len=3, batch_size=2, stride=0), r"^stride must be a positive integer, got 0$"),
])
def test_make_windows_messages_name_the_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        text.make_windows(np.arange(20), **kwargs)


def test_make_windows_batch_sizes_are_honoured():
    # batch_size 1, and exactly one batch of windows, are fine
    ds = text.make_windows(np.arange(9), seq_len=2, batch_size=1, shuffle=False)
    assert [x.tolist() for x, _ in ds.as_numpy_iterator()] == [[[0, 1]], [[2, 3]], [[4, 5]],
                                                                [[6, 7]]]
    ds = text.make_windows(np.arange(9), seq_len=2, batch_size=4, shuffle=False)
    assert len(list(ds.as_numpy_iterator())) == 1
    # dropping the remainder gives every batch the same, static shape (what Keras compiles for)
    ds = text.make_windows(np.arange(41), seq_len=4, batch_size=3, shuffle=False)
    assert [len(x) for x, _ in ds.as_numpy_iterator()] == [3, 3, 3]
    assert ds.element_spec[0].shape.as_list() == [3, 4]
    assert ds.element_spec[1].shape.as_list() == [3, 4]


def _order(ds):
    return [int(first) for x, _ in ds.as_numpy_iterator() for first in x[:, 0]]


def test_make_windows_shuffling_is_seeded():
    ids = np.arange(201)
    in_order = list(range(0, 200, 4))
    # shuffled by default, reproducibly with a seed, afresh every epoch
    ds = text.make_windows(ids, seq_len=4, batch_size=5, seed=3)
    first, second = _order(ds), _order(ds)
    assert sorted(first) == in_order and first != in_order
    assert sorted(second) == in_order and second != first
    assert _order(text.make_windows(ids, seq_len=4, batch_size=5, seed=3)) == first
    assert _order(text.make_windows(ids, seq_len=4, batch_size=5, shuffle=False)) == in_order
