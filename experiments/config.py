"""Typed run configs: what to train on, which network, how to optimise, where to write.

A config is saved as ``config.json`` in its run directory, so a run can be rebuilt from the
directory alone. ``from_dict`` rejects unknown keys, so a typo never passes silently.

Every ``--model`` belongs to a family (``MODELS``); a config carries the common sections
(``data``, ``training``, ``evaluation``) and the section of its model's family only.
"""

import dataclasses
from dataclasses import dataclass, field

from data.loaders import load_images
from data.mixtures import MIXTURES, load_mixture
from experiments.precision import PRECISIONS
from mlp_tf import ACTIVATIONS, MLP_LOSSES, OPTIMIZERS

# Each --model and the family that trains it (the name of its Config section).
MODELS = {"gan": "gan", "dcgan": "gan", "cgan": "gan", "wgan-gp": "gan", "mlp": "mlp", "ae": "vae", "vae": "vae",
          "cvae": "vae"}
# Metrics a run can track during training, and whether lower is better.
TRACKED_METRICS = {"fid": True, "kid": True, "class_kl": True, "precision": False, "recall": False,
                   "density": False, "coverage": False, "classifier_score": False}
# Learning-rate schedules of GAN runs (--lr-decay): cosine (Loshchilov & Hutter 2017).
LR_DECAYS = ("cosine",)

__all__ = ["LR_DECAYS", "MODELS", "SECTIONS", "TRACKED_METRICS", "Config", "DataConfig", "EvalConfig", "GANConfig",
           "MLPConfig", "TrainingConfig", "VAEConfig", "load_split"]


@dataclass
class DataConfig:
    """Which images to train on (see ``data.load_images``)."""

    dataset: str = "mnist"
    data_dir: str | None = None
    image_size: int | None = None
    channels: int | None = None
    limit: int | None = None
    download: bool = True


def load_split(data, split="train", limit=None):
    """The samples a ``DataConfig`` describes: ``split``, resized and converted as configured.

    ``ImageData`` for image sources; ``PointData`` for the 2-D mixtures.
    """
    if data.dataset in MIXTURES:
        return load_mixture(data.dataset, split, limit)
    size = None if data.image_size is None else (data.image_size, data.image_size)
    return load_images(data.dataset, split, data_dir=data.data_dir, image_size=size, channels=data.channels,
                       limit=limit, download=data.download)


@dataclass
class GANConfig:
    """The generator/discriminator pair and the adversarial game.

    ``None`` settings are resolved from the model (``experiments.gan_training.MODEL_DEFAULTS``)
    and the data: ``architecture``, ``image_shape`` (the shape of one sample), ``num_classes``
    (conditional models), ``loss``, ``d_steps``, ``gp_weight``, ``instance_noise_steps`` (the
    discriminator steps over which instance noise anneals to zero: the whole run) and
    ``lr_decay_steps`` (the discriminator steps over which ``lr_decay`` lowers the learning
    rates to a tenth: the whole run).
    ``precision`` (``experiments.precision.PRECISIONS``) is detected for the machine when
    ``None``; ``jit`` of ``None`` leaves XLA to Keras (on with a GPU, off on a CPU).
    """

    architecture: str | None = None
    latent_dim: int = 100
    loss: str | None = None
    image_shape: tuple[int, ...] | None = None
    num_classes: int | None = None
    conditioning: str = "concat"
    d_steps: int | None = None
    gp_weight: float | None = None
    r1_gamma: float = 0.0
    d_lr: float | None = None
    g_lr: float | None = None
    label_smoothing: float = 0.0
    instance_noise: float = 0.0
    instance_noise_steps: int | None = None
    minibatch_std: bool = False
    pack: int = 1
    unrolled_steps: int = 0
    ema_decay: float | None = None
    lr_decay: str | None = None
    lr_decay_steps: int | None = None
    precision: str | None = None
    jit: bool | None = None

    def validate(self):
        """Raises ``ValueError`` naming the first out-of-range setting."""
        if self.latent_dim < 1:
            raise ValueError(f"latent dim must be at least 1, got {self.latent_dim}")
        if self.d_steps is not None and self.d_steps < 1:
            raise ValueError(f"d steps must be at least 1, got {self.d_steps}")
        for name, value in (("gp weight", self.gp_weight), ("r1 gamma", self.r1_gamma),
                            ("instance noise", self.instance_noise)):
            if value is not None and not value >= 0:
                raise ValueError(f"{name} must be at least 0, got {value}")
        for name, value in (("d lr", self.d_lr), ("g lr", self.g_lr)):
            if value is not None and not value > 0:
                raise ValueError(f"{name} must be positive, got {value}")
        if not 0 <= self.label_smoothing < 1:
            raise ValueError(f"label smoothing must be in [0, 1), got {self.label_smoothing}")
        if self.ema_decay is not None and not 0 < self.ema_decay < 1:
            raise ValueError(f"ema decay must be in (0, 1), got {self.ema_decay}")
        if self.lr_decay is not None and self.lr_decay not in LR_DECAYS:
            raise ValueError(f"unknown lr decay {self.lr_decay!r}; valid: {', '.join(LR_DECAYS)}")
        if self.pack < 1:
            raise ValueError(f"pack must be at least 1, got {self.pack}")
        if self.unrolled_steps < 0:
            raise ValueError(f"unrolled steps must be at least 0, got {self.unrolled_steps}")
        if self.precision is not None and self.precision not in PRECISIONS:
            raise ValueError(f"unknown precision {self.precision!r}; valid: {', '.join(PRECISIONS)}")


