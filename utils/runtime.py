"""Run-time helpers shared by the notebooks: mode, seeding, devices, results."""
from __future__ import annotations

import json
import math
import os
import platform
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from .data import REPO_ROOT

_TRUE = ("1", "true", "yes", "on")


def smoke_from_env() -> bool:
    """True when ``DLB_SMOKE`` asks for the quick pass (1/true/yes/on)."""
    return os.environ.get("DLB_SMOKE", "").strip().lower() in _TRUE


def in_colab() -> bool:
    """True inside Google Colab (detected from the running kernel, not assumed)."""
    return "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ


def set_seed(seed: int = 42) -> None:
    """Seed Python, NumPy and TensorFlow through Keras in one call."""
    import keras

    keras.utils.set_random_seed(int(seed))


def devices() -> dict[str, int]:
    """Number of accelerators TensorFlow sees, by kind."""
    import tensorflow as tf

    found = {kind: len(tf.config.list_logical_devices(kind)) for kind in ("GPU", "TPU", "CPU")}
    return found


def env_summary(warn: bool = True) -> str:
    """One line: versions and devices.  Without a GPU/TPU it warns (never fails)."""
    import keras
    import tensorflow as tf

    found = devices()
    accel = ", ".join(f"{n} {k}" for k, n in found.items() if n and k != "CPU") or "CPU only"
    line = (f"Python {platform.python_version()} | TensorFlow {tf.__version__} | "
            f"Keras {keras.__version__} | {accel} | {'Colab' if in_colab() else 'local'}")
    if warn and not (found["GPU"] or found["TPU"]):
        warnings.warn("no GPU or TPU found: training runs on the CPU (fine for smoke mode; "
                      "on Colab choose Runtime > Change runtime type > GPU for full mode)",
                      stacklevel=2)
    return line


def get_strategy():
    """A ``tf.distribute`` strategy for whatever this machine has.

    TPU (Colab) -> TPUStrategy; several GPUs -> MirroredStrategy; otherwise the default
    strategy (one GPU or the CPU).  Build and compile models inside ``strategy.scope()``.
    """
    import tensorflow as tf

    try:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
        return tf.distribute.TPUStrategy(resolver)
    except (ValueError, RuntimeError, tf.errors.NotFoundError):
        pass
    if len(tf.config.list_logical_devices("GPU")) > 1:
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


def versions() -> dict[str, str]:
    """Versions of the libraries a result depends on."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("tensorflow", "keras", "numpy", "scikit-learn", "gymnasium"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return out


def results_dir() -> Path:
    """``$DLB_RESULTS_DIR`` or ``build/results`` in the repository (created)."""
    path = Path(os.environ.get("DLB_RESULTS_DIR") or REPO_ROOT / "build" / "results")
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Run:
    """One execution of a notebook: its name, mode and start time.

    ``run = utils.start_run("01_feedforward_regression", SMOKE)`` at the top,
    ``run.save(metrics)`` at the end writes ``<results_dir>/<notebook>.json``.
    """

    notebook: str
    smoke: bool
    started: float = field(default_factory=time.time)

    @property
    def mode(self) -> str:
        return "smoke" if self.smoke else "full"

    def seconds(self) -> float:
        return time.time() - self.started

    def path(self, suffix: str = ".json") -> Path:
        """A file in the results directory named after the notebook (for figures, videos)."""
        return results_dir() / f"{self.notebook}{suffix}"

    def save(self, metrics: dict) -> Path:
        return save_results(self.notebook, metrics, self.mode, self.seconds())


def start_run(notebook: str, smoke: bool, seed: int | None = 42) -> Run:
    """Seed everything, print the environment line, start the clock."""
    if seed is not None:
        set_seed(seed)
    print(env_summary())
    print(f"mode: {'smoke (quick pass)' if smoke else 'full'} | seed: {seed}")
    return Run(notebook, bool(smoke))


def _number(name: str, value) -> float | int:
    if isinstance(value, bool):
        return int(value)
    try:
        number = value.item() if hasattr(value, "item") else value
    except (ValueError, AttributeError):
        number = value
    if not isinstance(number, (int, float)):
        raise TypeError(f"metric {name!r} must be a number, got {type(value).__name__}")
    return number


def save_results(notebook: str, metrics: dict, mode: str, seconds: float) -> Path:
    """Write the results JSON of one notebook run and return its path.

    Keys: ``notebook``, ``mode`` ("smoke"/"full"), ``seconds``, ``metrics`` (flat name ->
    number; NaN and infinities are written as null), ``versions``.
    """
    if mode not in ("smoke", "full"):
        raise ValueError(f"mode must be 'smoke' or 'full', not {mode!r}")
    clean = {}
    for name, value in metrics.items():
        number = _number(name, value)
        clean[str(name)] = number if math.isfinite(number) else None
    record = {"notebook": notebook, "mode": mode, "seconds": round(float(seconds), 2),
              "metrics": clean, "versions": versions()}
    path = results_dir() / f"{notebook}.json"
    path.write_text(json.dumps(record, indent=2) + "\n")
    print(f"results written to {path}")
    return path


def load_results(notebook: str) -> dict:
    """Read back the results JSON of one notebook."""
    return json.loads((results_dir() / f"{notebook}.json").read_text())
