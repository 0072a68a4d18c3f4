"""The super-resolution family: ``srresnet`` (a pixel loss) and ``srgan`` (a content loss plus an adversarial one).

Pairs come from any image source: the high-resolution image is the dataset's, the
low-resolution one it downscaled ``--scale`` times (``data.superres``). The defaults are the
paper's (Ledig et al. 2017: MSE, Adam(1e-4, 0.9), adversarial weight 1e-3, the SRGAN phase's
learning rate 1e-4 for half its steps then 1e-5) with smaller networks (32 filters, 8
residual blocks, no batch norm) so that runs fit a laptop CPU. The perceptual loss reads a
classifier of the dataset's own, trained with another seed and fewer epochs than the
evaluation classifier, so the network of the loss never scores the result.
"""

import math
import os
from dataclasses import dataclass

import keras
import numpy as np

from core_tf.distribute import for_replicas
from data import normalize_images
from data.superres import SCALES, check_scale, downscale, make_superres_dataset
from eval_tf import SUPERRES_DESCRIPTIONS
from gan_tf import SRGAN, build_sr_discriminator, build_sr_generator
from gan_tf.losses import PIXEL_LOSSES
from gan_tf.perceptual import classifier_features, feature_rms, vgg19_features
from lab_tf import run_dir as rd
from lab_tf.callbacks import EpochScores
from lab_tf.cli import finite_float, int_at_least, non_negative_int
from lab_tf.config import check_at_least, held_out_split, load_split
from lab_tf.families.base import Family, Option
from lab_tf.families.srgan.callbacks import EpochUpscales
from lab_tf.families.srgan.figures import plot_superres_history
from lab_tf.metrics import loss_classifier
from lab_tf.sampling import Upscaler

__all__ = ["FAMILY", "PERCEPTUAL_LAYER", "SuperResolutionFamily", "SuperResolutionSettings", "held_out_images"]

DEFAULTS = {"lr": 1e-4, "beta_1": 0.9, "beta_2": 0.999}
CONTENTS = ("perceptual", "pixel")
PERCEPTUAL_NETWORKS = ("classifier", "vgg19")
PERCEPTUAL_LAYER = "block2_relu1"  # the classifier's last convolution before its global pooling, as VGG54 in VGG19
SRGAN_ONLY = ("content", "perceptual", "adversarial_weight", "pretrain_epochs", "init_from")
VALIDATION_IMAGES = 500  # held-out pairs behind val_pixel_loss and val_psnr each epoch
GRID_COLUMNS = 8
FEATURE_SCALE_IMAGES = 512


@dataclass
class SuperResolutionSettings:
    """The generator, discriminator and objective (``config.json``'s ``srgan`` section).

    ``None`` settings are resolved: ``image_shape`` from the data, ``pretrain_epochs`` (half
    the epochs without ``init_from``, else 0), ``perceptual_id`` (the perceptual network: a
    cached classifier's id, or ``vgg19``), ``feature_scale`` (its features' root mean square on
    training images), and the step counts ``pretrain_steps`` and ``decay_step``
    (where the generator's learning rate drops tenfold, halfway through the adversarial phase).
    """

    scale: int = 4
    filters: int = 32
    residual_blocks: int = 8
    batch_norm: bool = False
    pixel_loss: str = "mse"
    content: str = "perceptual"
    perceptual: str = "classifier"
    adversarial_weight: float = 1e-3
    pretrain_epochs: int | None = None
    init_from: str | None = None
    image_shape: tuple[int, ...] | None = None
    perceptual_id: str | None = None
    feature_scale: float | None = None
    pretrain_steps: int | None = None
    decay_step: int | None = None

    def validate(self):
        """Raises ``ValueError`` naming the first out-of-range setting."""
        for name, value, valid in (("scale", self.scale, SCALES), ("pixel loss", self.pixel_loss, PIXEL_LOSSES),
                                   ("content", self.content, CONTENTS),
                                   ("perceptual network", self.perceptual, PERCEPTUAL_NETWORKS)):
            if value not in valid:
                raise ValueError(f"{name} must be one of {', '.join(map(str, valid))}, got {value!r}")
        for name, value, low in (("filters", self.filters, 1), ("residual blocks", self.residual_blocks, 0),
                                 ("adversarial weight", self.adversarial_weight, 0),
                                 ("pretrain epochs", self.pretrain_epochs, 0)):
            check_at_least(name, value, low)


