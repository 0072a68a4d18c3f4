"""Hyperparameter search from a run config, with Keras Tuner, for every family.

The family says what is searched and how a trial is scored (``Family.hypermodel``): by default
its ``search_space`` of config fields, each trial trained through the family's own hooks and
scored by an image-quality metric (``config.evaluation.metric``, e.g. FID) when the family is
``searched_by_quality``, else by its validation loss. A search directory holds::

    search.json          the search: tuner, config, space (a later call must match it)
    search/trial_NNN/    Keras Tuner's trials; an interrupted search continues from them
    trials.csv           every trial's hyperparameters and scores
    effects.png          each hyperparameter's effect on the validation metrics
    best_*.keras         the best trial's models
    metrics.json         the best trial's hyperparameters and held-out scores
"""

import copy
import json
import os
import warnings

import keras
import keras_tuner

from core_tf.files import read_json, write_json
from eval_tf import evaluate_images
from lab_tf.config import TRACKED_METRICS, Config
from lab_tf.metrics import METRICS, build_reference
from lab_tf.run_dir import load_model
from mlp_tf import make_tuner, plot_hyperparameter_effects, trials_table, write_trials_csv

__all__ = ["ConfigHyperModel", "is_search_dir", "load_quietly", "quality_objective", "resume_search", "run_search",
           "search_summary"]

SEARCH = "search.json"
TRIALS = "trials.csv"
EFFECTS = "effects.png"


def quality_objective(config):
    """The Keras Tuner objective of ``config.evaluation.metric``, minimised or maximised as it should be."""
    metric = config.evaluation.metric
    return keras_tuner.Objective(metric, "min" if TRACKED_METRICS[metric] else "max")


class ConfigHyperModel(keras_tuner.HyperModel):
    """Builds and fits a family's trainer with config fields chosen by the tuner.

    Args:
        config: a resolved ``Config``.
        data: the training data.
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
            setattr(config.section(section), field, value)
        return config.validate()

    def build(self, hp):
        return self.config.family.build_trainer(self.trial_config(hp))

    def fit(self, hp, model, *args, **kwargs):
        config = self.trial_config(hp)
        family = config.family
        train, validation = family.datasets(config, self.data, seed=config.training.seed)
        epochs = kwargs.pop("epochs", None) or config.training.epochs
        history = model.fit(train, validation_data=validation, epochs=epochs, shuffle=False, **kwargs)
        if self.reference is None:
            return history
        # the network sampled and kept (a moving average, when the run keeps one) is the one scored
        images, labels = family.sampler.evaluation_samples(family.generator_of(model), config.evaluation.n,
                                                           config.training.seed)
        results = evaluate_images(self.reference, images, seed=config.training.seed, requested=labels)
        return {config.evaluation.metric: results[config.evaluation.metric]}


def run_search(config, kind, max_trials, out_dir, space=None, verbose=2):
    """Runs (or continues) a search into ``out_dir`` and writes its files; returns ``metrics.json``'s content.

    Args:
        config: the base ``Config``; its ``training.epochs`` are the per-trial epochs unless the space sets them.
        kind: ``random``, ``grid``, ``bayesian`` or ``hyperband``.
        max_trials: trials in total, counting those already in ``out_dir``.
        out_dir: the search directory.
        space: from ``Family.parse_space``; ``None`` for the family's default.
        verbose: Keras' fit verbosity.

    Raises:
        ValueError: bad settings, or ``out_dir`` holding a different search.
    """
    config = copy.deepcopy(config).validate()
    family = config.family
    space = family.space_for(kind, space if space is not None else family.parse_space([]))
    described = {"kind": kind, "config": config.described(), "space": family.space_values(space)}
    saved = read_json(os.path.join(out_dir, SEARCH))
    if saved is not None:  # through Config, so a search.json of an older layout compares equal
        saved["config"] = Config.from_dict(saved["config"]).described()
    if saved is not None and _plain({k: saved.get(k) for k in described}) != _plain(described):
        raise ValueError(f"{out_dir} holds a different search (another tuner, config or space); "
                         "repeat its command or choose another --out-dir")
    data = family.load_data(config)
    family.resolve(config, data)
    config.validate()
    keras.utils.set_random_seed(config.training.seed)
    reference = build_reference(config.data, data) if family.searched_by_quality else None
    hypermodel, objective, fit_args, fit_kwargs, max_epochs = family.hypermodel(config, data, space, reference)
    os.makedirs(out_dir, exist_ok=True)
    write_json({**described, "max_trials": max_trials}, os.path.join(out_dir, SEARCH))
    tuner = make_tuner(kind, hypermodel, out_dir, objective=objective, max_trials=max_trials,
                       max_epochs=max_epochs, project_name="search", seed=config.training.seed)
    tuner.search(*fit_args, verbose=verbose, **fit_kwargs)
    return _report(tuner, config, data, space, out_dir)


def is_search_dir(path):
    """Whether ``path`` holds a search made by ``run_search``."""
    return os.path.isfile(os.path.join(path, SEARCH))


def resume_search(out_dir, max_trials=None):
    """Continues the search in ``out_dir`` with its saved settings, up to ``max_trials`` (default: as saved)."""
    saved = read_json(os.path.join(out_dir, SEARCH))
    config = Config.from_dict({**saved["config"], "out_dir": out_dir})
    space = config.family.load_space(saved["space"])
    return run_search(config, saved["kind"], max_trials or saved["max_trials"], out_dir, space)


def search_summary(out_dir, result):
    """The line printed when a search ends."""
    line = (f"done: {out_dir} (trials.csv, effects.png, metrics.json): best {result['objective']} "
            f"{result['score']:.4f} in trial #{int(result['best_trial']) + 1} of {result['trials']} with "
            f"{result['hyperparameters']}")
    if "test_accuracy" in result:
        line += (f"; {result['split']} accuracy {result['test_accuracy']:.4f} "
                 f"(reloaded {result['reloaded_test_accuracy']:.4f})")
    return line


def load_quietly(path):
    """``keras.models.load_model`` without the warning that a fresh optimizer's state was rightly left unloaded."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
        return load_model(path)


def _report(tuner, config, data, space, out_dir):
    objective = tuner.oracle.objective.name
    metrics = (objective, "val_loss") if objective != "val_loss" else ("val_loss", "loss")
    rows = trials_table(tuner, metrics=tuple(dict.fromkeys((*metrics, "val_accuracy", "loss", "accuracy"))))
    write_trials_csv(rows, os.path.join(out_dir, TRIALS))
    family = config.family
    names = family.varied(space)
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
    result.update(family.search_report(best, config, data, out_dir))
    write_json(result, os.path.join(out_dir, METRICS))
    return result


def _plain(value):
    """JSON's view of ``value`` (tuples become lists), so a saved search compares equal to a new one."""
    return json.loads(json.dumps(value))
