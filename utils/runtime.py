"""Run-time helpers shared by the notebooks: mode, seeding, devices, results."""
from __future__ import annotations

import importlib.util
import json
import math
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
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


#: Packages the course needs that Colab does not preinstall: (module, pip name).
COLAB_EXTRAS = (("pooch", "pooch"), ("gymnasium", "gymnasium"),
                ("imageio_ffmpeg", "imageio-ffmpeg"))

#: TensorFlow's start-up lines that tell a student nothing they can act on: absl's notice,
#: oneDNN's round-off note, CPU instruction flags, and the CUDA probes of a machine without
#: a GPU.  Anything else TensorFlow prints while starting is passed on.
STARTUP_NOISE = re.compile(
    r"All log messages before absl::InitializeLog|oneDNN custom operations|"
    r"Could not find cuda drivers|cpu_feature_guard|To enable the following instructions|"
    r"rebuild TensorFlow with the appropriate compiler flags|failed call to cuInit|"
    r"Unable to register cu(DNN|FFT|BLAS) factory|TF-TRT Warning|"
    r"computation placer already registered|^\s*$")


def install_colab_extras() -> list[str]:
    """On Colab, pip-install the few course packages Colab lacks (never TensorFlow, which
    Colab ships); return what was installed.  Elsewhere ``make lab`` installed everything."""
    missing = [pkg for module, pkg in COLAB_EXTRAS if importlib.util.find_spec(module) is None]
    if missing and in_colab():
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", *missing], check=True)
        return missing
    return []


def start_tensorflow() -> None:
    """Import TensorFlow quietly and, with ``DLB_DEVICES=N``, split the CPU into N logical
    devices (so one CPU can prove multi-device code).

    TensorFlow's C++ start-up log goes to the process's stderr, which Jupyter shows as a
    pink block in the first cell that imports TensorFlow.  The lines in ``STARTUP_NOISE``
    are dropped; anything else is passed on.  Call before anything else imports TensorFlow
    (``import utils`` does, inside Jupyter, Colab and papermill).

    Later C++ log lines are kept to fatal ones (``TF_CPP_MIN_LOG_LEVEL=3``, unless already
    set): with op determinism on, TensorFlow 2.21 logs a harmless ``E0000 ... NodeDef mentions
    attribute use_unbounded_threadpool`` line whenever Keras feeds arrays, and a real failure
    reaches the student as a Python exception anyway.  Set the variable to 0 to see them all."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "tensorflow" in sys.modules:
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as log:
        os.dup2(log.fileno(), 2)
        try:
            import tensorflow as tf
            cpus = tf.config.list_physical_devices("CPU")  # the CUDA probe happens here
            split = int(os.environ.get("DLB_DEVICES") or 1)
            if split > 1:
                tf.config.set_logical_device_configuration(
                    cpus[0], [tf.config.LogicalDeviceConfiguration()] * split)
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            log.seek(0)
            kept = [line for line in log.read().decode(errors="replace").splitlines()
                    if not STARTUP_NOISE.search(line)]
            if kept:
                print("\n".join(kept), file=sys.stderr)


def set_seed(seed: int = 42, deterministic: bool | None = None) -> bool:
    """Seed Python, NumPy and TensorFlow through Keras in one call and, when
    ``deterministic``, make TensorFlow's ops deterministic too, so that the same notebook,
    seed and machine give the same numbers.  ``None`` (the default) means: on the CPU yes;
    on a GPU or TPU no, because some of their kernels have no deterministic version (they
    would raise) and the rest run slower; the environment variable ``DLB_DETERMINISTIC`` (0 or
    1) overrides that default.  Returns whether op determinism is on."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(int(seed))
    if deterministic is None and os.environ.get("DLB_DETERMINISTIC", "") in ("0", "1"):
        deterministic = os.environ["DLB_DETERMINISTIC"] == "1"  # for measuring its cost
    if deterministic is None:
        found = devices()
        deterministic = not (found["GPU"] or found["TPU"])
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    return bool(deterministic)


def devices() -> dict[str, int]:
    """Number of accelerators TensorFlow sees, by kind."""
    import tensorflow as tf

    found = {kind: len(tf.config.list_logical_devices(kind)) for kind in ("GPU", "TPU", "CPU")}
    return found


def env_summary() -> str:
    """One plain line: versions, what runs where, and on Colab without a GPU how to get one."""
    import keras
    import tensorflow as tf

    found = devices()
    accel = ", ".join(f"{n} {k}" for k, n in found.items() if n and k != "CPU")
    where = accel or (f"{found['CPU']} CPU devices" if found["CPU"] > 1 else "CPU")
    line = (f"Python {platform.python_version()} | TensorFlow {tf.__version__} | "
            f"Keras {keras.__version__} | runs on: {where} | {'Colab' if in_colab() else 'local'}")
    if not accel and in_colab():
        line += " (for full mode: Runtime > Change runtime type > GPU)"
    return line


#: Replicas of the last strategy ``get_strategy`` returned (1 until a lesson asks for one);
#: the results JSON records it.
_replicas = 1


