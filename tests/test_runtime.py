"""Unit tests of utils.runtime and utils.notebooks (no notebook is executed here)."""
import json
import math

import numpy as np
import pytest

from utils import notebooks, runtime


@pytest.mark.parametrize("value,expected", [("1", True), ("true", True), ("YES", True),
                                            ("0", False), ("", False), ("no", False)])
def test_smoke_flag_is_read_from_env(monkeypatch, value, expected):
    monkeypatch.setenv("DLB_SMOKE", value)
    assert runtime.smoke_from_env() is expected


def test_smoke_flag_default_is_full(monkeypatch):
    monkeypatch.delenv("DLB_SMOKE", raising=False)
    assert runtime.smoke_from_env() is False


def test_colab_is_detected_only_in_colab(monkeypatch):
    import sys

    monkeypatch.delenv("COLAB_RELEASE_TAG", raising=False)
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    assert runtime.in_colab() is False
    monkeypatch.setenv("COLAB_RELEASE_TAG", "release-colab_20261101")
    assert runtime.in_colab() is True


def test_set_seed_makes_numpy_and_tensorflow_repeatable():
    import tensorflow as tf

    runtime.set_seed(7)
    a = (np.random.rand(3), tf.random.uniform((3,)).numpy())
    runtime.set_seed(7)
    b = (np.random.rand(3), tf.random.uniform((3,)).numpy())
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_env_summary_is_one_plain_line_without_warnings():
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = runtime.env_summary()
    assert "TensorFlow" in line and "Keras 3." in line and "\n" not in line
    found = runtime.devices()
    if not (found["GPU"] or found["TPU"]):
        assert "runs on: CPU" in line
    assert not caught


START = ("import sys; sys.path.insert(0, {repo!r}); from utils import runtime; "
         "runtime.start_tensorflow(); import tensorflow as tf; "
         "print(len(tf.config.list_logical_devices('CPU'))); "
         "print(runtime.get_strategy().num_replicas_in_sync); print(runtime._replicas)")


def _start(extra="", **env):
    import os
    import subprocess
    import sys

    environ = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL",
                                                                "DLB_DEVICES")}
    script = START.format(repo=str(runtime.REPO_ROOT)) + extra
    proc = subprocess.run([sys.executable, "-c", script],
                          capture_output=True, text=True, env={**environ, **env}, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_tensorflow_starts_without_its_start_up_log():
    proc = _start()
    assert proc.stdout.split() == ["1", "1", "1"]
    for noise in ("absl", "oneDNN", "cuda", "cuInit", "cpu_feature_guard"):
        assert noise not in proc.stderr, proc.stderr


def test_keras_on_arrays_with_op_determinism_logs_nothing():
    """TensorFlow 2.21 logs an E0000 ``use_unbounded_threadpool`` line when Keras feeds arrays
    under op determinism (every lesson's setting on the CPU); students must not see it."""
    proc = _start(extra="""
import numpy as np, keras
runtime.set_seed(1, deterministic=True)
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
model.compile("adam", "mse")
model.fit(np.zeros((8, 4), "float32"), np.zeros((8, 2), "float32"), verbose=0)
model.predict(np.zeros((8, 4), "float32"), verbose=0)
""")
    assert proc.stdout.split()[-3:] == ["1", "1", "1"] and proc.stderr == "", proc.stderr


def test_start_up_filter_passes_on_what_is_not_noise():
    assert runtime.STARTUP_NOISE.search("I0000 port.cc:153] oneDNN custom operations are on.")
    assert runtime.STARTUP_NOISE.search("E0000 cuda_platform.cc:52] failed call to cuInit: X")
    assert not runtime.STARTUP_NOISE.search("E0000 op_kernel.cc:1] out of memory")


def test_two_logical_devices_give_a_mirrored_strategy():
    proc = _start(DLB_DEVICES="2")
    assert proc.stdout.split() == ["2", "2", "2"]  # and the results JSON would say 2 replicas


def test_strategy_runs_training_code_unchanged():
    import keras

    strategy = runtime.get_strategy()
    assert strategy.num_replicas_in_sync >= 1
    with strategy.scope():
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((4, 2)), np.ones((4,)), epochs=1, verbose=0)


