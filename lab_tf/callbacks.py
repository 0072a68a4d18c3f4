"""Callbacks that keep a run directory complete after every epoch."""

import glob
import math
import os
import signal
import threading
import time

import keras
import tensorflow as tf
from tensorboard.plugins.hparams import api as hparams

from eval_tf import evaluate_images
from lab_tf import run_dir as rd
from lab_tf.config import TRACKED_METRICS, flatten
from lab_tf.figures import save_image_grid, write_progress_gif

__all__ = ["Diverged", "EpochMetrics", "EpochSamples", "EpochScores", "RunRecorder", "StopOnDivergence",
           "StopOnInterrupt", "TensorBoardLog"]

BEST_METRICS = "best.json"  # in the run's metrics/ folder


class EpochSamples(keras.callbacks.Callback):
    """After each epoch, a grid of the generator's samples from a fixed seed, and the GIF so far.

    Args:
        sampler: how the family draws its generator (``lab_tf.sampling.NoiseToImage``).
        generator_of: function of the trainer returning the generator to draw.
        total: about how many samples the grid shows (``sampler.epoch_grid``).
        run_dir: run directory; grids go to ``samples/epoch_NNN.png``, the GIF to ``progress.gif``.
        seed: the seed of every epoch's samples, so progress is comparable.
        scale: upscaling factor of the grids.
    """

    def __init__(self, sampler, generator_of, total, run_dir, seed=0, scale=2):
        super().__init__()
        self.sampler, self.generator_of, self.total, self.seed, self.scale = sampler, generator_of, total, seed, scale
        self.run_dir = run_dir
        self.folder = os.path.join(run_dir, rd.SAMPLES)
        os.makedirs(self.folder, exist_ok=True)

    def on_epoch_end(self, epoch, logs=None):
        images, columns = self.sampler.epoch_grid(self.generator_of(self.model), self.total, self.seed)
        save_image_grid(images, os.path.join(self.folder, f"epoch_{epoch + 1:03d}.png"), columns=columns,
                        scale=self.scale)
        write_progress_gif(self.folder, os.path.join(self.run_dir, rd.PROGRESS))


class RunRecorder(keras.callbacks.Callback):
    """After each epoch: history CSV and curves, the family's models, and the resumable checkpoint.

    The checkpoint of epoch N goes to its own file and ``state.json`` then points at it, so
    the state always names a complete checkpoint, and every other file of that epoch is
    already on disk. The state keeps the trainer's noise stream when it has one. A process
    killed between the two leaves ``history.csv`` one row ahead of the state; ``--resume``
    continues from the state and drops that row.

    Args:
        run_dir: the run directory.
        history: rows of the epochs already finished (non-empty when resuming).
        saved_models: function of the trainer returning ``{file name: keras.Model}`` to save.
        plot_history: function ``(rows, path, metric)`` drawing the curves.
        metric: a logged image-quality metric to plot beside the losses, if any.
        resumed_at: the finished epochs at which the run was resumed, kept in ``state.json``.

    Each history row also gets ``seconds``, the epoch's wall time with its grids and evaluations.
    """

    def __init__(self, run_dir, history, saved_models, plot_history, metric=None, resumed_at=()):
        super().__init__()
        self.run_dir = run_dir
        self.history_rows = list(history)
        self.saved_models = saved_models
        self.plot_history = plot_history
        self.metric = metric
        self.resumed_at = list(resumed_at)
        self.started = None
        os.makedirs(os.path.join(run_dir, rd.CHECKPOINTS), exist_ok=True)

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self.started  # the whole epoch: its steps, validation, grids and scores
        self.history_rows.append({"epoch": epoch + 1, **{k: float(v) for k, v in (logs or {}).items()},
                                  "seconds": round(seconds, 2)})
        rd.write_history(self.history_rows, self.run_dir)
        self.plot_history(self.history_rows, os.path.join(self.run_dir, rd.CURVES), self.metric)
        trainer = self.model
        for name, model in self.saved_models(trainer).items():
            rd.save_model(model, os.path.join(self.run_dir, name))
        checkpoint = os.path.join(rd.CHECKPOINTS, f"model-epoch-{epoch + 1}.keras")
        rd.save_model(trainer, os.path.join(self.run_dir, checkpoint))
        # a worker's fresh copy of a resumed run has no state yet
        has_state = os.path.isfile(os.path.join(self.run_dir, rd.STATE))
        previous = rd.read_state(self.run_dir)["checkpoint"] if has_state else None
        state = {"epoch": epoch + 1, "checkpoint": checkpoint, "resumed_at": self.resumed_at}
        if hasattr(trainer, "seed_generator"):
            state["seed_state"] = trainer.seed_generator.state.numpy().tolist()
        rd.write_state(state, self.run_dir)
        if previous and previous != checkpoint:
            os.remove(os.path.join(self.run_dir, previous))


