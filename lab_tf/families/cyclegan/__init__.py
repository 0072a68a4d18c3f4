"""The cyclegan family's folder: ``recipe`` (settings, options, data, networks), ``callbacks``, ``figures``,
``evaluation`` (the translation's scores)."""

from lab_tf.families.cyclegan.recipe import FAMILY

__all__ = ["FAMILY"]
