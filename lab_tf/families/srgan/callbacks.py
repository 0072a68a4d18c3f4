"""Callbacks of the super-resolution family: the per-epoch grid of fixed held-out images."""

import os

import keras
import numpy as np

from data.images import normalize_images
from data.superres import downscale
from lab_tf import run_dir as rd
from lab_tf.figures import save_image_grid, write_progress_gif
from lab_tf.sampling import Upscaler

__all__ = ["EpochUpscales"]


class EpochUpscales(keras.callbacks.Callback):
    """After each epoch, a grid of fixed held-out images and the GIF so far.

    Rows: the low-resolution input enlarged without interpolation, bicubic, the generator's
    upscaling, the original; written to ``samples/epoch_NNN.png`` and ``progress.gif``.

    Args:
        high: uint8 held-out high-resolution images, one row's worth.
        scale: the upscaling factor.
        run_dir: the run directory.
        zoom: pixel upscaling of the grid.
    """

    def __init__(self, high, scale, run_dir, zoom=2):
        super().__init__()
        self.high = np.asarray(normalize_images(high))
        self.low = np.asarray(downscale(self.high, scale))
        self.run_dir, self.zoom = run_dir, zoom
        self.folder = os.path.join(run_dir, rd.SAMPLES)
        os.makedirs(self.folder, exist_ok=True)

    def on_epoch_end(self, epoch, logs=None):
        sampler = Upscaler()
        rows = [*sampler.panels(self.low, sampler.translate(self.model.generator, self.low)), self.high]
        save_image_grid(np.concatenate(rows), os.path.join(self.folder, f"epoch_{epoch + 1:03d}.png"),
                        columns=len(self.high), scale=self.zoom)
        write_progress_gif(self.folder, os.path.join(self.run_dir, rd.PROGRESS))

