"""How ``experiments.training`` trains the GAN family (see its docstring for the contract).

Models: ``gan`` (the dense GAN of Goodfellow et al. 2014), ``dcgan``, ``cgan`` (conditional)
and ``wgan-gp``. ``MODEL_DEFAULTS`` holds what each model means; every setting can be
overridden from the command line. 2-D mixtures (``ring8``, ``grid25``) train the ``mlp`` pair
and are drawn as scatter plots with mode coverage instead of image grids.
"""

import math

import keras

from data import PointData, make_dataset, make_point_dataset
from experiments import run_dir as rd
from experiments.callbacks import EpochImageGrid, EpochModes
from experiments.figures import plot_gan_history
from experiments.precision import detect_precision, precision_policy
from gan_tf import GAN, build_gan_networks, default_architecture, latent_noise
from gan_tf.sampling import class_rows

__all__ = ["MODEL_DEFAULTS", "build_trainer", "callbacks", "datasets", "describe", "plot_history", "resolve",
           "saved_models"]

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
MODE_SAMPLES = 2500  # points drawn to count the modes of a 2-D mixture (PacGAN's protocol)
LR_DECAY_FLOOR = 0.1  # --lr-decay ends at this fraction of each learning rate


def resolve(config, data):
    """Sample shape, classes and architecture from the data; the model's defaults for the rest.

    Instance noise anneals to zero, and a learning-rate decay reaches its floor, over the run's
    epochs as first planned: a resumed run that adds epochs trains them without noise, at the floor.
    """
    gan, training = config.gan, config.training
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
        raise ValueError("--unrolled-steps cannot train in mixed_float16: its simulated Adam steps bypass the loss "
                         "scaling float16 needs; pass --precision float32 or bfloat16")
    training.lr = training.lr or defaults["lr"]
    for key in ("beta_1", "beta_2"):
        if getattr(training, key) is None:
            setattr(training, key, defaults[key])


def build_trainer(config):
    """A compiled ``GAN`` of the configured networks."""
    gan, training = config.gan, config.training
    with precision_policy(gan.precision or "float32"):
        generator, discriminator = build_gan_networks(
            gan.architecture, gan.latent_dim, gan.image_shape, num_classes=gan.num_classes,
            conditioning=gan.conditioning, critic=gan.gp_weight > 0 or gan.r1_gamma > 0,
            minibatch_std=gan.minibatch_std, pack=gan.pack)
        trainer = GAN(generator, discriminator, seed=training.seed, ema_decay=gan.ema_decay)

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


def datasets(config, data, seed):
    """Shuffled training samples (with labels for a conditional model); no validation set."""
    if isinstance(data, PointData):
        return make_point_dataset(data, config.training.batch_size, seed=seed), None
    labelled = config.gan.num_classes is not None
    return make_dataset(data, config.training.batch_size, seed=seed, with_labels=labelled), None


def callbacks(config, run):
    """Per-epoch pictures from fixed noise: an image grid (one row per class when conditional) or a scatter."""
    latent_dim, seed = config.gan.latent_dim, config.training.seed
    if isinstance(run.data, PointData):
        return [EpochModes(latent_noise(MODE_SAMPLES, latent_dim, seed=seed), run.data.take(MODE_SAMPLES),
                           config.out_dir)]
    classes = config.gan.num_classes
    if classes is None:
        return [EpochImageGrid(latent_noise(config.grid_size, latent_dim, seed=seed), config.out_dir)]
    per_class = max(1, config.grid_size // classes)
    labels = class_rows(classes, per_class)
    return [EpochImageGrid(latent_noise(len(labels), latent_dim, seed=seed), config.out_dir, labels=labels,
                           columns=per_class)]


def saved_models(trainer):
    """The generator to sample from (the moving average, when kept) and the discriminator."""
    return {rd.GENERATOR: trainer.sampler, rd.DISCRIMINATOR: trainer.discriminator}


def plot_history(rows, path, metric=None):
    """The players' balance per epoch, with mode coverage for 2-D mixtures."""
    plot_gan_history(rows, path, metric or ("modes_covered" if rows and "modes_covered" in rows[-1] else None))


def describe(config, data):
    """``training dcgan (tutorial architecture, nonsaturating loss, bfloat16) on mnist: 60000 samples 28x28x1``."""
    shape = "x".join(str(d) for d in config.gan.image_shape)
    return (f"training {config.model} ({config.gan.architecture} architecture, {config.gan.loss} loss, "
            f"{config.gan.precision or 'float32'}) on "
            f"{config.data.dataset}: {len(data)} samples {shape}")
