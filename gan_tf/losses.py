"""GAN losses as pure functions of discriminator outputs, the gradient penalties, a registry, the
image-to-image losses of translation models (cycle consistency, identity, semantic consistency) and
the content losses of super-resolution (pixel, perceptual).

Every loss takes raw logits / critic scores (no sigmoid), computes in float32 and returns a
scalar. Discriminator losses with a target for real images take ``label_smoothing``: the
one-sided smoothing of Salimans et al. 2016 (real target ``1 - label_smoothing``).
"""

import keras
import tensorflow as tf
from keras import ops

__all__ = [
    "LOSSES", "SMOOTHABLE_LOSSES", "cycle_consistency_loss", "get_loss", "gradient_penalty", "identity_loss",
    "hinge_discriminator_loss",
    "hinge_generator_loss", "least_squares_discriminator_loss", "least_squares_generator_loss",
    "minimax_discriminator_loss", "minimax_generator_loss", "nonsaturating_generator_loss", "PIXEL_LOSSES",
    "perceptual_loss", "pixel_loss", "r1_penalty", "semantic_consistency_loss",
    "wasserstein_discriminator_loss", "wasserstein_generator_loss",
]


def _f32(x):
    return ops.cast(x, "float32")


def minimax_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """``-E[log D(x)] - E[log(1 - D(G(z)))]``: binary cross-entropy of real vs fake.

    Goodfellow et al. 2014, "Generative Adversarial Nets", eq. 1. Equals the TensorFlow DCGAN
    tutorial's ``discriminator_loss`` (a sum of two means). With ``label_smoothing`` s, the real
    images' target is ``1 - s``.
    """
    real_logits, fake_logits = _f32(real_logits), _f32(fake_logits)
    target = 1.0 - label_smoothing
    real_term = target * ops.softplus(-real_logits) + (1.0 - target) * ops.softplus(real_logits)
    return ops.mean(real_term) + ops.mean(ops.softplus(fake_logits))


def minimax_generator_loss(fake_logits):
    """``E[log(1 - D(G(z)))]``, the generator's side of the original minimax game.

    Goodfellow et al. 2014, eq. 1. Its gradient vanishes when D rejects the fakes
    confidently, which is why the non-saturating loss is the usual choice.
    """
    return -ops.mean(ops.softplus(_f32(fake_logits)))


def nonsaturating_generator_loss(fake_logits):
    """``-E[log D(G(z))]``: the generator maximises the log-probability of being taken for real.

    Goodfellow et al. 2014, section 3; the TensorFlow DCGAN tutorial's ``generator_loss``.
    """
    return ops.mean(ops.softplus(-_f32(fake_logits)))


def hinge_discriminator_loss(real_logits, fake_logits):
    """``E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))]`` (Lim & Ye 2017; Miyato et al. 2018)."""
    return ops.mean(ops.relu(1.0 - _f32(real_logits))) + ops.mean(ops.relu(1.0 + _f32(fake_logits)))


def hinge_generator_loss(fake_logits):
    """``-E[D(G(z))]``, the generator's side of the hinge loss (Lim & Ye 2017)."""
    return -ops.mean(_f32(fake_logits))


def wasserstein_discriminator_loss(real_scores, fake_scores):
    """``E[D(G(z))] - E[D(x)]``: the critic's estimate of the Wasserstein-1 distance, negated.

    Arjovsky et al. 2017, "Wasserstein GAN", eq. 3. Needs a Lipschitz critic: pair it with
    ``gradient_penalty`` (Gulrajani et al. 2017).
    """
    return ops.mean(_f32(fake_scores)) - ops.mean(_f32(real_scores))


def wasserstein_generator_loss(fake_scores):
    """``-E[D(G(z))]`` (Arjovsky et al. 2017)."""
    return -ops.mean(_f32(fake_scores))


def least_squares_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """``0.5 E[(D(x) - 1)^2] + 0.5 E[D(G(z))^2]`` (Mao et al. 2017, "Least Squares GAN", eq. 2, a=0, b=1)."""
    target = 1.0 - label_smoothing
    return 0.5 * ops.mean(ops.square(_f32(real_logits) - target)) + 0.5 * ops.mean(ops.square(_f32(fake_logits)))


def least_squares_generator_loss(fake_logits):
    """``0.5 E[(D(G(z)) - 1)^2]`` (Mao et al. 2017, eq. 2, c=1)."""
    return 0.5 * ops.mean(ops.square(_f32(fake_logits) - 1.0))


def gradient_penalty(critic, real, fake, epsilon, labels=None):
    """``E[(||grad D(x_hat)||_2 - 1)^2]`` at ``x_hat = epsilon * real + (1 - epsilon) * fake``.

    Gulrajani et al. 2017, "Improved Training of Wasserstein GANs", Algorithm 1; ``epsilon``
    is drawn uniformly per sample, shape ``(batch,)``. A tiny constant inside the square root
    keeps the norm's gradient finite at zero.

    Args:
        critic: model mapping ``(batch, ...)`` inputs (and ``labels``, when given) to scores.
        real: real samples ``(batch, ...)``.
        fake: generated samples of the same shape.
        epsilon: interpolation weights ``(batch,)`` in [0, 1].
        labels: class labels ``(batch,)`` for a conditional critic, or ``None``.
    """
    real, fake = _f32(real), _f32(fake)
    weights = ops.reshape(_f32(epsilon), (-1,) + (1,) * (len(real.shape) - 1))
    mixed = weights * real + (1.0 - weights) * fake
    norms = ops.sqrt(_squared_gradient_norms(critic, mixed, labels) + 1e-12)
    return ops.mean(ops.square(norms - 1.0))


