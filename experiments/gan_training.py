"""How ``experiments.training`` trains the GAN family (see its docstring for the contract)."""

import keras

from data import make_dataset
from experiments import run_dir as rd
from experiments.callbacks import EpochImageGrid
from experiments.figures import plot_gan_history as plot_history
from gan_tf import GAN, build_gan_networks, default_architecture, latent_noise

__all__ = ["build_trainer", "callbacks", "datasets", "describe", "plot_history", "resolve", "saved_models"]

# Adam's defaults per model: the DCGAN paper's.
OPTIMIZER_DEFAULTS = {"dcgan": {"lr": 2e-4, "beta_1": 0.5}}


def resolve(config, data):
    """Image shape and architecture from the data; the model's optimizer defaults."""
    config.gan.image_shape = data.image_shape
    config.gan.architecture = config.gan.architecture or default_architecture(data.image_shape)
    defaults = OPTIMIZER_DEFAULTS[config.model]
    config.training.lr = config.training.lr or defaults["lr"]
    if config.training.beta_1 is None:
        config.training.beta_1 = defaults["beta_1"]


def build_trainer(config):
    """A compiled ``GAN`` of the configured networks."""
    generator, discriminator = build_gan_networks(config.gan.architecture, config.gan.latent_dim,
                                                  config.gan.image_shape)
    gan = GAN(generator, discriminator, seed=config.training.seed)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(config.training.lr, beta_1=config.training.beta_1),
        g_optimizer=keras.optimizers.Adam(config.training.lr, beta_1=config.training.beta_1),
        loss=config.gan.loss,
    )
    return gan


def datasets(config, data, seed):
    """Shuffled training images; no validation set."""
    return make_dataset(data, config.training.batch_size, seed=seed), None


def callbacks(config, run):
    """A grid of images from fixed noise after every epoch."""
    noise = latent_noise(config.grid_size, config.gan.latent_dim, seed=config.training.seed)
    return [EpochImageGrid(noise, config.out_dir)]


def saved_models(gan):
    """Both networks, as plain Keras models."""
    return {rd.GENERATOR: gan.generator, rd.DISCRIMINATOR: gan.discriminator}


def describe(config, data):
    """``training dcgan (tutorial architecture) on mnist: 60000 images 28x28x1``."""
    height, width, channels = config.gan.image_shape
    return (f"training {config.model} ({config.gan.architecture} architecture) on {config.data.dataset}: "
            f"{len(data)} images {height}x{width}x{channels}")