class EpochMetrics(keras.callbacks.Callback):
    """Every ``config.every`` epochs, image-quality metrics of the generator into the epoch's logs.

    Each evaluation's full result (with n_real, n_fake, split and extractor id) goes to
    ``metrics/epoch_NNN.json``; the generator with the best ``config.metric`` so far, the one
    that was scored, is saved as ``generator_best.keras``, described by ``metrics/best.json``.
    Put this callback before ``RunRecorder`` so the numbers reach ``history.csv`` and the curves.

    Args:
        reference: ``eval_tf.RealReference`` of the run's dataset.
        sampler: how the family draws its generator for the metrics (``evaluation_samples``).
        generator_of: function of the trainer returning the generator to score and keep.
        config: the run's ``EvalConfig``.
        run_dir: the run directory.
        seed: seed of the evaluation noise (the same every time, so epochs are comparable).
    """

    def __init__(self, reference, sampler, generator_of, config, run_dir, seed=0):
        super().__init__()
        self.reference = reference
        self.sampler = sampler
        self.generator_of = generator_of
        self.config = config
        self.run_dir = run_dir
        self.seed = seed
        self.folder = os.path.join(run_dir, rd.METRICS_DIR)
        os.makedirs(self.folder, exist_ok=True)
        best = rd.read_json(os.path.join(self.folder, BEST_METRICS))
        self.best = None if best is None else best[config.metric]

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.config.every:
            return
        generator = self.generator_of(self.model)
        images, labels = self.sampler.evaluation_samples(generator, self.config.n, self.seed)
        results = evaluate_images(self.reference, images, seed=self.seed, requested=labels)
        results["epoch"] = epoch + 1
        rd.write_json(results, os.path.join(self.folder, f"epoch_{epoch + 1:03d}.json"))
        if logs is not None:
            logs.update({key: results[key] for key in TRACKED_METRICS})
        value = results[self.config.metric]
        lower_is_better = TRACKED_METRICS[self.config.metric]
        if self.best is None or (value < self.best if lower_is_better else value > self.best):
            self.best = value
            rd.save_model(generator, os.path.join(self.run_dir, rd.BEST_GENERATOR))
            rd.write_json(results, os.path.join(self.folder, BEST_METRICS))


class EpochScores(keras.callbacks.Callback):
    """Every ``every`` epochs, a family's held-out scores of the trainer: ``score(trainer, seed) -> results``.

    The full result goes to ``metrics/epoch_NNN.json``; ``logged(results)`` (a flat dict of the
    headline numbers) goes into the epoch's logs, so put this callback before ``RunRecorder``.
    """

    def __init__(self, score, logged, every, run_dir, seed=0):
        super().__init__()
        self.score, self.logged, self.every, self.seed = score, logged, every, seed
        self.folder = os.path.join(run_dir, rd.METRICS_DIR)
        os.makedirs(self.folder, exist_ok=True)

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        results = self.score(self.model, self.seed)
        rd.write_json({**results, "epoch": epoch + 1}, os.path.join(self.folder, f"epoch_{epoch + 1:03d}.json"))
        if logs is not None:
            logs.update(self.logged(results))