def r1_penalty(discriminator, real, labels=None):
    """``E[||grad D(x)||_2^2]`` at real samples ``x``: the R1 regulariser.

    Mescheder et al. 2018, "Which Training Methods for GANs do actually Converge?", eq. 9,
    adds ``gamma / 2`` times this to the discriminator's loss. Penalising the discriminator's
    slope at the real data damps the oscillation of unregularised training around the
    equilibrium (the paper proves local convergence).

    Args:
        discriminator: model mapping ``(batch, ...)`` inputs (and ``labels``, when given) to logits.
        real: real samples ``(batch, ...)``.
        labels: class labels ``(batch,)`` for a conditional discriminator, or ``None``.
    """
    return ops.mean(_squared_gradient_norms(discriminator, _f32(real), labels))


def _squared_gradient_norms(critic, x, labels):
    """``||grad critic(x)||^2`` with respect to ``x``, one per score."""
    with tf.GradientTape() as tape:
        tape.watch(x)
        scores = critic(x if labels is None else [x, labels], training=True)
    gradients = tape.gradient(scores, x)
    squares = ops.sum(ops.square(gradients), axis=tuple(range(1, len(x.shape))))
    # A packing critic (PacGAN) scores groups of consecutive samples: one norm per score.
    groups = ops.shape(scores)[0]
    return ops.sum(ops.reshape(squares[: groups * (ops.shape(squares)[0] // groups)], (groups, -1)), axis=1)


def cycle_consistency_loss(images, reconstructed):
    """``E[|F(G(x)) - x|]``: the mean absolute error of a round trip through both generators.

    Zhu et al. 2017, "Unpaired Image-to-Image Translation using Cycle-Consistent Adversarial
    Networks", eq. 2 (one direction; the objective adds both, weighted by lambda = 10).
    """
    return _mean_absolute_error(images, reconstructed)


def identity_loss(images, mapped):
    """``E[|G(y) - y|]``: a generator given an image of its target domain should leave it as it is.

    Zhu et al. 2017, section 5.2 (after Taigman et al. 2017), weighted by 0.5 lambda; it keeps
    colours and content where the two domains share them.
    """
    return _mean_absolute_error(images, mapped)


def semantic_consistency_loss(source_probabilities, translated_probabilities):
    """``E[-log f(G(x))[argmax f(x)]]``: a fixed classifier ``f`` must read a translation as it reads its source.

    Hoffman et al. 2018, "CyCADA: Cycle-Consistent Adversarial Domain Adaptation", eq. 4 (one
    direction): the cross-entropy of ``f``'s class probabilities on ``G(x)`` against the class it
    gives ``x``. Takes probabilities (softmax outputs), ``(batch, classes)`` each. Keras' cross-entropy
    reads the logits behind a softmax output, so a confidently wrong reading still has a gradient
    (clipped probabilities have none below their floor, and the term would go dead).
    """
    labels = ops.argmax(_f32(source_probabilities), axis=-1)
    return ops.mean(keras.losses.sparse_categorical_crossentropy(labels, _f32(translated_probabilities)))


PIXEL_LOSSES = ("mse", "l1")


def pixel_loss(images, restored, norm="mse"):
    """``E[(x - G(y))^2]`` (``mse``, SRResNet's loss, Ledig et al. 2017 eq. 4) or ``E[|x - G(y)|]`` (``l1``,
    EDSR's, Lim et al. 2017): the per-pixel content loss of a restoration ``restored`` of ``images``."""
    if norm not in PIXEL_LOSSES:
        raise ValueError(f"unknown pixel loss {norm!r}; valid: {', '.join(PIXEL_LOSSES)}")
    if norm == "l1":
        return _mean_absolute_error(images, restored)
    return ops.mean(ops.square(_f32(images) - _f32(restored)))


def perceptual_loss(features, images, restored, scale=1.0):
    """``E[((phi(x) - phi(G(y))) / scale)^2]``: the mean squared distance of a network's features.

    Ledig et al. 2017, eq. 5 (the "VGG loss", with ``phi`` a VGG19 layer and its features
    rescaled by 1/12.75 so the loss is of the pixel loss's size); Johnson et
    al. 2016's feature reconstruction loss. ``features`` is any model of images; ``scale``
    brings its features to a comparable size (e.g. their root mean square on real images).
    """
    return ops.mean(ops.square((_f32(features(images)) - _f32(features(restored))) / scale))


def _mean_absolute_error(a, b):
    return ops.mean(ops.abs(_f32(a) - _f32(b)))


LOSSES = {
    "minimax": (minimax_discriminator_loss, minimax_generator_loss),
    "nonsaturating": (minimax_discriminator_loss, nonsaturating_generator_loss),
    "hinge": (hinge_discriminator_loss, hinge_generator_loss),
    "wasserstein": (wasserstein_discriminator_loss, wasserstein_generator_loss),
    "least-squares": (least_squares_discriminator_loss, least_squares_generator_loss),
}
# Losses whose discriminator has a real target that label smoothing can soften.
SMOOTHABLE_LOSSES = ("minimax", "nonsaturating", "least-squares")


def get_loss(name):
    """Returns the ``(discriminator_loss, generator_loss)`` pair registered under ``name``."""
    if name not in LOSSES:
        raise ValueError(f"unknown GAN loss {name!r}; valid: {', '.join(LOSSES)}")
    return LOSSES[name]
