"""Typed run configs: what to train on, how to optimise, where to write, and the family's own settings.

A config is saved as ``config.json`` in its run directory, so a run can be rebuilt from the
directory alone. ``from_dict`` rejects unknown keys, so a typo never passes silently.

Every ``--model`` belongs to a family (``lab_tf.families``); a config carries the common sections
(``data``, ``training``, ``evaluation``) and its family's settings, written under the family's
name (``"gan": {...}``).
"""

import dataclasses
import json
import os
import types
import typing
from dataclasses import dataclass, field

from core_tf.distribute import STRATEGIES
from data.loaders import FOLDER_PREFIX, has_test_split, load_images
from data.mixtures import MIXTURES, load_mixture

__all__ = ["COMMON_SECTIONS", "TRACKED_METRICS", "Config", "DataConfig", "EvalConfig", "TrainingConfig",
           "check_at_least", "flatten", "held_out_split", "load_split"]

# Metrics a run can track during training, and whether lower is better.
TRACKED_METRICS = {"fid": True, "kid": True, "class_kl": True, "precision": False, "recall": False,
                   "density": False, "coverage": False, "classifier_score": False}


def flatten(values, prefix=""):
    """``(dotted key, value)`` of nested dicts (``training.lr``, as ``Config.get`` reads it); lists stay whole."""
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from flatten(value, f"{name}.")
        else:
            yield name, value


def check_at_least(name, value, low):
    """Raises ``ValueError`` naming ``name`` unless ``value >= low`` (``None`` passes: not set)."""
    if value is not None and not value >= low:  # also rejects NaN
        raise ValueError(f"{name} must be at least {low}, got {value}")


@dataclass
class DataConfig:
    """Which images to train on (see ``data.load_images``)."""

    dataset: str = "mnist"
    data_dir: str | None = None
    image_size: int | None = None
    channels: int | None = None
    limit: int | None = None
    download: bool = True

    def absolute(self):
        """A copy with ``data_dir`` and a ``folder:PATH`` made absolute, so the run resumes from any folder."""
        data = dataclasses.replace(self)
        if data.data_dir:
            data.data_dir = os.path.abspath(data.data_dir)
        if data.dataset.startswith(FOLDER_PREFIX):
            data.dataset = FOLDER_PREFIX + os.path.abspath(data.dataset[len(FOLDER_PREFIX):])
        return data


def load_split(data, split="train", limit=None):
    """The samples a ``DataConfig`` describes: ``split``, resized and converted as configured.

    ``ImageData`` for image sources; ``PointData`` for the 2-D mixtures.
    """
    if data.dataset in MIXTURES:
        return load_mixture(data.dataset, split, limit)
    size = None if data.image_size is None else (data.image_size, data.image_size)
    return load_images(data.dataset, split, data_dir=data.data_dir, image_size=size, channels=data.channels,
                       limit=limit, download=data.download)


def held_out_split(data, limit=None):
    """The test split (its first ``limit`` samples), or ``None`` for a source without one (image folders)."""
    return load_split(data, "test", limit) if has_test_split(data.dataset) else None


@dataclass
class TrainingConfig:
    """Optimisation; ``lr``, ``beta_1`` and ``beta_2`` of ``None`` are resolved to the model's defaults.

    ``batch_size`` is the global batch: under a ``distribute`` strategy (``core_tf.distribute``) each
    of its replicas trains on an equal share of it.
    """

    epochs: int = 20
    batch_size: int = 64
    lr: float | None = None
    beta_1: float | None = None
    beta_2: float | None = None
    seed: int = 0
    distribute: str | None = None

    @property
    def whole_batches(self):
        """Whether every batch must be whole (the last, smaller one dropped): under a ``distribute`` strategy every
        replica gets an equal share of every step."""
        return self.distribute is not None

    def fill_defaults(self, defaults):
        """Sets each optimiser setting of ``defaults`` (``lr``, ``beta_1``, ``beta_2``) that is still ``None``."""
        for key, value in defaults.items():
            if getattr(self, key) is None:
                setattr(self, key, value)


