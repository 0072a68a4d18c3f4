"""Image files drawn from a trained generator: sample grids, one row per class, latent interpolations.

A conditional generator (see ``gan_tf.sampling``) draws the class ``label`` asks for.
"""

import numpy as np

from experiments.figures import save_image_grid
from gan_tf.sampling import class_labels, generate, latent_dim_of, latent_noise, num_classes_of, slerp

__all__ = ["check_label", "class_grid_inputs", "write_class_grid", "write_interpolation", "write_sample_grid"]


def check_label(generator, label):
    """``label`` as an int, or ``None`` when not given; ``ValueError`` unless it suits ``generator``."""
    num_classes = num_classes_of(generator)
    if label is None:
        return None
    if num_classes is None:
        raise ValueError(f"--label needs a conditional generator; {generator.name!r} takes no labels")
    if not 0 <= label < num_classes:
        raise ValueError(f"--label must be in 0..{num_classes - 1} for this generator, got {label}")
    return label


def write_sample_grid(generator, path, n=64, seed=0, scale=2, label=None):
    """Writes a grid of ``n`` images from noise seeded by ``seed``; the same seed gives the same file.

    A conditional generator draws class ``label`` (every class in turn when ``label`` is ``None``).
    """
    noise = latent_noise(n, latent_dim_of(generator), seed=seed)
    num_classes = num_classes_of(generator)
    labels = None if num_classes is None else (
        class_labels(n, num_classes) if check_label(generator, label) is None else np.full(n, label, np.int32))
    save_image_grid(generate(generator, noise, labels), path, scale=scale)


def write_class_grid(generator, path, per_class=8, seed=0, scale=2):
    """Writes one row per class of a conditional generator, ``per_class`` images each; column ``j``
    of every row shares the same noise, so a column keeps its style across classes."""
    noise, labels = class_grid_inputs(latent_dim_of(generator), num_classes_of(generator), per_class, seed)
    save_image_grid(generate(generator, noise, labels), path, columns=per_class, scale=scale)


def class_grid_inputs(latent_dim, num_classes, per_class, seed=0):
    """Noise ``(num_classes * per_class, latent_dim)`` repeating ``per_class`` seeded vectors, and labels
    ``0 ... 0, 1 ... 1, ...``: the inputs of a one-row-per-class grid."""
    noise = np.tile(latent_noise(per_class, latent_dim, seed=seed), (num_classes, 1))
    return noise, np.repeat(np.arange(num_classes, dtype=np.int32), per_class)


def write_interpolation(generator, path, steps=10, seed=0, scale=2, label=None):
    """Writes one row of ``steps`` images along the great circle between two seeded noise vectors
    (of class ``label``, default 0, for a conditional generator)."""
    start, end = latent_noise(2, latent_dim_of(generator), seed=seed)
    conditional = num_classes_of(generator) is not None
    labels = np.full(steps, check_label(generator, label) or 0, np.int32) if conditional else None
    save_image_grid(generate(generator, slerp(start, end, steps), labels), path, columns=steps, scale=scale)
