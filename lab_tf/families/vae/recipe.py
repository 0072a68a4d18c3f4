"""The autoencoder family: ``ae`` (plain autoencoder), ``vae`` (a beta-VAE with ``--beta``) and ``cvae`` (conditional).

Validation runs on the dataset's test split (its first ``--limit`` images when a limit is set;
none for image folders), so ``history.csv`` has the test negative ELBO in nats per image as
``val_negative_elbo``. ``compare.py --sweep arch|beta`` compares runs that differ in one setting.
"""

import os
from dataclasses import dataclass

import keras
import numpy as np

from core_tf.distribute import for_replicas
from core_tf.files import read_json
from data import ImageData, make_dataset, normalize_images
from lab_tf import run_dir as rd
from lab_tf.cli import finite_float, image_count, int_at_least, latent_dim, layer_sizes
from lab_tf.config import check_at_least, held_out_split
from lab_tf.families.base import GRID_SIZE, Family, Option, Sweep
from lab_tf.families.vae.callbacks import (
    INTERPOLATION,
    LATENT,
    LIKELIHOOD,
    MANIFOLD,
    RECONSTRUCTIONS,
    EpochReconstructions,
    LatentReport,
)
from lab_tf.families.vae.figures import plot_comparison, plot_vae_history
from lab_tf.figures import image_grid
from vae_tf import DECODERS, ENCODERS, LIKELIHOODS, VAE, build_vae_networks, check_likelihood, default_likelihood

__all__ = ["FAMILY", "VAEFamily", "VAESettings"]

DEFAULT_NETWORK = "conv"
# Adam's own defaults (Kingma & Ba 2015), which suit the VAE's single objective.
OPTIMIZER_DEFAULTS = {"lr": 1e-3, "beta_1": 0.9}
ENCODER = "encoder.keras"
RECONSTRUCTION_COLUMNS, RECONSTRUCTION_ROWS = 8, 2
ANALYSIS_IMAGES = 10000  # held-out images the latent figures and the IW estimate may use
COMPARISON_COLUMNS = ("parameters", "test_negative_elbo", "test_reconstruction_loss", "test_kl_loss", "active_units")
COMPARISON_IMAGES = 16


@dataclass
class VAESettings:
    """The autoencoder family's settings (``config.json``'s ``vae`` section); ``None`` fields come from the data.

    ``encoder`` and ``decoder`` name builders in ``vae_tf.ENCODERS``/``DECODERS`` (default
    ``conv``), and ``*_units`` and ``*_filters`` their layers' sizes (default: the builders');
    ``likelihood`` one of ``vae_tf.LIKELIHOODS`` (default ``bernoulli`` for grayscale,
    ``gaussian`` for colour). With ``iw_samples`` K, the run's final evaluation adds
    an importance-weighted negative log-likelihood with K samples on ``iw_images`` test images.
    """

    encoder: str | None = None
    decoder: str | None = None
    encoder_units: tuple[int, ...] | None = None
    decoder_units: tuple[int, ...] | None = None
    encoder_filters: tuple[int, ...] | None = None
    decoder_filters: tuple[int, ...] | None = None
    latent_dim: int = 16
    beta: float = 1.0
    likelihood: str | None = None
    iw_samples: int | None = None
    iw_images: int = 1000
    image_shape: tuple[int, int, int] | None = None
    num_classes: int | None = None

    def validate(self):
        """Raises ``ValueError`` naming the first out-of-range setting."""
        for name, value, low in (("latent dim", self.latent_dim, 1), ("beta", self.beta, 0),
                                 ("iw samples", self.iw_samples, 1), ("iw images", self.iw_images, 1)):
            check_at_least(name, value, low)

    def sizes(self, part):
        """The ``units`` and ``filters`` given for ``part`` (``encoder`` or ``decoder``), as its builder takes them.

        Raises:
            ValueError: sizes its architecture has no layers for, or not as many as it has.
        """
        architecture = getattr(self, part)
        units, filters = getattr(self, f"{part}_units"), getattr(self, f"{part}_filters")
        sizes = {}
        if filters is not None:
            if architecture == "dense":
                raise ValueError(f"--{part}-filters sizes convolutions, and the dense {part} has none; set its "
                                 f"layers with --{part}-units")
            if architecture == "conv" and len(filters) != 2:
                raise ValueError(f"the conv {part} has two convolutions; give --{part}-filters two widths, e.g. "
                                 f"{'32,64' if part == 'encoder' else '64,32'}")
            sizes["filters"] = tuple(filters)
        if units is not None:
            if architecture != "dense" and len(units) != 1:
                raise ValueError(f"the {architecture} {part} has one dense layer; give --{part}-units one width, "
                                 "e.g. 256")
            sizes["units"] = tuple(units) if architecture == "dense" else units[0]
        return sizes


def _set_architecture(config, value):
    if value not in ENCODERS:
        raise ValueError(f"unknown architecture {value!r}; valid: {', '.join(ENCODERS)}")
    config.settings.encoder = config.settings.decoder = value
    return value


