"""Callbacks of the style-based family: the style-mixing grid of fixed codes after every epoch."""

import os

import keras

from lab_tf import run_dir as rd
from lab_tf.figures import save_image_grid
from lab_tf.sampling import style_mix_grid

__all__ = ["STYLE_MIX", "EpochStyleMix"]

STYLE_MIX = "style_mix.png"  # in the run's samples/ folder


class EpochStyleMix(keras.callbacks.Callback):
    """After each epoch, ``samples/style_mix.png``: the sampled generator's style-mixing grid of the same codes
    (``lab_tf.sampling.style_mix_grid``), so the split of coarse and fine styles can be watched as it forms.

    Args:
        run_dir: the run directory.
        seed: the seed of the codes.
    """

    def __init__(self, run_dir, seed=0):
        super().__init__()
        self.path = os.path.join(run_dir, rd.SAMPLES, STYLE_MIX)
        self.seed = seed

    def on_epoch_end(self, epoch, logs=None):
        images, columns = style_mix_grid(self.model.sampler, seed=self.seed)
        save_image_grid(images, self.path, columns=columns, scale=2)
