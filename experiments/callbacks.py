"""Callbacks that keep a run directory complete after every epoch."""

import glob
import os

import keras

from experiments import run_dir as rd
from experiments.figures import plot_gan_history, save_image_grid, save_progress_gif
from gan_tf.sampling import generate


class EpochImageGrid(keras.callbacks.Callback):
    """After each epoch, a grid of the generator's images from fixed noise, and the GIF so far.

    Args:
        noise: fixed noise ``(n, latent_dim)``, the same every epoch so progress is comparable.
        run_dir: run directory; grids go to ``samples/epoch_NNN.png``, the GIF to ``progress.gif``.
        scale: upscaling factor of the grids.
    """

    def __init__(self, noise, run_dir, scale=2):
        super().__init__()
        self.noise = noise
        self.run_dir = run_dir
        self.scale = scale
        os.makedirs(os.path.join(run_dir, rd.SAMPLES), exist_ok=True)

    def on_epoch_end(self, epoch, logs=None):
        path = os.path.join(self.run_dir, rd.SAMPLES, f"epoch_{epoch + 1:03d}.png")
        save_image_grid(generate(self.model.generator, self.noise), path, scale=self.scale)
        frames = sorted(glob.glob(os.path.join(self.run_dir, rd.SAMPLES, "epoch_*.png")))
        captions = [f"epoch {int(os.path.basename(f)[6:9])}" for f in frames]
        save_progress_gif(frames, os.path.join(self.run_dir, rd.PROGRESS), captions)


class RunRecorder(keras.callbacks.Callback):
    """After each epoch: history CSV and curves, both networks, and the resumable checkpoint.

    The checkpoint is written last, so a checkpoint for epoch N implies every other file of
    epoch N is on disk.

    Args:
        run_dir: the run directory.
        history: rows of the epochs already finished (non-empty when resuming).
    """

    def __init__(self, run_dir, history):
        super().__init__()
        self.run_dir = run_dir
        self.history_rows = list(history)
        os.makedirs(os.path.dirname(os.path.join(run_dir, rd.CHECKPOINT)), exist_ok=True)

    def on_epoch_end(self, epoch, logs=None):
        self.history_rows.append({"epoch": epoch + 1, **{k: float(v) for k, v in (logs or {}).items()}})
        rd.write_history(self.history_rows, self.run_dir)
        plot_gan_history(self.history_rows, os.path.join(self.run_dir, rd.CURVES))
        gan = self.model
        rd.save_model(gan.generator, os.path.join(self.run_dir, rd.GENERATOR))
        rd.save_model(gan.discriminator, os.path.join(self.run_dir, rd.DISCRIMINATOR))
        rd.save_model(gan, os.path.join(self.run_dir, rd.CHECKPOINT))
        rd.write_state({"epoch": epoch + 1, "seed_state": gan.seed_generator.state.numpy().tolist()}, self.run_dir)
