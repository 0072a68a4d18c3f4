"""The style-based GAN's trainer, and the tools that take its generator apart: styles, mixing, truncation, noise.

``gan_tf.generator.build_style_generator`` names its parts ``mapping`` (z -> w),
``truncation`` (w -> one style per layer, holding the average w), ``noise`` and ``synthesis``
(styles and noise -> image). The functions here work on any such generator, NumPy in and out.
"""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from core_tf.distribute import apply_if, global_mean, replica_draw, replica_mean
from gan_tf.gan import GAN, _apply
from gan_tf.losses import r1_penalty
from gan_tf.optimizers import compile_from_saved, saved_compile_config
from gan_tf.style_layers import NoiseSource, Truncation, truncate

__all__ = ["StyleGAN", "mix_styles", "random_noise", "style_parts", "styles", "synthesize"]

OPTIMIZERS = ("d_optimizer", "g_optimizer")
PARTS = ("mapping", "truncation", "noise", "synthesis")
GAN_ONLY = ("d_steps", "gp_weight", "label_smoothing", "instance_noise", "instance_noise_steps", "unrolled_steps")


def style_parts(generator):
    """``(mapping, truncation, noise, synthesis)`` of a style-based generator; ``ValueError`` for another model."""
    names = {layer.name: layer for layer in generator.layers}
    parts = [names.get(name) for name in PARTS]
    if (any(part is None for part in parts) or not isinstance(parts[1], Truncation)
            or not isinstance(parts[2], NoiseSource)):
        raise ValueError(f"{generator.name!r} is not a style-based generator (it has no {', '.join(PARTS)} parts); "
                         "pass a stylegan run's generator")
    return tuple(parts)


def styles(generator, z, psi=1.0, cutoff=None, batch_size=1024):
    """The styles ``(n, num_ws, w_dim)`` of latent codes ``z``, truncated towards the generator's average w.

    ``psi`` and ``cutoff`` are those of ``gan_tf.style_layers.truncate``.
    """
    if not 0 <= psi <= 1:
        raise ValueError(f"the truncation psi must be in [0, 1], got {psi}")
    mapping, truncation, _, _ = style_parts(generator)
    w = np.concatenate([np.asarray(mapping(z[i : i + batch_size], training=False))
                        for i in range(0, len(z), batch_size)])
    ws = np.repeat(w[:, None, :], truncation.num_ws, axis=1)
    return np.asarray(truncate(ws, np.asarray(truncation.w_average), psi, cutoff), np.float32)


def random_noise(generator, n, seed=0):
    """``n`` draws of the generator's noise maps ``(n, size, size, num_ws)`` from NumPy's PCG64 seeded with ``seed``."""
    _, _, noise, _ = style_parts(generator)
    return np.random.default_rng(seed).standard_normal((n, noise.size, noise.size, noise.num_noise)).astype(np.float32)


def synthesize(generator, ws, noise=None, batch_size=256):
    """Images in [-1, 1] (unclipped) from styles ``ws``; ``noise`` ``None`` uses the generator's fixed noise maps."""
    _, _, source, synthesis = style_parts(generator)
    if noise is None:
        noise = np.repeat(np.asarray(source.constant), len(ws), axis=0)
    return np.concatenate([np.asarray(synthesis([ws[i : i + batch_size], noise[i : i + batch_size]], training=False))
                           for i in range(0, len(ws), batch_size)])


def mix_styles(coarse, fine, crossover):
    """Styles taking layers ``0 .. crossover - 1`` from ``coarse`` and the rest from ``fine`` (StyleGAN, section 3.1).

    The low-resolution layers set pose, shape and (for digits) the class; the high-resolution
    ones stroke width, colour and texture.
    """
    if not 0 < crossover < coarse.shape[1]:
        raise ValueError(f"crossover must be in 1..{coarse.shape[1] - 1}, got {crossover}")
    return np.concatenate([coarse[:, :crossover], fine[:, crossover:]], axis=1)


