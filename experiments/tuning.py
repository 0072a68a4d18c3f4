"""Hyperparameter search from a run config, with Keras Tuner, for every family.

``--model mlp`` searches ``mlp_tf.MLPHyperModel``'s space for the best validation accuracy.
The generative families search their training settings through their family functions
(``build_trainer``, ``datasets``): the GAN scores each trial with the evaluation module's
metric (``config.evaluation.metric``, e.g. FID), a family with validation data (the VAE) by
its validation loss. A search directory holds::

    search.json          the search: tuner, config, space (a later call must match it)
    search/trial_NNN/    Keras Tuner's trials; an interrupted search continues from them
    trials.csv           every trial's hyperparameters and scores
    effects.png          each hyperparameter's effect on the validation metrics
    best_model.keras     the best trial's model (best_generator.keras etc. for generative families)
    metrics.json         the best trial's hyperparameters and held-out scores
"""

import copy
import json
import os
import warnings
from dataclasses import asdict

import keras
import keras_tuner

from data import normalize_images
from evaluation.report import evaluate_generator
from experiments import run_dir as rd
from experiments.config import TRACKED_METRICS, Config, load_split
from experiments.mlp_training import evaluation_split, split_validation
from experiments.run_metrics import METRICS, build_reference
from experiments.training import family_of
from mlp_tf import (
    MLPHyperModel,
    SearchSpace,
    make_tuner,
    plot_hyperparameter_effects,
    trials_table,
    write_trials_csv,
)

__all__ = ["FAMILY_SPACES", "FamilyHyperModel", "is_search_dir", "parse_space", "resume_search", "run_search",
           "search_summary"]

SEARCH = "search.json"
TRIALS = "trials.csv"
EFFECTS = "effects.png"
BEST_MODEL = "best_model.keras"
# Config fields each generative family searches, first value the default.
FAMILY_SPACES = {
    "gan": {"training.lr": (2e-4, 1e-4, 4e-4), "training.beta_1": (0.5, 0.9), "training.batch_size": (64, 32, 128)},
    "vae": {"training.lr": (1e-3, 3e-4, 3e-3), "training.batch_size": (128, 64, 256)},
}


def parse_space(family, items):
    """A search space from ``KEY=V1,V2`` strings over the family's defaults.

    For ``mlp`` the keys are ``SearchSpace`` fields (``units=256,512``); for the generative
    families the config fields of ``FAMILY_SPACES`` (``training.lr=1e-4,2e-4``). Values take
    the type of the defaults.
    """
    defaults = asdict(SearchSpace()) if family == "mlp" else dict(FAMILY_SPACES[family])
    defaults.pop("continuous_lr", None)
    values = {}
    for item in items or ():
        key, _, text = item.partition("=")
        if key not in defaults or not text:
            raise ValueError(f"bad search space entry {item!r}; use KEY=V1,V2 with KEY one of {', '.join(defaults)}")
        kind = type(defaults[key][0])
        try:
            values[key] = tuple(kind(v) for v in text.split(","))
        except ValueError:
            raise ValueError(f"bad value in search space entry {item!r}: expected {kind.__name__}s") from None
    return SearchSpace(**values) if family == "mlp" else {**defaults, **values}


class FamilyHyperModel(keras_tuner.HyperModel):
    """Builds and fits a generative family's trainer with config fields chosen by the tuner.

    Args:
        config: a resolved ``Config`` of the family.
        data: the training ``ImageData``.
        space: ``{"section.field": values}``; the first value is the default.
        reference: the evaluation module's ``RealReference``; given, every trial returns
            ``config.evaluation.metric`` of its generator, otherwise its validation losses.
    """

    def __init__(self, config, data, space, reference=None, **kwargs):
        super().__init__(**kwargs)
        self.config = config
        self.data = data
        self.space = space
        self.reference = reference

    def trial_config(self, hp):
        """The config with this trial's values."""
        config = copy.deepcopy(self.config)
        for name, values in self.space.items():
            values = list(dict.fromkeys(values))
            value = hp.Fixed(name, values[0]) if len(values) == 1 else hp.Choice(name, values, default=values[0])
            section, field = name.split(".")
            setattr(getattr(config, section), field, value)
        return config.validate()

    def build(self, hp):
        return family_of(self.config).build_trainer(self.trial_config(hp))

    def fit(self, hp, model, *args, **kwargs):
        config = self.trial_config(hp)
        train, validation = family_of(config).datasets(config, self.data, seed=config.training.seed)
        epochs = kwargs.pop("epochs", None) or config.training.epochs
        history = model.fit(train, validation_data=validation, epochs=epochs, shuffle=False, **kwargs)
        if self.reference is None:
            return history
        results = evaluate_generator(model.generator, self.reference, n=config.evaluation.n, seed=config.training.seed)
        return {config.evaluation.metric: results[config.evaluation.metric]}


