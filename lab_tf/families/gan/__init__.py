"""The gan family's folder: ``recipe`` (settings, options, models, data, sampling), ``callbacks``, ``figures``."""

from lab_tf.families.gan.recipe import FAMILY

__all__ = ["FAMILY"]
