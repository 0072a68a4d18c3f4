"""How a family's generator is drawn and scored, and the image files ``samples.py`` writes from it.

``NoiseToImage`` covers generators that map noise (and a label, when conditional) to samples:
GAN generators and VAE decoders. A family whose generator takes something else (an image, for
translation or super-resolution) gives its own sampler with the same three methods.
"""

import numpy as np

from eval_tf.report import sample_images
from gan_tf.sampling import class_rows, generate, latent_dim_of, latent_noise, num_classes_of, slerp
from lab_tf.figures import save_image_grid, save_point_scatter

__all__ = ["NoiseToImage", "write_interpolation", "write_samples"]


class NoiseToImage:
    """Draws a noise-to-sample generator; the same seed gives the same samples in any process."""

    def check(self, generator):
        """Raises ``ValueError`` unless ``generator`` is one this sampler can draw."""
        latent_dim_of(generator)

    def default_count(self, generator, label=None):
        """``samples.py``'s default ``--n``: 64 samples, or 10 per class for a conditional generator without a label."""
        return 10 if num_classes_of(generator) is not None and label is None else 64

    def grid(self, generator, n, seed=0, label=None):
        """``(samples, columns)``: ``n`` samples; a conditional generator without ``label`` gives one row of
        ``n`` per class, with ``label`` ``n`` samples of that class."""
        classes = self._check_label(generator, label)
        columns, labels = None, None
        if classes is not None and label is None:
            labels, columns = class_rows(classes, n), n
        elif classes is not None:
            labels = np.full(n, label, np.int32)
        noise = latent_noise(n if labels is None else len(labels), latent_dim_of(generator), seed=seed)
        return generate(generator, noise, labels), columns

    def epoch_grid(self, generator, total, seed=0):
        """``(samples, columns)``: about ``total`` samples for the per-epoch grid, a row per class when conditional."""
        classes = num_classes_of(generator)
        return self.grid(generator, total if classes is None else max(1, total // classes), seed)

    def interpolation(self, generator, steps, seed=0, label=None):
        """``(samples, columns)``: one row of ``steps`` along the great circle between two seeded noise vectors.

        A conditional generator keeps the class ``label`` (default 0) fixed along the way.
        """
        classes = self._check_label(generator, label)
        start, end = latent_noise(2, latent_dim_of(generator), seed=seed)
        labels = None if classes is None else np.full(steps, label or 0, np.int32)
        return generate(generator, slerp(start, end, steps), labels), steps

    def evaluation_samples(self, generator, n, seed=0):
        """``(images, requested labels or None)`` for the image-quality metrics: every class equally often."""
        return sample_images(generator, n, seed)

    @staticmethod
    def _check_label(generator, label):
        """The generator's number of classes (``None``: unconditional); ``ValueError`` for a label it cannot take."""
        classes = num_classes_of(generator)
        if label is not None and classes is None:
            raise ValueError("--label needs a conditional generator (a run of a conditional model); "
                             "this one is unconditional")
        if label is not None and not 0 <= label < classes:
            raise ValueError(f"--label must be in 0..{classes - 1} for this generator, got {label}")
        return classes


def write_samples(sampler, generator, path, n=64, seed=0, scale=2, label=None):
    """Writes ``sampler.grid``'s samples to ``path``: an image grid, or a scatter for a generator of 2-D points."""
    samples, columns = sampler.grid(generator, n, seed, label)
    if samples.ndim == 2:
        save_point_scatter(samples, None, path, title=f"{n} generated points")
    else:
        save_image_grid(samples, path, columns=columns, scale=scale)


def write_interpolation(sampler, generator, path, steps=10, seed=0, scale=2, label=None):
    """Writes ``sampler.interpolation``'s row of images to ``path``."""
    samples, columns = sampler.interpolation(generator, steps, seed, label)
    save_image_grid(samples, path, columns=columns, scale=scale)
