"""Run directories: one folder per training run that describes itself.

Layout::

    config.json            the resolved Config
    generator.keras        plain Keras models, loadable without this package
    discriminator.keras
    generator_best.keras   with --eval-every: the generator with the best tracked metric
    metrics/               with --eval-every: each evaluation's numbers, and best.json
    metrics.json           from samples.py --evaluate
    history.csv            one row per finished epoch, with its wall time in seconds
    curves.png             losses and discriminator accuracy
    samples/epoch_001.png  a grid from fixed noise after each epoch
    progress.gif           those grids as an animation
    checkpoint/model-epoch-N.keras  the trainer with its optimizers' state, for --resume
    checkpoint/state.json  finished epochs, the checkpoint's name, the noise generator's state, the epochs
                           at which the run was resumed

The autoencoder family adds ``encoder.keras``, ``reconstructions/epoch_001.png``,
``latent.png``, ``manifold.png`` (2-D latent), ``interpolation.png`` and ``likelihood.json``
(see the autoencoder family's callbacks); its runs have no discriminator. Each family's
``saved_models`` and callbacks say what its runs hold.
"""

import csv
import datetime
import json
import os
from dataclasses import dataclass

import keras

from core_tf.files import atomic_path, read_json, write_csv, write_json
from data.loaders import dataset_name
from lab_tf.config import Config

__all__ = [
    "Run", "RunDirError", "default_run_dir", "is_unfinished", "latest_run", "load_config", "load_model", "load_run",
    "read_history", "read_json", "read_state", "save_config", "save_model", "write_history", "write_json",
    "write_state",
]

RUNS_ROOT = "runs"
CONFIG = "config.json"
GENERATOR = "generator.keras"
DISCRIMINATOR = "discriminator.keras"
HISTORY = "history.csv"
CURVES = "curves.png"
SAMPLES = "samples"
TENSORBOARD = "tensorboard"
PROGRESS = "progress.gif"
BEST_GENERATOR = "generator_best.keras"
METRICS_DIR = "metrics"
CHECKPOINTS = "checkpoint"
STATE = os.path.join(CHECKPOINTS, "state.json")


class RunDirError(ValueError):
    """A run directory is missing, incomplete, or would be overwritten."""


@dataclass
class Run:
    """A loaded run: its directory, config and trained generator."""

    path: str
    config: Config
    generator: keras.Model


def default_run_dir(config, kind=None, now=None):
    """``runs/<model>[-<kind>]-<dataset>-<YYYYmmdd-HHMMSS>``; a folder dataset is ``folder-<basename>``.

    ``kind`` names what is not a single run (``compare-beta``, ``tune-random``, ...).
    """
    stamp = (now or datetime.datetime.now()).strftime("%Y%m%d-%H%M%S")
    parts = [config.model, kind, dataset_name(config.data.dataset), stamp]
    return os.path.join(RUNS_ROOT, "-".join(part for part in parts if part))


def save_config(config, run_dir):
    """Writes ``config.json``."""
    write_json(config.to_dict(), os.path.join(run_dir, CONFIG))


def load_config(run_dir):
    """Reads ``config.json``; ``RunDirError`` when ``run_dir`` is not a run directory or the file is damaged."""
    path = os.path.join(run_dir, CONFIG)
    if not os.path.isfile(path):
        raise RunDirError(f"{run_dir} is not a run directory (no {CONFIG}); pass a folder made by train.py")
    try:
        return Config.from_dict(_read_object(path))
    except ValueError as error:
        raise RunDirError(f"{path} is damaged: {error}; restore it or train a new run") from None


def load_run(run_dir):
    """Loads a run's config and its last saved generator."""
    config = load_config(run_dir)
    path = os.path.join(run_dir, GENERATOR)
    if not os.path.isfile(path):
        raise RunDirError(f"{run_dir} has no {GENERATOR}: no epoch of it finished; train a new run")
    return Run(run_dir, config, load_model(path))


