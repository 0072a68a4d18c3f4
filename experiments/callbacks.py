"""Callbacks that keep a run directory complete after every epoch."""

import os

import keras

from experiments import run_dir as rd
from experiments.figures import epoch_frames, plot_gan_history, save_image_grid, save_progress_gif
from gan_tf.sampling import generate

__all__ = ["EpochImageGrid", "RunRecorder"]


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
        frames = epoch_frames(os.path.join(self.run_dir, rd.SAMPLES))
        save_progress_gif([path for _, path in frames], os.path.join(self.run_dir, rd.PROGRESS),
                          [f"epoch {epoch}" for epoch, _ in frames])


class RunRecorder(keras.callbacks.Callback):
    """After each epoch: history CSV and curves, both networks, and the resumable checkpoint.

    The checkpoint of epoch N goes to its own file and ``state.json`` then points at it, so
    the state always names a complete checkpoint, and every other file of that epoch is
    already on disk.

    Args:
        run_dir: the run directory.
        history: rows of the epochs already finished (non-empty when resuming).
    """

    def __init__(self, run_dir, history):
        super().__init__()
        self.run_dir = run_dir
        self.history_rows = list(history)
        os.makedirs(os.path.join(run_dir, rd.CHECKPOINTS), exist_ok=True)

    def on_epoch_end(self, epoch, logs=None):
        self.history_rows.append({"epoch": epoch + 1, **{k: float(v) for k, v in (logs or {}).items()}})
        rd.write_history(self.history_rows, self.run_dir)
        plot_gan_history(self.history_rows, os.path.join(self.run_dir, rd.CURVES))
        gan = self.model
        rd.save_model(gan.generator, os.path.join(self.run_dir, rd.GENERATOR))
        rd.save_model(gan.discriminator, os.path.join(self.run_dir, rd.DISCRIMINATOR))
        checkpoint = os.path.join(rd.CHECKPOINTS, f"gan-epoch-{epoch + 1}.keras")
        rd.save_model(gan, os.path.join(self.run_dir, checkpoint))
        previous = rd.read_state(self.run_dir)["checkpoint"] if epoch > 0 else None
        rd.write_state({"epoch": epoch + 1, "checkpoint": checkpoint,
                        "seed_state": gan.seed_generator.state.numpy().tolist()}, self.run_dir)
        if previous and previous != checkpoint:
            os.remove(os.path.join(self.run_dir, previous))