@dataclass
class MLPConfig:
    """A ``build_mlp`` classifier and its loss; ``input_shape`` and ``num_classes`` are resolved from the data.

    ``validation_split`` of the training images (a fixed, seeded choice) is held out for the
    validation curves; the test split measures the final accuracy.
    """

    hidden: tuple[int, ...] = (256, 128)
    activation: str = "relu"
    loss: str = "crossentropy"
    optimizer: str = "adam"
    batch_norm: bool = False
    dropout: float = 0.0
    kernel_initializer: str = "glorot_uniform"
    validation_split: float = 0.1
    input_shape: tuple[int, int, int] | None = None
    num_classes: int | None = None

    def validate(self):
        """Raises ``ValueError`` naming the first bad setting and the valid ones."""
        for name, value, valid in (("activation", self.activation, ACTIVATIONS), ("loss", self.loss, MLP_LOSSES),
                                   ("optimizer", self.optimizer, OPTIMIZERS)):
            if value not in valid:
                raise ValueError(f"unknown {name} {value!r} for --model mlp; valid: {', '.join(valid)}")
        if not self.hidden or min(self.hidden) < 1:
            raise ValueError(f"hidden must be one or more layer sizes of at least 1, got {self.hidden}")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        if not 0 < self.validation_split < 1:
            raise ValueError(f"validation split must be in (0, 1), got {self.validation_split}")


@dataclass
class VAEConfig:
    """The autoencoder family (``ae``, ``vae``, ``cvae``); ``None`` fields are resolved from the data.

    ``encoder`` and ``decoder`` name builders in ``vae_tf.ENCODERS``/``DECODERS`` (default
    ``conv``); ``likelihood`` one of ``vae_tf.LIKELIHOODS`` (default ``bernoulli`` for
    grayscale, ``gaussian`` for colour). With ``iw_samples`` K, the run's final evaluation adds
    an importance-weighted negative log-likelihood with K samples on ``iw_images`` test images.
    """

    encoder: str | None = None
    decoder: str | None = None
    latent_dim: int = 16
    beta: float = 1.0
    likelihood: str | None = None
    iw_samples: int | None = None
    iw_images: int = 1000
    image_shape: tuple[int, int, int] | None = None
    num_classes: int | None = None

    def validate(self):
        """Raises ``ValueError`` naming the first out-of-range setting."""
        if self.latent_dim < 1:
            raise ValueError(f"latent dim must be at least 1, got {self.latent_dim}")
        if not self.beta >= 0:  # also rejects NaN
            raise ValueError(f"beta must be at least 0, got {self.beta}")
        if self.iw_samples is not None and self.iw_samples < 1:
            raise ValueError(f"iw samples must be at least 1, got {self.iw_samples}")
        if self.iw_images < 1:
            raise ValueError(f"iw images must be at least 1, got {self.iw_images}")


