"""The autoencoder trainer: plain, variational (with a beta) and label-conditional in one class."""

import keras
import numpy as np
from keras import layers, ops

from core_tf.distribute import global_mean, replica_draw
from gan_tf.sampling import latent_noise, num_classes_of
from vae_tf.losses import (
    bernoulli_log_likelihood,
    check_likelihood,
    gaussian_kl_divergence,
    gaussian_log_likelihood,
    likelihood_targets,
)

__all__ = ["VAE", "default_likelihood"]


def default_likelihood(image_shape):
    """``bernoulli`` for grayscale images, ``gaussian`` for colour."""
    return "bernoulli" if image_shape[-1] == 1 else "gaussian"


@keras.saving.register_keras_serializable(package="vae_tf")
class VAE(keras.Model):
    """Trains an encoder and a decoder on the negative ELBO ``-log p(x | z) + beta * KL(q(z | x) || p(z))``.

    What it is follows from the networks it receives: a variational encoder (outputs
    ``z_mean, z_log_var``) makes a VAE (Kingma & Welling 2014), a beta-VAE when ``beta != 1``
    (Higgins et al. 2017); a deterministic encoder (output ``z``) makes a plain autoencoder,
    trained on the reconstruction term alone; networks with a label input make a conditional
    VAE (Sohn et al. 2015), whose inputs are ``(images, labels)``. Every number is in nats
    per image. Images are float32 in [-1, 1]; the likelihood sees them as targets in [0, 1]
    (see ``vae_tf.losses.LIKELIHOODS``; ``binary`` binarises the encoder's input too).

    Keras' own ``train_step`` runs ``call`` and ``compute_loss``; ``evaluate`` draws its
    latent samples from a separate seed, so validation never shifts the training stream.
    Logged: ``loss`` (the objective), ``reconstruction_loss`` and, for variational models,
    ``kl_loss`` and ``negative_elbo`` (the objective at ``beta = 1``), as per-image means.

    Args:
        encoder: model from ``vae_tf.encoders``.
        decoder: model from ``vae_tf.decoders`` mapping codes to logits.
        beta: weight of the KL term.
        likelihood: a name in ``vae_tf.losses.LIKELIHOODS``.
        seed: seed of the latent samples.
    """

    def __init__(self, encoder, decoder, beta=1.0, likelihood="bernoulli", seed=None, **kwargs):
        super().__init__(**kwargs)
        if not beta >= 0:  # also rejects NaN
            raise ValueError(f"beta must be at least 0, got {beta}")
        if len(encoder.inputs) != len(decoder.inputs):
            raise ValueError("encoder and decoder must both take labels or both not: got "
                             f"{len(encoder.inputs)} and {len(decoder.inputs)} inputs")
        self.encoder = encoder
        self.decoder = decoder
        self.beta = float(beta)
        self.likelihood = check_likelihood(likelihood)
        self.seed = seed
        self.variational = len(encoder.outputs) == 2
        self.conditional = len(decoder.inputs) == 2
        self.latent_dim = int(decoder.inputs[0].shape[-1])
        self.image_shape = tuple(int(d) for d in decoder.output_shape[1:])
        self.num_classes = num_classes_of(decoder)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.eval_seed_generator = keras.random.SeedGenerator(None if seed is None else seed + 1)
        if likelihood == "gaussian":
            self.log_scale = self.add_weight(shape=(self.image_shape[-1],), initializer="zeros", name="log_scale")
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.kl_tracker = keras.metrics.Mean(name="kl_loss")
        self.elbo_tracker = keras.metrics.Mean(name="negative_elbo")
        self.built = True  # both networks arrive built

    @property
    def metrics(self):
        terms = [self.kl_tracker, self.elbo_tracker] if self.variational else []
        return [self.loss_tracker, self.reconstruction_tracker, *terms]

    def call(self, inputs, training=False):
        """One stochastic pass: images (and labels) to a dict of ``z_mean``, ``z_log_var``
        (variational models), ``z`` ``(batch, latent_dim)`` and ``logits`` ``(batch, h, w, c)``."""
        images, labels = self._unpack(inputs)
        code = self.encoder(self._with_labels(self.observe(images), labels), training=training)
        outputs = {"z": code}
        if self.variational:
            z_mean, z_log_var = code
            noise = replica_draw(keras.random.normal, ops.shape(z_mean),
                                 self.seed_generator if training else self.eval_seed_generator)
            z = z_mean + ops.exp(0.5 * z_log_var) * noise  # the reparameterisation trick
            outputs = {"z_mean": z_mean, "z_log_var": z_log_var, "z": z}
        return {**outputs, "logits": self.decoder(self._with_labels(outputs["z"], labels), training=training)}

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """Mean over the batch of ``-log p(x | z) + beta * KL`` (each replica's share of it under ``tf.distribute``);
        updates the trackers. Labels in ``y`` are ignored."""
        images, _ = self._unpack(x)
        reconstruction = -self.log_likelihood(images, y_pred["logits"])
        self.reconstruction_tracker.update_state(reconstruction)
        loss = reconstruction
        if self.variational:
            kl = gaussian_kl_divergence(y_pred["z_mean"], y_pred["z_log_var"])
            loss = reconstruction + self.beta * kl
            self.kl_tracker.update_state(kl)
            self.elbo_tracker.update_state(reconstruction + kl)
        self.loss_tracker.update_state(loss)
        return global_mean(ops.mean(loss))  # the replica's share under tf.distribute, as Keras' own losses

    def log_likelihood(self, images, logits):
        """``log p(x | z)`` per image ``(batch,)`` of images in [-1, 1] under decoder ``logits``."""
        targets = likelihood_targets(images, self.likelihood)
        if self.likelihood == "gaussian":
            return gaussian_log_likelihood(targets, ops.sigmoid(logits), self.log_scale)
        return bernoulli_log_likelihood(targets, logits)

    def posterior(self, images, labels=None):
        """``(z_mean, z_log_var)`` of ``q(z | x)``, each ``(batch, latent_dim)``; variational models only."""
        if not self.variational:
            raise ValueError("a plain autoencoder has no posterior distribution; use encode()")
        return self.encoder(self._with_labels(self.observe(images), labels), training=False)

    def encode(self, images, labels=None):
        """The code of each image ``(batch, latent_dim)``: the posterior mean (``z`` for an autoencoder)."""
        code = self.encoder(self._with_labels(self.observe(images), labels), training=False)
        return code[0] if self.variational else code

    def decode(self, z, labels=None):
        """Mean images ``(batch, h, w, c)`` in [-1, 1] of codes ``(batch, latent_dim)``."""
        return ops.tanh(0.5 * self.decoder(self._with_labels(z, labels), training=False))

    def reconstruct(self, images, labels=None):
        """``decode(encode(images))``: deterministic reconstructions in [-1, 1]."""
        return self.decode(self.encode(images, labels), labels)

    def generate(self, n, labels=None, seed=0):
        """``n`` images in [-1, 1] decoded from prior samples seeded by ``seed``; ``labels`` is one
        int for all of them or ``(n,)`` ints (conditional models)."""
        if labels is not None:
            labels = np.broadcast_to(np.asarray(labels, np.int32), (n,))
        return self.decode(latent_noise(n, self.latent_dim, seed=seed), labels)

    @property
    def sampler(self):
        """What the run's sample grids and metrics draw from: the ``generator``."""
        return self.generator

    @property
    def generator(self):
        """A plain functional model: codes ``(batch, latent_dim)`` (and labels ``(batch,)``) to mean
        images in [-1, 1]. It shares the decoder's layers; ``2 * sigmoid(l) - 1 = tanh(l / 2)``."""
        logits = self.decoder.outputs[0]
        images = layers.Activation("tanh", dtype="float32", name="images")(layers.Rescaling(0.5)(logits))
        return keras.Model(self.decoder.input, images, name="generator")

    def _unpack(self, inputs):
        if self.conditional:
            if not isinstance(inputs, (tuple, list)) or len(inputs) != 2:
                raise ValueError("a conditional VAE takes (images, labels) as its input")
            return inputs[0], inputs[1]
        return inputs, None

    def observe(self, images):
        """What the model sees of images in [-1, 1]: themselves, or binarised to -1/1 for the ``binary`` likelihood."""
        return 2.0 * likelihood_targets(images, "binary") - 1.0 if self.likelihood == "binary" else images

    def _with_labels(self, tensor, labels):
        if self.conditional and labels is None:
            raise ValueError("a conditional VAE needs labels")
        if not self.conditional and labels is not None:
            raise ValueError("an unconditional model takes no labels")
        tensor = ops.convert_to_tensor(tensor, "float32")  # Keras will not mix arrays and tensors
        return tensor if labels is None else [tensor, ops.cast(labels, "int32")]

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "encoder": keras.saving.serialize_keras_object(self.encoder),
            "decoder": keras.saving.serialize_keras_object(self.decoder),
            "beta": self.beta,
            "likelihood": self.likelihood,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        encoder = keras.saving.deserialize_keras_object(config.pop("encoder"))
        decoder = keras.saving.deserialize_keras_object(config.pop("decoder"))
        return cls(encoder, decoder, **config)
