"""Training any model into a run directory: set up (where bad input is caught), then fit.

What every family shares lives here: validating and resolving the config, loading the data,
seeding, creating or resuming the run directory, and fitting with the callbacks that keep it
complete. What differs lives in the family (``lab_tf.families.base.Family``: ``load_data``,
``resolve``, ``build_trainer``, ``datasets``, ``callbacks``, ``metrics_reference``,
``metrics_callback``, ``saved_models``, ``generator_of``, ``plot_history``, ``describe``).

A resumed run continues the optimizers' state and the trainer's noise stream exactly; data
order and dropout masks of the resumed epochs come from ``seed + finished epochs``, so a run
interrupted and resumed matches another interrupted at the same epoch, not an uninterrupted one.
"""

import copy
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass

import keras

from core_tf import distribute
from core_tf.files import remove_temporaries
from lab_tf import run_dir as rd
from lab_tf.callbacks import RunRecorder, StopOnDivergence, StopOnInterrupt, TensorBoardLog
from lab_tf.config import Config

__all__ = ["PreparedRun", "finished_epochs", "fit_run", "prepare_new_run", "prepare_resumed_run"]


@dataclass
class PreparedRun:
    """A run ready to fit: its config, data (``Family.load_data``), trainer, where it starts, the held-out
    reference of its metrics (``Family.metrics_reference``; ``None`` without ``--eval-every``), the
    epochs at which it was resumed, and the ``tf.distribute`` strategy its trainer was built in.

    On a multi-worker cluster only the chief writes the run directory; the other workers (``chief``
    false) write the same files into a temporary ``config.out_dir``, removed when ``fit_run`` ends.
    """

    config: Config
    data: object
    trainer: keras.Model
    initial_epoch: int
    history: list
    reference: object = None
    resumed_at: tuple = ()
    strategy: object = None
    chief: bool = True


def prepare_new_run(config):
    """Validates ``config``, loads the data, builds the trainer, then creates the run directory.

    The returned run holds a resolved copy of ``config``: paths made absolute (so the run can
    be resumed from anywhere), data-dependent settings and ``out_dir`` filled in.

    An ``out_dir`` that holds a run stopped before its first epoch finished (killed, or a crash)
    is started over: nothing of it was worth keeping.

    Raises:
        ValueError: bad settings, missing data, or an existing ``config.out_dir`` with finished
            epochs or other files; nothing is written in that case.
    """
    config = copy.deepcopy(config).validate()
    strategy = _strategy(config)  # first: the multi-worker strategy configures TensorFlow's runtime
    chief = distribute.is_chief(strategy)
    config.data = config.data.absolute()
    start_over = chief and bool(config.out_dir) and rd.is_unfinished(config.out_dir)
    if chief and config.out_dir and os.path.exists(config.out_dir) and not start_over:
        raise rd.RunDirError(
            f"{config.out_dir} already exists; pass --resume to continue that run or choose another --out-dir"
        )
    family = config.family
    data = family.load_data(config)
    family.resolve(config, data)
    config.validate()
    if config.training.whole_batches:
        _check_whole_batches(config, data)
    keras.utils.set_random_seed(config.training.seed)
    with strategy.scope():
        trainer = family.build_trainer(config)
    reference = family.metrics_reference(config, data) if config.evaluation.every else None
    if not chief:
        config.out_dir = _worker_dir(strategy)
        return PreparedRun(config, data, trainer, initial_epoch=0, history=[], reference=reference,
                           strategy=strategy, chief=False)
    config.out_dir = config.out_dir or rd.default_run_dir(config)
    if start_over:
        print(f"{config.out_dir} holds no finished epoch (a run stopped in its first one, or nothing); starting "
              "the run there", flush=True)
        shutil.rmtree(config.out_dir)
    os.makedirs(config.out_dir)
    rd.save_config(config, config.out_dir)
    return PreparedRun(config, data, trainer, initial_epoch=0, history=[], reference=reference, strategy=strategy)


