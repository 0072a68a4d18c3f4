"""Image files drawn from a trained generator: sample grids and latent interpolations."""

import numpy as np

from experiments.figures import save_image_grid, save_point_scatter
from gan_tf.sampling import class_rows, generate, latent_dim_of, latent_noise, num_classes_of, slerp

__all__ = ["write_interpolation", "write_sample_grid"]


def write_sample_grid(generator, path, n=64, seed=0, scale=2, label=None):
    """Writes a grid of images from noise seeded by ``seed``; the same seed gives the same file.

    An unconditional generator draws ``n`` images. A conditional one draws ``n`` images of
    class ``label``, or without ``label`` one row of ``n`` images per class. A generator of
    2-D points draws a scatter of ``n`` points instead.
    """
    classes = _check_label(generator, label)
    columns = None
    if classes is None:
        labels = None
    elif label is None:
        labels, columns = class_rows(classes, n), n
    else:
        labels = np.full(n, label, np.int32)
    noise = latent_noise(n if labels is None else len(labels), latent_dim_of(generator), seed=seed)
    samples = generate(generator, noise, labels)
    if samples.ndim == 2:
        save_point_scatter(samples, None, path, title=f"{n} generated points")
    else:
        save_image_grid(samples, path, columns=columns, scale=scale)


def write_interpolation(generator, path, steps=10, seed=0, scale=2, label=None):
    """Writes one row of ``steps`` images along the great circle between two seeded noise vectors.

    A conditional generator keeps the class ``label`` (default 0) fixed along the way.
    """
    classes = _check_label(generator, label)
    start, end = latent_noise(2, latent_dim_of(generator), seed=seed)
    labels = None if classes is None else np.full(steps, label or 0, np.int32)
    save_image_grid(generate(generator, slerp(start, end, steps), labels), path, columns=steps, scale=scale)


def _check_label(generator, label):
    """The generator's number of classes (``None``: unconditional); ``ValueError`` for a label it cannot take."""
    classes = num_classes_of(generator)
    if label is not None and classes is None:
        raise ValueError("--label needs a conditional generator (cgan or cvae run); this one is unconditional")
    if label is not None and not 0 <= label < classes:
        raise ValueError(f"--label must be in 0..{classes - 1} for this generator, got {label}")
    return classes
