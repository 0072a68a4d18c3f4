"""The mlp family's folder: ``recipe`` (settings, options, models, data, sampling), ``callbacks``, ``figures``."""

from lab_tf.families.mlp.recipe import FAMILY

__all__ = ["FAMILY"]