def run_search(config, kind, max_trials, out_dir, space=None, verbose=2):
    """Runs (or continues) a search into ``out_dir`` and writes its files; returns ``metrics.json``'s content.

    Args:
        config: the base ``Config``; its ``training.epochs`` are the GAN's and VAE's per-trial epochs.
        kind: ``random``, ``grid``, ``bayesian`` or ``hyperband``.
        max_trials: trials in total, counting those already in ``out_dir``.
        out_dir: the search directory.
        space: from ``parse_space``; ``None`` for the family's default.
        verbose: Keras' fit verbosity.

    Raises:
        ValueError: bad settings, or ``out_dir`` holding a different search.
    """
    config = copy.deepcopy(config).validate()
    space = space if space is not None else parse_space(config.family, [])
    if kind == "grid" and config.family == "mlp":
        space = SearchSpace(**{**asdict(space), "continuous_lr": False})
    described = {"kind": kind, "config": _without_out_dir(config), "space": _plain(space)}
    saved = rd.read_json(os.path.join(out_dir, SEARCH))
    if saved is not None and {k: saved.get(k) for k in described} != _plain(described):
        raise ValueError(f"{out_dir} holds a different search (another tuner, config or space); "
                         "repeat its command or choose another --out-dir")
    family = family_of(config)
    data = load_split(config.data, "train", config.data.limit)
    family.resolve(config, data)
    config.validate()
    keras.utils.set_random_seed(config.training.seed)
    if config.family == "mlp":
        hypermodel = MLPHyperModel(config.mlp.input_shape, config.mlp.num_classes, space, config.mlp.loss,
                                   config.mlp.optimizer)
        train, validation = split_validation(config, data)
        arrays = [(normalize_images(part.images).numpy(), part.labels) for part in (train, validation)]
        objective, fit_args, fit_kwargs = "val_accuracy", arrays[0], {"validation_data": arrays[1]}
        max_epochs = max(space.epochs)
    else:
        reference = build_reference(config.data) if config.family == "gan" else None
        if reference is None and family.datasets(config, data, seed=config.training.seed)[1] is None:
            raise ValueError(f"--tune scores --model {config.model} trials by their test-split loss and "
                             f"{config.data.dataset} has no test split; search on a dataset that has one")
        hypermodel = FamilyHyperModel(config, data, space, reference)
        metric = config.evaluation.metric
        objective = (keras_tuner.Objective(metric, "min" if TRACKED_METRICS[metric] else "max")
                     if reference is not None else "val_loss")
        fit_args, fit_kwargs, max_epochs = (), {}, config.training.epochs
    os.makedirs(out_dir, exist_ok=True)
    rd.write_json({**described, "max_trials": max_trials}, os.path.join(out_dir, SEARCH))
    tuner = make_tuner(kind, hypermodel, out_dir, objective=objective, max_trials=max_trials,
                       max_epochs=max_epochs, project_name="search", seed=config.training.seed)
    tuner.search(*fit_args, verbose=verbose, **fit_kwargs)
    return _report(tuner, config, data, space, out_dir)


def is_search_dir(path):
    """Whether ``path`` holds a search made by ``run_search``."""
    return os.path.isfile(os.path.join(path, SEARCH))


def resume_search(out_dir, max_trials=None):
    """Continues the search in ``out_dir`` with its saved settings, up to ``max_trials`` (default: as saved)."""
    saved = rd.read_json(os.path.join(out_dir, SEARCH))
    config = Config.from_dict({**saved["config"], "out_dir": out_dir})
    space = saved["space"]
    if config.family == "mlp":
        space = SearchSpace(**{k: tuple(v) if isinstance(v, list) else v for k, v in space.items()})
    else:
        space = {k: tuple(v) for k, v in space.items()}
    return run_search(config, saved["kind"], max_trials or saved["max_trials"], out_dir, space)


def search_summary(out_dir, result):
    """The line printed when a search ends."""
    line = (f"done: {out_dir} (trials.csv, effects.png, metrics.json): best {result['objective']} "
            f"{result['score']:.4f} in trial #{int(result['best_trial']) + 1} of {result['trials']} with {result['hyperparameters']}")
    if "test_accuracy" in result:
        line += f"; {result['split']} accuracy {result['test_accuracy']:.4f} (reloaded {result['reloaded_test_accuracy']:.4f})"
    return line


def _report(tuner, config, data, space, out_dir):
    objective = tuner.oracle.objective.name
    metrics = (objective, "val_loss") if objective != "val_loss" else ("val_loss", "loss")
    rows = trials_table(tuner, metrics=tuple(dict.fromkeys((*metrics, "val_accuracy", "loss", "accuracy"))))
    write_trials_csv(rows, os.path.join(out_dir, TRIALS))
    names = space.names() if config.family == "mlp" else [n for n, v in space.items() if len(set(v)) > 1]
    if names and any(row[objective] is not None for row in rows):
        plot_hyperparameter_effects(rows, names, os.path.join(out_dir, EFFECTS), metrics=metrics,
                                    log_scale=("lr", "training.lr"))
    best_trial = tuner.oracle.get_best_trials(1)[0]
    with warnings.catch_warnings():
        # The trial checkpoints hold weights only: the fresh optimizer's state is rightly left unloaded.
        warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
        best = tuner.get_best_models(1)[0]
    result = {"best_trial": best_trial.trial_id, "hyperparameters": {
        k: v for k, v in best_trial.hyperparameters.values.items() if not k.startswith("tuner/")},
        "score": best_trial.score, "objective": objective, "trials": len(rows)}
    if config.family == "mlp":
        path = os.path.join(out_dir, BEST_MODEL)
        rd.save_model(best, path)
        split, held_out = evaluation_split(config, data)
        x, y = normalize_images(held_out.images).numpy(), held_out.labels
        result.update({"split": split, "n": len(held_out),
                       "test_accuracy": float(best.evaluate(x, y, verbose=0)[1]),
                       "reloaded_test_accuracy": float(_load_quietly(path).evaluate(x, y, verbose=0)[1])})
    else:
        for name, model in family_of(config).saved_models(best).items():
            rd.save_model(model, os.path.join(out_dir, f"best_{name}"))
    rd.write_json(result, os.path.join(out_dir, METRICS))
    return result


def _load_quietly(path):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
        return keras.models.load_model(path)


def _without_out_dir(config):
    values = config.to_dict()
    values.pop("out_dir")
    return values


def _plain(value):
    """JSON's view of ``value`` (tuples become lists), so a saved search compares equal to a new one."""
    return json.loads(json.dumps(asdict(value) if isinstance(value, SearchSpace) else value))
