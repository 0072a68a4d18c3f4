import math

import keras
import numpy as np
import pytest

from gan_tf import (
    LOSSES,
    get_loss,
    minimax_discriminator_loss,
    minimax_generator_loss,
    nonsaturating_generator_loss,
)


def softplus(x):
    return math.log1p(math.exp(x))


def test_discriminator_loss_by_hand():
    # -log(sigmoid(2)) and -log(1 - sigmoid(-1)) averaged over a batch of one each
    real, fake = np.array([[2.0]]), np.array([[-1.0]])
    expected = softplus(-2.0) + softplus(-1.0)
    assert float(minimax_discriminator_loss(real, fake)) == pytest.approx(expected, rel=1e-6)
    # a discriminator that cannot tell: 2 log 2
    assert float(minimax_discriminator_loss(np.zeros((4, 1)), np.zeros((4, 1)))) == pytest.approx(2 * math.log(2))


def test_discriminator_loss_equals_tutorial_cross_entropy():
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(16, 1)).astype("float32"), rng.normal(size=(16, 1)).astype("float32")
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    tutorial = bce(np.ones_like(real), real) + bce(np.zeros_like(fake), fake)
    assert float(minimax_discriminator_loss(real, fake)) == pytest.approx(float(tutorial), rel=1e-5)


def test_generator_losses_by_hand():
    fake = np.array([[1.5], [-0.5]])
    assert float(nonsaturating_generator_loss(fake)) == pytest.approx((softplus(-1.5) + softplus(0.5)) / 2)
    # E[log(1 - sigmoid(x))] = -E[softplus(x)]
    assert float(minimax_generator_loss(fake)) == pytest.approx(-(softplus(1.5) + softplus(-0.5)) / 2)


def test_minimax_generator_gradient_saturates_where_nonsaturating_does_not():
    import tensorflow as tf

    confident_rejection = tf.constant([[-8.0]])
    grads = []
    for loss in (minimax_generator_loss, nonsaturating_generator_loss):
        with tf.GradientTape() as tape:
            tape.watch(confident_rejection)
            value = loss(confident_rejection)
        grads.append(abs(float(tape.gradient(value, confident_rejection)[0, 0])))
    assert grads[0] < 1e-3 < 0.99 < grads[1]


def test_registry_names_valid_losses_on_unknown():
    assert get_loss("nonsaturating") == LOSSES["nonsaturating"]
    with pytest.raises(ValueError, match="unknown GAN loss 'wgan'.*minimax, nonsaturating"):
        get_loss("wgan")
