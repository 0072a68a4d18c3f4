"""The super-resolution family's folder: ``recipe`` (settings, options, data, networks), ``callbacks``, ``figures``,
``evaluation`` (fidelity and perception scores)."""

from lab_tf.families.srgan.recipe import FAMILY

__all__ = ["FAMILY"]
