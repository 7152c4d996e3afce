"""Deep Learning Basics: the small helper package every notebook imports.

- ``utils.data``: the dataset registry, verified downloads/offline mirror, loaders;
- ``utils.runtime``: smoke/full mode, seeding, devices, distribution strategy, results JSON;
- ``utils.plots``: learning curves, image grids, confusion matrices, animations.

Lesson-specific helpers that tests must reach live in their own modules
(e.g. ``utils.deeptraffic``) and are imported explicitly by their notebook.
"""
from .data import (BOSTON_FEATURES, CAMVID_CLASSES, CAMVID_COLORS, CAMVID_VOID, DATASETS,
                   FASHION_MNIST_CLASSES, ChecksumError, DataNotFoundError, DatasetError,
                   UnknownDatasetError, camvid_pairs, dataset, describe, fetch,
                   load_boston_housing, load_camvid, load_mnist, load_text)
from .runtime import (Run, env_summary, get_strategy, in_colab, load_results, results_dir,
                      save_results, set_seed, smoke_from_env, start_run)
from .plots import (frames_animation, image_grid, plot_confusion_matrix, plot_history,
                    save_animation)

#: The course repository; every notebook's setup cell and Colab badge uses this URL.
REPO_URL = "https://github.com/deep-learning-basics/deep-learning-basics"
