"""The GAN family: ``gan`` (the dense GAN of Goodfellow et al. 2014), ``dcgan``, ``cgan`` (conditional) and ``wgan-gp``.

``MODEL_DEFAULTS`` holds what each model means; every setting can be overridden from the
command line. 2-D mixtures (``ring8``, ``grid25``) train the ``mlp`` pair and are drawn as
scatter plots with mode coverage instead of image grids. ``VARIANTS`` are the mode-collapse
lab's mitigations, compared with ``compare.py --sweep variant``.
"""

import argparse
import math
from dataclasses import dataclass

import keras

from core_tf.distribute import for_replicas
from data import MIXTURES, PointData, make_dataset, make_point_dataset
from gan_tf import ARCHITECTURES, GAN, LOSSES, build_gan_networks, default_architecture, latent_noise
from gan_tf.layers import CONDITIONINGS
from lab_tf import run_dir as rd
from lab_tf.cli import finite_float, int_at_least, latent_dim, positive_int
from lab_tf.config import check_at_least
from lab_tf.families.base import GRID_SIZE, Family, Option, Sweep
from lab_tf.families.gan.callbacks import EpochModes
from lab_tf.families.gan.figures import plot_gan_history, plot_variant_snapshots
from lab_tf.precision import PRECISIONS, detect_precision, precision_policy

__all__ = ["FAMILY", "LR_DECAYS", "MODEL_DEFAULTS", "VARIANTS", "GANFamily", "GANSettings"]

# Learning-rate schedules of GAN runs (--lr-decay): cosine (Loshchilov & Hutter 2017).
LR_DECAYS = ("cosine",)
LR_DECAY_FLOOR = 0.1  # --lr-decay ends at this fraction of each learning rate
MODE_SAMPLES = 2500  # points drawn to count the modes of a 2-D mixture (PacGAN's protocol)

# What each model is: its architecture (None: chosen from the data), loss, critic settings and Adam.
MODEL_DEFAULTS = {
    "gan": {"architecture": "mlp", "loss": "nonsaturating", "d_steps": 1, "gp_weight": 0.0,
            "lr": 2e-4, "beta_1": 0.5, "beta_2": 0.999},
    "dcgan": {"architecture": None, "loss": "nonsaturating", "d_steps": 1, "gp_weight": 0.0,
              "lr": 2e-4, "beta_1": 0.5, "beta_2": 0.999},
    "cgan": {"architecture": None, "loss": "nonsaturating", "d_steps": 1, "gp_weight": 0.0,
             "lr": 2e-4, "beta_1": 0.5, "beta_2": 0.999},
    # Gulrajani et al. 2017, Algorithm 1: lambda = 10, n_critic = 5, Adam(1e-4, 0, 0.9).
    "wgan-gp": {"architecture": None, "loss": "wasserstein", "d_steps": 5, "gp_weight": 10.0,
                "lr": 1e-4, "beta_1": 0.0, "beta_2": 0.9},
}

# Training defaults of a model on one architecture, over the model's: the DCGAN on the tutorial's networks draws
# better digits in the same wall time with a doubled learning rate and a moving average of its generator
# (bench/README.md, "Defaults chosen on the wall clock").
ARCHITECTURE_DEFAULTS = {("dcgan", "tutorial"): {"lr": 4e-4, "ema_decay": 0.995}}

# The mode-collapse lab (compare.py --sweep variant): name -> (model, settings), the plain GAN and mitigations.
VARIANTS = {
    "gan": ("gan", {}),
    "gan+minibatch-std": ("gan", {"minibatch_std": True}),
    "gan+r1": ("gan", {"r1_gamma": 10.0}),
    "pacgan": ("gan", {"pack": 4}),
    "unrolled-gan": ("gan", {"unrolled_steps": 5}),
    "lsgan": ("gan", {"loss": "least-squares"}),
    "wgan-gp": ("wgan-gp", {}),
    "gan+instance-noise": ("gan", {"instance_noise": 0.1}),
    "gan+label-smoothing": ("gan", {"label_smoothing": 0.1}),
}


