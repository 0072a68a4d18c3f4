"""The super-resolution trainer: SRResNet (a pixel loss) and SRGAN (a content loss plus an adversarial one)."""

import keras
import tensorflow as tf
from keras import ops

from core_tf.distribute import apply_if, global_mean
from gan_tf.losses import minimax_discriminator_loss, nonsaturating_generator_loss, perceptual_loss, pixel_loss
from gan_tf.optimizers import compile_from_saved, saved_compile_config

__all__ = ["SRGAN"]

NETWORKS = ("generator", "discriminator", "features")
OPTIMIZERS = ("g_optimizer", "d_optimizer")


@keras.saving.register_keras_serializable(package="gan_tf")
class SRGAN(keras.Model):
    """Trains a super-resolution generator with ``fit`` on ``(low, high)`` batches (``fit(low, high)`` works too);
    calling it upscales.

    Ledig et al. 2017, "Photo-Realistic Single Image Super-Resolution Using a Generative
    Adversarial Network". Without a discriminator it is SRResNet: the generator minimises the
    pixel loss. With one, the generator first minimises the pixel loss for ``pretrain_steps``
    steps (the paper initialises SRGAN from SRResNet, without which the GAN learns nothing
    useful), then the content loss (``perceptual_loss`` through ``features``, or the pixel
    loss without ``features``: the paper's SRGAN-MSE) plus ``adversarial_weight`` times the
    non-saturating adversarial loss, while the discriminator learns real ``high`` against
    the generator's images. Each ``train_step`` is ``tf.GradientTape`` steps that Keras
    compiles into a ``tf.function``.

    Logged, as epoch means: ``pixel_loss`` and ``psnr`` (dB, images in [0, 1]); with a
    discriminator also ``g_loss`` (the generator's total), ``content_loss``,
    ``adversarial_loss`` and ``d_loss`` (zero while pretraining). ``evaluate`` logs
    ``pixel_loss`` and ``psnr``.

    Args:
        generator: maps ``(batch, h, w, c)`` low-resolution images in [-1, 1] to high-resolution ones.
        discriminator: logits ``(batch, 1)`` of high-resolution images, or ``None`` (SRResNet).
        features: a frozen feature model of high-resolution images for the perceptual loss, or ``None``.
        feature_scale: what the features are divided by (``gan_tf.perceptual.feature_rms``).
        pretrain_steps: pixel-loss steps before the adversarial phase (with a discriminator).
    """

    def __init__(self, generator, discriminator=None, features=None, feature_scale=1.0, pretrain_steps=0,
                 **kwargs):
        super().__init__(**kwargs)
        self.generator, self.discriminator, self.features = generator, discriminator, features
        if features is not None:
            features.trainable = False
        self.feature_scale, self.pretrain_steps = float(feature_scale), int(pretrain_steps)
        names = ("pixel_loss", "psnr") + (("g_loss", "content_loss", "adversarial_loss", "d_loss")
                                          if discriminator is not None else ())
        self.trackers = {name: keras.metrics.Mean(name=name) for name in names}
        self.built = True  # the networks arrive built

    def compile(self, g_optimizer=None, d_optimizer=None, pixel="mse", adversarial_weight=1e-3, **kwargs):
        """Configures training.

        Args:
            g_optimizer: the generator's; default Adam(1e-4, beta_1=0.9), the paper's.
            d_optimizer: the discriminator's; the same default.
            pixel: ``mse`` (the paper's) or ``l1`` (EDSR's), the pixel loss (``gan_tf.losses.pixel_loss``).
            adversarial_weight: the adversarial term's weight against the content loss (the paper's 1e-3).
            **kwargs: passed to ``keras.Model.compile`` (``jit_compile``, ``steps_per_execution``, ...).
        """
        if adversarial_weight < 0:
            raise ValueError(f"adversarial_weight must be at least 0, got {adversarial_weight}")
        pixel_loss(ops.zeros((1,)), ops.zeros((1,)), pixel)  # raises for an unknown norm
        super().compile(**kwargs)
        self.g_optimizer = g_optimizer or keras.optimizers.Adam(1e-4)
        self.g_optimizer.build(self.generator.trainable_variables)
        self.d_optimizer = None
        if self.discriminator is not None:
            self.d_optimizer = d_optimizer or keras.optimizers.Adam(1e-4)
            self.d_optimizer.build(self.discriminator.trainable_variables)
        self.pixel, self.adversarial_weight = pixel, adversarial_weight

    @property
    def metrics(self):
        return list(self.trackers.values())

    def call(self, low, training=False):
        return self.generator(low, training=training)

    def train_step(self, data):
        low, high, _ = keras.utils.unpack_x_y_sample_weight(data)
        if self.discriminator is None:
            self._pixel_step(low, high)
        elif not self.pretrain_steps:
            self._adversarial_step(low, high)
        else:  # each phase a conditional update, which apply_if takes on all replicas at once under a strategy
            pretraining = self.g_optimizer.iterations < self.pretrain_steps
            apply_if(pretraining, self._pretrain_step, lambda: (low, high))
            apply_if(ops.logical_not(pretraining), self._adversarial_step, lambda: (low, high))
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def test_step(self, data):
        low, high, _ = keras.utils.unpack_x_y_sample_weight(data)
        restored = self.generator(low, training=False)
        self._track({"pixel_loss": pixel_loss(high, restored, self.pixel), "psnr": _psnr(high, restored)})
        return {name: self.trackers[name].result() for name in ("pixel_loss", "psnr")}

    def _pixel_step(self, low, high):
        weights = self.generator.trainable_variables
        with tf.GradientTape() as tape:
            restored = self.generator(low, training=True)
            loss = pixel_loss(high, restored, self.pixel)
            scaled = global_mean(loss)  # this replica's share of the global batch's mean
        self.g_optimizer.apply_gradients(zip(tape.gradient(scaled, weights), weights))
        return self._track({"pixel_loss": loss, "psnr": _psnr(high, restored)})

    def _pretrain_step(self, low, high):
        """SRGAN's pixel-loss phase: its generator loss is the pixel loss; the discriminator does not train."""
        losses = self._pixel_step(low, high)
        zero = ops.zeros((), "float32")
        return self._track({"g_loss": losses["pixel_loss"], "content_loss": losses["pixel_loss"],
                            "adversarial_loss": zero, "d_loss": zero})

    def _adversarial_step(self, low, high):
        g_weights, d_weights = self.generator.trainable_variables, self.discriminator.trainable_variables
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            restored = self.generator(low, training=True)
            real_logits = self.discriminator(high, training=True)
            fake_logits = self.discriminator(restored, training=True)
            pixel = pixel_loss(high, restored, self.pixel)
            content = (pixel if self.features is None
                       else perceptual_loss(self.features, high, restored, self.feature_scale))
            adversarial = nonsaturating_generator_loss(fake_logits)
            g_loss = content + self.adversarial_weight * adversarial
            d_loss = minimax_discriminator_loss(real_logits, fake_logits)
            g_scaled, d_scaled = global_mean(g_loss), global_mean(d_loss)
        self.g_optimizer.apply_gradients(zip(g_tape.gradient(g_scaled, g_weights), g_weights))
        self.d_optimizer.apply_gradients(zip(d_tape.gradient(d_scaled, d_weights), d_weights))
        return self._track({"pixel_loss": pixel, "psnr": _psnr(high, restored), "g_loss": g_loss,
                            "content_loss": content, "adversarial_loss": adversarial, "d_loss": d_loss})

    def _track(self, losses):
        """Adds a step's losses (each the mean over this replica's share) to the epoch means; returns them."""
        for name, value in losses.items():
            self.trackers[name].update_state(value)
        return losses

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable, "feature_scale": self.feature_scale,
                "pretrain_steps": self.pretrain_steps,
                **{name: keras.saving.serialize_keras_object(getattr(self, name)) for name in NETWORKS}}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for name in NETWORKS:
            config[name] = keras.saving.deserialize_keras_object(config[name])
        return cls(**config)

    def get_compile_config(self):
        """The optimizers (their state is saved with the weights), the losses, ``jit_compile`` and
        ``steps_per_execution``: what ``keras.models.load_model`` needs to continue training."""
        return saved_compile_config(self, OPTIMIZERS, pixel=self.pixel, adversarial_weight=self.adversarial_weight)

    def compile_from_config(self, config):
        """Recompiles a loaded model; its optimizers' saved state is loaded afterwards."""
        compile_from_saved(self, config, OPTIMIZERS)


def _psnr(high, restored):
    """Mean PSNR in dB of images in [-1, 1] read as [0, 1] (``tf.image.psnr`` with a range of 2)."""
    return ops.mean(tf.image.psnr(ops.cast(high, "float32"), ops.cast(restored, "float32"), 2.0))
