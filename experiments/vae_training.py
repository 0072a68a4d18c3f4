"""How ``experiments.training`` trains the autoencoder family (``ae``, ``vae``, ``cvae``).

See ``experiments.training`` for the contract. Validation runs on the dataset's test split
(its first ``--limit`` images when a limit is set; none for image folders), so ``history.csv``
has the test negative ELBO in nats per image as ``val_negative_elbo``.
"""

import keras
import numpy as np

from data import make_dataset, normalize_images
from data.loaders import FOLDER_PREFIX
from experiments import run_dir as rd
from experiments.callbacks import EpochImageGrid
from experiments.config import load_split
from experiments.vae_callbacks import EpochReconstructions, LatentReport
from experiments.vae_figures import plot_vae_history as plot_history
from gan_tf.sampling import class_rows, latent_noise
from vae_tf import VAE, build_vae_networks, check_likelihood, default_likelihood

__all__ = ["build_trainer", "callbacks", "datasets", "describe", "plot_history", "resolve", "saved_models"]

DEFAULT_NETWORK = "conv"
# Adam's own defaults (Kingma & Ba 2015), which suit the VAE's single objective.
OPTIMIZER_DEFAULTS = {"lr": 1e-3, "beta_1": 0.9}
ENCODER = "encoder.keras"
RECONSTRUCTION_COLUMNS, RECONSTRUCTION_ROWS = 8, 2
ANALYSIS_IMAGES = 10000  # held-out images the latent figures and the IW estimate may use


def resolve(config, data):
    """Image shape, networks, likelihood and classes from the data; Adam's defaults."""
    settings = config.vae
    settings.image_shape = data.image_shape
    settings.encoder = settings.encoder or DEFAULT_NETWORK
    settings.decoder = settings.decoder or DEFAULT_NETWORK
    settings.likelihood = check_likelihood(settings.likelihood or default_likelihood(data.image_shape))
    if config.model == "cvae":
        if data.labels is None:
            raise ValueError("cvae needs labelled images; put a folder's images in one subfolder per class")
        settings.num_classes = len(data.class_names) if data.class_names else int(data.labels.max()) + 1
    if config.model == "ae" and settings.iw_samples is not None:
        raise ValueError("--iw-samples needs a variational model (vae or cvae); an autoencoder has no q(z | x)")
    config.training.lr = config.training.lr or OPTIMIZER_DEFAULTS["lr"]
    if config.training.beta_1 is None:
        config.training.beta_1 = OPTIMIZER_DEFAULTS["beta_1"]


def build_trainer(config):
    """A compiled ``VAE`` of the configured networks: deterministic for ``ae``, labelled for ``cvae``."""
    settings = config.vae
    encoder, decoder = build_vae_networks(settings.encoder, settings.decoder, settings.latent_dim,
                                          settings.image_shape, num_classes=settings.num_classes,
                                          variational=config.model != "ae")
    vae = VAE(encoder, decoder, beta=settings.beta, likelihood=settings.likelihood, seed=config.training.seed)
    vae.compile(optimizer=keras.optimizers.Adam(config.training.lr, beta_1=config.training.beta_1))
    return vae


def datasets(config, data, seed):
    """Shuffled training images and, when the data has one, the test split for validation;
    ``(images, labels)`` inputs for ``cvae``."""
    conditional = config.model == "cvae"
    batch_size = config.training.batch_size
    train = _as_inputs(make_dataset(data, batch_size, seed=seed, with_labels=conditional), conditional)
    test = _held_out(config)
    if test is None:
        return train, None
    return train, _as_inputs(make_dataset(test, batch_size, shuffle=False, with_labels=conditional), conditional)


def callbacks(config, run):
    """Sample grids from fixed noise (one row per class for ``cvae``), reconstructions, the latent report."""
    settings = config.vae
    held_out = _held_out(config) or run.data.take(ANALYSIS_IMAGES)
    images = np.asarray(normalize_images(held_out.images[:ANALYSIS_IMAGES]))
    labels = held_out.labels[:ANALYSIS_IMAGES] if held_out.labels is not None else None
    if config.model == "cvae":
        per_class = max(1, config.grid_size // settings.num_classes)
        grid_labels = class_rows(settings.num_classes, per_class)
        noise = latent_noise(len(grid_labels), settings.latent_dim, seed=config.training.seed)
        grid = EpochImageGrid(noise, config.out_dir, labels=grid_labels, columns=per_class)
    else:
        grid = EpochImageGrid(latent_noise(config.grid_size, settings.latent_dim, seed=config.training.seed),
                              config.out_dir)
    shown = RECONSTRUCTION_COLUMNS * RECONSTRUCTION_ROWS
    return [
        grid,
        EpochReconstructions(images[:shown], config.out_dir, labels[:shown] if config.model == "cvae" else None,
                             columns=RECONSTRUCTION_COLUMNS),
        LatentReport(images, labels, config.out_dir, settings, held_out.class_names, seed=config.training.seed),
    ]


def saved_models(vae):
    """The generator (the decoder, images in [-1, 1]) and the encoder, as plain Keras models."""
    return {rd.GENERATOR: vae.generator, ENCODER: vae.encoder}


def describe(config, data):
    """``training vae (conv encoder, conv decoder, latent 16, beta 1, bernoulli likelihood) on digits: ...``."""
    settings = config.vae
    height, width, channels = settings.image_shape
    beta = "" if config.model == "ae" else f", beta {settings.beta:g}"
    return (f"training {config.model} ({settings.encoder} encoder, {settings.decoder} decoder, latent "
            f"{settings.latent_dim}{beta}, {settings.likelihood} likelihood) on {config.data.dataset}: "
            f"{len(data)} images {height}x{width}x{channels}")


def _held_out(config):
    """The test split (first ``limit`` images), or ``None`` for image folders, which have none."""
    if config.data.dataset.startswith(FOLDER_PREFIX):
        return None
    return load_split(config.data, "test", config.data.limit)


def _as_inputs(dataset, conditional):
    """A conditional VAE's input is the pair ``(images, labels)``, so the batch is ``((images, labels),)``."""
    return dataset.map(lambda images, labels: ((images, labels),)) if conditional else dataset
