"""The CycleGAN trainer: a ``keras.Model`` that learns two image translations from unpaired images."""

import keras
import tensorflow as tf
from keras import ops

from core_tf.distribute import global_mean
from gan_tf.gan import default_optimizer
from gan_tf.image_pool import ImagePool
from gan_tf.losses import (
    cycle_consistency_loss,
    identity_loss,
    least_squares_discriminator_loss,
    least_squares_generator_loss,
    semantic_consistency_loss,
)
from gan_tf.optimizers import compile_from_saved, saved_compile_config

__all__ = ["CycleGAN"]

OPTIMIZERS = ("g_ab_optimizer", "g_ba_optimizer", "d_a_optimizer", "d_b_optimizer")
NETWORKS = ("generator_ab", "generator_ba", "discriminator_a", "discriminator_b", "semantic_classifier")


@keras.saving.register_keras_serializable(package="gan_tf")
class CycleGAN(keras.Model):
    """Trains ``G: A -> B`` and ``F: B -> A`` with ``fit`` on ``(a, b)`` batches; calling it translates A to B.

    Zhu et al. 2017, "Unpaired Image-to-Image Translation using Cycle-Consistent Adversarial
    Networks". The generators minimise least-squares adversarial terms against ``D_B`` and
    ``D_A`` (Mao et al. 2017), ``cycle_weight`` times the cycle-consistency losses of both round
    trips, and ``identity_weight * cycle_weight`` times the identity losses (each generator fed
    an image of its target domain). With a ``semantic_classifier`` of domain A, ``semantic_weight``
    times CyCADA's semantic consistency (Hoffman et al. 2018) asks that it read ``G(a)`` as it reads
    ``a``. The discriminators train on real images against images
    from an ``ImagePool`` of earlier translations. Each ``train_step`` updates both generators
    from one forward pass (one ``tf.GradientTape``), then both discriminators; Keras compiles
    it into a ``tf.function``.

    Logged, as epoch means: ``g_loss`` (the generators' total), ``adversarial_ab`` and
    ``adversarial_ba`` (each generator's adversarial term), ``cycle_loss`` (both round trips),
    ``identity_loss`` and ``semantic_loss`` (when weighted), ``d_a_loss`` and ``d_b_loss``.

    Args:
        generator_ab: ``G``, mapping ``(batch, h, w, c)`` images of domain A to domain B.
        generator_ba: ``F``, mapping B to A.
        discriminator_a: ``D_A``, judging A images (real ones against ``F``'s), logits of any shape per image.
        discriminator_b: ``D_B``, judging B images against ``G``'s.
        image_shape: ``(height, width, channels)`` of the training images (the pools' shape).
        pool_size: earlier translations each pool keeps (50 in the paper; 0 for none).
        seed: seed of the pools' choices.
        semantic_classifier: a fixed classifier of A images (class probabilities), trained on A's labels, for the
            semantic term; never trained here. It must not be the network that scores the translation.
    """

    def __init__(self, generator_ab, generator_ba, discriminator_a, discriminator_b, image_shape, pool_size=50,
                 seed=None, semantic_classifier=None, **kwargs):
        super().__init__(**kwargs)
        self.generator_ab, self.generator_ba = generator_ab, generator_ba
        self.discriminator_a, self.discriminator_b = discriminator_a, discriminator_b
        self.image_shape = tuple(int(d) for d in image_shape)
        self.pool_size, self.seed = pool_size, seed
        self.semantic_classifier = semantic_classifier
        if semantic_classifier is not None:
            semantic_classifier.trainable = False
        self.pool_a = ImagePool(pool_size, seed=seed, name="pool_a")
        self.pool_b = ImagePool(pool_size, seed=None if seed is None else seed + 1, name="pool_b")
        for pool in (self.pool_a, self.pool_b):
            pool.build((None, *self.image_shape))
        self.trackers = {name: keras.metrics.Mean(name=name) for name in (
            "g_loss", "adversarial_ab", "adversarial_ba", "cycle_loss", "identity_loss", "semantic_loss", "d_a_loss",
            "d_b_loss")}
        self.built = True  # the networks arrive built

    def compile(self, g_ab_optimizer=None, g_ba_optimizer=None, d_a_optimizer=None, d_b_optimizer=None,
                cycle_weight=10.0, identity_weight=0.5, semantic_weight=0.0, **kwargs):
        """Configures training.

        Args:
            g_ab_optimizer, g_ba_optimizer, d_a_optimizer, d_b_optimizer: one per network; default
                Adam(2e-4, beta_1=0.5), the paper's.
            cycle_weight: lambda, the weight of both cycle-consistency losses (10 in the paper).
            identity_weight: the identity losses' weight as a fraction of ``cycle_weight`` (0.5 in
                the paper; 0 where the identity fights the task, as for an inversion).
            semantic_weight: the weight of the semantic consistency term (1 in CyCADA); needs a
                ``semantic_classifier``.
            **kwargs: passed to ``keras.Model.compile`` (``jit_compile``, ``steps_per_execution``, ...).
        """
        if min(cycle_weight, identity_weight, semantic_weight) < 0:
            raise ValueError(f"cycle_weight, identity_weight and semantic_weight must be at least 0, got "
                             f"{cycle_weight}, {identity_weight} and {semantic_weight}")
        if semantic_weight and self.semantic_classifier is None:
            raise ValueError("semantic_weight needs a semantic_classifier of domain A")
        super().compile(**kwargs)
        given = (g_ab_optimizer, g_ba_optimizer, d_a_optimizer, d_b_optimizer)
        networks = (self.generator_ab, self.generator_ba, self.discriminator_a, self.discriminator_b)
        for name, optimizer, network in zip(OPTIMIZERS, given, networks):
            optimizer = optimizer or default_optimizer()
            optimizer.build(network.trainable_variables)
            setattr(self, name, optimizer)
        self.cycle_weight, self.identity_weight, self.semantic_weight = cycle_weight, identity_weight, semantic_weight

    @property
    def metrics(self):
        weights = {"identity_loss": getattr(self, "identity_weight", 0),
                   "semantic_loss": getattr(self, "semantic_weight", 0)}
        return [tracker for name, tracker in self.trackers.items() if weights.get(name, 1)]

    def call(self, images, training=False):
        return self.generator_ab(images, training=training)

    def train_step(self, data):
        real_a, real_b = data
        generators = self.generator_ab.trainable_variables + self.generator_ba.trainable_variables
        with tf.GradientTape() as tape:
            losses, fake_a, fake_b = self._generator_losses(real_a, real_b, training=True)
            scaled = global_mean(losses["g_loss"])  # this replica's share of the global batch's mean
        gradients = tape.gradient(scaled, generators)
        split = len(self.generator_ab.trainable_variables)
        self.g_ab_optimizer.apply_gradients(zip(gradients[:split], generators[:split]))
        self.g_ba_optimizer.apply_gradients(zip(gradients[split:], generators[split:]))
        earlier_a, earlier_b = self.pool_a(ops.stop_gradient(fake_a)), self.pool_b(ops.stop_gradient(fake_b))
        for key, optimizer, network, real, fake in (("d_a_loss", self.d_a_optimizer, self.discriminator_a, real_a,
                                                     earlier_a),
                                                    ("d_b_loss", self.d_b_optimizer, self.discriminator_b, real_b,
                                                     earlier_b)):
            with tf.GradientTape() as tape:
                losses[key] = self._discriminator_loss(network, real, fake, training=True)
                scaled = global_mean(losses[key])
            weights = network.trainable_variables
            optimizer.apply_gradients(zip(tape.gradient(scaled, weights), weights))
        return self._track(losses)

    def test_step(self, data):
        real_a, real_b = data
        losses, fake_a, fake_b = self._generator_losses(real_a, real_b, training=False)
        losses["d_a_loss"] = self._discriminator_loss(self.discriminator_a, real_a, fake_a, training=False)
        losses["d_b_loss"] = self._discriminator_loss(self.discriminator_b, real_b, fake_b, training=False)
        return self._track(losses)

    def _generator_losses(self, real_a, real_b, training):
        """``(losses, F(b), G(a))``: the generators' objective and its terms, and both translations."""
        fake_b = self.generator_ab(real_a, training=training)
        fake_a = self.generator_ba(real_b, training=training)
        cycle = (cycle_consistency_loss(real_a, self.generator_ba(fake_b, training=training))
                 + cycle_consistency_loss(real_b, self.generator_ab(fake_a, training=training)))
        # The paper's generator term is E[(D(G(x)) - 1)^2], twice Mao et al.'s 0.5-weighted one.
        losses = {"adversarial_ab": 2.0 * least_squares_generator_loss(self.discriminator_b(fake_b, training=training)),
                  "adversarial_ba": 2.0 * least_squares_generator_loss(self.discriminator_a(fake_a, training=training)),
                  "cycle_loss": cycle}
        total = losses["adversarial_ab"] + losses["adversarial_ba"] + self.cycle_weight * cycle
        if self.identity_weight:
            losses["identity_loss"] = (identity_loss(real_b, self.generator_ab(real_b, training=training))
                                       + identity_loss(real_a, self.generator_ba(real_a, training=training)))
            total = total + self.identity_weight * self.cycle_weight * losses["identity_loss"]
        if self.semantic_weight:
            losses["semantic_loss"] = semantic_consistency_loss(self.semantic_classifier(real_a, training=False),
                                                                self.semantic_classifier(fake_b, training=False))
            total = total + self.semantic_weight * losses["semantic_loss"]
        losses["g_loss"] = total
        return losses, fake_a, fake_b

    @staticmethod
    def _discriminator_loss(network, real, fake, training):
        return least_squares_discriminator_loss(network(real, training=training), network(fake, training=training))

    def _track(self, losses):
        for name, value in losses.items():
            self.trackers[name].update_state(value)
        return {tracker.name: tracker.result() for tracker in self.metrics}

    def get_config(self):
        networks = [name for name in NETWORKS if getattr(self, name) is not None]
        return {"name": self.name, "trainable": self.trainable, "image_shape": list(self.image_shape),
                "pool_size": self.pool_size, "seed": self.seed,
                **{name: keras.saving.serialize_keras_object(getattr(self, name)) for name in networks}}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for name in NETWORKS:
            if name in config:
                config[name] = keras.saving.deserialize_keras_object(config[name])
        return cls(**config)

    def get_compile_config(self):
        """The four optimizers (their state is saved with the weights), the loss weights, ``jit_compile`` and
        ``steps_per_execution``: what ``keras.models.load_model`` needs to continue training."""
        return saved_compile_config(self, OPTIMIZERS, cycle_weight=self.cycle_weight,
                                    identity_weight=self.identity_weight, semantic_weight=self.semantic_weight)

    def compile_from_config(self, config):
        """Recompiles a loaded model; its optimizers' saved state is loaded afterwards."""
        compile_from_saved(self, config, OPTIMIZERS)