def test_results_json_has_the_documented_keys(tmp_path, monkeypatch):
    monkeypatch.setenv("DLB_RESULTS_DIR", str(tmp_path / "out"))
    path = runtime.save_results("99_demo", {"acc": np.float32(0.5), "n": np.int64(3),
                                            "ok": True, "bad": float("nan")}, "smoke", 12.345)
    assert path == tmp_path / "out" / "99_demo.json"
    record = json.loads(path.read_text())
    assert set(record) == {"notebook", "mode", "seed", "seconds", "solutions_seconds", "replicas",
                           "metrics", "claims", "versions"}
    assert record["replicas"] == 1 and record["seed"] is None  # no seed given
    assert record["claims"] == {}
    assert record["notebook"] == "99_demo" and record["mode"] == "smoke"
    assert record["seconds"] == 12.35
    assert record["metrics"] == {"acc": 0.5, "n": 3, "ok": 1, "bad": None}
    assert {"python", "tensorflow", "keras", "numpy"} <= set(record["versions"])
    assert runtime.load_results("99_demo") == record


def test_results_with_bad_input_raise(tmp_path, monkeypatch):
    monkeypatch.setenv("DLB_RESULTS_DIR", str(tmp_path))
    with pytest.raises(ValueError, match="mode"):
        runtime.save_results("x", {}, "quick", 1.0)
    with pytest.raises(TypeError, match="'name'"):
        runtime.save_results("x", {"name": "text"}, "full", 1.0)


def test_results_dir_default_is_build_results(monkeypatch):
    monkeypatch.delenv("DLB_RESULTS_DIR", raising=False)
    assert runtime.results_dir() == runtime.REPO_ROOT / "build" / "results"


def test_run_object_records_claims_and_saves(tmp_path, monkeypatch):
    monkeypatch.setenv("DLB_RESULTS_DIR", str(tmp_path))
    run = runtime.start_run("98_demo", smoke=False, seed=3)
    assert run.mode == "full" and run.seconds() >= 0
    assert run.path("_anim.gif") == tmp_path / "98_demo_anim.gif"
    assert run.claim("one is less than two", 1 < 2) is True
    assert run.claim("two is less than one", 2 < 1) is False
    with pytest.raises(ValueError, match="twice"):
        run.claim("one is less than two", True)
    with pytest.raises(ValueError, match="sentence"):
        run.claim("  ", True)
    assert run.save({"x": 1.5}) is None  # nothing for a notebook's last cell to echo
    record = json.loads(run.path().read_text())
    assert record["mode"] == "full" and record["metrics"] == {"x": 1.5}
    assert record["claims"] == {"one is less than two": True, "two is less than one": False}


def test_run_save_without_metrics_adds_later_claims(tmp_path, monkeypatch):
    """The worked solutions check claims after the results cell; the notebook's last cell,
    ``run.save()``, writes them with the metrics of the first save."""
    monkeypatch.setenv("DLB_RESULTS_DIR", str(tmp_path))
    run = runtime.Run("98_demo", smoke=True)
    with pytest.raises(ValueError, match="earlier run.save"):
        run.save()
    run.claim("the lesson's claim", True)
    run.save({"x": 2})
    assert json.loads(run.path().read_text())["solutions_seconds"] == 0
    run.claim("a solution's claim", False)
    run.saved -= 5  # as if the solutions had taken five seconds
    run.save()
    record = json.loads(run.path().read_text())
    assert 5 <= record["solutions_seconds"] <= record["seconds"] + 5
    assert record["metrics"] == {"x": 2}
    assert record["claims"] == {"the lesson's claim": True, "a solution's claim": False}


