import math

import keras
import numpy as np
import pytest

from gan_tf.layers import Pack
from gan_tf.losses import (
    LOSSES,
    get_loss,
    gradient_penalty,
    hinge_discriminator_loss,
    hinge_generator_loss,
    least_squares_discriminator_loss,
    least_squares_generator_loss,
    minimax_discriminator_loss,
    minimax_generator_loss,
    nonsaturating_generator_loss,
    r1_penalty,
    wasserstein_discriminator_loss,
    wasserstein_generator_loss,
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
    with pytest.raises(ValueError, match="unknown GAN loss 'wgan'.*minimax, nonsaturating, hinge, wasserstein"):
        get_loss("wgan")


REAL = np.array([[2.0], [0.5]])
FAKE = np.array([[-1.5], [0.25]])


def test_label_smoothing_by_hand():
    # target 0.9 on real: 0.9 softplus(-x) + 0.1 softplus(x), averaged; fakes unchanged
    real_term = np.mean([0.9 * softplus(-x) + 0.1 * softplus(x) for x in (2.0, 0.5)])
    fake_term = np.mean([softplus(x) for x in (-1.5, 0.25)])
    assert float(minimax_discriminator_loss(REAL, FAKE, label_smoothing=0.1)) == pytest.approx(real_term + fake_term)
    assert float(least_squares_discriminator_loss(REAL, FAKE, label_smoothing=0.1)) == pytest.approx(
        0.5 * np.mean([(2.0 - 0.9) ** 2, (0.5 - 0.9) ** 2]) + 0.5 * np.mean([1.5**2, 0.25**2]))


def test_hinge_wasserstein_and_least_squares_by_hand():
    # hinge: mean(relu(1 - [2, .5])) = .25; mean(relu(1 + [-1.5, .25])) = .625
    assert float(hinge_discriminator_loss(REAL, FAKE)) == pytest.approx(0.25 + 0.625)
    assert float(hinge_generator_loss(FAKE)) == pytest.approx(0.625)
    # wasserstein: mean(fake) - mean(real) = -0.625 - 1.25
    assert float(wasserstein_discriminator_loss(REAL, FAKE)) == pytest.approx(-0.625 - 1.25)
    assert float(wasserstein_generator_loss(FAKE)) == pytest.approx(0.625)
    # least squares: 0.5 mean((r - 1)^2) + 0.5 mean(f^2); generator 0.5 mean((f - 1)^2)
    assert float(least_squares_discriminator_loss(REAL, FAKE)) == pytest.approx(0.5 * 0.625 + 0.5 * 1.15625)
    assert float(least_squares_generator_loss(FAKE)) == pytest.approx(0.5 * (2.5**2 + 0.75**2) / 2)


def linear_critic(weights):
    """D(x) = <w, x>: its gradient is w everywhere (gradient penalty (||w|| - 1)^2, R1 ||w||^2)."""
    inputs = keras.Input((2, 2, 1))
    outputs = keras.layers.Dense(1, use_bias=False)(keras.layers.Flatten()(inputs))
    critic = keras.Model(inputs, outputs)
    critic.layers[-1].kernel.assign(np.reshape(weights, (4, 1)))
    return critic


def half_squared_norm_critic():
    """D(x) = 0.5 ||x||^2 on 3-vectors: its gradient at x is x."""
    inputs = keras.Input((3,))
    return keras.Model(inputs, keras.layers.Lambda(lambda x: 0.5 * keras.ops.sum(x * x, axis=1))(inputs))


def packed_linear_critic(weights):
    """D scores pairs of scalars as <w, (x1, x2)>: each pair's gradient is w."""
    critic = keras.Sequential([keras.Input((1,)), Pack(2), keras.layers.Dense(1, use_bias=False)])
    critic.layers[-1].kernel.assign(np.reshape(np.asarray(weights, "float32"), (2, 1)))
    return critic


@pytest.mark.parametrize("weights, expected", [([3.0, 0.0, 4.0, 0.0], 16.0), ([0.5, 0.5, 0.5, 0.5], 0.0),
                                               ([0.0, 0.0, 0.0, 0.0], 1.0)])
def test_gradient_penalty_of_a_linear_critic(weights, expected):
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(2, 5, 2, 2, 1)).astype("float32")
    penalty = gradient_penalty(linear_critic(weights), real, fake, rng.uniform(size=5).astype("float32"))
    assert float(penalty) == pytest.approx(expected, abs=1e-5)  # finite even where the gradient is zero