@dataclass
class EvalConfig:
    """Image-quality metrics during training: every ``every`` epochs (``None``: never) on ``n`` samples.

    The generator with the best ``metric`` so far is kept as ``generator_best.keras``.
    """

    every: int | None = None
    n: int = 2000
    metric: str = "fid"


COMMON_SECTIONS = {"data": DataConfig, "training": TrainingConfig, "evaluation": EvalConfig}


@dataclass
class Config:
    """Everything a run needs; ``out_dir`` is the run directory, ``settings`` the family's section."""

    model: str = "dcgan"
    out_dir: str | None = None
    grid_size: int = 64
    tensorboard: bool = False
    tensorboard_every: int | None = None
    data: DataConfig = field(default_factory=DataConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)
    evaluation: EvalConfig = field(default_factory=EvalConfig)
    settings: object = None

    def __post_init__(self):
        family = self.family_or_none
        if family is not None and self.settings is None:
            self.settings = family.settings()

    @property
    def family_or_none(self):
        from lab_tf.families import models
        return models().get(self.model)

    @property
    def family(self):
        """The ``lab_tf.families.Family`` that trains ``model``."""
        from lab_tf.families import family_of
        return family_of(self.model)

    def section(self, name):
        """A section by its name in ``config.json``: ``data``, ``training``, ``evaluation`` or the family's
        (also called ``settings``)."""
        if name in COMMON_SECTIONS:
            return getattr(self, name)
        if name not in ("settings", self.family.name):
            raise ValueError(f"--model {self.model} has no {name} settings; valid sections: "
                             f"{', '.join([*COMMON_SECTIONS, self.family.name])}")
        return self.settings

    def get(self, path):
        """A setting by its path: ``grid_size``, ``training.lr``, ``settings.latent_dim`` (the family's section)."""
        *section, field = path.split(".")
        return getattr(self.section(section[0]) if section else self, field)

    def set(self, path, value):
        """Sets a setting by its path (see ``get``)."""
        *section, field = path.split(".")
        setattr(self.section(section[0]) if section else self, field, value)

    def validate(self):
        """Raises ``ValueError`` naming the first out-of-range setting."""
        family = self.family
        if not isinstance(self.settings, family.settings):
            raise ValueError(f"model {self.model!r} takes {family.name} settings, got {type(self.settings).__name__}")
        self.settings.validate()
        for name, value in (("epochs", self.training.epochs), ("batch size", self.training.batch_size),
                            ("grid size", self.grid_size)):
            check_at_least(name, value, 1)
        if self.training.lr is not None and not self.training.lr > 0:  # also rejects NaN
            raise ValueError(f"lr must be positive, got {self.training.lr}")
        for name, value in (("beta1", self.training.beta_1), ("beta2", self.training.beta_2)):
            if value is not None and not 0 <= value < 1:
                raise ValueError(f"{name} must be in [0, 1), got {value}")
        if self.training.distribute not in (None, *STRATEGIES):
            raise ValueError(f"unknown distribution strategy {self.training.distribute!r}; valid: "
                             f"{', '.join(STRATEGIES)}")
        if self.training.distribute and not family.distributable:
            raise ValueError(f"--distribute is not available for --model {self.model}: {family.not_distributable}; "
                             "train it on one device")
        check_at_least("tensorboard every", self.tensorboard_every, 1)
        if self.tensorboard_every and not self.tensorboard:
            raise ValueError("--tensorboard-every sets how often --tensorboard logs; pass --tensorboard too")
        if not 0 <= self.training.seed < 2**32:
            raise ValueError(f"seed must be in [0, 2**32), got {self.training.seed}")
        if self.evaluation.metric not in TRACKED_METRICS:
            raise ValueError(f"unknown metric {self.evaluation.metric!r}; valid: {', '.join(TRACKED_METRICS)}")
        check_at_least("eval every", self.evaluation.every, 1)
        check_at_least("eval n", self.evaluation.n, 10)
        check_at_least("image size", self.data.image_size, 4)
        if self.data.channels not in (None, 1, 3):
            raise ValueError(f"channels must be 1 or 3, got {self.data.channels}")
        return self

    def to_dict(self):
        """Nested plain dict, as written to ``config.json``; the settings under the family's name."""
        values = {"model": self.model, "out_dir": self.out_dir, "grid_size": self.grid_size,
                  "tensorboard": self.tensorboard, "tensorboard_every": self.tensorboard_every}
        values.update({name: dataclasses.asdict(getattr(self, name)) for name in COMMON_SECTIONS})
        values[self.family.name] = dataclasses.asdict(self.settings)
        return values

    def described(self):
        """``to_dict`` without ``out_dir``, as JSON reads it back: what a comparison or search records and matches."""
        values = self.to_dict()
        values.pop("out_dir")
        return json.loads(json.dumps(values))

    @classmethod
    def from_dict(cls, values):
        """Builds a config from ``to_dict`` output; unknown keys raise ``ValueError``.

        Other families' keys may be present with ``null`` (as older run directories have them).
        """
        from lab_tf.families import FAMILIES, family_of

        if not isinstance(values, dict):
            raise ValueError(f"a config is an object of settings, got {type(values).__name__}")
        kinds = {f.name: f.type for f in dataclasses.fields(cls) if f.name != "settings"}
        valid = [*kinds, *FAMILIES]
        unknown = set(values) - set(valid)
        if unknown:
            raise ValueError(f"unknown config key(s) {', '.join(sorted(unknown))}; valid: {', '.join(valid)}")
        kwargs = {}
        for name, kind in kinds.items():
            if name not in values:
                continue
            value = values[name]
            if name in COMMON_SECTIONS:
                value = _from_dict(COMMON_SECTIONS[name], value, f"config.{name}")
            elif not _matches(value, kind):
                raise ValueError(f"config.{name} must be {_describe(kind)}, got {value!r}")
            kwargs[name] = value
        model = kwargs.get("model", cls.model)
        family = family_of(model)
        own = family.name
        for name in FAMILIES:
            if values.get(name) is not None and name != own:
                raise ValueError(f"model {model!r} takes no {name} settings; remove the {name} section")
        if values.get(own) is not None:
            kwargs["settings"] = _from_dict(family.settings, values[own], f"config.{own}")
        return cls(**kwargs)


