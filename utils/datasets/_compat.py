"""Work around a packaging bug of tensorflow-datasets 4.9.x.

``tensorflow_datasets.core.dataset_builder`` imports ``importlib_resources`` (to test
``isinstance(path, importlib_resources.abc.Traversable)``) on every Python, but the package
declares that dependency only for Python < 3.9, so a fresh install lacks it and the first
``tfds.load`` fails with ``ModuleNotFoundError: No module named 'importlib_resources'``
(tensorflow/datasets#11212).  When the backport is missing, the standard library's
``importlib.resources`` (whose ``abc.Traversable`` is the class the check needs) stands in.
"""
from __future__ import annotations

import importlib.resources
import importlib.util
import sys
import types


def ensure_importlib_resources() -> None:
    if "importlib_resources" in sys.modules or importlib.util.find_spec("importlib_resources"):
        return
    try:
        from importlib.resources import abc as resources_abc  # Python >= 3.11
    except ImportError:  # Python 3.10
        import importlib.abc as resources_abc
    shim = types.ModuleType("importlib_resources", __doc__)
    shim.__dict__.update({k: getattr(importlib.resources, k)
                          for k in dir(importlib.resources) if not k.startswith("_")})
    shim.abc = resources_abc
    sys.modules["importlib_resources"] = shim