def test_gradient_penalty_interpolates_per_sample():
    # D(x) = 0.5 ||x||^2 has gradient x, so the penalty is mean over samples of (||x_hat|| - 1)^2
    critic = half_squared_norm_critic()
    real = np.array([[2.0, 0, 0], [0, 4.0, 0]], "float32")
    fake = np.zeros((2, 3), "float32")
    epsilon = np.array([0.5, 0.25], "float32")  # x_hat = [1, 0, 0] and [0, 1, 0]: both norm 1
    assert float(gradient_penalty(critic, real, fake, epsilon)) == pytest.approx(0.0, abs=1e-6)
    epsilon = np.array([1.0, 0.0], "float32")  # x_hat = real[0] (norm 2) and fake[1] (norm 0)
    assert float(gradient_penalty(critic, real, fake, epsilon)) == pytest.approx((1.0 + 1.0) / 2, abs=1e-5)


def test_gradient_penalty_takes_one_norm_per_pack():
    # A packing critic D(x) = <w, packed pair>: each pair's gradient is w, so its norm is ||w|| = sqrt(2)
    critic = packed_linear_critic([1.0, 1.0])
    real, fake = np.ones((4, 1), "float32"), np.zeros((4, 1), "float32")
    penalty = gradient_penalty(critic, real, fake, np.full(4, 0.5, "float32"))
    assert float(penalty) == pytest.approx((np.sqrt(2.0) - 1.0) ** 2, abs=1e-5)  # per sample it would be 0


@pytest.mark.parametrize("weights, expected", [([3.0, 0.0, 4.0, 0.0], 25.0), ([0.0, 0.0, 0.0, 0.0], 0.0)])
def test_r1_penalty_of_a_linear_critic_is_its_squared_slope(weights, expected):
    real = np.random.default_rng(0).normal(size=(5, 2, 2, 1)).astype("float32")
    assert float(r1_penalty(linear_critic(weights), real)) == pytest.approx(expected, abs=1e-5)


def test_r1_penalty_is_taken_at_the_real_samples_one_per_pack():
    # D(x) = 0.5 ||x||^2 has gradient x: the penalty is the mean of ||x||^2 over the real samples
    critic = half_squared_norm_critic()
    assert float(r1_penalty(critic, np.array([[2.0, 0, 0], [0, 4.0, 1.0]], "float32"))) == pytest.approx(
        (4.0 + 17.0) / 2)
    pairs = np.zeros((4, 1), "float32")
    assert float(r1_penalty(packed_linear_critic([3.0, 4.0]), pairs)) == pytest.approx(25.0)  # per sample: 12.5


def test_r1_penalty_gives_a_conditional_discriminator_each_samples_label():
    # D(x, y) = <w_y, x>: the gradient at a sample of class y is w_y
    x, y = keras.Input((2,)), keras.Input((), dtype="int32")
    embedding = keras.layers.Embedding(2, 2)
    outputs = keras.layers.Lambda(lambda t: keras.ops.sum(t[0] * t[1], axis=1, keepdims=True))([x, embedding(y)])
    critic = keras.Model([x, y], outputs)
    embedding.embeddings.assign(np.array([[3.0, 4.0], [0.0, 1.0]], "float32"))
    real = np.ones((2, 2), "float32")
    labels = keras.ops.convert_to_tensor([0, 1], "int32")
    assert float(r1_penalty(critic, real, labels)) == pytest.approx((25.0 + 1.0) / 2)
    assert float(r1_penalty(critic, real, keras.ops.ones((2,), "int32"))) == pytest.approx(1.0)
