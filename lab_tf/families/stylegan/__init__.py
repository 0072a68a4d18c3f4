"""The style-based family's folder: ``recipe`` (settings, options, networks, data), ``callbacks`` (the per-epoch
style-mixing grid), ``figures``, ``evaluation`` (what each idea of the architecture does, measured)."""

from lab_tf.families.stylegan.recipe import FAMILY

__all__ = ["FAMILY"]