@dataclass
class GANSettings:
    """The generator/discriminator pair and the adversarial game (``config.json``'s ``gan`` section).

    ``None`` settings are resolved from the model (``MODEL_DEFAULTS``) and the data:
    ``architecture``, ``image_shape`` (the shape of one sample), ``num_classes`` (conditional
    models), ``loss``, ``d_steps``, ``gp_weight``, ``instance_noise_steps`` (the discriminator
    steps over which instance noise anneals to zero: the whole run) and ``lr_decay_steps`` (the
    discriminator steps over which ``lr_decay`` lowers the learning rates to a tenth: the whole
    run). ``precision`` (``lab_tf.precision.PRECISIONS``) is detected for the machine when
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
        for name, value, low in (("latent dim", self.latent_dim, 1), ("d steps", self.d_steps, 1),
                                 ("gp weight", self.gp_weight, 0), ("r1 gamma", self.r1_gamma, 0),
                                 ("instance noise", self.instance_noise, 0), ("pack", self.pack, 1),
                                 ("unrolled steps", self.unrolled_steps, 0)):
            check_at_least(name, value, low)
        for name, value in (("d lr", self.d_lr), ("g lr", self.g_lr)):
            if value is not None and not value > 0:
                raise ValueError(f"{name} must be positive, got {value}")
        if not 0 <= self.label_smoothing < 1:
            raise ValueError(f"label smoothing must be in [0, 1), got {self.label_smoothing}")
        if self.ema_decay is not None and not 0 <= self.ema_decay < 1:
            raise ValueError(f"ema decay must be in [0, 1) (0: no moving average), got {self.ema_decay}")
        for name, value, valid in (("lr decay", self.lr_decay, LR_DECAYS), ("precision", self.precision, PRECISIONS)):
            if value is not None and value not in valid:
                raise ValueError(f"unknown {name} {value!r}; valid: {', '.join(valid)}")


def _set_variant(config, name):
    if name not in VARIANTS:
        raise ValueError(f"unknown variant {name!r}; valid: {', '.join(VARIANTS)}")
    config.model, settings = VARIANTS[name]
    for key, value in settings.items():
        setattr(config.settings, key, value)
    return name


class GANFamily(Family):
    """Adversarial training of a generator against a discriminator (``gan_tf.GAN``)."""

    name = "gan"
    title = "GAN models (gan, dcgan, cgan, wgan-gp; see docs/gan_family.md)"
    distributable = True
    models = {
        "gan": "the original GAN (Goodfellow et al. 2014): dense networks",
        "dcgan": "convolutional GAN (Radford et al. 2015; the TensorFlow tutorial)",
        "cgan": "conditional GAN (Mirza & Osindero 2014)",
        "wgan-gp": "Wasserstein GAN with gradient penalty (Gulrajani et al. 2017)",
    }
    default_model = "gan"
    settings = GANSettings
    options = (
        Option(("--architecture", "--arch"), "network pair: mlp, tutorial or dcgan (default: mlp for gan and 2-D "
               "points, else tutorial for grayscale and dcgan for colour)", choices=tuple(ARCHITECTURES)),
        Option(("--latent-dim",), "noise size (default 100)", type=latent_dim),
        Option(("--loss",), "nonsaturating (default), minimax, hinge, wasserstein (default for wgan-gp) or "
               "least-squares", choices=tuple(LOSSES), listed=True),
        Option(("--conditioning",), "cgan: how the discriminator sees the label (default concat; projection: "
               "Miyato & Koyama 2018)", choices=CONDITIONINGS),
        Option(("--d-steps",), "discriminator updates per generator update (default 1; 5 for wgan-gp)",
               type=positive_int),
        Option(("--gp-weight",), "gradient-penalty weight (default 0; 10 for wgan-gp)", type=finite_float),
        Option(("--r1-gamma",), "R1 penalty on the discriminator's gradient at real samples, e.g. 10 for images "
               "(default 0)", type=finite_float),
        Option(("--d-lr",), "discriminator learning rate (default --lr; TTUR: set both)", type=finite_float),
        Option(("--g-lr",), "generator learning rate (default --lr)", type=finite_float),
        Option(("--label-smoothing",), "one-sided label smoothing, e.g. 0.1 (default 0)", type=finite_float),
        Option(("--instance-noise",), "std of noise added to the discriminator's inputs, annealed to 0 (default 0)",
               type=finite_float),
        Option(("--minibatch-std",), "give the discriminator the batch's standard deviation (against mode collapse)",
               type=bool),
        Option(("--pack",), "PacGAN: the discriminator judges this many samples jointly, e.g. 2 or 4 (default 1)",
               type=int_at_least(1, 64, "PacGAN packs 2 to 4; a pack that large leaves too few packs per batch")),
        Option(("--unrolled-steps",), "unrolled GAN: train the generator against the discriminator K Adam steps "
               "ahead, e.g. 5", type=int_at_least(1, 100, "each step is unrolled into the training graph")),
        Option(("--ema-decay",), "sample from a moving average of the generator's weights, e.g. 0.999; 0 for "
               "none (default 0.995 for dcgan on the tutorial architecture, else none)", type=finite_float),
        Option(("--lr-decay",), "cosine: lower both learning rates to a tenth over --epochs (default: constant)",
               choices=LR_DECAYS),
        Option(("--precision",), "compute precision (default: detected; bfloat16 on CPUs with bf16 dot products, "
               "mixed_float16 on a GPU, else float32; see bench/README.md)", choices=tuple(PRECISIONS)),
        Option(("--jit",), "compile the training step with XLA (default: Keras' choice, on with a GPU only)",
               type=argparse.BooleanOptionalAction),
        GRID_SIZE,
    )
    examples = (
        "python train.py --model dcgan --dataset digits --epochs 5",
        "python train.py --model dcgan --data-dir DIR                 # MNIST from mnist.npz",
        "python train.py --model cgan --dataset digits                # conditional: digits on request",
        "python train.py --model wgan-gp --dataset cifar10 --data-dir DIR",
        "python train.py --model gan --dataset ring8 --minibatch-std  # mode collapse and a remedy",
    )
    sweeps = {"variant": Sweep(_set_variant, f"mode-collapse variants: {', '.join(VARIANTS)}",
                               options=("loss", "minibatch_std", "r1_gamma", "pack", "unrolled_steps",
                                        "instance_noise", "label_smoothing"))}
    search_space = {"training.lr": (2e-4, 1e-4, 4e-4), "training.beta_1": (0.5, 0.9),
                    "training.batch_size": (64, 32, 128)}
    searched_by_quality = True
    networks = {"discriminator": rd.DISCRIMINATOR}

    def resolve(self, config, data):
        """Sample shape, classes and architecture from the data; the model's defaults for the rest.

        Instance noise anneals to zero, and a learning-rate decay reaches its floor, over the run's
        epochs as first planned: a resumed run that adds epochs trains them without noise, at the floor.
        """
        gan, training = config.settings, config.training
        defaults = MODEL_DEFAULTS[config.model]
        gan.image_shape = data.image_shape
        gan.architecture = gan.architecture or defaults["architecture"] or default_architecture(data.image_shape)
        if config.model == "cgan":
            if data.labels is None:
                raise ValueError("cgan needs labelled data; put the images in one subfolder per class")
            gan.num_classes = int(data.labels.max()) + 1
            if gan.pack > 1:
                raise ValueError("--pack (PacGAN) is for unconditional models: a packed discriminator cannot see "
                                 "one label per sample; use --minibatch-std with cgan")
        gan.loss = gan.loss or defaults["loss"]
        gan.d_steps = gan.d_steps or defaults["d_steps"]
        gan.gp_weight = defaults["gp_weight"] if gan.gp_weight is None else gan.gp_weight
        run_steps = training.epochs * math.ceil(len(data) / training.batch_size)  # discriminator steps
        if gan.instance_noise and gan.instance_noise_steps is None:
            gan.instance_noise_steps = run_steps
        if gan.lr_decay and gan.lr_decay_steps is None:
            gan.lr_decay_steps = run_steps
        if gan.precision is None and isinstance(data, PointData):
            gan.precision = "float32"  # networks this small gain nothing from 16 bits, and 2-D points need the bits
        elif gan.precision is None:
            gan.precision, reason = detect_precision()
            print(f"precision: {gan.precision}, detected for {reason}; --precision to choose another", flush=True)
        if gan.unrolled_steps and gan.precision == "mixed_float16":
            raise ValueError("--unrolled-steps cannot train in mixed_float16: its simulated Adam steps bypass the "
                             "loss scaling float16 needs; pass --precision float32 or bfloat16")
        defaults = {**defaults, **ARCHITECTURE_DEFAULTS.get((config.model, gan.architecture), {})}
        gan.ema_decay = defaults.get("ema_decay", 0.0) if gan.ema_decay is None else gan.ema_decay
        training.fill_defaults({key: defaults[key] for key in ("lr", "beta_1", "beta_2")})

    def build_trainer(self, config):
        """A compiled ``GAN`` of the configured networks."""
        gan, training = config.settings, config.training
        with precision_policy(gan.precision or "float32"):
            generator, discriminator = build_gan_networks(
                gan.architecture, gan.latent_dim, gan.image_shape, num_classes=gan.num_classes,
                conditioning=gan.conditioning, critic=gan.gp_weight > 0 or gan.r1_gamma > 0,
                minibatch_std=gan.minibatch_std, pack=gan.pack)
            trainer = GAN(for_replicas(generator), for_replicas(discriminator), seed=training.seed,
                          ema_decay=gan.ema_decay or None)

        def adam(lr, steps):
            if gan.lr_decay == "cosine":
                lr = keras.optimizers.schedules.CosineDecay(lr, max(1, steps), alpha=LR_DECAY_FLOOR)
            optimizer = keras.optimizers.Adam(lr, beta_1=training.beta_1, beta_2=training.beta_2)
            # float16 gradients underflow without loss scaling; bfloat16 has float32's range
            return keras.optimizers.LossScaleOptimizer(optimizer) if gan.precision == "mixed_float16" else optimizer

        d_decay_steps = gan.lr_decay_steps or 0
        trainer.compile(  # the generator steps once per d_steps discriminator steps
            d_optimizer=adam(gan.d_lr or training.lr, d_decay_steps),
            g_optimizer=adam(gan.g_lr or training.lr, d_decay_steps // gan.d_steps),
            loss=gan.loss, d_steps=gan.d_steps, gp_weight=gan.gp_weight, r1_gamma=gan.r1_gamma,
            label_smoothing=gan.label_smoothing, instance_noise=gan.instance_noise,
            instance_noise_steps=gan.instance_noise_steps or 0,
            unrolled_steps=gan.unrolled_steps, jit_compile="auto" if gan.jit is None else gan.jit,
        )
        return trainer

    def datasets(self, config, data, seed):
        """Shuffled training samples (with labels for a conditional model); no validation set."""
        if isinstance(data, PointData):
            return make_point_dataset(data, config.training.batch_size, seed=seed,
                                      drop_remainder=config.training.whole_batches), None
        labelled = config.settings.num_classes is not None
        return make_dataset(data, config.training.batch_size, seed=seed, with_labels=labelled,
                            drop_remainder=config.training.whole_batches), None

    def callbacks(self, config, run):
        """Per-epoch pictures from fixed noise: an image grid (one row per class when conditional) or a scatter."""
        if isinstance(run.data, PointData):
            noise = latent_noise(MODE_SAMPLES, config.settings.latent_dim, seed=config.training.seed)
            return [EpochModes(noise, run.data.take(MODE_SAMPLES), config.out_dir)]
        return super().callbacks(config, run)

    def saved_models(self, trainer):
        """The generator to sample from (the moving average, when kept) and the discriminator."""
        return {rd.GENERATOR: self.generator_of(trainer), rd.DISCRIMINATOR: trainer.discriminator}

    def generator_of(self, trainer):
        """The moving average of the generator's weights when the run keeps one, else the generator."""
        return trainer.sampler

    def plot_history(self, rows, path, metric=None):
        """The players' balance per epoch, with mode coverage for 2-D mixtures."""
        plot_gan_history(rows, path, metric or ("modes_covered" if rows and "modes_covered" in rows[-1] else None))

    def describe(self, config, data):
        """``training dcgan (tutorial architecture, nonsaturating loss, bfloat16) on mnist: 60000 samples 28x28x1``."""
        gan = config.settings
        shape = "x".join(str(d) for d in gan.image_shape)
        return (f"training {config.model} ({gan.architecture} architecture, {gan.loss} loss, "
                f"{gan.precision or 'float32'}) on {config.data.dataset}: {len(data)} samples {shape}")

    def comparison_row(self, run_dir):
        """The last epoch's losses, and for a 2-D mixture the modes covered out of how many."""
        row = super().comparison_row(run_dir)
        if "modes_covered" in row:
            centers, _ = MIXTURES[rd.load_config(run_dir).data.dataset]
            row.update(modes_covered=int(row["modes_covered"]), modes=len(centers))
        return row

    def plot_comparison(self, rows, run_dirs, path, title):
        """Each variant's grids or scatters over training, one row per variant."""
        plot_variant_snapshots(run_dirs, [row["variant"] for row in rows], path)


FAMILY = GANFamily()
