"""Training a GAN into a run directory: set up (where bad input is caught), then fit.

A resumed run continues the optimizers' state and the training-noise stream exactly; the
data order and dropout masks of the resumed epochs come from ``seed + finished epochs``, so
a run interrupted and resumed matches another interrupted at the same epoch, not an
uninterrupted one.
"""

import copy
import os
import sys
from dataclasses import dataclass

import keras

from data import ImageData, make_dataset
from data.loaders import FOLDER_PREFIX
from experiments import run_dir as rd
from evaluation import RealReference
from experiments.callbacks import EpochImageGrid, EpochMetrics, RunRecorder, StopOnInterrupt
from experiments.config import Config, load_split
from experiments.run_metrics import build_reference
from gan_tf import GAN, build_gan_networks, default_architecture, latent_noise

__all__ = ["PreparedRun", "finished_epochs", "fit_run", "prepare_new_run", "prepare_resumed_run"]


@dataclass
class PreparedRun:
    """A run ready to fit: its config, data, trainer, where it starts, and the metrics' real reference."""

    config: Config
    data: ImageData
    gan: GAN
    initial_epoch: int
    history: list
    reference: RealReference | None = None


def prepare_new_run(config):
    """Validates ``config``, loads the data, builds the networks, then creates the run directory.

    The returned run holds a resolved copy of ``config``: paths made absolute (so the run can
    be resumed from anywhere), ``image_shape``, ``architecture`` and ``out_dir`` filled in.

    Raises:
        ValueError: bad settings, missing data, or an existing ``config.out_dir``; nothing is
            written in that case.
    """
    config = copy.deepcopy(config).validate()
    config.data = _absolute_paths(config.data)
    if config.out_dir and os.path.exists(config.out_dir):
        raise rd.RunDirError(
            f"{config.out_dir} already exists; pass --resume to continue that run or choose another --out-dir"
        )
    data = load_split(config.data, "train", config.data.limit)
    config.gan.image_shape = data.image_shape
    config.gan.architecture = config.gan.architecture or default_architecture(data.image_shape)
    keras.utils.set_random_seed(config.training.seed)
    generator, discriminator = build_gan_networks(config.gan.architecture, config.gan.latent_dim, data.image_shape)
    gan = GAN(generator, discriminator, seed=config.training.seed)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(config.training.lr, beta_1=config.training.beta_1),
        g_optimizer=keras.optimizers.Adam(config.training.lr, beta_1=config.training.beta_1),
        loss=config.gan.loss,
    )
    reference = _metrics_reference(config)
    config.out_dir = config.out_dir or rd.default_run_dir(config)
    os.makedirs(config.out_dir)
    rd.save_config(config, config.out_dir)
    return PreparedRun(config, data, gan, initial_epoch=0, history=[], reference=reference)


def prepare_resumed_run(run_dir, epochs=None):
    """Reloads a run's config, checkpoint and history to continue it up to ``epochs`` in total."""
    config = rd.load_config(run_dir)
    config.out_dir = run_dir  # the folder may have been moved or copied since
    state = rd.read_state(run_dir)
    finished = state["epoch"]
    config.training.epochs = epochs or config.training.epochs
    if config.training.epochs <= finished:
        raise ValueError(
            f"{run_dir} has already trained {finished} epochs; pass --epochs greater than {finished} "
            "(--epochs is the total, as with Keras' initial_epoch)"
        )
    config.validate()
    data = load_split(config.data, "train", config.data.limit)
    gan = keras.models.load_model(os.path.join(run_dir, state["checkpoint"]))
    gan.seed_generator.state.assign(state["seed_state"])
    keras.utils.set_random_seed(config.training.seed + finished)
    history = [row for row in rd.read_history(run_dir) if row["epoch"] <= finished]
    reference = _metrics_reference(config)
    rd.save_config(config, run_dir)
    return PreparedRun(config, data, gan, initial_epoch=finished, history=history, reference=reference)


def fit_run(run, verbose=None):
    """Trains a prepared run; every finished epoch is saved, so Ctrl-C loses at most one epoch.

    Raises:
        KeyboardInterrupt: after Ctrl-C, once the current step has finished.

    Returns:
        The ``keras.callbacks.History`` of this call.
    """
    config = run.config
    dataset = make_dataset(run.data, config.training.batch_size, seed=config.training.seed + run.initial_epoch)
    noise = latent_noise(config.grid_size, config.gan.latent_dim, seed=config.training.seed)
    callbacks = [StopOnInterrupt(), EpochImageGrid(noise, config.out_dir)]
    metric = None
    if run.reference is not None:
        metric = config.evaluation.metric
        callbacks.append(EpochMetrics(run.reference, config.evaluation, config.out_dir, seed=config.training.seed))
    callbacks.append(RunRecorder(config.out_dir, run.history, metric))
    height, width, channels = config.gan.image_shape
    print(
        f"training {config.model} ({config.gan.architecture} architecture) on {config.data.dataset}: "
        f"{len(run.data)} images {height}x{width}x{channels}, epochs {run.initial_epoch + 1}-"
        f"{config.training.epochs}, batch {config.training.batch_size} -> {config.out_dir}",
        flush=True,
    )
    return run.gan.fit(
        dataset,
        epochs=config.training.epochs,
        initial_epoch=run.initial_epoch,
        shuffle=False,  # make_dataset shuffles, seeded
        callbacks=callbacks,
        verbose=verbose if verbose is not None else (1 if sys.stdout.isatty() else 2),
    )


def _metrics_reference(config):
    """The real reference for metrics during training (training the extractor on first use), or ``None``."""
    return build_reference(config.data) if config.evaluation.every else None


def finished_epochs(run_dir):
    """Epochs whose checkpoint is on disk; 0 when none is."""
    return rd.read_state(run_dir)["epoch"] if os.path.isfile(os.path.join(run_dir, rd.STATE)) else 0


def _absolute_paths(data):
    data = copy.copy(data)
    if data.data_dir:
        data.data_dir = os.path.abspath(data.data_dir)
    if data.dataset.startswith(FOLDER_PREFIX):
        data.dataset = FOLDER_PREFIX + os.path.abspath(data.dataset[len(FOLDER_PREFIX):])
    return data

