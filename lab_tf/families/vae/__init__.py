"""The vae family's folder: ``recipe`` (settings, options, models, data, sampling), ``callbacks``, ``figures``."""

from lab_tf.families.vae.recipe import FAMILY

__all__ = ["FAMILY"]