def _from_dict(cls, values, where):
    if not isinstance(values, dict):
        raise ValueError(f"{where} must be an object of settings, got {values!r}")
    fields = {f.name: f.type for f in dataclasses.fields(cls)}
    unknown = set(values) - set(fields)
    if unknown:
        raise ValueError(f"unknown {where} key(s) {', '.join(sorted(unknown))}; valid: {', '.join(fields)}")
    for name, value in values.items():
        if not _matches(value, fields[name]):
            raise ValueError(f"{where}.{name} must be {_describe(fields[name])}, got {value!r}")
    return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})


def _matches(value, kind):
    """Whether a JSON ``value`` fits the field type ``kind`` (``int``, ``float | None``, ``tuple[int, ...]``, ...)."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (types.UnionType, typing.Union):
        return any(_matches(value, arg) for arg in args)
    if kind is type(None):
        return value is None
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if origin is tuple or kind is tuple:
        return isinstance(value, (list, tuple)) and all(_matches(v, args[0]) for v in value) if args else \
            isinstance(value, (list, tuple))
    return isinstance(value, kind) if isinstance(kind, type) else True


def _describe(kind):
    names = {int: "an integer", float: "a number", str: "text", bool: "true or false", type(None): "null"}
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (types.UnionType, typing.Union):
        return " or ".join(_describe(arg) for arg in args)
    if origin is tuple or kind is tuple:
        return "a list"
    return names.get(kind, getattr(kind, "__name__", str(kind)))
