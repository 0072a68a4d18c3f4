"""Hyperparameter search with Keras Tuner: the MLP's search space, the four tuners, and what a search leaves.

``MLPHyperModel.build(hp)`` chooses the network (hidden units, depth, activation, dropout)
and the learning rate; ``MLPHyperModel.fit(hp, model, ...)`` chooses the batch size and the
number of epochs, which ``build`` cannot. A search directory is resumable: Keras Tuner reloads
its finished trials and retries only the one that was interrupted.
"""

import os
from dataclasses import asdict, dataclass

import keras_tuner

from core_tf.files import write_csv
from mlp_tf.activations import ACTIVATIONS
from mlp_tf.model import build_mlp, compile_mlp

__all__ = ["TUNERS", "MLPHyperModel", "SearchSpace", "make_tuner", "trials_table", "write_trials_csv"]

TUNERS = ("random", "grid", "bayesian", "hyperband")


@dataclass(frozen=True)
class SearchSpace:
    """The values each hyperparameter may take; one value fixes it. The first value is the default.

    ``lr`` is drawn log-uniformly between its smallest and largest value when ``continuous_lr``
    (random, Bayesian, Hyperband), and from the listed values otherwise (a grid needs them).
    """

    units: tuple = (256, 512, 1024)
    depth: tuple = (2, 1, 3)
    activation: tuple = ("relu", "gelu", "swish", "tanh")
    dropout: tuple = (0.2, 0.0, 0.1, 0.3)
    lr: tuple = (1e-3, 3e-4, 3e-3)
    batch_size: tuple = (128, 64, 256)
    epochs: tuple = (8, 4, 12)
    continuous_lr: bool = True

    def __post_init__(self):
        for name, values in asdict(self).items():
            if name != "continuous_lr" and not values:
                raise ValueError(f"search space {name} needs at least one value")
        for name in ("units", "depth", "batch_size", "epochs"):
            if min(getattr(self, name)) < 1:
                raise ValueError(f"search space {name} values must be at least 1, got {getattr(self, name)}")
        unknown = [a for a in self.activation if a not in ACTIVATIONS]
        if unknown:
            raise ValueError(f"unknown activation {unknown[0]!r} in the search space; valid: {', '.join(ACTIVATIONS)}")
        if min(self.lr) <= 0 or not all(0 <= d < 1 for d in self.dropout):
            raise ValueError(f"search space lr must be positive and dropout in [0, 1), got {self.lr}, {self.dropout}")

    def names(self):
        """The hyperparameters this space varies (more than one value), in declaration order."""
        return [n for n, v in asdict(self).items() if n != "continuous_lr" and len(set(v)) > 1]


def _choose(hp, name, values):
    values = list(dict.fromkeys(values))
    return hp.Fixed(name, values[0]) if len(values) == 1 else hp.Choice(name, values, default=values[0])


class MLPHyperModel(keras_tuner.HyperModel):
    """Builds and fits ``build_mlp`` classifiers from a ``SearchSpace``.

    Args:
        input_shape: shape of one example, e.g. ``(28, 28, 1)``.
        num_classes: classes of the data.
        space: the ``SearchSpace`` (default: the one above).
        loss: ``crossentropy`` or ``mse``.
        optimizer: optimizer name from ``mlp_tf.OPTIMIZERS``.
    """

    def __init__(self, input_shape, num_classes, space=None, loss="crossentropy", optimizer="adam", **kwargs):
        super().__init__(**kwargs)
        self.input_shape = tuple(input_shape)
        self.num_classes = num_classes
        self.space = space or SearchSpace()
        self.loss = loss
        self.optimizer = optimizer

    def build(self, hp):
        space = self.space
        units = _choose(hp, "units", space.units)
        depth = _choose(hp, "depth", space.depth)
        if space.continuous_lr and min(space.lr) < max(space.lr):
            lr = hp.Float("lr", min(space.lr), max(space.lr), sampling="log", default=space.lr[0])
        else:
            lr = _choose(hp, "lr", space.lr)
        model = build_mlp(self.input_shape, self.num_classes, (units,) * depth,
                          _choose(hp, "activation", space.activation),
                          dropout=_choose(hp, "dropout", space.dropout))
        return compile_mlp(model, self.loss, self.optimizer, lr)

    def fit(self, hp, model, *args, **kwargs):
        """``model.fit`` with the chosen batch size and epochs; Hyperband's own ``epochs`` take precedence."""
        kwargs["batch_size"] = _choose(hp, "batch_size", self.space.batch_size)
        kwargs.setdefault("epochs", None)
        if kwargs["epochs"] is None:
            kwargs["epochs"] = _choose(hp, "epochs", self.space.epochs)
        return model.fit(*args, **kwargs)