@dataclass
class TrainingConfig:
    """Optimisation; ``lr`` and ``beta_1`` of ``None`` are resolved to the model's defaults."""

    epochs: int = 20
    batch_size: int = 64
    lr: float | None = None
    beta_1: float | None = None
    beta_2: float | None = None
    seed: int = 0


@dataclass
class EvalConfig:
    """Image-quality metrics during training: every ``every`` epochs (``None``: never) on ``n`` samples.

    The generator with the best ``metric`` so far is kept as ``generator_best.keras``.
    """

    every: int | None = None
    n: int = 2000
    metric: str = "fid"


@dataclass
class Config:
    """Everything a run needs; ``out_dir`` is the run directory."""

    model: str = "dcgan"
    out_dir: str | None = None
    grid_size: int = 64
    data: DataConfig = field(default_factory=DataConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)
    evaluation: EvalConfig = field(default_factory=EvalConfig)
    gan: GANConfig | None = None
    mlp: MLPConfig | None = None
    vae: VAEConfig | None = None

    def __post_init__(self):
        # The model's family section defaults to its dataclass' defaults.
        family = MODELS.get(self.model)
        if family is not None and getattr(self, family) is None:
            setattr(self, family, SECTIONS[family]())

    @property
    def family(self):
        """The family that trains ``model``: ``gan``, ``vae`` or ``mlp``."""
        return MODELS[self.model]

    def validate(self):
        """Raises ``ValueError`` naming the first out-of-range setting."""
        if self.model not in MODELS:
            raise ValueError(f"unknown model {self.model!r}; valid: {', '.join(MODELS)}")
        for family in set(MODELS.values()) - {self.family}:
            if getattr(self, family) is not None:
                raise ValueError(f"model {self.model!r} takes no {family} settings; remove the {family} section")
        getattr(self, self.family).validate()
        for name, value, low in (
            ("epochs", self.training.epochs, 1),
            ("batch size", self.training.batch_size, 1),
            ("grid size", self.grid_size, 1),
        ):
            if value < low:
                raise ValueError(f"{name} must be at least {low}, got {value}")
        if self.training.lr is not None and not self.training.lr > 0:  # also rejects NaN
            raise ValueError(f"lr must be positive, got {self.training.lr}")
        for name, value in (("beta1", self.training.beta_1), ("beta2", self.training.beta_2)):
            if value is not None and not 0 <= value < 1:
                raise ValueError(f"{name} must be in [0, 1), got {value}")
        if not 0 <= self.training.seed < 2**32:
            raise ValueError(f"seed must be in [0, 2**32), got {self.training.seed}")
        if self.evaluation.metric not in TRACKED_METRICS:
            raise ValueError(f"unknown metric {self.evaluation.metric!r}; valid: {', '.join(TRACKED_METRICS)}")
        if self.evaluation.every is not None and self.evaluation.every < 1:
            raise ValueError(f"eval every must be at least 1, got {self.evaluation.every}")
        if self.evaluation.n < 10:
            raise ValueError(f"eval n must be at least 10, got {self.evaluation.n}")
        if self.data.image_size is not None and self.data.image_size < 4:
            raise ValueError(f"image size must be at least 4, got {self.data.image_size}")
        if self.data.channels not in (None, 1, 3):
            raise ValueError(f"channels must be 1 or 3, got {self.data.channels}")
        return self

    def to_dict(self):
        """Nested plain dict, as written to ``config.json``."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values):
        """Builds a config from ``to_dict`` output; unknown keys raise ``ValueError``."""
        return _from_dict(cls, values, "config")


# The dataclass of every Config section, common and per family.
SECTIONS = {"data": DataConfig, "training": TrainingConfig, "evaluation": EvalConfig, "gan": GANConfig,
            "mlp": MLPConfig, "vae": VAEConfig}


def _from_dict(cls, values, where):
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = set(values) - set(fields)
    if unknown:
        raise ValueError(f"unknown {where} key(s) {', '.join(sorted(unknown))}; valid: {', '.join(fields)}")
    kwargs = {}
    for name, value in values.items():
        if cls is Config and name in SECTIONS and value is not None:
            value = _from_dict(SECTIONS[name], value, f"{where}.{name}")
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[name] = value
    return cls(**kwargs)