def prepare_resumed_run(run_dir, epochs=None, tensorboard=None, tensorboard_every=None):
    """Reloads a run's config, checkpoint and history to continue it up to ``epochs`` in total, turning on
    TensorBoard logging when asked."""
    config = rd.load_config(run_dir)
    config.out_dir = run_dir  # the folder may have been moved or copied since
    config.tensorboard = tensorboard or config.tensorboard
    config.tensorboard_every = tensorboard_every or config.tensorboard_every
    state = rd.read_state(run_dir)
    finished = state["epoch"]
    config.training.epochs = epochs or config.training.epochs
    if config.training.epochs <= finished:
        raise ValueError(
            f"{run_dir} has already trained {finished} epochs; pass --epochs greater than {finished} "
            "(--epochs is the total, as with Keras' initial_epoch)"
        )
    config.validate()  # also imports the family, registering its trainer classes before loading one
    strategy = _strategy(config)
    chief = distribute.is_chief(strategy)
    if chief:
        remove_temporaries(run_dir)  # half-written files of a process that was killed
    data = config.family.load_data(config)
    keras.utils.set_random_seed(config.training.seed + finished)  # before loading: it seeds the dropout layers
    with strategy.scope():
        trainer = rd.load_model(os.path.join(run_dir, state["checkpoint"]))
    if "seed_state" in state:
        trainer.seed_generator.state.assign(state["seed_state"])
    history = [row for row in rd.read_history(run_dir) if row["epoch"] <= finished]
    reference = config.family.metrics_reference(config, data) if config.evaluation.every else None
    if chief:
        rd.save_config(config, run_dir)
    else:
        config.out_dir = _worker_dir(strategy)
    return PreparedRun(config, data, trainer, initial_epoch=finished, history=history, reference=reference,
                       resumed_at=(*state.get("resumed_at", ()), finished), strategy=strategy, chief=chief)


def _strategy(config):
    """The run's ``tf.distribute`` strategy; raises ``ValueError`` for a batch that does not split evenly over it."""
    strategy = distribute.make_strategy(config.training.distribute)
    replicas = strategy.num_replicas_in_sync
    if config.training.batch_size % replicas:
        raise ValueError(f"--batch-size {config.training.batch_size} does not split evenly over {replicas} replicas; "
                         f"pass a multiple of {replicas}")
    return strategy


def _check_whole_batches(config, data):
    """Raises ``ValueError`` for a training or validation set without a whole batch (``--distribute`` drops others)."""
    for name, dataset in zip(("training", "validation"), config.family.datasets(config, data, config.training.seed)):
        if dataset is not None and dataset.cardinality() == 0:
            raise ValueError(f"the {name} data holds no whole batch of {config.training.batch_size} images, and "
                             "--distribute trains on whole batches only; pass a smaller --batch-size")


def _worker_dir(strategy):
    """The temporary folder a non-chief worker writes its copy of the run into."""
    worker = strategy.cluster_resolver.task_id
    folder = tempfile.mkdtemp(prefix=f"worker{worker}-")
    print(f"worker {worker}: the chief writes the run; this worker's copy goes to {folder}, removed at the end",
          flush=True)
    return folder


def fit_run(run, verbose=None, callbacks=()):
    """Trains a prepared run; every finished epoch is saved, so Ctrl-C loses at most one epoch.

    ``callbacks``: more Keras callbacks, called after the family's and before the run's recorder.

    Raises:
        KeyboardInterrupt: after Ctrl-C, once the current step has finished.
        lab_tf.callbacks.Diverged: a loss became NaN or infinite; the finished epochs are kept.

    Returns:
        The ``keras.callbacks.History`` of this call.
    """
    config = run.config
    family = config.family
    strategy = run.strategy or distribute.make_strategy()
    replicas = strategy.num_replicas_in_sync
    train, validation = family.datasets(config, run.data, seed=config.training.seed + run.initial_epoch)
    batch = config.training.batch_size
    callbacks = [StopOnInterrupt(), StopOnDivergence(), *family.callbacks(config, run), *callbacks]
    metric = None
    if run.reference is not None:
        metric = config.evaluation.metric
        callbacks.append(family.metrics_callback(config, run.reference))
    if config.tensorboard:
        callbacks.append(TensorBoardLog(config, first_step=run.initial_epoch * max(0, int(train.cardinality()))))
    callbacks.append(RunRecorder(config.out_dir, run.history, family.saved_models, family.plot_history, metric,
                                 run.resumed_at))
    split = f" ({replicas} replicas of {batch // replicas}, whole batches only)" if replicas > 1 else ""
    print(f"{family.describe(config, run.data)}, epochs {run.initial_epoch + 1}-{config.training.epochs}, "
          f"batch {batch}{split} -> {config.out_dir}", flush=True)
    settings = dict(validation_data=validation, epochs=config.training.epochs, initial_epoch=run.initial_epoch,
                    callbacks=callbacks, verbose=verbose if verbose is not None else (1 if sys.stdout.isatty() else 2))
    try:
        if config.training.distribute:  # Keras' fit fails or reorders batches there (core_tf.distribute.fit)
            return distribute.fit(run.trainer, train, **settings)
        return run.trainer.fit(train, shuffle=False, **settings)  # the family's datasets shuffle, seeded
    finally:
        if not run.chief:
            shutil.rmtree(config.out_dir, ignore_errors=True)


def finished_epochs(run_dir):
    """Epochs whose checkpoint is on disk; 0 when none is."""
    return rd.read_state(run_dir)["epoch"] if os.path.isfile(os.path.join(run_dir, rd.STATE)) else 0
