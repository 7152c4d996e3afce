"""``dlb_fashion_mnist``: Fashion-MNIST from the registry's verified IDX files (Debian's
package or the mirror re-compress the archives, so TFDS's ``fashion_mnist`` would reject them)."""
from __future__ import annotations

from .. import data
from .mnist import IdxBuilder


class DlbFashionMnist(IdxBuilder):
    """Fashion-MNIST (Xiao et al., Zalando), the course's verified copy."""

    REGISTRY_NAME = "fashion_mnist"
    CLASS_NAMES = data.FASHION_MNIST_CLASSES
