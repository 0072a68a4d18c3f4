"""The contract of a model family: what the shared training, sampling, search and comparison code asks of it.

A family is a ``Family`` subclass in its own folder (``lab_tf/families/<name>/recipe.py``, with
``callbacks.py`` and ``figures.py`` beside it) and one line in ``lab_tf.families.FAMILIES``.
Override points, with their defaults, read like Keras' ``Trainer``: the required ones raise
``NotImplementedError``; the rest do what most families want.

Example, the smallest family (``tests/lab_tf/test_families.py`` trains one)::

    class ToyFamily(Family):
        name = "toy"
        models = {"toy": "a linear autoencoder"}
        settings = ToySettings                     # a dataclass with validate()
        options = (Option(("--width",), "hidden units", type=positive_int),)

        def resolve(self, config, data): ...      # fill data-dependent settings
        def build_trainer(self, config): ...      # a compiled keras.Model
        def datasets(self, config, data, seed): ...
        def saved_models(self, trainer): ...
        def plot_history(self, rows, path, metric=None): ...
        def describe(self, config, data): ...
"""

import argparse
import os
from dataclasses import dataclass

from eval_tf import DESCRIPTIONS
from lab_tf import run_dir as rd
from lab_tf.callbacks import EpochMetrics, EpochSamples
from lab_tf.cli import int_at_least
from lab_tf.config import load_split
from lab_tf.sampling import NoiseToImage

__all__ = ["GRID_SIZE", "Family", "Option", "Sweep", "parse_space_items"]


@dataclass(frozen=True)
class Option:
    """One ``train.py`` option of a family.

    Args:
        flags: the option strings, canonical first (``("--architecture", "--arch")``).
        help: what it does, with its default.
        field: the settings field it sets (default: from the first flag), a tuple of fields it
            sets alike, or ``None`` for an option the family reads itself (``Family.study``).
        type: argparse's type; ``None`` for text, ``bool`` for a flag (``store_true``),
            ``argparse.BooleanOptionalAction`` for ``--x/--no-x``.
        choices: valid values.
        listed: accepts a comma list, and ``train.py`` compares one run per value.
        section: ``settings`` (the family's section) or ``config`` (a top-level ``Config`` field).
    """

    flags: tuple
    help: str
    field: str | tuple | None = ""
    type: object = None
    choices: tuple | None = None
    listed: bool = False
    section: str = "settings"

    @property
    def dest(self):
        return self.flags[0].lstrip("-").replace("-", "_")

    @property
    def target(self):
        return self.dest if self.field == "" else self.field

    def argparse_kwargs(self):
        """The keyword arguments of ``add_argument`` (``default=None``, so 'not given' is ``None``)."""
        if self.type is bool:
            return {"action": "store_true", "default": None}
        if self.type is argparse.BooleanOptionalAction:
            return {"action": argparse.BooleanOptionalAction}
        kwargs = {"type": self.type} if self.type else {}
        if self.listed:
            kwargs["type"] = _comma_list(self.type)
        elif self.choices:
            kwargs["choices"] = self.choices
        return kwargs


# The option of the families whose runs draw a grid of samples after every epoch (``Family.callbacks``).
GRID_SIZE = Option(("--grid-size",), "images in each epoch's grid (default 64)", type=int_at_least(
    1, 4096, "a grid that large does not fit in memory"), section="config")


def _comma_list(kind):
    def parse(text):
        values = tuple(text.split(","))
        if kind is None:
            return values
        return tuple(kind(value) for value in values)

    return parse


@dataclass(frozen=True)
class Sweep:
    """What ``compare.py --sweep NAME --values ...`` varies in a family.

    Args:
        apply: ``apply(config, text) -> label``: sets the value given as text on a config copy.
        help: what is varied.
        options: the ``train.py`` destinations it overrides (given both ways is an error).
    """

    apply: object
    help: str
    options: tuple = ()


