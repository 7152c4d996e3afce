"""utils.datasets: every course dataset through ``tfds.load``, offline, from verified files.

The datasets are prepared once per session into a temporary TFDS folder (``prepared``);
the error tests use a temporary mirror with a tampered copy and a temporary cache.
"""
import errno
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from utils import data

REPO = Path(__file__).resolve().parent.parent
#: Where the source files come from: the offline mirror, or else a filled download cache
#: (the same layout).
SOURCE = data.data_dir() or data.cache_dir()
pytestmark = [
    pytest.mark.tfds,
    pytest.mark.skipif(not (SOURCE / "mnist").is_dir() or not (SOURCE / "camvid").is_dir(),
                       reason="needs DLB_DATA_DIR (CI sets it) or a filled cache (make data)"),
]
HAS_FASHION = (SOURCE / "fashion_mnist").is_dir() or data.DEBIAN_FASHION_MNIST.is_dir()
COURSE = ["mnist", "fashion_mnist", "tinyshakespeare", "camvid"]

tfds = pytest.importorskip("tensorflow_datasets")


@pytest.fixture(scope="session")
def datasets():
    from utils import datasets

    return datasets


@pytest.fixture(scope="session")
def prepared(tmp_path_factory, datasets):
    """A TFDS folder with every course dataset prepared once, and the seconds each took."""
    directory = tmp_path_factory.mktemp("tfds")
    seconds = {}
    for name in COURSE:
        if name == "fashion_mnist" and not HAS_FASHION:
            continue
        start = time.perf_counter()
        datasets.load(name, data_dir=str(directory), split="train")
        seconds[name] = round(time.perf_counter() - start, 1)
    print(f"\nTFDS preparation (s): {seconds}, load average {os.getloadavg()[0]:.1f}")
    return directory


def _load(datasets, prepared, name, **kwargs):
    return datasets.load(name, data_dir=str(prepared), **kwargs)


# ---------------------------------------------------------------- names, import
def test_names_map_to_tfds_builders(datasets):
    assert datasets.tfds_name("mnist") == "dlb_mnist"
    assert datasets.tfds_name("fashion_mnist") == "dlb_fashion_mnist"
    assert datasets.tfds_name("camvid") == "dlb_camvid"
    assert datasets.tfds_name("tinyshakespeare") == "tiny_shakespeare"
    assert datasets.tfds_name("dlb_mnist") == "dlb_mnist"
    with pytest.raises(data.UnknownDatasetError, match="load_boston_housing"):
        datasets.tfds_name("boston_housing")
    for name in ("dlb_mnist", "dlb_fashion_mnist", "dlb_camvid", "tiny_shakespeare"):
        assert tfds.builder_cls(name).name == name  # registered with TFDS


def test_data_dir_is_inside_the_course_cache(datasets, monkeypatch, tmp_path):
    monkeypatch.setenv("DLB_CACHE_DIR", str(tmp_path))
    assert datasets.data_dir() == tmp_path / "tfds"
    monkeypatch.delenv("DLB_CACHE_DIR")
    assert datasets.data_dir() == REPO / "data" / "tfds"


