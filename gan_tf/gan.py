"""The adversarial trainer: a ``keras.Model`` that trains a generator against a discriminator."""

import keras
import tensorflow as tf
from keras import ops

from core_tf.distribute import apply_if, global_mean, num_replicas, replica_draw, replica_head
from gan_tf.losses import SMOOTHABLE_LOSSES, get_loss, gradient_penalty, r1_penalty
from gan_tf.optimizers import adam_moments, compile_from_saved, saved_compile_config

__all__ = ["GAN", "default_optimizer"]

OPTIMIZERS = ("d_optimizer", "g_optimizer")
AVERAGE_STATISTICS_SAMPLES = 32  # samples per step from which the moving average's batch-norm statistics come


def default_optimizer():
    """Adam(2e-4, beta_1=0.5), the DCGAN paper's setting."""
    return keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5)


@keras.saving.register_keras_serializable(package="gan_tf")
class GAN(keras.Model):
    """Trains ``generator`` and ``discriminator`` with ``fit``; calling it generates samples.

    One class covers the family: the loss pair, ``d_steps`` and the gradient penalties set in
    ``compile`` make it a DCGAN, an LSGAN, a hinge GAN, a WGAN-GP or an R1-regularised GAN; a
    generator with a second (label) input makes it a conditional GAN (Mirza & Osindero 2014),
    trained on ``(images, labels)`` batches with the real labels given to both networks.

    Each ``train_step`` is one discriminator update from one forward pass of both networks
    (one ``tf.GradientTape`` per network, as in the TensorFlow DCGAN tutorial); every
    ``d_steps``-th step also updates the generator from the same pass. Keras compiles the step
    into a ``tf.function``.

    Logged, as epoch means: ``d_loss`` (with the penalties), ``g_loss``; the discriminator's
    accuracy on real (``d_real_accuracy``) and generated (``d_fake_accuracy``) samples, or for
    the Wasserstein loss the critic's estimate of the distance (``critic_gap``); and
    ``gradient_penalty`` and ``r1_penalty`` when they are used.

    Args:
        generator: model mapping ``(batch, latent_dim)`` noise (and ``(batch,)`` labels) to samples.
        discriminator: model mapping samples (and labels) to ``(batch, 1)`` logits or scores.
        seed: seed of the training noise.
        ema_decay: keep an exponential moving average of the generator's weights with this
            decay (e.g. 0.999; Yazici et al. 2019) in ``ema_generator``, used by ``sampler``.
            The decay warms up as in TensorFlow's ``ExponentialMovingAverage`` with ``num_updates``:
            ``min(ema_decay, (1 + t) / (10 + t))`` at generator update t, so the average of a short
            run is not held back by the initial weights. Only the trainable weights are averaged:
            the average's batch-norm statistics are its own, tracked from a forward pass of it on
            the first 32 samples of each generator step's noise (the averaged weights give other
            activations than the generator's, so its statistics would leave the samples washed out).
    """

    def __init__(self, generator, discriminator, seed=None, ema_decay=None, **kwargs):
        super().__init__(**kwargs)
        if ema_decay is not None and not 0 < ema_decay < 1:
            raise ValueError(f"ema_decay must be in (0, 1), got {ema_decay}")
        self.generator = generator
        self.discriminator = discriminator
        self.seed = seed
        self.ema_decay = ema_decay
        self.latent_dim = int(generator.inputs[0].shape[-1])
        self.conditional = len(generator.inputs) == 2
        self.ema_generator = None
        if ema_decay is not None:
            self.ema_generator = keras.models.clone_model(generator)
            self.ema_generator.set_weights(generator.get_weights())
        self.seed_generator = keras.random.SeedGenerator(seed)
        # evaluate() draws its own noise, so validation never shifts the training stream
        self.eval_seed_generator = keras.random.SeedGenerator(None if seed is None else seed + 1)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.real_accuracy_tracker = keras.metrics.Mean(name="d_real_accuracy")
        self.fake_accuracy_tracker = keras.metrics.Mean(name="d_fake_accuracy")
        self.critic_gap_tracker = keras.metrics.Mean(name="critic_gap")
        self.penalty_tracker = keras.metrics.Mean(name="gradient_penalty")
        self.r1_tracker = keras.metrics.Mean(name="r1_penalty")
        self.built = True  # both networks arrive built

    @property
    def sampler(self):
        """The generator to draw samples from: the moving average when there is one."""
        return self.ema_generator or self.generator

    def compile(self, d_optimizer=None, g_optimizer=None, loss="nonsaturating", d_steps=1, gp_weight=0.0,
                r1_gamma=0.0, label_smoothing=0.0, instance_noise=0.0, instance_noise_steps=0, unrolled_steps=0,
                **kwargs):
        """Configures training.

        Args:
            d_optimizer: discriminator optimizer; default Adam(2e-4, beta_1=0.5).
            g_optimizer: generator optimizer; default Adam(2e-4, beta_1=0.5). Different
                learning rates for the two give the two time-scale rule (Heusel et al. 2017).
            loss: name of a loss pair in ``gan_tf.losses.LOSSES``.
            d_steps: discriminator updates per generator update (WGAN-GP: 5).
            gp_weight: weight of the gradient penalty (WGAN-GP: 10); 0 for none.
            r1_gamma: gamma of the R1 penalty ``gamma / 2 * E[||grad D(x)||^2]`` on real samples,
                taken before instance noise (Mescheder et al. 2018: 10); 0 for none.
            label_smoothing: one-sided label smoothing of the real target (e.g. 0.1).
            instance_noise: standard deviation of Gaussian noise added to every sample the
                discriminator sees (Sønderby et al. 2017), annealed linearly to 0 over
                ``instance_noise_steps`` discriminator steps (0: kept constant).
            instance_noise_steps: length of that annealing.
            unrolled_steps: train the generator against the discriminator as it will be
                after this many more Adam steps on the current batch, differentiating
                through them (Metz et al. 2017, "Unrolled GANs"); 0 for none. The simulated
                steps continue the optimizer's moments and leave the real discriminator as it is.
            **kwargs: passed to ``keras.Model.compile`` (``jit_compile``, ``steps_per_execution``, ...).
        """
        d_loss_fn, g_loss_fn = get_loss(loss)
        if d_steps < 1:
            raise ValueError(f"d_steps must be at least 1, got {d_steps}")
        for name, value in (("gp_weight", gp_weight), ("r1_gamma", r1_gamma), ("instance_noise", instance_noise),
                            ("instance_noise_steps", instance_noise_steps)):
            if value < 0:
                raise ValueError(f"{name} must be at least 0, got {value}")
        if not 0 <= label_smoothing < 1:
            raise ValueError(f"label_smoothing must be in [0, 1), got {label_smoothing}")
        if unrolled_steps < 0:
            raise ValueError(f"unrolled_steps must be at least 0, got {unrolled_steps}")
        if label_smoothing and loss not in SMOOTHABLE_LOSSES:
            raise ValueError(f"label smoothing needs a loss with a real target ({', '.join(SMOOTHABLE_LOSSES)}), "
                             f"got {loss!r}")
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer or default_optimizer()
        self.g_optimizer = g_optimizer or default_optimizer()
        if unrolled_steps and not isinstance(self.d_optimizer, keras.optimizers.Adam):
            raise ValueError("unrolled steps simulate plain Adam: give the discriminator a keras.optimizers.Adam, "
                             "not another optimizer or a LossScaleOptimizer")
        if unrolled_steps and num_replicas() > 1:
            raise ValueError("unrolled steps simulate the discriminator's updates on one replica's share of the "
                             "batch, not on the global batch; train an unrolled GAN on one device")
        # Built now, so a generator update inside a conditional branch creates no variables.
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)
        self.loss, self.d_steps, self.gp_weight, self.r1_gamma = loss, d_steps, gp_weight, r1_gamma
        self.label_smoothing, self.instance_noise, self.instance_noise_steps = (
            label_smoothing, instance_noise, instance_noise_steps)
        self.unrolled_steps = unrolled_steps
        self.d_loss_fn, self.g_loss_fn = d_loss_fn, g_loss_fn

    @property
    def metrics(self):
        trackers = [self.d_loss_tracker, self.g_loss_tracker]
        if getattr(self, "loss", None) == "wasserstein":
            trackers.append(self.critic_gap_tracker)
        else:
            trackers += [self.real_accuracy_tracker, self.fake_accuracy_tracker]
        if getattr(self, "gp_weight", 0):
            trackers.append(self.penalty_tracker)
        if getattr(self, "r1_gamma", 0):
            trackers.append(self.r1_tracker)
        return trackers

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    def train_step(self, data):
        real, labels = self._unpack(data)
        batch = ops.shape(real)[0]
        noise = replica_draw(keras.random.normal, (batch, self.latent_dim), self.seed_generator)
        generator_input = self._with_labels(noise, labels)
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake = self.generator(generator_input, training=True)
            real_input = self._with_labels(self._noisy(real), labels)
            fake_input = self._with_labels(self._noisy(fake), labels)
            real_logits = self.discriminator(real_input, training=True)
            fake_logits = self.discriminator(fake_input, training=True)
            d_loss = self._discriminator_loss(real_logits, fake_logits)
            penalty = None
            if self.gp_weight:
                epsilon = replica_draw(keras.random.uniform, (batch,), self.seed_generator)
                penalty = gradient_penalty(self.discriminator, real, ops.stop_gradient(fake), epsilon, labels)
                d_loss = d_loss + self.gp_weight * penalty
            r1 = None
            if self.r1_gamma:
                r1 = r1_penalty(self.discriminator, real, labels)
                d_loss = d_loss + 0.5 * self.r1_gamma * r1
            if self.unrolled_steps:
                g_loss = self.g_loss_fn(self._unrolled_fake_logits(real_input, fake_input))
            else:
                g_loss = self.g_loss_fn(fake_logits)
            # each replica's share of the global mean; a LossScaleOptimizer (float16) also scales for float16
            d_scaled = self.d_optimizer.scale_loss(global_mean(d_loss))
            g_scaled = self.g_optimizer.scale_loss(global_mean(g_loss))
        _apply(self.d_optimizer, d_tape, d_scaled, self.discriminator)

        def generator_step():  # its gradients, computed only on the steps where the generator updates
            return g_tape.gradient(g_scaled, self.generator.trainable_weights), generator_input

        if self.d_steps == 1:
            self._update_generator(*generator_step())
        else:
            apply_if(self.d_optimizer.iterations % self.d_steps == 0, self._update_generator, generator_step)
        return self._track(d_loss, g_loss, real_logits, fake_logits, penalty, r1)

    def test_step(self, data):
        real, labels = self._unpack(data)
        noise = replica_draw(keras.random.normal, (ops.shape(real)[0], self.latent_dim), self.eval_seed_generator)
        fake = self.generator(self._with_labels(noise, labels), training=False)
        real_logits = self.discriminator(self._with_labels(real, labels), training=False)
        fake_logits = self.discriminator(self._with_labels(fake, labels), training=False)
        return self._track(self._discriminator_loss(real_logits, fake_logits), self.g_loss_fn(fake_logits),
                           real_logits, fake_logits, None, None)

    def _unpack(self, data):
        """``(samples, labels)``; labels are ``None`` for an unconditional GAN, which ignores them."""
        if isinstance(data, (tuple, list)):
            real, labels = data[0], data[1] if len(data) > 1 else None
        else:
            real, labels = data, None
        if not self.conditional:
            return real, None
        if labels is None:
            raise ValueError("a conditional GAN trains on (images, labels) batches; the data has no labels")
        return real, ops.cast(ops.reshape(labels, (-1,)), "int32")

    def _with_labels(self, x, labels):
        return x if labels is None else [x, labels]

    def _noisy(self, samples):
        """``samples`` plus the instance noise of this step (unchanged without instance noise)."""
        if not self.instance_noise:
            return samples
        scale = self.instance_noise
        if self.instance_noise_steps:
            progress = ops.cast(self.d_optimizer.iterations, "float32") / self.instance_noise_steps
            scale = scale * ops.maximum(0.0, 1.0 - progress)
        return samples + scale * replica_draw(keras.random.normal, ops.shape(samples), self.seed_generator)

    def _unrolled_fake_logits(self, real_input, fake_input):
        """The discriminator's logits on ``fake_input`` after ``unrolled_steps`` simulated Adam steps.

        The steps continue the discriminator optimizer's own moments on tensor copies of the
        weights (``stateless_call``) inside the generator's tape, so the generator's gradient
        flows through them (through the first moment; the second only scales the steps).
        The penalties are left out of them.
        """
        optimizer, network = self.d_optimizer, self.discriminator
        beta_1, beta_2, epsilon = optimizer.beta_1, optimizer.beta_2, optimizer.epsilon
        learning_rate = ops.cast(optimizer.learning_rate, "float32")
        first, second = adam_moments(optimizer, network.trainable_variables)
        weights = [tf.identity(v.value) for v in network.trainable_variables]
        others = [tf.identity(v.value) for v in network.non_trainable_variables]
        done = ops.cast(optimizer.iterations, "float32")
        for step in range(1, self.unrolled_steps + 1):
            with tf.GradientTape() as tape:
                tape.watch(weights)
                real_logits, _ = network.stateless_call(weights, others, real_input, training=True)
                fake_logits, _ = network.stateless_call(weights, others, fake_input, training=True)
                loss = self._discriminator_loss(real_logits, fake_logits)
            gradients = tape.gradient(loss, weights)
            first = [beta_1 * m + (1 - beta_1) * g for m, g in zip(first, gradients)]
            second = [beta_2 * v + (1 - beta_2) * ops.stop_gradient(g * g) for v, g in zip(second, gradients)]
            t = done + step
            scale = learning_rate * ops.sqrt(1 - beta_2**t) / (1 - beta_1**t)
            weights = [w - scale * m / (ops.sqrt(v) + epsilon) for w, m, v in zip(weights, first, second)]
        logits, _ = network.stateless_call(weights, others, fake_input, training=True)
        return logits

    def _discriminator_loss(self, real_logits, fake_logits):
        if self.label_smoothing:
            return self.d_loss_fn(real_logits, fake_logits, label_smoothing=self.label_smoothing)
        return self.d_loss_fn(real_logits, fake_logits)

    def _update_generator(self, gradients, generator_input):
        self.g_optimizer.apply_gradients(zip(gradients, self.generator.trainable_weights))
        if self.ema_generator is not None:
            updates = ops.cast(self.g_optimizer.iterations, "float32")
            decay = ops.minimum(self.ema_decay, (1.0 + updates) / (10.0 + updates))
            for average, weight in zip(self.ema_generator.trainable_weights, self.generator.trainable_weights):
                average.assign(decay * average + (1.0 - decay) * weight)
            self._update_average_state(generator_input)

    def _update_average_state(self, generator_input):
        """Brings the moving average's non-trainable state up to date: its batch-norm statistics, from a forward
        pass of it on the first ``AVERAGE_STATISTICS_SAMPLES`` of the step's noise (its moving statistics average
        about a hundred steps, so a larger slice only adds the cost of a forward pass)."""
        if self.ema_generator.non_trainable_weights:
            head = keras.tree.map_structure(lambda x: replica_head(x, AVERAGE_STATISTICS_SAMPLES), generator_input)
            self.ema_generator(head, training=True)

    def _track(self, d_loss, g_loss, real_logits, fake_logits, penalty, r1):
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        if self.loss == "wasserstein":
            self.critic_gap_tracker.update_state(ops.mean(real_logits) - ops.mean(fake_logits))
        else:
            threshold = 0.5 if self.loss == "least-squares" else 0.0  # the decision boundary
            self.real_accuracy_tracker.update_state(ops.cast(real_logits > threshold, "float32"))
            self.fake_accuracy_tracker.update_state(ops.cast(fake_logits < threshold, "float32"))
        if penalty is not None:
            self.penalty_tracker.update_state(penalty)
        if r1 is not None:
            self.r1_tracker.update_state(r1)
        return {m.name: m.result() for m in self.metrics}

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "seed": self.seed,
            "ema_decay": self.ema_decay,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        generator = keras.saving.deserialize_keras_object(config.pop("generator"))
        discriminator = keras.saving.deserialize_keras_object(config.pop("discriminator"))
        return cls(generator, discriminator, **config)

    def get_compile_config(self):
        """What ``keras.models.load_model`` needs to compile the model again.

        Both optimizers (with their state, saved with the weights), the loss and training
        settings, ``jit_compile`` and ``steps_per_execution``. Other ``compile`` keyword
        arguments are not saved; pass them to ``compile`` again after loading.
        """
        return saved_compile_config(
            self, OPTIMIZERS, loss=self.loss, d_steps=self.d_steps, gp_weight=self.gp_weight, r1_gamma=self.r1_gamma,
            label_smoothing=self.label_smoothing, instance_noise=self.instance_noise,
            instance_noise_steps=self.instance_noise_steps, unrolled_steps=self.unrolled_steps)

    def compile_from_config(self, config):
        """Recompiles a loaded model; its optimizers' saved state is loaded afterwards."""
        compile_from_saved(self, config, OPTIMIZERS)


def _apply(optimizer, tape, loss, network):
    weights = network.trainable_weights
    optimizer.apply_gradients(zip(tape.gradient(loss, weights), weights))
