"""The model families ``train.py``, ``samples.py`` and ``compare.py`` know: one folder each, one line here.

A family is a ``lab_tf.families.base.Family`` in ``lab_tf/families/<name>/`` (``recipe.py``,
``callbacks.py``, ``figures.py``); adding one is its library code, its folder and its line in
``FAMILIES``. ``models()`` maps every ``--model`` name to its family.
"""

from lab_tf.families import cyclegan, gan, mlp, srgan, stylegan, vae

__all__ = ["FAMILIES", "family_of", "models"]

FAMILIES = {
    gan.FAMILY.name: gan.FAMILY,
    vae.FAMILY.name: vae.FAMILY,
    mlp.FAMILY.name: mlp.FAMILY,
    cyclegan.FAMILY.name: cyclegan.FAMILY,
    srgan.FAMILY.name: srgan.FAMILY,
    stylegan.FAMILY.name: stylegan.FAMILY,
}


def models():
    """``{--model name: Family}`` of every family in ``FAMILIES``."""
    return {model: family for family in FAMILIES.values() for model in family.models}


def family_of(model):
    """The ``Family`` of ``--model`` name ``model``; ``ValueError`` naming the valid ones otherwise."""
    known = models()
    if model not in known:
        raise ValueError(f"unknown model {model!r}; valid: {', '.join(known)}")
    return known[model]
