"""Deep Learning Basics: the small helper package every notebook imports.

What a student may want to read (lesson helpers: data, pictures, the simulator, none of
them the idea a lesson teaches):

- ``utils.data``: the dataset registry, verified downloads and the offline mirror, loaders;
- ``utils.datasets``: the same datasets through tensorflow-datasets (``datasets.load``);
- ``utils.plots``: learning curves, image grids, confusion matrices, animations;
- ``utils.text``, ``utils.video``, ``utils.segmentation``, ``utils.gan``,
  ``utils.deeptraffic``: the plumbing of one lesson each, imported by that notebook;
- ``utils.checks``: the argument checks those modules share.

Course tooling (how notebooks run and report, not lesson material):

- ``utils.runtime``: smoke/full mode, quiet TensorFlow start-up, seeding, devices, the
  ``Run`` object with its claims and results JSON;
- ``utils.notebooks``: ``make run`` (papermill), quality bars and the scoreboard;
- ``utils.student``: ``make student``, the lessons without their worked solutions.

Importing ``utils`` in a notebook kernel (Jupyter, Colab, papermill) starts TensorFlow
quietly and, on Colab, installs the few packages Colab lacks.
"""
import sys as _sys

from .runtime import (Run, env_summary, get_strategy, in_colab, install_colab_extras,
                      load_results, results_dir, save_results, set_seed, smoke_from_env,
                      start_run, start_tensorflow)

if "ipykernel" in _sys.modules or in_colab():
    install_colab_extras()
    start_tensorflow()

from .data import (BOSTON_FEATURES, CAMVID_CLASSES, CAMVID_COLORS, CAMVID_VOID, DATASETS,  # noqa: E402
                   FASHION_MNIST_CLASSES, ChecksumError, DataNotFoundError, DatasetError,
                   UnknownDatasetError, camvid_pairs, dataset, describe, fetch,
                   load_boston_housing)
from .plots import (frames_animation, image_grid, plot_confusion_matrix, plot_history,  # noqa: E402
                    save_animation)

#: The course repository; every notebook's setup cell and Colab badge uses this URL.
REPO_URL = "https://github.com/deep-learning-basics/deep-learning-basics"
