"""Unit tests of utils.data: registry, verification, error paths, loaders."""
import gzip
import hashlib
import re
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import serve
from utils import data

MIRROR = data.data_dir()
needs_mirror = pytest.mark.skipif(
    MIRROR is None and not (data.cache_dir() / "boston_housing").is_dir(),
    reason="needs DLB_DATA_DIR (CI sets it) or a filled cache (make data)")


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No mirror, an empty cache in tmp_path, no Debian copy: every lookup is under test."""
    monkeypatch.delenv("DLB_DATA_DIR", raising=False)
    monkeypatch.setenv("DLB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("DLB_OFFLINE", "1")
    return tmp_path


def _file(path="demo/hello.txt", content=b"hello course\n", **kw):
    return data.DataFile(path, "https://example.invalid/hello.txt",
                         hashlib.sha256(content).hexdigest(), **kw), content


# ---------------------------------------------------------------- registry
def test_registry_names_every_course_dataset():
    assert {"boston_housing", "mnist", "fashion_mnist", "tinyshakespeare", "camvid",
            "mnist_dream", "driveseg_sample"} <= set(data.DATASETS)
    for d in data.DATASETS.values():
        assert d.license and d.citation and d.description and d.files
        for f in d.files:
            assert f.url.startswith(("https://", "http://"))
            assert len(f.sha256) == 64 and len(f.content_hash) == 64
            assert not f.path.startswith("/")


def test_camvid_license_is_marked_non_commercial():
    assert "non-commercial" in data.dataset("camvid").license.lower()


def test_registry_matches_the_mirror_manifest():
    """Each file hash registered for mirror content equals the hash the mirror publishes."""
    sums = Path(__file__).resolve().parents[2] / "shared" / "data" / "SHA256SUMS"
    if MIRROR is not None and (MIRROR / "SHA256SUMS").is_file():
        sums = MIRROR / "SHA256SUMS"
    if not sums.is_file():
        pytest.skip("no SHA256SUMS of a mirror beside the checkout")
    published = dict(reversed(line.split()) for line in sums.read_text().splitlines() if line)
    checked = 0
    for d in data.DATASETS.values():
        for f in d.files:
            if f.path in published and not f.path.endswith(".gz"):
                assert published[f.path] == f.content_hash, f.path
                checked += 1
    assert checked > 800  # boston, shakespeare, camvid pairs, MIT media


def test_unknown_dataset_lists_known_ones():
    with pytest.raises(data.UnknownDatasetError) as err:
        data.fetch("imagenet")
    assert "imagenet" in str(err.value)
    for name in ("mnist", "boston_housing", "camvid"):
        assert name in str(err.value)
    with pytest.raises(KeyError):  # also a KeyError, for callers that expect one
        data.dataset("nope")


def test_unknown_file_of_a_dataset_is_an_error():
    with pytest.raises(data.UnknownDatasetError, match="no file"):
        data.fetch("mnist", "nothing.gz")
    with pytest.raises(ValueError, match="name one with path"):
        data.fetch("mnist")


# ---------------------------------------------------------------- resolution and errors
def test_missing_file_offline_says_what_where_url_and_how(isolated, monkeypatch):
    f, _ = _file()
    with pytest.raises(data.DataNotFoundError) as err:
        data.fetch_file(f)
    msg = str(err.value)
    assert "demo/hello.txt" in msg
    assert str(isolated / "cache" / "demo" / "hello.txt") in msg  # where it looked
    assert f.url in msg
    assert "DLB_DATA_DIR" in msg
    # with a mirror configured, the mirror location is listed too
    monkeypatch.setenv("DLB_DATA_DIR", str(isolated / "mirror"))
    with pytest.raises(data.DataNotFoundError) as err:
        data.fetch_file(f)
    assert str(isolated / "mirror" / "demo" / "hello.txt") in str(err.value)


def test_mirror_is_read_first_and_verified(isolated, monkeypatch):
    f, content = _file()
    mirror = isolated / "mirror"
    (mirror / "demo").mkdir(parents=True)
    (mirror / "demo" / "hello.txt").write_bytes(content)
    monkeypatch.setenv("DLB_DATA_DIR", str(mirror))
    assert data.fetch_file(f) == mirror / "demo" / "hello.txt"


def test_corrupt_mirror_file_is_an_error_not_a_fallback(isolated, monkeypatch):
    f, content = _file()
    mirror, cache = isolated / "mirror", isolated / "cache"
    for root, payload in ((mirror, b"tampered\n"), (cache, content)):
        (root / "demo").mkdir(parents=True)
        (root / "demo" / "hello.txt").write_bytes(payload)
    monkeypatch.setenv("DLB_DATA_DIR", str(mirror))
    with pytest.raises(data.ChecksumError) as err:
        data.fetch_file(f)
    msg = str(err.value)
    assert f.sha256 in msg and hashlib.sha256(b"tampered\n").hexdigest() in msg
    assert str(mirror / "demo" / "hello.txt") in msg
    assert (mirror / "demo" / "hello.txt").read_bytes() == b"tampered\n"  # nothing replaced


def test_corrupt_cached_file_names_hashes_and_how_to_clear(isolated):
    f, _ = _file()
    cached = isolated / "cache" / "demo" / "hello.txt"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"half a downl")
    with pytest.raises(data.ChecksumError) as err:
        data.fetch_file(f)
    msg = str(err.value)
    assert str(cached) in msg
    assert f.sha256 in msg
    assert hashlib.sha256(b"half a downl").hexdigest() in msg
    assert "rm " in msg and "Delete" in msg
    assert cached.read_bytes() == b"half a downl"  # kept for inspection, not re-downloaded


def test_good_cached_file_is_used(isolated):
    f, content = _file()
    cached = isolated / "cache" / "demo" / "hello.txt"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(content)
    assert data.fetch_file(f) == cached


def test_gz_mirror_copies_are_checked_by_content(isolated, monkeypatch):
    """A re-compressed .gz (different container bytes) is accepted when its content matches."""
    content = b"\x00\x00\x08\x01\x00\x00\x00\x03\x07\x02\x01"  # IDX: 3 labels 7 2 1
    canonical = gzip.compress(content, mtime=0)
    f = data.DataFile("demo/labels.gz", "https://example.invalid/labels.gz",
                      hashlib.sha256(canonical).hexdigest(), hashlib.sha256(content).hexdigest())
    mirror = isolated / "mirror"
    (mirror / "demo").mkdir(parents=True)
    recompressed = gzip.compress(content, mtime=1234567)
    assert recompressed != canonical
    (mirror / "demo" / "labels.gz").write_bytes(recompressed)
    monkeypatch.setenv("DLB_DATA_DIR", str(mirror))
    path = data.fetch_file(f)
    assert data.read_idx(path).tolist() == [7, 2, 1]
    # a gz whose content differs is refused, as is a file that is not gzip at all
    (mirror / "demo" / "labels.gz").write_bytes(gzip.compress(content[:-1] + b"\x09"))
    with pytest.raises(data.ChecksumError, match="decompressed content"):
        data.fetch_file(f)
    (mirror / "demo" / "labels.gz").write_bytes(b"not gzip")
    with pytest.raises(data.ChecksumError, match="unreadable"):
        data.fetch_file(f)


def test_system_copy_is_used_when_no_mirror(isolated):
    f0, content = _file()
    system = isolated / "usr" / "hello.txt"
    system.parent.mkdir(parents=True)
    system.write_bytes(content)
    f = data.DataFile(f0.path, f0.url, f0.sha256, system_paths=(str(system),))
    assert data.fetch_file(f) == system


def test_download_goes_through_pooch_with_the_registered_hash(isolated, monkeypatch):
    """Without DLB_OFFLINE the cache is filled by pooch.retrieve (stubbed: no network)."""
    import pooch

    f, content = _file()
    calls = {}

    def fake_retrieve(url, known_hash, fname, path, progressbar):
        calls.update(url=url, known_hash=known_hash)
        Path(path).mkdir(parents=True, exist_ok=True)
        (Path(path) / fname).write_bytes(content)
        return str(Path(path) / fname)

    monkeypatch.setenv("DLB_OFFLINE", "0")
    monkeypatch.setattr(pooch, "retrieve", fake_retrieve)
    assert data.fetch_file(f).read_bytes() == content
    assert calls == {"url": f.url, "known_hash": f"sha256:{f.sha256}"}


@pytest.fixture
def loopback_server(tmp_path):
    """``tmp_path/served`` over plain HTTP on 127.0.0.1 (no network involved)."""
    root = tmp_path / "served"
    root.mkdir()
    with serve(root) as url:
        yield root, url


def test_download_is_verified_by_pooch_itself(isolated, monkeypatch, loopback_server):
    """pooch's own downloader fetches the file; a good copy lands in the cache, a copy that
    does not match the registered hash raises ChecksumError and leaves nothing behind."""
    root, url = loopback_server
    monkeypatch.setenv("DLB_OFFLINE", "0")
    good, content = _file()
    (root / "hello.txt").write_bytes(content)
    f = data.DataFile(good.path, f"{url}/hello.txt", good.sha256)
    assert data.fetch_file(f).read_bytes() == content

    tampered = data.DataFile("demo/other.txt", f"{url}/other.txt", good.sha256)
    (root / "other.txt").write_bytes(b"not what was registered\n")
    with pytest.raises(data.ChecksumError, match="does not match its registered sha256"):
        data.fetch_file(tampered)
    assert not (data.cache_dir() / "demo" / "other.txt").exists()


def test_failed_download_reports_reason(isolated, monkeypatch):
    import pooch

    def no_network(*args, **kwargs):
        raise ConnectionError("Name or service not known")

    monkeypatch.setenv("DLB_OFFLINE", "0")
    monkeypatch.setattr(pooch, "retrieve", no_network)
    f, _ = _file()
    with pytest.raises(data.DataNotFoundError, match="ConnectionError"):
        data.fetch_file(f)


def test_read_idx_rejects_garbage(tmp_path):
    bad = tmp_path / "bad.idx"
    bad.write_bytes(b"\x00\x00\x08\x01\x00\x00\x00\x05\x01\x02")  # says 5, holds 2
    with pytest.raises(data.DatasetError, match="header says"):
        data.read_idx(bad)
    bad.write_bytes(b"PK\x03\x04 not idx")
    with pytest.raises(data.DatasetError, match="not an IDX"):
        data.read_idx(bad)


def test_no_pickle_anywhere_in_utils_or_notebooks():
    """Course data is never unpickled: no ``allow_pickle`` (any spelling) and no
    ``pickle.load``/``pickle.loads`` in utils or in the notebooks."""
    root = data.REPO_ROOT
    files = [*(root / "utils").rglob("*.py"), *(root / "notebooks").glob("*.ipynb")]
    assert len(files) > 10
    pattern = re.compile(r"allow_pickle|pickle\s*\.\s*loads?\b|from\s+pickle\s+import|"
                         r"import\s+c?pickle", re.I)
    offenders = [f"{p.name}: {m.group(0)}" for p in files for m in pattern.finditer(p.read_text())]
    assert not offenders
    assert pattern.search("np.load(f, Allow_Pickle = True)")
    assert pattern.search("obj = pickle.loads(blob)") and pattern.search("import cPickle")


# ---------------------------------------------------------------- loaders on real data
@needs_mirror
def test_boston_reproduces_the_keras_split():
    (x_train, y_train), (x_test, y_test) = data.load_boston_housing()
    assert x_train.shape == (404, 13) and x_test.shape == (102, 13)
    assert y_train.shape == (404,) and y_test.shape == (102,)
    np.testing.assert_allclose(
        x_train[0], [1.23247, 0, 8.14, 0, 0.538, 6.142, 91.7, 3.9769, 4, 307, 21, 396.9, 18.72])
    np.testing.assert_allclose(
        x_test[0], [18.0846, 0, 18.1, 0, 0.679, 6.434, 100, 1.8347, 24, 666, 20.2, 27.25, 29.05])
    assert y_test[0] == 7.2
    assert y_train[:3].tolist() == [15.2, 42.3, 50.0]  # keras boston_housing train targets
    assert x_train.dtype == np.float64


def _idx_files(name):
    """The dataset's four IDX files, read as they are: train images and labels, test images
    and labels (what ``dlb_mnist`` and ``dlb_fashion_mnist`` are built from)."""
    return [data.read_idx(data.fetch_file(f)) for f in data.dataset(name).files]


@needs_mirror
def test_mnist_files_hold_the_documented_arrays():
    x_train, y_train, x_test, y_test = _idx_files("mnist")
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.shape == (60000,)
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert y_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974,
                                            1009]


@pytest.mark.skipif(MIRROR is None and not data.DEBIAN_FASHION_MNIST.is_dir(),
                    reason="needs Debian's dataset-fashion-mnist or a mirror")
def test_fashion_mnist_files_hold_the_documented_arrays():
    x_train, y_train, x_test, y_test = _idx_files("fashion_mnist")
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train[:10].tolist() == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]
    assert np.bincount(y_test).tolist() == [1000] * 10
    assert len(data.FASHION_MNIST_CLASSES) == 10


@needs_mirror
def test_tinyshakespeare_file_holds_the_documented_text():
    text = data.fetch("tinyshakespeare").read_text(encoding="utf-8")
    assert len(text) == 1115394 and len(set(text)) == 65
    assert text.startswith("First Citizen:")


@needs_mirror
def test_camvid_pairs_match_the_subset():
    pairs = data.camvid_pairs("test")
    assert len(pairs) == 117
    assert all(img.name == lab.name for img, lab in pairs)
    assert [img.name for img, _ in pairs] == sorted(img.name for img, _ in pairs)
    assert all(img.parent.name == "test" and lab.parent.name == "testannot"
               for img, lab in pairs)
    assert len(data.CAMVID_CLASSES) == 11 and data.CAMVID_COLORS.shape == (12, 3)


@needs_mirror
def test_media_files_are_found_with_their_types():
    assert data.fetch("mnist_dream").suffix == ".mp4"
    assert data.fetch("driveseg_sample").suffix == ".png"


def test_describe_mentions_the_license():
    text = data.describe("camvid")
    assert "CC BY-NC" in text and "Brostow" in text
    assert "mnist" in data.describe()