class _TensorBoardOnlyWhenUsed:
    """Keras Tuner 1.4.8 imports ``tensorboard`` before every trial on the TensorFlow backend, even
    without a ``TensorBoard`` callback, and TensorFlow 2.21 no longer installs it. This skips the
    import unless a ``TensorBoard`` callback is there to configure."""

    def _configure_tensorboard_dir(self, callbacks, trial, execution=0):
        if any(type(callback).__name__ == "TensorBoard" for callback in callbacks):
            super()._configure_tensorboard_dir(callbacks, trial, execution)


_TUNER_CLASSES = {
    kind: type(base.__name__, (_TensorBoardOnlyWhenUsed, base), {"__module__": __name__})
    for kind, base in (("random", keras_tuner.RandomSearch), ("grid", keras_tuner.GridSearch),
                       ("bayesian", keras_tuner.BayesianOptimization), ("hyperband", keras_tuner.Hyperband))
}


def make_tuner(kind, hypermodel, directory, *, objective="val_accuracy", max_trials=10, max_epochs=None,
               project_name="search", seed=0, overwrite=False):
    """A Keras Tuner tuner of ``kind``, resuming the search already in ``directory/project_name``.

    Args:
        kind: ``random`` (Bergstra & Bengio 2012), ``grid`` (every combination, in order),
            ``bayesian`` (Gaussian-process optimisation; needs SciPy) or ``hyperband``
            (Li et al. 2018: many short trials, the best continued for longer).
        hypermodel: a ``keras_tuner.HyperModel``.
        directory: the search directory; with ``overwrite=False`` finished trials are kept.
        objective: a logged metric name (maximised if it ends in ``accuracy``, else minimised),
            or a ``keras_tuner.Objective``.
        max_trials: trials of random, grid and Bayesian search (grid stops earlier when the
            grid is exhausted).
        max_epochs: Hyperband's longest training; it decides the number of trials itself.
        project_name: subfolder of ``directory`` holding the trials.
        seed: seed of the search's sampling.
        overwrite: start afresh, deleting earlier trials.
    """
    if kind not in TUNERS:
        raise ValueError(f"unknown tuner {kind!r}; valid: {', '.join(TUNERS)}")
    if isinstance(objective, str):
        objective = keras_tuner.Objective(objective, "max" if objective.endswith("accuracy") else "min")
    common = dict(objective=objective, directory=directory, project_name=project_name, seed=seed,
                  overwrite=overwrite, max_consecutive_failed_trials=1)
    if kind == "hyperband":
        if max_epochs is None:
            raise ValueError("hyperband needs max_epochs, its longest training")
        return _TUNER_CLASSES[kind](hypermodel, max_epochs=max_epochs, factor=3, **common)
    return _TUNER_CLASSES[kind](hypermodel, max_trials=max_trials, **common)


def trials_table(tuner, metrics=("val_accuracy", "val_loss", "accuracy", "loss")):
    """One row per trial: id, status, score, the epoch that scored, ``metrics`` at that epoch, hyperparameters.

    Hyperband's bookkeeping values (``tuner/...``) are left out. Rows are in trial order; a
    trial without results (interrupted, failed) has ``None`` for its numbers.
    """
    rows = []
    for trial in sorted(tuner.oracle.trials.values(), key=lambda t: int(t.trial_id)):
        step = trial.best_step
        row = {"trial": trial.trial_id, "status": trial.status, "score": trial.score,
               "epoch": None if trial.score is None else step + 1}
        for name in metrics:
            observations = trial.metrics.get_history(name) if trial.metrics.exists(name) else []
            at_step = [o.mean() for o in observations if o.step == step]
            row[name] = float(at_step[-1]) if at_step and trial.score is not None else None
        row.update({k: v for k, v in trial.hyperparameters.values.items() if not k.startswith("tuner/")})
        rows.append(row)
    return rows


def write_trials_csv(rows, path):
    """Writes ``trials_table`` rows as CSV, atomically; missing values are empty cells."""
    write_csv(rows, path)
    return os.fspath(path)