def held_out_images(config):
    """``(ImageData, split)``: the test split, or the training split for a source without one (an image folder)."""
    test = held_out_split(config.data)
    return (test, "test") if test is not None else (load_split(config.data, "train"), "train")


def perceptual_network(config):
    """``(frozen feature network, id)`` of the perceptual loss: the dataset's perceptual classifier (trained once and
    cached) at ``PERCEPTUAL_LAYER``, or VGG19's VGG54 when its ImageNet weights are in the Keras cache."""
    if config.settings.perceptual == "vgg19":
        return vgg19_features(config.settings.image_shape), "vgg19"
    classifier, identity = loss_classifier(config.data.dataset, load_split(config.data, "train"), "perceptual",
                                           "pass --content pixel or --perceptual vgg19")
    return classifier_features(classifier, PERCEPTUAL_LAYER), identity


class SuperResolutionFamily(Family):
    """Single-image super-resolution (``gan_tf.SRGAN``)."""

    name = "srgan"
    title = "super-resolution (srresnet, srgan; see docs/srgan.md)"
    distributable = True
    models = {"srresnet": "super-resolution with a pixel loss (SRResNet, Ledig et al. 2017)",
              "srgan": "super-resolution with a perceptual and an adversarial loss (SRGAN, Ledig et al. 2017)"}
    settings = SuperResolutionSettings
    options = (
        Option(("--scale",), "upscaling factor, 2 or 4 (default 4); the image size must be a multiple of it",
               type=int, choices=SCALES),
        Option(("--filters",), "channels of the generator's layers and the discriminator's first (default 32; the "
               "paper's 64)", type=int_at_least(1, 256, "wider networks do not fit in memory at useful sizes")),
        Option(("--residual-blocks",), "residual blocks of the generator (default 8; the paper's 16)",
               type=int_at_least(0, 64, "the paper uses 16")),
        Option(("--batch-norm",), "batch norm in the residual blocks, as the paper's SRResNet (default: none, as "
               "EDSR)", type=bool),
        Option(("--pixel-loss",), "mse (default, the paper's) or l1 (EDSR's)", choices=PIXEL_LOSSES),
        Option(("--content",), "srgan: perceptual (default: features of a network) or pixel (the paper's "
               "SRGAN-MSE)", choices=CONTENTS),
        Option(("--perceptual",), "srgan: the perceptual loss's network: classifier (default, the dataset's own, "
               "trained once) or vgg19 (ImageNet weights, when in the Keras cache)", choices=PERCEPTUAL_NETWORKS),
        Option(("--adversarial-weight",), "srgan: weight of the adversarial term (default 1e-3, the paper's)",
               type=finite_float),
        Option(("--pretrain-epochs",), "srgan: epochs of pixel loss before the adversarial phase (default half of "
               "--epochs; 0 with --init-from)", type=non_negative_int),
        Option(("--init-from",), "srgan: start from the generator of this srresnet (or srgan) run instead of "
               "pretraining"),
    )
    examples = (
        "python train.py --model srresnet --dataset cifar10 --scale 4 --epochs 10",
        "python train.py --model srgan --dataset cifar10 --scale 4 --epochs 10 --init-from runs/srresnet-cifar10-...",
        "python train.py --model srgan --dataset digits --epochs 6 --pretrain-epochs 3",
    )
    sampler = Upscaler()
    metric_descriptions = SUPERRES_DESCRIPTIONS

    def check_args(self, args, model):
        """Also refuses the adversarial phase's options for ``srresnet``."""
        super().check_args(args, model)
        if model == "srresnet":
            given = [f"--{name.replace('_', '-')}" for name in SRGAN_ONLY if getattr(args, name, None) is not None]
            if given:
                raise ValueError(f"{given[0]} is for --model srgan; srresnet trains with the pixel loss alone")

    def resolve(self, config, data):
        """Image shape and scale from the data; the architecture from ``--init-from``; srgan's phases in steps."""
        settings, training = config.settings, config.training
        check_scale(data.image_shape, settings.scale)
        settings.image_shape = data.image_shape
        if settings.init_from:
            self._take_init_from(config)
        training.fill_defaults(DEFAULTS)
        if config.model != "srgan":
            return
        if settings.pretrain_epochs is None:
            settings.pretrain_epochs = 0 if settings.init_from else training.epochs // 2
        if settings.pretrain_epochs >= training.epochs:
            raise ValueError(f"--pretrain-epochs {settings.pretrain_epochs} leaves no adversarial epoch of "
                             f"--epochs {training.epochs}; pass more --epochs or fewer --pretrain-epochs")
        steps = math.ceil(len(data) / training.batch_size)
        settings.pretrain_steps = settings.pretrain_epochs * steps
        settings.decay_step = settings.pretrain_steps + (training.epochs * steps - settings.pretrain_steps) // 2

    @staticmethod
    def _take_init_from(config):
        """Checks ``--init-from`` names a super-resolution run of the same images and scale; takes its architecture."""
        settings, source = config.settings, config.settings.init_from
        if not os.path.isfile(os.path.join(source, rd.CONFIG)):
            raise ValueError(f"--init-from {source} is not a run directory (no {rd.CONFIG}); pass an srresnet run")
        other = rd.load_config(source)
        if other.family.name != config.family.name:
            raise ValueError(f"--init-from {source} is a --model {other.model} run; pass a srresnet (or srgan) run")
        if other.settings.scale != settings.scale or tuple(other.settings.image_shape) != settings.image_shape:
            raise ValueError(f"--init-from {source} upscales {other.settings.scale}x to "
                             f"{tuple(other.settings.image_shape)}, this run {settings.scale}x to "
                             f"{settings.image_shape}; pass a run of the same --scale and images")
        if not os.path.isfile(os.path.join(source, rd.GENERATOR)):
            raise ValueError(f"--init-from {source} has no {rd.GENERATOR}: no epoch of it finished")
        settings.init_from = os.path.abspath(source)
        settings.filters, settings.residual_blocks = other.settings.filters, other.settings.residual_blocks
        settings.batch_norm = other.settings.batch_norm

    def build_trainer(self, config):
        """A compiled ``SRGAN``: a generator (from ``--init-from``'s weights when given), and for ``srgan`` a
        discriminator and the perceptual network."""
        settings, training = config.settings, config.training
        shape = tuple(settings.image_shape)
        generator = build_sr_generator(shape[-1], settings.scale, settings.filters, settings.residual_blocks,
                                       settings.batch_norm)
        if settings.init_from:
            generator.set_weights(rd.load_model(os.path.join(settings.init_from, rd.GENERATOR)).get_weights())
        discriminator = features = None
        if config.model == "srgan":
            discriminator = build_sr_discriminator(shape, settings.filters)
            if settings.content == "perceptual":
                features, settings.perceptual_id = perceptual_network(config)
                if settings.feature_scale is None:
                    sample = load_split(config.data, "train", FEATURE_SCALE_IMAGES)
                    settings.feature_scale = feature_rms(features, np.asarray(normalize_images(sample.images)))
        if discriminator is not None:
            discriminator = for_replicas(discriminator)
        trainer = SRGAN(for_replicas(generator), discriminator, features, settings.feature_scale or 1.0,
                        settings.pretrain_steps or 0)

        def adam(steps_before_decay):
            lr = training.lr
            if steps_before_decay is not None:
                lr = keras.optimizers.schedules.PiecewiseConstantDecay([steps_before_decay], [lr, lr / 10])
            return keras.optimizers.Adam(lr, beta_1=training.beta_1, beta_2=training.beta_2)

        if discriminator is None:
            trainer.compile(adam(None), pixel=settings.pixel_loss)
        else:
            trainer.compile(adam(settings.decay_step), adam(settings.decay_step - settings.pretrain_steps),
                            pixel=settings.pixel_loss, adversarial_weight=settings.adversarial_weight)
        return trainer

    def datasets(self, config, data, seed):
        """``(low, high)`` training batches; the first ``VALIDATION_IMAGES`` held-out pairs for ``val_psnr`` (under
        ``--distribute`` in whole batches of the training batch's size, which splits over the replicas)."""
        scale, batch, whole = config.settings.scale, config.training.batch_size, config.training.whole_batches
        held_out = held_out_split(config.data, VALIDATION_IMAGES)
        validation = None if held_out is None else make_superres_dataset(
            held_out, scale, batch if whole else 256, shuffle=False, drop_remainder=whole)
        return make_superres_dataset(data, scale, batch, seed=seed, drop_remainder=whole), validation

    def callbacks(self, config, run):
        """The per-epoch grid of fixed held-out images: pixels, bicubic, the model's, the original."""
        held_out, _ = held_out_images(config)
        return [EpochUpscales(held_out.images[:GRID_COLUMNS], config.settings.scale, config.out_dir)]

    def metrics_reference(self, config, data):
        """Held-out high-resolution images, other real ones and the evaluation classifier
        (``evaluation.SuperResolutionReference``)."""
        from lab_tf.families.srgan.evaluation import SuperResolutionReference

        return SuperResolutionReference.build(config, config.evaluation.n)

    def metrics_callback(self, config, reference):
        """Scores the generator every ``--eval-every`` epochs into the epoch's logs and ``metrics/``."""
        from lab_tf.families.srgan.evaluation import logged_values

        def score(trainer, seed):
            return reference.score(trainer.generator, seed=seed)

        return EpochScores(score, logged_values, config.evaluation.every, config.out_dir, seed=config.training.seed)

    def evaluate(self, run_dir, n, seed=0, inception=False):
        """PSNR, SSIM, FID, KID, precision/recall and classifier accuracy of bicubic, the model and the originals."""
        from lab_tf.families.srgan.evaluation import evaluate_run

        if inception:
            raise ValueError("--inception scores generated images at 299 pixels; a super-resolution run is scored "
                             "in its dataset's evaluation classifier: drop --inception")
        return evaluate_run(run_dir, n, seed)

    def source_images(self, config, direction, n, seed=0):
        """``n`` held-out images chosen with ``seed``, downscaled, and the originals as the truth."""
        held_out, _ = held_out_images(config)
        chosen = np.sort(np.random.default_rng(seed).choice(len(held_out), min(n, len(held_out)), replace=False))
        high = np.asarray(normalize_images(held_out.images[chosen]))
        return np.asarray(downscale(high, config.settings.scale)), high

    def saved_models(self, trainer):
        """The generator (what users upscale with) and, for ``srgan``, the discriminator."""
        models = {rd.GENERATOR: trainer.generator}
        if trainer.discriminator is not None:
            models[rd.DISCRIMINATOR] = trainer.discriminator
        return models

    def generator_of(self, trainer):
        return trainer.generator

    def plot_history(self, rows, path, metric=None):
        """Fidelity (PSNR), the losses, and the held-out scores when ``--eval-every`` scored them."""
        plot_superres_history(rows, path)

    def describe(self, config, data):
        """``training srgan x4 (32 filters, 8 residual blocks; perceptual loss, 3 pretraining epochs) ...``."""
        settings = config.settings
        low = "x".join(str(d // settings.scale) for d in data.image_shape[:2])
        high = "x".join(str(d) for d in data.image_shape[:2])
        losses = f"{settings.pixel_loss} loss"
        if config.model == "srgan":
            start = (f"from {settings.init_from}" if settings.init_from
                     else f"{settings.pretrain_epochs} pretraining epoch(s)")
            losses = (f"{settings.content} content loss + {settings.adversarial_weight:g} adversarial, {start}")
        return (f"training {config.model} x{settings.scale} ({settings.filters} filters, {settings.residual_blocks} "
                f"residual blocks; {losses}) on {config.data.dataset} ({len(data)} images), {low} -> {high}")


FAMILY = SuperResolutionFamily()