@keras.saving.register_keras_serializable(package="gan_tf")
class StyleGAN(GAN):
    """Trains a style-based generator (``build_style_generator``) against a discriminator, as StyleGAN2 does.

    The step is the ``GAN``'s (one forward pass of both networks, one update of each, the
    generator's moving average when ``ema_decay`` is set), with what makes it StyleGAN:

    - style mixing regularisation (StyleGAN, section 3.1): with probability ``style_mixing``
      a sample takes its styles from two latent codes, switching at a random layer, so that
      no layer can rely on its neighbours sharing its w;
    - fresh noise maps for every sample;
    - the average w tracked for truncation, ``w_avg <- mean(w) + w_avg_beta * (w_avg - mean(w))``;
    - lazy R1 (StyleGAN2, section 3.1): every ``r1_interval`` steps a separate
      discriminator update on ``r1_gamma / 2 * r1_interval * E[||grad D(x)||^2]`` alone, the
      same regularisation at a sixteenth of its cost (logged as ``r1_penalty``).

    Args:
        generator: a style-based generator (``style_parts`` finds its parts).
        discriminator: model mapping images to ``(batch, 1)`` logits.
        seed: seed of the training noise.
        ema_decay: as for ``GAN``; the average's w_average is copied from the generator's.
        style_mixing: probability of mixing two codes (the paper's 0.9; 0 for none).
        w_avg_beta: decay of the tracked average w (the paper's 0.995).
    """

    def __init__(self, generator, discriminator, seed=None, ema_decay=None, style_mixing=0.9, w_avg_beta=0.995,
                 **kwargs):
        if not 0 <= style_mixing <= 1:
            raise ValueError(f"style_mixing must be in [0, 1], got {style_mixing}")
        if not 0 <= w_avg_beta < 1:
            raise ValueError(f"w_avg_beta must be in [0, 1), got {w_avg_beta}")
        parts = style_parts(generator)
        super().__init__(generator, discriminator, seed=seed, ema_decay=ema_decay, **kwargs)
        self.mapping, self.truncation, noise, self.synthesis = parts
        self.style_mixing, self.w_avg_beta = style_mixing, w_avg_beta
        self.num_ws, self.noise_shape = self.truncation.num_ws, (noise.size, noise.size, noise.num_noise)

    def compile(self, d_optimizer=None, g_optimizer=None, loss="nonsaturating", r1_gamma=0.0, r1_interval=16,
                **kwargs):
        """Configures training: the optimizers (default Adam(2e-4, beta_1=0.5); StyleGAN2 uses
        Adam(2.5e-3, 0, 0.99) with its equalised weights), the loss pair (``gan_tf.losses.LOSSES``), and R1's
        ``r1_gamma`` applied every ``r1_interval`` steps (0: no R1). Other keyword arguments go to
        ``keras.Model.compile``."""
        if r1_interval < 1:
            raise ValueError(f"r1_interval must be at least 1, got {r1_interval}")
        unsupported = sorted(set(kwargs) & set(GAN_ONLY))
        if unsupported:
            raise ValueError(f"StyleGAN does not train with {', '.join(unsupported)}; those are GAN.compile's")
        super().compile(d_optimizer, g_optimizer, loss=loss, r1_gamma=r1_gamma, **kwargs)
        self.r1_interval = r1_interval

    def train_step(self, data):
        real, _ = self._unpack(data)
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake, w = self._training_images(ops.shape(real)[0])
            real_logits = self.discriminator(real, training=True)
            fake_logits = self.discriminator(fake, training=True)
            d_loss = self._discriminator_loss(real_logits, fake_logits)
            g_loss = self.g_loss_fn(fake_logits)
            d_scaled = self.d_optimizer.scale_loss(global_mean(d_loss))
            g_scaled = self.g_optimizer.scale_loss(global_mean(g_loss))
        _apply(self.d_optimizer, d_tape, d_scaled, self.discriminator)
        average = self.truncation.w_average
        mean = replica_mean(ops.mean(ops.cast(w, "float32"), axis=0))  # the global batch's
        average.assign(mean + self.w_avg_beta * (average - mean))
        self._update_generator(g_tape.gradient(g_scaled, self.generator.trainable_weights), None)
        if self.r1_gamma:
            apply_if(self.g_optimizer.iterations % self.r1_interval == 0, self._r1_step, lambda: (real,))
        return self._track(d_loss, g_loss, real_logits, fake_logits, None, None)

    def _training_images(self, batch):
        """``(images, w)`` of a batch of fresh codes, mixed per sample with a second code, and fresh noise."""
        seed = self.seed_generator
        w = self.mapping(replica_draw(keras.random.normal, (batch, self.latent_dim), seed), training=True)
        ws = ops.repeat(w[:, None, :], self.num_ws, axis=1)
        if self.style_mixing:
            other = self.mapping(replica_draw(keras.random.normal, (batch, self.latent_dim), seed), training=True)
            crossover = replica_draw(keras.random.randint, (batch, 1, 1), seed, minval=1, maxval=self.num_ws)
            mixed = replica_draw(keras.random.uniform, (batch, 1, 1), seed) < self.style_mixing
            crossover = ops.where(mixed, crossover, self.num_ws)
            ws = ops.where(ops.arange(self.num_ws)[None, :, None] < crossover, ws, other[:, None, :])
        noise = replica_draw(keras.random.normal, (batch, *self.noise_shape), seed)
        return self.synthesis([ws, noise], training=True), w

    def _r1_step(self, real):
        with tf.GradientTape() as tape:
            penalty = r1_penalty(self.discriminator, real)
            loss = global_mean(0.5 * self.r1_gamma * self.r1_interval * penalty)
        weights = self.discriminator.trainable_weights
        gradients = tape.gradient(self.d_optimizer.scale_loss(loss), weights)
        # the last bias shifts every logit alike: it has no slope at the data, so no R1 gradient
        self.d_optimizer.apply_gradients([(g, w) for g, w in zip(gradients, weights) if g is not None])
        self.r1_tracker.update_state(penalty)

    def _update_average_state(self, generator_input):
        """The moving average samples from the generator's average w; its fixed noise maps never change."""
        self.ema_generator.get_layer("truncation").w_average.assign(self.truncation.w_average)

    def get_config(self):
        return {**super().get_config(), "style_mixing": self.style_mixing, "w_avg_beta": self.w_avg_beta}

    def get_compile_config(self):
        """Both optimizers (their state saved with the weights), the loss and R1 settings, ``jit_compile`` and
        ``steps_per_execution``."""
        return saved_compile_config(self, OPTIMIZERS, loss=self.loss, r1_gamma=self.r1_gamma,
                                    r1_interval=self.r1_interval)

    def compile_from_config(self, config):
        compile_from_saved(self, config, OPTIMIZERS)
