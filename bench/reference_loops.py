"""Plain re-implementations of the two training loops the package is measured against.

``TutorialLoop``: the TensorFlow DCGAN tutorial's loop (https://www.tensorflow.org/tutorials/generative/dcgan):
one ``@tf.function`` step with two tapes, cross-entropy on logits, Adam(1e-4) for both
networks, data from ``from_tensor_slices().shuffle().batch()``. With ``lr=2e-4, beta_1=0.5`` and
batch 128 it is the plain loop of the DCGAN paper's settings (Radford et al. 2016).

``TrainOnBatchLoop``: the ``train_on_batch`` loop of the guide's CIFAR-10 GAN project:
the discriminator is compiled on its own, frozen inside a compiled ``Sequential(generator,
discriminator)``, and each iteration trains it on half a batch of real images, then on half
a batch of generated ones (``generator.predict``), then trains the generator through the
combined model on a full batch of noise; Adam(2e-4, beta_1=0.5) and binary cross-entropy.
``cifar_project_networks`` builds that project's networks. Under Keras 3 the project's code as
written never changes its discriminator (the ``trainable = False`` set after compiling it
also freezes it for its own ``train_on_batch``), so the loop sets ``trainable`` before each
call, and ``check_updates`` confirms a step changes both networks.

Both expose ``run(steps)``, returning the wall-clock time after every step.
"""

import time

import keras
import numpy as np
import tensorflow as tf
from keras import layers


def cifar_project_networks(latent_dim=100, sigmoid=True):
    """The CIFAR-10 GAN project's generator and discriminator (logits, not a sigmoid, when ``sigmoid`` is False)."""
    generator = keras.Sequential([
        keras.Input((latent_dim,)),
        layers.Dense(128 * 8 * 8), layers.LeakyReLU(negative_slope=0.2), layers.Reshape((8, 8, 128)),
        layers.Conv2DTranspose(128, 4, strides=2, padding="same"), layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2DTranspose(128, 4, strides=2, padding="same"), layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2D(3, 8, activation="tanh", padding="same", dtype="float32"),
    ], name="generator")
    discriminator = keras.Sequential([
        keras.Input((32, 32, 3)),
        layers.Conv2D(128, 3, strides=2, padding="same"), layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2D(128, 3, strides=2, padding="same"), layers.LeakyReLU(negative_slope=0.2),
        layers.Flatten(), layers.Dropout(0.4),
        layers.Dense(1, activation="sigmoid" if sigmoid else None, dtype="float32"),
    ], name="discriminator")
    return generator, discriminator


class TutorialLoop:
    """The TensorFlow DCGAN tutorial's training loop over ``images`` (float32 in [-1, 1])."""

    def __init__(self, generator, discriminator, images, batch_size=256, latent_dim=100, lr=1e-4, beta_1=0.9):
        self.generator, self.discriminator = generator, discriminator
        self.batch_size, self.latent_dim = batch_size, latent_dim
        self.cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)
        self.generator_optimizer = keras.optimizers.Adam(lr, beta_1=beta_1)
        self.discriminator_optimizer = keras.optimizers.Adam(lr, beta_1=beta_1)
        self.dataset = tf.data.Dataset.from_tensor_slices(images).shuffle(len(images)).batch(batch_size)
        self.train_step = tf.function(self._train_step)

    def _train_step(self, images):
        noise = tf.random.normal([self.batch_size, self.latent_dim])
        with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
            generated_images = self.generator(noise, training=True)
            real_output = self.discriminator(images, training=True)
            fake_output = self.discriminator(generated_images, training=True)
            gen_loss = self.cross_entropy(tf.ones_like(fake_output), fake_output)
            disc_loss = (self.cross_entropy(tf.ones_like(real_output), real_output)
                         + self.cross_entropy(tf.zeros_like(fake_output), fake_output))
        generator_gradients = gen_tape.gradient(gen_loss, self.generator.trainable_variables)
        discriminator_gradients = disc_tape.gradient(disc_loss, self.discriminator.trainable_variables)
        self.generator_optimizer.apply_gradients(zip(generator_gradients, self.generator.trainable_variables))
        self.discriminator_optimizer.apply_gradients(
            zip(discriminator_gradients, self.discriminator.trainable_variables))
        return gen_loss, disc_loss

    def train_epoch(self, after_step=None):
        """One pass over the data as the tutorial trains it, its last, smaller batch included;
        ``after_step()`` runs after every step and stops the epoch early by returning True."""
        for image_batch in self.dataset:
            self.train_step(image_batch)
            if after_step is not None and after_step():
                return

    def run(self, steps):
        times = []
        while len(times) < steps:
            for image_batch in self.dataset:
                if len(image_batch) < self.batch_size:  # the tutorial's last, smaller batch
                    continue
                self.train_step(image_batch)
                times.append(time.perf_counter())
                if len(times) == steps:
                    break
        return times


class TrainOnBatchLoop:
    """The CIFAR-10 GAN project's ``train_on_batch`` loop over ``images`` (float32 in [-1, 1])."""

    def __init__(self, generator, discriminator, images, batch_size=128, latent_dim=100, seed=0):
        self.generator, self.discriminator = generator, discriminator
        self.images, self.batch_size, self.latent_dim = images, batch_size, latent_dim
        self.rng = np.random.default_rng(seed)
        discriminator.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
                              metrics=["accuracy"])
        discriminator.trainable = False
        self.gan = keras.Sequential([generator, discriminator])
        self.gan.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))

    def _latent_points(self, n):
        return self.rng.standard_normal((n, self.latent_dim)).astype("float32")

    def step(self):
        half = self.batch_size // 2
        real = self.images[self.rng.integers(0, len(self.images), half)]
        self.discriminator.trainable = True
        self.discriminator.train_on_batch(real, np.ones((half, 1)))
        fake = self.generator.predict(self._latent_points(half), verbose=0)
        self.discriminator.train_on_batch(fake, np.zeros((half, 1)))
        self.discriminator.trainable = False
        self.gan.train_on_batch(self._latent_points(self.batch_size), np.ones((self.batch_size, 1)))

    def check_updates(self):
        """Runs one step; raises ``RuntimeError`` unless it changed both networks."""
        before = [[w.numpy().copy() for w in net.weights] for net in (self.generator, self.discriminator)]
        self.step()
        for name, old, net in zip(("generator", "discriminator"), before, (self.generator, self.discriminator)):
            if all(np.array_equal(a, w.numpy()) for a, w in zip(old, net.weights)):
                raise RuntimeError(f"the train_on_batch loop left the {name} untrained")

    def run(self, steps):
        times = []
        for _ in range(steps):
            self.step()
            times.append(time.perf_counter())
        return times