def _set_beta(config, value):
    try:
        config.settings.beta = float(value)
    except ValueError:
        raise ValueError(f"beta values must be numbers, got {value!r}") from None
    return f"beta-{config.settings.beta:g}"


class VAEFamily(Family):
    """Autoencoders trained on the ELBO (``vae_tf.VAE``), with swappable encoders and decoders."""

    name = "vae"
    title = "autoencoders (ae, vae, cvae; see docs/vae.md)"
    distributable = True
    models = {
        "ae": "autoencoder: a deterministic code, reconstruction loss only",
        "vae": "variational autoencoder (Kingma & Welling 2014); a beta-VAE with --beta",
        "cvae": "conditional VAE: encoder and decoder see the label",
    }
    default_model = "vae"
    settings = VAESettings
    options = (
        Option(("--architecture", "--arch"), f"encoder and decoder: {', '.join(ENCODERS)} (default conv)",
               field=("encoder", "decoder"), choices=tuple(ENCODERS)),
        Option(("--latent-dim",), "code size (default 16)", type=latent_dim),
        Option(("--encoder",), "encoder only, overriding --architecture", choices=tuple(ENCODERS)),
        Option(("--decoder",), "decoder only, overriding --architecture", choices=tuple(DECODERS)),
        Option(("--encoder-units",), "widths of the encoder's dense layers: each layer of the dense encoder (default "
               "512,256), the one before the code for conv and resnet (default 256)", type=layer_sizes),
        Option(("--decoder-units",), "widths of the decoder's dense layers: each layer of the dense decoder (default "
               "256,512), the first one for conv and resnet (default 256)", type=layer_sizes),
        Option(("--encoder-filters",), "channels of the encoder's convolutions from the input down: two for conv "
               "(default 32,64), one per resolution for resnet (default 32,64,128)", type=layer_sizes),
        Option(("--decoder-filters",), "channels of the decoder's convolutions from the smallest map up: two for "
               "conv (default 64,32), one per resolution for resnet (default 128,64,32)", type=layer_sizes),
        Option(("--beta",), "weight of the KL term (default 1; a beta-VAE otherwise)", type=finite_float),
        Option(("--likelihood",), "p(x|z): bernoulli on grey levels, binary on images binarised at 0.5, or gaussian "
               "(default bernoulli for grayscale, gaussian for colour)", choices=tuple(LIKELIHOODS)),
        Option(("--iw-samples",), "after training, estimate the test NLL with K importance samples (e.g. 100 to "
               "1000)", type=int_at_least(1, 100_000, "more samples per image do not fit in memory")),
        Option(("--iw-images",), "test images of that estimate (default 1000)", type=image_count),
        GRID_SIZE,
    )
    examples = (
        "python train.py --model vae --dataset digits --latent-dim 2 --epochs 5",
        "python train.py --model cvae --architecture resnet --beta 0.5 --data-dir DIR",
    )
    sweeps = {
        "arch": Sweep(_set_architecture, f"the encoder/decoder pair: {', '.join(ENCODERS)}",
                      options=("architecture", "encoder", "decoder")),
        "beta": Sweep(_set_beta, "the KL weight", options=("beta",)),
    }
    search_space = {"training.lr": (1e-3, 3e-4, 3e-3), "training.batch_size": (128, 64, 256)}
    networks = {"encoder": ENCODER}
    report_figures = {f"{RECONSTRUCTIONS}/": "Held-out images above their reconstructions, last epoch",
                      LATENT: "The latent codes of held-out images", MANIFOLD: "Decoded codes on a grid (2-D latent)",
                      INTERPOLATION: "Straight lines between the codes of two real images, decoded"}
    evaluation_files = {**Family.evaluation_files, LIKELIHOOD: "the test likelihood"}

    def resolve(self, config, data):
        """Image shape, networks, likelihood and classes from the data; Adam's defaults."""
        if not isinstance(data, ImageData):
            raise ValueError(f"--model {config.model} encodes images; {config.data.dataset} holds 2-D points (a "
                             "dataset for the GAN models' mode-collapse lab)")
        settings = config.settings
        settings.image_shape = data.image_shape
        settings.encoder = settings.encoder or DEFAULT_NETWORK
        settings.decoder = settings.decoder or DEFAULT_NETWORK
        settings.sizes("encoder"), settings.sizes("decoder")  # refused here, before anything is built
        settings.likelihood = check_likelihood(settings.likelihood or default_likelihood(data.image_shape))
        if config.model == "cvae":
            if data.labels is None:
                raise ValueError("cvae needs labelled images; put a folder's images in one subfolder per class")
            settings.num_classes = len(data.class_names) if data.class_names else int(data.labels.max()) + 1
        if config.model == "ae" and settings.iw_samples is not None:
            raise ValueError("--iw-samples needs a variational model (vae or cvae); an autoencoder has no q(z | x)")
        config.training.fill_defaults(OPTIMIZER_DEFAULTS)

    def build_trainer(self, config):
        """A compiled ``VAE`` of the configured networks: deterministic for ``ae``, labelled for ``cvae``."""
        settings = config.settings
        encoder, decoder = build_vae_networks(settings.encoder, settings.decoder, settings.latent_dim,
                                              settings.image_shape, num_classes=settings.num_classes,
                                              variational=config.model != "ae",
                                              encoder_sizes=settings.sizes("encoder"),
                                              decoder_sizes=settings.sizes("decoder"))
        vae = VAE(for_replicas(encoder), for_replicas(decoder), beta=settings.beta, likelihood=settings.likelihood,
                  seed=config.training.seed)
        vae.compile(optimizer=keras.optimizers.Adam(config.training.lr, beta_1=config.training.beta_1))
        return vae

    def datasets(self, config, data, seed):
        """Shuffled training images and, when the data has one, the test split for validation;
        ``(images, labels)`` inputs for ``cvae``."""
        conditional = config.model == "cvae"
        batch_size, whole = config.training.batch_size, config.training.whole_batches
        train = _as_inputs(make_dataset(data, batch_size, seed=seed, with_labels=conditional, drop_remainder=whole),
                           conditional)
        test = held_out_split(config.data, config.data.limit)
        if test is None:
            return train, None
        return train, _as_inputs(make_dataset(test, batch_size, shuffle=False, with_labels=conditional,
                                              drop_remainder=whole), conditional)

    def callbacks(self, config, run):
        """Sample grids from fixed noise (one row per class for ``cvae``), reconstructions, the latent report."""
        settings = config.settings
        held_out = held_out_split(config.data, config.data.limit) or run.data.take(ANALYSIS_IMAGES)
        images = np.asarray(normalize_images(held_out.images[:ANALYSIS_IMAGES]))
        labels = held_out.labels[:ANALYSIS_IMAGES] if held_out.labels is not None else None
        shown = RECONSTRUCTION_COLUMNS * RECONSTRUCTION_ROWS
        return [
            *super().callbacks(config, run),
            EpochReconstructions(images[:shown], config.out_dir, labels[:shown] if config.model == "cvae" else None,
                                 columns=RECONSTRUCTION_COLUMNS),
            LatentReport(images, labels, config.out_dir, settings, held_out.class_names, seed=config.training.seed),
        ]

    def saved_models(self, vae):
        """The generator (the decoder, images in [-1, 1]) and the encoder, as plain Keras models."""
        return {rd.GENERATOR: vae.generator, ENCODER: vae.encoder}

    def generator_of(self, vae):
        """The decoder as a noise-to-image generator (``VAE.generator``)."""
        return vae.generator

    def plot_history(self, rows, path, metric=None):
        """The objective, the ELBO's two terms, and ``metric`` when logged."""
        plot_vae_history(rows, path, metric)

    def describe(self, config, data):
        """``training vae (conv encoder, conv decoder, latent 16, beta 1, bernoulli likelihood) on digits: ...``."""
        settings = config.settings
        height, width, channels = settings.image_shape
        beta = "" if config.model == "ae" else f", beta {settings.beta:g}"
        encoder, decoder = (f"{getattr(settings, part)} {part}" + "".join(
            f" {name} {value if isinstance(value, int) else ','.join(map(str, value))}"
            for name, value in settings.sizes(part).items()) for part in ("encoder", "decoder"))
        return (f"training {config.model} ({encoder}, {decoder}, latent "
                f"{settings.latent_dim}{beta}, {settings.likelihood} likelihood) on {config.data.dataset}: "
                f"{len(data)} images {height}x{width}x{channels}")

    def comparison_row(self, run_dir):
        """Parameters, the test negative ELBO and its terms, and the active units of a finished run."""
        numbers = read_json(os.path.join(run_dir, LIKELIHOOD)) or {}
        trainer = rd.load_model(os.path.join(run_dir, rd.read_state(run_dir)["checkpoint"]))
        row = {"parameters": trainer.count_params(), "beta": trainer.beta}
        return {**row, **{key: numbers[key] for key in COMPARISON_COLUMNS if key in numbers}}

    def plot_comparison(self, rows, run_dirs, path, title):
        """The runs' ELBO terms (against beta when beta varies) beside a grid of each run's samples."""
        grids = []
        for run_dir in run_dirs:
            run = rd.load_run(run_dir)
            images, _ = self.sampler.evaluation_samples(run.generator, COMPARISON_IMAGES, run.config.training.seed)
            grids.append(image_grid(images, columns=4))
        results = [{"name": row["variant"], "beta": row["beta"],
                    "reconstruction_loss": row.get("test_reconstruction_loss"),
                    "kl_loss": row.get("test_kl_loss") or 0.0} for row in rows]
        plot_comparison(results, grids, path, "beta" if len({row["beta"] for row in rows}) > 1 else "architecture")


def _as_inputs(dataset, conditional):
    """A conditional VAE's input is the pair ``(images, labels)``, so the batch is ``((images, labels),)``."""
    return dataset.map(lambda images, labels: ((images, labels),)) if conditional else dataset


FAMILY = VAEFamily()