def load_model(path):
    """``keras.models.load_model`` in safe mode (a file with code in it, a ``Lambda`` layer, is refused).

    Raises:
        RunDirError: naming ``path`` when it is missing, damaged or not a Keras model.
    """
    if not os.path.isfile(path):
        raise RunDirError(f"{path} does not exist; pass a .keras file")
    try:
        return keras.models.load_model(path, safe_mode=True)
    except Exception as error:  # Keras raises many types for a damaged file or one it refuses
        # Keras' own first sentence says what it found; the rest of its message is advice for other cases
        reason = str(error).strip().splitlines()[0].split(". ")[0] if str(error).strip() else type(error).__name__
        raise RunDirError(f"{path} could not be loaded as a Keras model: it is damaged, not a .keras file, or "
                          f"holds code that safe mode refuses ({reason})") from None


def latest_run(root=RUNS_ROOT):
    """The most recently updated run under ``root`` that has a generator."""
    candidates = []
    if os.path.isdir(root):
        for name in os.listdir(root):
            path = os.path.join(root, name, GENERATOR)
            if os.path.isfile(path):
                candidates.append((os.path.getmtime(path), os.path.join(root, name)))
    if not candidates:
        raise RunDirError(f"no trained run found under {root}/; train one with train.py or pass --run or --model")
    return max(candidates)[1]


def save_model(model, path):
    """Saves a ``.keras`` file atomically, so an interrupted save never leaves a broken file."""
    with atomic_path(path) as temporary:
        model.save(temporary)


def read_history(run_dir):
    """History rows (dicts of floats, ``epoch`` as int, empty cells left out) from ``history.csv``."""
    path = os.path.join(run_dir, HISTORY)
    if not os.path.isfile(path):
        return []
    try:
        with open(path, newline="") as file:
            return [{k: int(v) if k == "epoch" else float(v) for k, v in row.items() if v != ""}
                    for row in csv.DictReader(file)]
    except (ValueError, TypeError, UnicodeDecodeError, csv.Error) as error:
        raise RunDirError(f"{path} is damaged ({error}); restore it or train a new run") from None


def write_history(rows, run_dir):
    """Writes ``history.csv``, one row per epoch; a value an epoch lacks (metrics) is left empty."""
    write_csv(rows, os.path.join(run_dir, HISTORY))


def read_state(run_dir):
    """The resume state: ``epoch`` (finished), ``checkpoint`` (its file) and ``seed_state``."""
    path = os.path.join(run_dir, STATE)
    if not os.path.isfile(path):
        raise RunDirError(f"{run_dir} has no finished epoch to resume; run the command that started it without "
                          "--resume to start it over")
    state = _read_object(path)
    if not (isinstance(state.get("epoch"), int) and state["epoch"] >= 1 and isinstance(state.get("checkpoint"), str)):
        raise RunDirError(f"{path} is damaged: it needs the finished epoch and the checkpoint's file name; "
                          "train a new run")
    return state


def is_unfinished(run_dir):
    """Whether ``run_dir`` holds a run whose first epoch never finished (stopped by a kill or a crash), or nothing."""
    if not os.path.isdir(run_dir) or os.path.isfile(os.path.join(run_dir, STATE)):
        return False
    return os.path.isfile(os.path.join(run_dir, CONFIG)) or not os.listdir(run_dir)


def _read_object(path):
    """A JSON object from ``path``; ``RunDirError`` naming the file when it is not one."""
    try:
        with open(path) as file:
            values = json.load(file)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise RunDirError(f"{path} is damaged: not valid JSON ({error}); restore it or train a new run") from None
    if not isinstance(values, dict):
        raise RunDirError(f"{path} is damaged: expected a JSON object, got a {type(values).__name__}; "
                          "restore it or train a new run")
    return values


def write_state(state, run_dir):
    """Writes the resume state (see ``read_state``)."""
    write_json(state, os.path.join(run_dir, STATE))