class Family:
    """How one family of models is configured, trained, sampled, searched and compared."""

    name = None  # the key of the family's section in config.json
    title = None  # train.py --help group title
    models = {}  # --model name -> one-line description
    settings = None  # the dataclass of the family's config section (with validate())
    options = ()  # Option rows of train.py
    examples = ()  # train.py commands shown in --help
    sweeps = {}  # compare.py --sweep name -> Sweep
    search_space = {}  # "section.field" -> values for --tune, first value the default
    searched_by_quality = False  # --tune scores trials by an image-quality metric (else validation loss)
    distributable = False  # its training step splits the batch over tf.distribute replicas (core_tf.distribute)
    not_distributable = "its training step does not split its batch over replicas yet"  # why, when it does not
    sampler = NoiseToImage()  # how its generator is drawn and scored; None for a family without one
    outputs = ("progress.gif", "curves.png", rd.GENERATOR)  # the files named when a run ends
    networks = {}  # visualize.py --network name -> the run's .keras file it inspects
    directions = {}  # samples.py --direction -> the generator file, for families with more than one generator
    report_figures = {}  # report.py's final outputs: a run's file -> caption; "folder/": its last epoch's file
    metric_descriptions = DESCRIPTIONS  # what each number of the family's evaluation files says, for report.py
    evaluation_files = {"metrics.json": "`samples.py --evaluate`",  # report.py's evaluation: a run's file -> source
                        "metrics/best.json": "the best epoch of `--eval-every`"}

    @property
    def default_model(self):
        """The ``--model`` that ``compare.py`` uses for this family's sweeps when none is given."""
        return next(iter(self.models))

    # -- configuration -------------------------------------------------------------------------------
    def check_args(self, args, model):
        """Raises ``ValueError`` for a value this family does not take (a loss of another family, say), or a
        comma list of several values for an option it does not compare (``sweeps``)."""
        for option in self.options:
            given = getattr(args, option.dest)
            if given is None or not (option.choices or option.listed):
                continue
            values = given if option.listed else (given,)
            for value in values:
                if option.choices and value not in option.choices:
                    raise ValueError(f"unknown {option.dest.replace('_', ' ')} {value!r} for --model {model}; "
                                     f"valid: {', '.join(option.choices)}")
            if len(set(values)) > 1 and option.dest not in self.sweeps:
                raise ValueError(f"{option.flags[0]} takes one value for --model {model}")

    def study(self, args, config):
        """An alternative to a training run that some option asks for; returns its closing line, or ``None``."""
        return None

    # -- training (required) -------------------------------------------------------------------------
    def load_data(self, config):
        """What the family trains on: by default the training split of the ``data`` section's source, its first
        ``data.limit`` samples."""
        return load_split(config.data, "train", config.data.limit)

    def resolve(self, config, data):
        """Fills the data-dependent settings (shapes, classes, defaults) into ``config``; raises ``ValueError``."""
        raise NotImplementedError

    def build_trainer(self, config):
        """The compiled trainer ``keras.Model``."""
        raise NotImplementedError

    def datasets(self, config, data, seed):
        """``(training tf.data.Dataset, validation dataset or None)``, shuffled with ``seed``."""
        raise NotImplementedError

    def saved_models(self, trainer):
        """``{file name: keras.Model}`` rewritten after every epoch."""
        raise NotImplementedError

    def plot_history(self, rows, path, metric=None):
        """Draws the run's curves from ``history.csv`` rows, with the tracked ``metric`` when logged."""
        raise NotImplementedError

    def describe(self, config, data):
        """The line printed when training starts."""
        raise NotImplementedError

    # -- training (optional) -------------------------------------------------------------------------
    def callbacks(self, config, run):
        """Callbacks that run between ``StopOnInterrupt`` and ``RunRecorder`` (grids, figures, held-out scores).

        The default draws a grid of about ``config.grid_size`` samples after every epoch, from the
        same seed each time, when the family has a generator.
        """
        if self.sampler is None:
            return []
        return [EpochSamples(self.sampler, self.generator_of, config.grid_size, config.out_dir,
                             seed=config.training.seed)]

    def generator_of(self, trainer):
        """The network that is sampled, scored and kept as the best (e.g. a moving average); ``None``: none."""
        return None

    # -- image quality -------------------------------------------------------------------------------
    def metrics_reference(self, config, data):
        """What ``--eval-every`` scores against, built before the run directory exists (an evaluation
        classifier is trained on first use): by default the dataset's ``eval_tf.RealReference``.

        Raises:
            ValueError: the family has no generator to score.
        """
        from lab_tf.metrics import build_reference

        if self.sampler is None:
            raise ValueError(f"--eval-every scores a generator's images; --model {config.model} has no generator")
        return build_reference(config.data, data)

    def metrics_callback(self, config, reference):
        """The callback that scores the run every ``--eval-every`` epochs (before ``RunRecorder``)."""
        return EpochMetrics(reference, self.sampler, self.generator_of, config.evaluation, config.out_dir,
                            seed=config.training.seed)

    def evaluate(self, run_dir, n, seed=0, inception=False):
        """``samples.py --evaluate``: ``(results, plain-text table)``, the results also written to ``metrics.json``."""
        from lab_tf.metrics import evaluate_run, format_table

        results = evaluate_run(run_dir, n=n, seed=seed, inception=inception)
        return results, format_table(results)

    def source_images(self, config, direction, n, seed=0):
        """Image-to-image families: ``(inputs, truth or None)`` for ``samples.py`` without ``--input``: ``n`` held-out
        input images of ``direction`` (float, [-1, 1]) and, where known, what the outputs should be."""
        raise NotImplementedError

    def report_sources(self, config):
        """``report.py``'s data section: ``{what the data is: DataConfig}`` of each source the runs read."""
        return {"training data": config.data}

    # -- comparisons ---------------------------------------------------------------------------------
    def comparison_row(self, run_dir):
        """The numbers of one finished run for the comparison table: its last history row by default."""
        rows = rd.read_history(run_dir)
        return dict(rows[-1]) if rows else {}

    def plot_comparison(self, rows, run_dirs, path, title):
        """Draws the comparison figure of finished runs (``rows`` from ``comparison_row`` plus ``variant``)."""
        raise NotImplementedError

    # -- search --------------------------------------------------------------------------------------
    def parse_space(self, items):
        """A search space from ``KEY=V1,V2`` strings over ``search_space``; values take the defaults' type."""
        return {**self.search_space, **parse_space_items(items, self.search_space)}

    def space_for(self, kind, space):
        """The space as the tuner ``kind`` (``random``, ``grid``, ...) needs it."""
        return space

    def space_values(self, space):
        """The space as JSON-ready values, for ``search.json``."""
        return {key: list(values) for key, values in space.items()}

    def load_space(self, values):
        """The space back from ``space_values``."""
        return {key: tuple(values) for key, values in values.items()}

    def varied(self, space):
        """The names of the hyperparameters that take more than one value."""
        return [name for name, values in space.items() if len(set(values)) > 1]

    def hypermodel(self, config, data, space, reference):
        """``(keras_tuner.HyperModel, objective, fit args, fit kwargs, max epochs)`` for a search.

        The default tunes config fields (``search_space``) through this family's own hooks; a family without a
        search space is refused.
        """
        from lab_tf.tuning import ConfigHyperModel, quality_objective

        if not self.search_space:
            raise ValueError(f"--tune is not available for --model {config.model}; compare settings with separate "
                             "runs and samples.py --evaluate")
        if reference is None and self.datasets(config, data, seed=config.training.seed)[1] is None:
            raise ValueError(f"--tune scores --model {config.model} trials by their test-split loss and "
                             f"{config.data.dataset} has no test split; search on a dataset that has one")
        objective = quality_objective(config) if reference is not None else "val_loss"
        return ConfigHyperModel(config, data, space, reference), objective, (), {}, config.training.epochs

    def search_report(self, best, config, data, out_dir):
        """Saves the best trial's models into ``out_dir``; returns extra numbers for ``metrics.json``."""
        for name, model in self.saved_models(best).items():
            rd.save_model(model, os.path.join(out_dir, f"best_{name}"))
        return {}



def parse_space_items(items, defaults):
    """``{key: values}`` from ``KEY=V1,V2`` strings; keys from ``defaults``, values of their first value's type."""
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
    return values
