"""The adversarial trainer: a ``keras.Model`` that trains a generator against a discriminator."""

import keras
import tensorflow as tf
from keras import ops

from gan_tf.losses import get_loss

__all__ = ["GAN", "default_optimizer"]


def default_optimizer():
    """Adam(2e-4, beta_1=0.5), the DCGAN paper's setting."""
    return keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5)


@keras.saving.register_keras_serializable(package="gan_tf")
class GAN(keras.Model):
    """Trains ``generator`` and ``discriminator`` with ``fit``; calling it generates images.

    Each ``train_step`` is the TensorFlow DCGAN tutorial's simultaneous update: one forward
    pass of both networks on a batch of real images and a batch of fakes, one
    ``tf.GradientTape`` per network, each optimizer updating only its own network. Keras
    compiles the step into a ``tf.function``.

    Logged: ``d_loss``, ``g_loss``, and the discriminator's accuracy on real
    (``d_real_accuracy``) and fake (``d_fake_accuracy``) images, as epoch means.

    Args:
        generator: model mapping ``(batch, latent_dim)`` noise to ``(batch, h, w, c)`` images.
        discriminator: model mapping ``(batch, h, w, c)`` images to ``(batch, 1)`` logits.
        seed: seed of the training noise.
    """

    def __init__(self, generator, discriminator, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.seed = seed
        self.latent_dim = int(generator.input_shape[-1])
        self.seed_generator = keras.random.SeedGenerator(seed)
        # evaluate() draws its own noise, so validation never shifts the training stream
        self.eval_seed_generator = keras.random.SeedGenerator(None if seed is None else seed + 1)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.real_accuracy_tracker = keras.metrics.Mean(name="d_real_accuracy")
        self.fake_accuracy_tracker = keras.metrics.Mean(name="d_fake_accuracy")
        self.built = True  # both networks arrive built

    def compile(self, d_optimizer=None, g_optimizer=None, loss="nonsaturating", **kwargs):
        """Configures training.

        Args:
            d_optimizer: discriminator optimizer; default Adam(2e-4, beta_1=0.5).
            g_optimizer: generator optimizer; default Adam(2e-4, beta_1=0.5).
            loss: name of a loss pair in ``gan_tf.losses.LOSSES``.
            **kwargs: passed to ``keras.Model.compile`` (``jit_compile``, ``steps_per_execution``, ...).
        """
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer or default_optimizer()
        self.g_optimizer = g_optimizer or default_optimizer()
        self.loss = loss
        self.d_loss_fn, self.g_loss_fn = get_loss(loss)

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker, self.real_accuracy_tracker, self.fake_accuracy_tracker]

    def call(self, noise, training=False):
        return self.generator(noise, training=training)

    def train_step(self, data):
        real = _images_of(data)
        noise = keras.random.normal((ops.shape(real)[0], self.latent_dim), seed=self.seed_generator)
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake = self.generator(noise, training=True)
            real_logits = self.discriminator(real, training=True)
            fake_logits = self.discriminator(fake, training=True)
            d_loss = self.d_loss_fn(real_logits, fake_logits)
            g_loss = self.g_loss_fn(fake_logits)
        _apply(self.d_optimizer, d_tape, d_loss, self.discriminator)
        _apply(self.g_optimizer, g_tape, g_loss, self.generator)
        return self._track(d_loss, g_loss, real_logits, fake_logits)

    def test_step(self, data):
        real = _images_of(data)
        noise = keras.random.normal((ops.shape(real)[0], self.latent_dim), seed=self.eval_seed_generator)
        real_logits = self.discriminator(real, training=False)
        fake_logits = self.discriminator(self.generator(noise, training=False), training=False)
        return self._track(self.d_loss_fn(real_logits, fake_logits), self.g_loss_fn(fake_logits),
                           real_logits, fake_logits)

    def _track(self, d_loss, g_loss, real_logits, fake_logits):
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.real_accuracy_tracker.update_state(ops.cast(real_logits > 0, "float32"))
        self.fake_accuracy_tracker.update_state(ops.cast(fake_logits < 0, "float32"))
        return {m.name: m.result() for m in self.metrics}

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        generator = keras.saving.deserialize_keras_object(config.pop("generator"))
        discriminator = keras.saving.deserialize_keras_object(config.pop("discriminator"))
        return cls(generator, discriminator, **config)

    def get_compile_config(self):
        """What ``keras.models.load_model`` needs to compile the model again.

        Both optimizers (with their state, saved with the weights), the loss name,
        ``jit_compile`` and ``steps_per_execution``. Other ``compile`` keyword arguments are
        not saved; pass them to ``compile`` again after loading.
        """
        if not self.compiled:
            return None
        return {
            "d_optimizer": keras.saving.serialize_keras_object(self.d_optimizer),
            "g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer),
            "loss": self.loss,
            "jit_compile": self.jit_compile,
            "steps_per_execution": self.steps_per_execution,
            "optimizers_built": self.d_optimizer.built and self.g_optimizer.built,
        }

    def compile_from_config(self, config):
        """Recompiles a loaded model; builds the optimizers when their saved state has variables to load."""
        self.compile(
            d_optimizer=keras.saving.deserialize_keras_object(config["d_optimizer"]),
            g_optimizer=keras.saving.deserialize_keras_object(config["g_optimizer"]),
            loss=config["loss"],
            jit_compile=config["jit_compile"],
            steps_per_execution=config["steps_per_execution"],
        )
        if config["optimizers_built"]:
            self.d_optimizer.build(self.discriminator.trainable_variables)
            self.g_optimizer.build(self.generator.trainable_variables)


def _images_of(data):
    """Real images from a batch that may carry labels (ignored by the unconditional GAN)."""
    return data[0] if isinstance(data, (tuple, list)) else data


def _apply(optimizer, tape, loss, network):
    weights = network.trainable_weights
    optimizer.apply_gradients(zip(tape.gradient(loss, weights), weights))
