"""Callbacks of the GAN family: the generated points of a 2-D mixture after every epoch, and their modes."""

import os

import keras

from eval_tf.metrics import mixture_modes
from gan_tf.sampling import generate
from lab_tf import run_dir as rd
from lab_tf.figures import save_point_scatter, write_progress_gif

__all__ = ["EpochModes"]


class EpochModes(keras.callbacks.Callback):
    """For 2-D mixtures: after each epoch, the generated points over the real ones, and mode coverage.

    Writes ``samples/epoch_NNN.png`` (a scatter) and ``progress.gif``, and adds to the epoch's
    logs ``modes_covered`` and ``high_quality`` (``eval_tf.metrics.mixture_modes``), so put
    it before ``RunRecorder``.

    Args:
        noise: fixed noise ``(n, latent_dim)``; 2,500 points is the usual protocol.
        real: a ``data.PointData`` sample drawn behind the generated points; gives the modes.
        run_dir: the run directory.
    """

    def __init__(self, noise, real, run_dir):
        super().__init__()
        self.noise = noise
        self.real = real
        self.run_dir = run_dir
        self.folder = os.path.join(run_dir, rd.SAMPLES)
        os.makedirs(self.folder, exist_ok=True)

    def on_epoch_end(self, epoch, logs=None):
        points = generate(self.model.sampler, self.noise)
        covered, quality, _ = mixture_modes(points, self.real.centers, self.real.std)
        title = f"epoch {epoch + 1}: {covered}/{len(self.real.centers)} modes, {quality:.0%} high quality"
        save_point_scatter(points, self.real.points, os.path.join(self.folder, f"epoch_{epoch + 1:03d}.png"), title)
        write_progress_gif(self.folder, os.path.join(self.run_dir, rd.PROGRESS))
        if logs is not None:
            logs.update(modes_covered=covered, high_quality=quality)
