import math

import keras
import numpy as np
import pytest

from mlp_tf import (
    ACTIVATIONS,
    MLP_LOSSES,
    activation_derivative,
    crossentropy_loss,
    get_activation,
    get_mlp_loss,
    mse_loss,
)


@pytest.mark.parametrize("name, x, expected", [
    ("sigmoid", 0.0, 0.25),                        # s(0)(1 - s(0)) = 1/2 * 1/2
    ("sigmoid", 2.0, math.exp(-2) / (1 + math.exp(-2)) ** 2),
    ("tanh", 0.0, 1.0),                            # 1 - tanh(0)^2
    ("tanh", 1.0, 1 - math.tanh(1.0) ** 2),
    ("relu", 3.0, 1.0), ("relu", -3.0, 0.0),
    ("leaky_relu", -3.0, 0.2), ("leaky_relu", 3.0, 1.0),
    ("elu", -1.0, math.exp(-1)),                   # d/dx (e^x - 1)
    ("softplus", 0.0, 0.5),                        # sigmoid(0)
    ("swish", 0.0, 0.5),                           # s(0) + 0 * s'(0)
    ("gelu", 0.0, 0.5),                            # Phi(0) + 0 * phi(0)
    ("linear", -7.0, 1.0),
])
def test_derivatives_by_hand(name, x, expected):
    assert float(activation_derivative(name, np.array([x]))[0]) == pytest.approx(expected, rel=1e-5, abs=1e-7)


def test_sigmoid_derivative_never_exceeds_a_quarter():
    x = np.linspace(-10, 10, 2001)
    assert float(np.max(activation_derivative("sigmoid", x))) == pytest.approx(0.25, rel=1e-6)


def test_every_registered_activation_is_a_keras_name():
    assert len(ACTIVATIONS) == 9
    for name in ACTIVATIONS:
        assert np.isfinite(np.asarray(get_activation(name)(np.array([-1.0, 0.0, 1.0], "float32")))).all()
    with pytest.raises(ValueError, match="unknown activation 'rleu'; valid: relu, sigmoid, tanh"):
        get_activation("rleu")


def test_uniform_logits_by_hand():
    logits, labels = np.zeros((4, 10), "float32"), np.array([0, 3, 5, 9])
    np.testing.assert_allclose(crossentropy_loss(labels, logits), [math.log(10)] * 4, rtol=1e-6)
    # one wrong-class share of 0.9 squared plus nine of 0.1 squared, averaged over 10 classes
    np.testing.assert_allclose(mse_loss(labels, logits), [(0.81 + 9 * 0.01) / 10] * 4, rtol=1e-6)


def test_losses_match_keras_on_probabilities():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(8, 5)).astype("float32")
    labels = rng.integers(0, 5, 8)
    probabilities = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    expected_ce = -np.log(probabilities[np.arange(8), labels])
    np.testing.assert_allclose(crossentropy_loss(labels, logits), expected_ce, rtol=1e-5)
    expected_mse = keras.losses.MeanSquaredError(reduction=None)(np.eye(5)[labels], probabilities)
    np.testing.assert_allclose(mse_loss(labels[:, None], logits), expected_mse, rtol=1e-5)


def test_mse_gradient_vanishes_when_confidently_wrong_but_crossentropy_does_not():
    import tensorflow as tf

    logits = tf.constant([[-10.0, 10.0]])  # all mass on class 1, the label is 0
    grads = []
    for loss in (mse_loss, crossentropy_loss):
        with tf.GradientTape() as tape:
            tape.watch(logits)
            value = tf.reduce_sum(loss(np.array([0]), logits))
        grads.append(float(tf.norm(tape.gradient(value, logits))))
    assert grads[0] < 1e-6 and grads[1] > 1.0


def test_loss_registry():
    assert get_mlp_loss("mse") is MLP_LOSSES["mse"]
    with pytest.raises(ValueError, match="unknown MLP loss 'hinge'; valid: crossentropy, mse"):
        get_mlp_loss("hinge")