def get_strategy():
    """A ``tf.distribute`` strategy for whatever this machine has.

    TPU (Colab) -> TPUStrategy; several GPUs (or, with ``DLB_DEVICES=N``, N logical CPU
    devices) -> MirroredStrategy; otherwise the default strategy (one GPU or the CPU).
    Build and compile models inside ``strategy.scope()``.
    """
    global _replicas
    strategy = _pick_strategy()
    _replicas = int(strategy.num_replicas_in_sync)
    return strategy


def _pick_strategy():
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
    cpus = tf.config.list_logical_devices("CPU")
    if int(os.environ.get("DLB_DEVICES") or 1) > 1 and len(cpus) > 1:
        return tf.distribute.MirroredStrategy([d.name for d in cpus])
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
    seed: int | None = 42
    started: float = field(default_factory=time.time)
    claims: dict = field(default_factory=dict)
    metrics: dict | None = None
    saved: float = 0.0

    @property
    def mode(self) -> str:
        return "smoke" if self.smoke else "full"

    def seconds(self) -> float:
        return time.time() - self.started

    def path(self, suffix: str = ".json") -> Path:
        """A file in the results directory named after the notebook (for figures, videos)."""
        return results_dir() / f"{self.notebook}{suffix}"

    def claim(self, statement: str, holds) -> bool:
        """Check a sentence the lesson says about its own results, e.g.
        ``run.claim("codes beat raw pixels in kNN", knn_codes > knn_pixels)``.

        Prints a visible ✓ / ✗ line, records it for the results JSON (``claims``) and returns
        whether it holds.  A false claim never stops the notebook: in full mode ``make run``
        reports it as a failure, in smoke mode it is only recorded."""
        statement = str(statement).strip()
        if not statement:
            raise ValueError("a claim needs a sentence that says what is claimed")
        if statement in self.claims:
            raise ValueError(f"claim {statement!r} is made twice; give each claim its own words")
        ok = bool(holds)
        self.claims[statement] = ok
        print(f"{'✓' if ok else '✗'} {statement}" + ("" if ok else "  (does NOT hold in this run)"))
        return ok

    def save(self, metrics: dict | None = None) -> None:
        """Write the results JSON (metrics, claims, mode, wall time, versions).

        ``run.save()`` without metrics writes the file again with the metrics of the last
        call, the claims made since (the worked solutions check some) and the new wall time."""
        after = 0.0
        if metrics is None:
            if self.metrics is None:
                raise ValueError("run.save() without metrics needs an earlier run.save(metrics)")
            metrics, after = self.metrics, time.time() - self.saved
        self.metrics, self.saved = dict(metrics), time.time()
        save_results(self.notebook, metrics, self.mode, self.seconds(), claims=self.claims,
                     solutions_seconds=after, seed=self.seed)


def start_run(notebook: str, smoke: bool, seed: int | None = 42,
              deterministic: bool | None = None) -> Run:
    """Seed everything (see ``set_seed``), print the environment line, start the clock."""
    same = set_seed(seed, deterministic) if seed is not None else False
    print(env_summary())
    print(f"mode: {'smoke (quick pass)' if smoke else 'full'} | seed: {seed} | "
          f"{'deterministic ops' if same else 'ops not forced deterministic'}")
    return Run(notebook, bool(smoke), seed)


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


def save_results(notebook: str, metrics: dict, mode: str, seconds: float,
                 claims: dict | None = None, solutions_seconds: float | None = None,
                 seed: int | None = None) -> Path:
    """Write the results JSON of one notebook run and return its path.

    Keys: ``notebook``, ``mode`` ("smoke"/"full"), ``seed`` (None: not given),
    ``seconds`` (the whole run),
    ``solutions_seconds`` (of those, the time after the results cell, spent on the worked
    solutions; 0 until they ran), ``replicas`` (devices the lesson's strategy trained on; 1
    without one), ``metrics`` (flat name -> number; NaN and infinities are written as null),
    ``claims`` (sentence -> true/false), ``versions``.
    """
    if mode not in ("smoke", "full"):
        raise ValueError(f"mode must be 'smoke' or 'full', not {mode!r}")
    clean = {}
    for name, value in metrics.items():
        number = _number(name, value)
        clean[str(name)] = number if math.isfinite(number) else None
    record = {"notebook": notebook, "mode": mode, "seed": seed,
              "seconds": round(float(seconds), 2),
              "solutions_seconds": round(float(solutions_seconds or 0.0), 2),
              "replicas": _replicas, "metrics": clean, "claims": {str(k): bool(v) for k, v in (claims or {}).items()},
              "versions": versions()}
    path = results_dir() / f"{notebook}.json"
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    held = sum(record["claims"].values())
    print(f"results written to {path} ({len(clean)} metrics, "
          f"{held}/{len(record['claims'])} claims hold)")
    return path


def load_results(notebook: str) -> dict:
    """Read back the results JSON of one notebook."""
    return json.loads((results_dir() / f"{notebook}.json").read_text())
