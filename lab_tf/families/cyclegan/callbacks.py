"""Callbacks of the translation family: the per-epoch grid of both directions."""

import os

import keras
import numpy as np

from data.images import normalize_images
from lab_tf import run_dir as rd
from lab_tf.figures import save_image_grid, write_progress_gif

__all__ = ["EpochTranslations", "translation_rows"]


def translation_rows(trainer, a, b):
    """Six rows of float images: ``a``, ``G(a)``, ``F(G(a))``, ``b``, ``F(b)``, ``G(F(b))``."""
    a, b = (np.asarray(normalize_images(images)) for images in (a, b))
    g, f = trainer.generator_ab, trainer.generator_ba
    fake_b, fake_a = np.asarray(g(a, training=False)), np.asarray(f(b, training=False))
    return [a, fake_b, np.asarray(f(fake_b, training=False)), b, fake_a, np.asarray(g(fake_a, training=False))]


class EpochTranslations(keras.callbacks.Callback):
    """After each epoch, a grid of fixed held-out images translated both ways, and the GIF so far.

    Rows: A, G(A), F(G(A)), then B, F(B), G(F(B)); written to ``samples/epoch_NNN.png`` and
    ``progress.gif``.

    Args:
        a, b: uint8 held-out images of each domain, one row's worth each.
        run_dir: the run directory.
        scale: upscaling factor of the grid.
    """

    def __init__(self, a, b, run_dir, scale=2):
        super().__init__()
        self.a, self.b, self.run_dir, self.scale = a, b, run_dir, scale
        self.folder = os.path.join(run_dir, rd.SAMPLES)
        os.makedirs(self.folder, exist_ok=True)

    def on_epoch_end(self, epoch, logs=None):
        rows = translation_rows(self.model, self.a, self.b)
        save_image_grid(np.concatenate(rows), os.path.join(self.folder, f"epoch_{epoch + 1:03d}.png"),
                        columns=len(self.a), scale=self.scale)
        write_progress_gif(self.folder, os.path.join(self.run_dir, rd.PROGRESS))

