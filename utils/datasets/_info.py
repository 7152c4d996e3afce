"""The ``DatasetInfo`` every course builder fills in from its registry entry."""
from __future__ import annotations

import tensorflow_datasets as tfds

from .. import data


def registry_info(builder, registry_name: str, features: dict,
                  supervised_keys: tuple[str, str]) -> tfds.core.DatasetInfo:
    """Description, homepage, citation and license from ``utils.data``'s registry; examples in
    the files' order (no shuffling by TFDS)."""
    entry = data.dataset(registry_name)
    return tfds.core.DatasetInfo(
        builder=builder, description=entry.description,
        features=tfds.features.FeaturesDict(features), supervised_keys=supervised_keys,
        disable_shuffling=True, homepage=entry.homepage, citation=entry.citation,
        license=entry.license)