def test_import_is_quiet():
    """No warning or log line on import, even with every warning shown."""
    out = subprocess.run([sys.executable, "-W", "always", "-c", "import utils.datasets"],
                         cwd=REPO, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stderr == "" and out.stdout == ""


def test_preparation_and_loading_print_nothing_to_stderr(tmp_path):
    """TensorFlow's start-up log, absl's notes and TFDS's progress bars stay away from
    stderr (Jupyter's pink block); TFDS's two lines on stdout say what happens."""
    code = ("from utils import datasets; import tensorflow_datasets as tfds\n"
            f"ds = datasets.load('tinyshakespeare', split='test', data_dir={str(tmp_path)!r})\n"
            "print(len(next(iter(tfds.as_numpy(ds)))['text']))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    assert "prepared" in out.stdout and out.stdout.strip().endswith("55770")


# ---------------------------------------------------------------- the datasets
@pytest.mark.parametrize("name", ["mnist", "fashion_mnist"])
def test_mnist_like_datasets_load_with_their_split_sizes(datasets, prepared, name):
    if name == "fashion_mnist" and not HAS_FASHION:
        pytest.skip("no Fashion-MNIST (Debian's dataset-fashion-mnist or the mirror)")
    # the reference: the registry's IDX files, read as they are
    x_train, y_train, x_test, y_test = (data.read_idx(data.fetch_file(f))
                                        for f in data.dataset(name).files)
    splits, info = _load(datasets, prepared, name, split=["train", "test"],
                         as_supervised=True, with_info=True)
    assert info.splits["train"].num_examples == 60_000
    assert info.splits["test"].num_examples == 10_000
    image, label = splits[0].element_spec
    assert image.shape == (28, 28, 1) and image.dtype.name == "uint8"
    assert label.shape == () and label.dtype.name == "int64"
    assert info.features["label"].num_classes == 10
    if name == "fashion_mnist":
        assert info.features["label"].names == list(data.FASHION_MNIST_CLASSES)
    # the whole test split and the head of train: the same arrays, in the files' order
    x, y = tfds.as_numpy(_load(datasets, prepared, name, split="test", batch_size=-1,
                               as_supervised=True))
    np.testing.assert_array_equal(x[..., 0], x_test)
    np.testing.assert_array_equal(y, y_test)
    x, y = tfds.as_numpy(_load(datasets, prepared, name, split="train[:2000]",
                               batch_size=-1, as_supervised=True))
    np.testing.assert_array_equal(x[..., 0], x_train[:2000])
    np.testing.assert_array_equal(y, y_train[:2000])


def test_tiny_shakespeare_text_is_intact(datasets, prepared):
    splits, info = _load(datasets, prepared, "tinyshakespeare",
                         split=["train", "validation", "test"], with_info=True)
    assert [info.splits[s].num_examples for s in ("train", "validation", "test")] == [1, 1, 1]
    text = b"".join(ex["text"] for ds in splits for ex in tfds.as_numpy(ds))
    registered = data.dataset("tinyshakespeare").files[0].sha256
    assert len(text) == 1_115_394
    assert hashlib.sha256(text).hexdigest() == registered


def test_camvid_loads_with_its_split_sizes(datasets, prepared):
    splits, info = _load(datasets, prepared, "camvid", split=["train", "validation", "test"],
                         with_info=True)
    assert [info.splits[s].num_examples for s in ("train", "validation", "test")] == \
        [184, 101, 117]
    spec = splits[0].element_spec
    assert spec["image"].shape == (360, 480, 3) and spec["image"].dtype.name == "uint8"
    assert spec["segmentation_mask"].shape == (360, 480, 1)
    assert spec["segmentation_mask"].dtype.name == "uint8"
    assert info.features["segmentation_mask"].names == [*data.CAMVID_CLASSES, "Void"]
    assert info.supervised_keys == ("image", "segmentation_mask")
    for ds in splits:  # every mask holds class indices 0-11 only
        for batch in tfds.as_numpy(ds.map(lambda ex: ex["segmentation_mask"]).batch(64)):
            assert batch.max() <= data.CAMVID_VOID
    # the validation split is the registry's val/ and valannot/ PNG files read by Pillow,
    # pixel for pixel, in the order of the frame names
    from PIL import Image

    names = sorted(f.path.rsplit("/", 1)[1][:-4] for f in data.dataset("camvid").files
                   if f.path.startswith("camvid/val/"))
    got = tfds.as_numpy(splits[1].batch(101).get_single_element())
    assert [n.decode() for n in got["file_name"]] == names

    def read(folder, mode):
        return np.stack([np.asarray(Image.open(data.fetch("camvid", f"camvid/{folder}/{n}.png"))
                                    .convert(mode)) for n in names])

    np.testing.assert_array_equal(got["image"], read("val", "RGB"))
    np.testing.assert_array_equal(got["segmentation_mask"][..., 0], read("valannot", "L"))


@pytest.mark.parametrize("name", COURSE)
def test_dataset_info_is_filled_in(datasets, prepared, name):
    if name == "fashion_mnist" and not HAS_FASHION:
        pytest.skip("no Fashion-MNIST")
    info = datasets.builder(name, data_dir=str(prepared)).info
    assert info.description and info.homepage and info.citation
    assert info.redistribution_info.license == data.dataset(name).license
    assert info.splits


def test_as_supervised_gives_keras_pairs(datasets, prepared):
    """The shape a notebook feeds to model.fit: batched (image, label) pairs."""
    ds = _load(datasets, prepared, "mnist", split="test", as_supervised=True)
    x, y = next(iter(tfds.as_numpy(ds.batch(32))))
    assert x.shape == (32, 28, 28, 1) and y.shape == (32,)


# ---------------------------------------------------------------- reuse
def test_second_load_reuses_the_prepared_data(datasets, prepared, monkeypatch):
    before = {p: p.stat().st_mtime_ns for p in prepared.rglob("*") if p.is_file()}

    def no_second_preparation(*args, **kwargs):
        raise AssertionError("prepared again")

    for cls in (datasets.DlbMnist, datasets.DlbFashionMnist, datasets.DlbCamvid,
                tfds.builder_cls("tiny_shakespeare")):
        monkeypatch.setattr(cls, "_split_generators", no_second_preparation)
        monkeypatch.setattr(cls, "_generate_examples", no_second_preparation)
    monkeypatch.setattr(data, "fetch_file", no_second_preparation)  # sources not even looked at
    monkeypatch.setattr(data, "fetch", no_second_preparation)
    for name in COURSE:
        if name == "fashion_mnist" and not HAS_FASHION:
            continue
        ds = _load(datasets, prepared, name, split="test")
        assert next(iter(ds))
    after = {p: p.stat().st_mtime_ns for p in prepared.rglob("*") if p.is_file()}
    assert after == before


# ---------------------------------------------------------------- errors through TFDS
@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """A temporary mirror of links to the real one (files to tamper with are copied), and a
    temporary cache, so ``datasets.data_dir()`` is fresh."""
    mirror = tmp_path / "mirror"

    def link(folder: str):
        for src in (SOURCE / folder).rglob("*"):
            if src.is_file():
                dst = mirror / src.relative_to(SOURCE)
                dst.parent.mkdir(parents=True, exist_ok=True)
                dst.symlink_to(src)

    def tamper(rel: str) -> Path:
        path = mirror / rel
        content = path.read_bytes()
        path.unlink()
        path.write_bytes(content[:-100])  # a truncated copy
        return path

    monkeypatch.setenv("DLB_DATA_DIR", str(mirror))
    monkeypatch.setenv("DLB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("DLB_OFFLINE", "1")
    return link, tamper, mirror


def _direct_error(f: data.DataFile) -> data.DatasetError:
    with pytest.raises(data.DatasetError) as err:
        data.fetch_file(f)
    return err.value


def _nothing_prepared(datasets):
    left = [p for p in datasets.data_dir().rglob("*") if p.is_file() or "incomplete" in p.name]
    assert not left, left


@pytest.mark.parametrize("broken,name,rel", [
    ("corrupt", "mnist", "mnist/t10k-labels-idx1-ubyte.gz"),
    ("corrupt", "tinyshakespeare", "tinyshakespeare/input.txt"),
    ("corrupt", "camvid", "camvid/valannot/0016E5_07959.png"),
    ("missing", "mnist", "mnist/train-images-idx3-ubyte.gz"),
    ("missing", "tinyshakespeare", "tinyshakespeare/input.txt"),
    ("missing", "camvid", "camvid/train/0001TP_006690.png"),
])
def test_bad_source_file_gives_the_registry_error(datasets, sandbox, broken, name, rel):
    """A corrupt or missing source file raises, through TFDS's preparation, exactly the error
    ``utils.data`` gives (the file, where it was looked for, the fix), and nothing is left
    prepared."""
    link, tamper, mirror = sandbox
    link(rel.split("/")[0])
    if broken == "corrupt":
        tamper(rel)
    else:
        (mirror / rel).unlink()
    registered = next(f for f in data.dataset(name).files if f.path == rel)
    expected = _direct_error(registered)
    error = data.ChecksumError if broken == "corrupt" else data.DataNotFoundError
    with pytest.raises(error) as err:
        datasets.load(name, split="test" if broken == "corrupt" else "train")
    assert str(err.value) == str(expected)  # unchanged by TFDS
    fix = "Replace it with a good copy" if broken == "corrupt" else "DLB_DATA_DIR"
    assert str(mirror / rel) in str(err.value) and fix in str(err.value)
    _nothing_prepared(datasets)


# ---------------------------------------------------------------- failed preparation
@pytest.mark.parametrize("exc", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_a_preparation_failing_midway_leaves_nothing_trusted(datasets, sandbox, monkeypatch,
                                                              exc):
    """A failure after the train split was written (or Ctrl-C / a notebook's stop button):
    TFDS removes its incomplete folder; the next load prepares from scratch."""
    link, _, _ = sandbox
    link("tinyshakespeare")
    cls = tfds.builder_cls("tiny_shakespeare")
    original = cls._generate_examples

    def fail_after_train(self, split_key, split_text):
        if split_key == "validation":
            raise exc
        yield from original(self, split_key, split_text)

    monkeypatch.setattr(cls, "_generate_examples", fail_after_train)
    with pytest.raises(type(exc)):
        datasets.load("tinyshakespeare", split="train")
    _nothing_prepared(datasets)
    monkeypatch.setattr(cls, "_generate_examples", original)
    splits = datasets.load("tinyshakespeare", split=["train", "validation", "test"])
    text = b"".join(ex["text"] for ds in splits for ex in tfds.as_numpy(ds))
    assert hashlib.sha256(text).hexdigest() == data.dataset("tinyshakespeare").files[0].sha256


def test_a_killed_preparation_is_not_trusted(datasets, sandbox):
    """A process killed midway (a kernel restart) leaves TFDS's ``incomplete.*`` folder,
    which no later load reads: the dataset is prepared afresh."""
    link, _, _ = sandbox
    link("tinyshakespeare")
    code = (
        "import os, signal, tensorflow_datasets as tfds\n"
        "from utils import datasets\n"
        "cls = tfds.builder_cls('tiny_shakespeare'); original = cls._generate_examples\n"
        "def die(self, split_key, split_text):\n"
        "    if split_key == 'validation': os.kill(os.getpid(), signal.SIGKILL)\n"
        "    yield from original(self, split_key, split_text)\n"
        "cls._generate_examples = die\n"
        "datasets.load('tinyshakespeare', split='train')\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, timeout=600)
    assert out.returncode == -9, out.stderr
    root = datasets.data_dir() / "tiny_shakespeare"
    left = [p.name for p in root.iterdir()]
    assert len(left) == 1 and left[0].startswith("incomplete.")  # no 1.0.0/
    assert not datasets.builder("tinyshakespeare").is_prepared()
    splits = datasets.load("tinyshakespeare", split=["train", "validation", "test"])
    text = b"".join(ex["text"] for ds in splits for ex in tfds.as_numpy(ds))
    assert hashlib.sha256(text).hexdigest() == data.dataset("tinyshakespeare").files[0].sha256
    assert (root / "1.0.0").is_dir()


# ---------------------------------------------------------------- two processes at once
class RaceDemo(tfds.core.GeneratorBasedBuilder):
    """Three numbers: a dataset that prepares in a second, for the race below."""

    VERSION = tfds.core.Version("1.0.0")

    def _info(self):
        return tfds.core.DatasetInfo(
            builder=self, features=tfds.features.FeaturesDict({"n": np.int64}))

    def _split_generators(self, dl_manager):
        return {"train": self._generate_examples()}

    def _generate_examples(self):
        for n in range(3):
            yield n, {"n": n}


def _other_process_finishes_first(monkeypatch, cls, prepare_elsewhere):
    """While this process prepares ``cls``, another one prepares it completely (its folder is
    in place before this one renames its own finished folder)."""
    original = cls._download_and_prepare
    raced = []

    def race(self, *args, **kwargs):
        if not raced:
            raced.append(True)
            prepare_elsewhere()
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cls, "_download_and_prepare", race)
    return raced


def test_a_dataset_another_process_prepared_first_is_loaded(datasets, monkeypatch, tmp_path):
    """Two notebooks opened together prepare one dataset at once: TFDS's rename of the second
    one's folder fails with FileExistsError, and ``load`` loads what the first prepared."""
    def race_in(directory):
        return _other_process_finishes_first(
            monkeypatch, RaceDemo,
            lambda: tfds.builder("race_demo", data_dir=str(directory)).download_and_prepare())

    race_in(tmp_path / "plain")
    with pytest.raises(FileExistsError):  # what tfds.load does, and the course's load handles
        tfds.load("race_demo", split="train", data_dir=str(tmp_path / "plain"))
    monkeypatch.undo()
    raced = race_in(tmp_path / "course")
    ds = datasets.load("race_demo", split="train", data_dir=str(tmp_path / "course"))
    assert raced and sorted(int(ex["n"]) for ex in tfds.as_numpy(ds)) == [0, 1, 2]
    assert not [p for p in tmp_path.rglob("*") if "incomplete" in p.name]


def test_tiny_shakespeare_another_process_prepared_first_is_loaded(datasets, sandbox,
                                                                    monkeypatch):
    """The same race for TFDS's own builder, which the course prepares from the verified file."""
    link, _, _ = sandbox
    link("tinyshakespeare")
    directory = str(datasets.data_dir())
    cls = tfds.builder_cls("tiny_shakespeare")
    raced = _other_process_finishes_first(
        monkeypatch, cls, lambda: datasets._prepare_builtin("tiny_shakespeare", directory))
    splits = datasets.load("tinyshakespeare", split=["train", "validation", "test"])
    text = b"".join(ex["text"] for ds in splits for ex in tfds.as_numpy(ds))
    assert raced
    assert hashlib.sha256(text).hexdigest() == data.dataset("tinyshakespeare").files[0].sha256


@pytest.mark.parametrize("error", [FileExistsError(errno.EEXIST, "File exists"),
                                   OSError(errno.ENOTEMPTY, "Directory not empty")])
def test_a_rename_error_with_nothing_prepared_is_raised(datasets, monkeypatch, tmp_path, error):
    """Only a dataset that is prepared after all is loaded; otherwise the error is raised."""
    def fails(self, *args, **kwargs):
        raise error

    monkeypatch.setattr(RaceDemo, "_download_and_prepare", fails)
    with pytest.raises(OSError) as caught:
        datasets.load("race_demo", split="train", data_dir=str(tmp_path))
    assert caught.value is error
    assert not datasets.builder("race_demo", data_dir=str(tmp_path)).is_prepared()


def test_make_data_prepares_once_and_then_reuses(prepared, monkeypatch, tmp_path, capsys):
    """``python -m utils data prepare`` (run by ``make data``, so by ``make test``) reuses
    what is prepared: the cache's ``tfds`` folder is the session's prepared one."""
    (tmp_path / "tfds").symlink_to(prepared, target_is_directory=True)
    monkeypatch.setenv("DLB_CACHE_DIR", str(tmp_path))
    before = sorted(p.name for p in prepared.rglob("*"))
    assert data.main(["prepare", "mnist", "tinyshakespeare"]) == 0
    out = capsys.readouterr().out
    assert "mnist: already prepared" in out and "tinyshakespeare: already prepared" in out
    assert sorted(p.name for p in prepared.rglob("*")) == before


# ---------------------------------------------------------------- other TFDS datasets
@pytest.fixture
def offline(monkeypatch):
    """No network: TFDS's downloader fails as it does offline, in ``requests`` (a
    ``requests.exceptions.ConnectionError`` from ``Session.get``, raised in its thread pool
    and re-raised by ``download_and_prepare``).  Nothing is downloaded."""
    requests = pytest.importorskip("requests")
    from tensorflow_datasets.core.download import downloader

    def no_network(self, url, *args, **kwargs):
        raise requests.exceptions.ConnectionError(
            f"HTTPSConnectionPool(host='example.invalid', port=443): Max retries exceeded "
            f"with url: {url} (Caused by NameResolutionError(...))")

    monkeypatch.setattr(downloader._Downloader, "_sync_download", no_network)
    return requests


@pytest.mark.parametrize("name", ["kmnist", "emnist/mnist"])
def test_another_tfds_dataset_offline_says_what_to_do(datasets, offline, tmp_path, name):
    with pytest.raises(data.DataNotFoundError) as caught:
        datasets.load(name, split="train", data_dir=str(tmp_path))
    message = str(caught.value)
    assert repr(name) in message and "offline" in message
    assert "with internet" in message and str(tmp_path) in message  # the fixes
    assert "mnist, fashion_mnist" in message
    assert isinstance(caught.value.__cause__, offline.exceptions.ConnectionError)
    assert not datasets.builder(name, data_dir=str(tmp_path)).is_prepared()


def test_only_network_failures_of_other_datasets_are_reworded(datasets, monkeypatch,
                                                               tmp_path):
    """A course dataset's errors, and other failures, reach the caller as they are."""
    requests = pytest.importorskip("requests")

    def fails(error):
        def download_and_prepare(self, *args, **kwargs):
            raise error
        return download_and_prepare

    monkeypatch.setattr(tfds.core.DatasetBuilder, "download_and_prepare",
                        fails(requests.exceptions.ConnectionError("no network")))
    with pytest.raises(data.DataNotFoundError, match="seems to be offline"):
        datasets.load("kmnist", split="train", data_dir=str(tmp_path))
    with pytest.raises(requests.exceptions.ConnectionError):
        datasets.load("mnist", split="train", data_dir=str(tmp_path))
    monkeypatch.setattr(tfds.core.DatasetBuilder, "download_and_prepare",
                        fails(ValueError("something else")))
    with pytest.raises(ValueError, match="something else"):
        datasets.load("kmnist", split="train", data_dir=str(tmp_path))


def test_check_images_reads_the_features_without_downloading(datasets, offline, tmp_path):
    for name in ("mnist", "fashion_mnist", "kmnist", "emnist/mnist"):
        info = datasets.check_images(name, (28, 28, 1), data_dir=str(tmp_path))
        assert info.features["label"].num_classes >= 10
    with pytest.raises(data.DatasetError, match=r"\(32, 32, 3\).*\(28, 28, 1\)"):
        datasets.check_images("cifar10", (28, 28, 1), data_dir=str(tmp_path))
    with pytest.raises(data.DatasetError, match="no 'image'"):
        datasets.check_images("tinyshakespeare", data_dir=str(tmp_path))
    assert not list(tmp_path.rglob("*.tfrecord*"))



def test_keras_shuffle_warning_on_pipelines_is_silenced():
    """Keras warns on every ``fit`` on a tf.data pipeline (which shuffles itself); importing
    the package silences that warning only (in a fresh process: pytest resets filters)."""
    code = ("import warnings\nfrom utils import datasets\n"
            "warnings.warn('`shuffle=True` was passed, but will be ignored since the data `x` "
            "was provided as a tf.data.Dataset.', UserWarning)\n"
            "warnings.warn('another warning', UserWarning)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "shuffle" not in out.stderr and "another warning" in out.stderr


def test_first_load_leaves_the_random_state_as_it_was(datasets, tmp_path):
    """A lesson's first run prepares its dataset; its seeded initial weights must not depend
    on that (Keras draws unseeded initialisers' seeds from Python's ``random``)."""
    import random

    random.seed(42)
    np.random.seed(42)
    expected = random.random(), np.random.rand()
    random.seed(42)
    np.random.seed(42)
    datasets.load("tinyshakespeare", split="train", data_dir=str(tmp_path))  # prepares it
    assert (random.random(), np.random.rand()) == expected