class TensorBoardLog(keras.callbacks.Callback):
    """Logs a run for TensorBoard into ``RUN_DIR/tensorboard``, with Keras' tags and folders.

    After each epoch every logged number (``train/epoch_<name>``, ``validation/epoch_<name>`` for
    the ``val_`` ones, image-quality metrics included when this callback follows ``EpochMetrics``) and
    the epoch's sample grid (``train/samples``, from ``samples/epoch_NNN.png``); with
    ``config.tensorboard_every``, the training numbers every that many steps (``train/batch_<name>``);
    once, the run's settings for the HParams dashboard. Steps continue across ``--resume``. Keras'
    own ``TensorBoard`` logs no sample grids and counts its steps from 0 again in a resumed run.

    Args:
        config: the run's ``Config``.
        first_step: the steps trained before this call (a resumed run's finished epochs times steps per epoch).
    """

    def __init__(self, config, first_step=0):
        super().__init__()
        self.run_dir, self.every, self.step = config.out_dir, config.tensorboard_every, first_step
        folder = os.path.join(self.run_dir, rd.TENSORBOARD)
        if not glob.glob(os.path.join(folder, "events.out.tfevents.*")):
            with tf.summary.create_file_writer(folder).as_default():
                hparams.hparams({key: _hparam(value) for key, value in flatten(config.described())})
        self.train = tf.summary.create_file_writer(os.path.join(folder, "train"))
        self.validation = tf.summary.create_file_writer(os.path.join(folder, "validation"))

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        if self.every and self.step % self.every == 0:
            with self.train.as_default(step=self.step):
                for name, value in (logs or {}).items():
                    tf.summary.scalar(f"batch_{name}", float(value))

    def on_epoch_end(self, epoch, logs=None):
        for name, value in (logs or {}).items():
            writer, name = (self.validation, name[4:]) if name.startswith("val_") else (self.train, name)
            with writer.as_default(step=epoch + 1):
                tf.summary.scalar(f"epoch_{name}", float(value))
        grid = os.path.join(self.run_dir, rd.SAMPLES, f"epoch_{epoch + 1:03d}.png")
        if os.path.isfile(grid):
            with self.train.as_default(step=epoch + 1):
                tf.summary.image("samples", tf.image.decode_png(tf.io.read_file(grid))[None])
        self.train.flush()
        self.validation.flush()

    def on_train_end(self, logs=None):
        self.train.close()
        self.validation.close()


def _hparam(value):
    """A setting as the HParams dashboard takes it: a number, text or a flag (lists and unset ones as text)."""
    return value if isinstance(value, (bool, int, float, str)) else str(value)


class Diverged(ValueError):
    """Training produced a non-finite loss; the epochs finished before it are kept."""


class StopOnDivergence(keras.callbacks.Callback):
    """Stops training at the first logged value of a batch that is not finite or beyond ``limit`` in size.

    A loss past ``limit`` (1e8) means the networks' outputs have exploded, as a learning rate far
    too high makes them; no healthy loss of these models comes near it. Raises ``Diverged``
    from the batch, so the unfinished epoch is never recorded: put it before ``RunRecorder`` and
    every file of the last finished epoch stays as it was. Unlike Keras' ``TerminateOnNaN``,
    which ends ``fit`` quietly, the run ends with one line saying where and what to try.
    """

    def __init__(self, limit=1e8):
        super().__init__()
        self.limit = limit
        self.epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        for key, value in (logs or {}).items():
            value = float(value)
            if not abs(value) <= self.limit:  # also NaN
                what = (f"became {value}" if not math.isfinite(value) else
                        f"reached {value:.3g}, beyond {self.limit:g}: the networks' outputs have exploded")
                raise Diverged(f"training diverged: {key} {what} at step {batch + 1} of epoch {self.epoch + 1}; "
                               "the finished epochs are kept. Try a lower learning rate")


class StopOnInterrupt(keras.callbacks.Callback):
    """Turns Ctrl-C into a clean stop: the current step finishes, the unfinished epoch is dropped.

    The first Ctrl-C stops training after the current batch and raises ``KeyboardInterrupt``
    from ``on_epoch_end``; put this callback first, so the other callbacks never record the
    unfinished epoch. A second Ctrl-C interrupts at once, as usual.
    """

    def __init__(self):
        super().__init__()
        self.interrupted = False
        self._previous_handler = None

    def on_train_begin(self, logs=None):
        if threading.current_thread() is threading.main_thread():
            self._previous_handler = signal.signal(signal.SIGINT, self._interrupt)

    def on_train_end(self, logs=None):
        self._restore()

    def on_train_batch_end(self, batch, logs=None):
        if self.interrupted:
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        if self.interrupted:
            self._restore()
            raise KeyboardInterrupt

    def _interrupt(self, signum, frame):
        self.interrupted = True
        self._restore()

    def _restore(self):
        if self._previous_handler is not None:
            signal.signal(signal.SIGINT, self._previous_handler)
            self._previous_handler = None