def test_claims_print_a_mark_where_they_are_made(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DLB_RESULTS_DIR", str(tmp_path))
    run = runtime.Run("98_demo", smoke=True)
    run.claim("the model beats the baseline", 0.9 > 0.5)
    run.claim("the gap is small", abs(0.9 - 0.5) < 0.1)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "✓ the model beats the baseline"
    assert out[1].startswith("✗ the gap is small") and "NOT" in out[1]


def test_false_claims_fail_full_runs_only(tmp_path, monkeypatch):
    monkeypatch.setenv("DLB_RESULTS_DIR", str(tmp_path))
    monkeypatch.setattr(notebooks, "QUALITY_BARS", DEMO_BARS)
    stem = "98_demo"
    metrics = {"noop": 51.0, "rmse": 4.0, "mae": 2.5, "linear_rmse": 4.8}
    runtime.save_results(stem, metrics, "smoke", 30.0, claims={"a": True, "b": False})
    assert notebooks.bars_failed([stem]) == []  # smoke: recorded, not enforced
    board = notebooks.scoreboard([stem])
    assert "1/2" in board and "✗ b" in board
    runtime.save_results(stem, metrics, "full", 30.0, claims={"a": True, "b": False})
    assert notebooks.bars_failed([stem]) == [stem]
    runtime.save_results(stem, metrics, "full", 30.0, claims={"a": True})
    assert notebooks.bars_failed([stem]) == []


def test_scoreboard_reads_every_results_file(tmp_path, monkeypatch):
    monkeypatch.setenv("DLB_RESULTS_DIR", str(tmp_path))
    runtime.save_results("01_feedforward_regression", {"test_rmse": 3.91234, "test_mae": 2.5},
                         "full", 61.0)
    board = notebooks.scoreboard(["01_feedforward_regression", "02_convolutional_mnist"])
    lines = board.splitlines()
    assert lines[0].split()[:3] == ["notebook", "mode", "seconds"]
    row = next(line for line in lines if line.startswith("01_"))
    assert "full" in row and "61" in row and "test_rmse=3.912" in row
    assert "FAILED" in row  # the linear baseline is missing from these metrics
    assert "no results yet" in next(line for line in lines if line.startswith("02_"))


def test_notebook_selection_accepts_numbers_and_names():
    all_paths = notebooks.notebook_paths()
    assert all_paths and all(p.suffix == ".ipynb" for p in all_paths)
    assert [p.stem for p in notebooks.notebook_paths(["01"])] == ["01_feedforward_regression"]
    with pytest.raises(SystemExit, match="no notebook matches"):
        notebooks.notebook_paths(["42"])


DEMO_BARS = {"98_demo": {"full": ("mae <= 2.7", "rmse <= 4.3", "rmse < linear_rmse"),
                         "smoke": ("abs(noop - 51.6) <= 3",)}}


def test_quality_bars_pass_and_fail_as_stated(monkeypatch):
    monkeypatch.setattr(notebooks, "QUALITY_BARS", DEMO_BARS)
    record = {"notebook": "98_demo", "mode": "full", "seconds": 100,
              "metrics": {"rmse": 4.0, "mae": 2.9, "linear_rmse": 4.8}}
    assert notebooks.check_bars(record) == [("mae <= 2.7", False), ("rmse <= 4.3", True),
                                            ("rmse < linear_rmse", True)]
    record["metrics"]["linear_rmse"] = None  # a null metric fails its bar
    assert notebooks.check_bars(record)[2] == ("rmse < linear_rmse", False)
    del record["metrics"]["linear_rmse"]  # so does a missing one
    assert notebooks.check_bars(record)[2] == ("rmse < linear_rmse", False)
    smoke = {"notebook": "98_demo", "mode": "smoke", "seconds": 50, "metrics": {"noop": 49.0}}
    assert notebooks.check_bars(smoke) == [("abs(noop - 51.6) <= 3", True)]
    assert notebooks.check_bars({**smoke, "notebook": "99_unknown"}) == []


def test_every_lesson_has_bars_for_both_modes():
    for stem in [p.stem for p in notebooks.notebook_paths()]:
        assert set(notebooks.QUALITY_BARS[stem]) == {"full", "smoke"}, stem


def _notebook(path, *sources):
    import nbformat

    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    nb.cells = [nbformat.v4.new_code_cell(src) for src in sources]
    nb.cells[0].metadata["tags"] = ["parameters"]
    nbformat.write(nb, str(path))


def test_runner_reports_a_failing_cell_and_goes_on(tmp_path, monkeypatch, capsys):
    """``make run``: a failing notebook prints its cell's source head and the error, the next
    notebook still runs, the scoreboard and the executed notebooks' folder close the output,
    and the exit code is non-zero."""
    book = tmp_path / "notebooks"
    book.mkdir()
    _notebook(book / "97_broken.ipynb", "SMOKE = False", "x = 1\ny = 2\nz = x / 0  # oops")
    _notebook(book / "98_fine.ipynb", "SMOKE = False",
              f"import sys; sys.path.insert(0, {str(runtime.REPO_ROOT)!r})\n"
              "from utils import runtime\n"
              "runtime.save_results('98_fine', {'x': 1.0}, 'smoke' if SMOKE else 'full', 1.0,"
              " claims={'it runs': True})")
    monkeypatch.setattr(notebooks, "NOTEBOOKS_DIR", book)
    monkeypatch.setattr(notebooks, "EXECUTED_DIR", tmp_path / "executed")
    monkeypatch.setenv("DLB_RESULTS_DIR", str(tmp_path / "results"))
    assert notebooks.main(["run", "--smoke"]) == 1
    out = capsys.readouterr().out
    assert "== 97_broken (smoke)" in out and "FAILED in cell" in out
    assert "| z = x / 0  # oops" in out and "ZeroDivisionError" in out
    assert "no results written by this run" in out
    assert "== 98_fine (smoke)" in out and "claims 1/1" in out
    assert out.index("98_fine (smoke)") < out.index("notebook  ")  # scoreboard at the end
    assert f"executed notebooks: {tmp_path / 'executed'}/" in out
    assert (tmp_path / "executed" / "98_fine.ipynb").is_file()


def test_runner_with_a_seed_keeps_the_default_results(tmp_path, monkeypatch, capsys):
    """``make run SEED=43``: the notebook gets SEED=43, its results and executed copy go to
    ``seed-43`` folders, and the default run's results stay as they were."""
    book = tmp_path / "notebooks"
    book.mkdir()
    _notebook(book / "98_fine.ipynb", "SMOKE = False\nSEED = 42",
              f"import sys; sys.path.insert(0, {str(runtime.REPO_ROOT)!r})\n"
              "from utils import runtime\n"
              "runtime.Run('98_fine', SMOKE, SEED).save({'seed_seen': SEED})")
    monkeypatch.setattr(notebooks, "NOTEBOOKS_DIR", book)
    monkeypatch.setattr(notebooks, "EXECUTED_DIR", tmp_path / "executed")
    monkeypatch.setenv("DLB_RESULTS_DIR", str(tmp_path / "results"))
    runtime.save_results("98_fine", {"seed_seen": 42}, "smoke", 1.0, seed=42)
    assert notebooks.main(["run", "--smoke", "--seed", "43", "98"]) == 0
    record = json.loads((tmp_path / "results" / "seed-43" / "98_fine.json").read_text())
    assert record["metrics"] == {"seed_seen": 43} and record["seed"] == 43
    assert (tmp_path / "executed" / "seed-43" / "98_fine.ipynb").is_file()
    default = json.loads((tmp_path / "results" / "98_fine.json").read_text())
    assert default["metrics"] == {"seed_seen": 42} and default["seed"] == 42
    assert "seed_seen=43" in capsys.readouterr().out  # the scoreboard of the seed's folder
