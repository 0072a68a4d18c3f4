"""The one reader of Adam's private state: it must find the moments Keras really keeps."""

import keras
import numpy as np
import pytest

from gan_tf.optimizers import adam_moments


def test_adam_moments_are_the_ones_adam_updated():
    weights = keras.Variable(np.array([1.0, -2.0], np.float32))
    other = keras.Variable(np.array([[3.0]], np.float32))
    optimizer = keras.optimizers.Adam(0.1, beta_1=0.8, beta_2=0.9)
    gradients = [np.array([0.5, -1.5], np.float32), np.array([[2.0]], np.float32)]
    optimizer.apply_gradients(zip(gradients, [weights, other]))
    (first_w, first_o), (second_w, second_o) = adam_moments(optimizer, [weights, other])
    # one step from zero: m = (1 - beta_1) g, v = (1 - beta_2) g^2 (Kingma & Ba 2015, Algorithm 1)
    np.testing.assert_allclose(first_w, 0.2 * gradients[0], rtol=1e-6)
    np.testing.assert_allclose(second_w, 0.1 * gradients[0] ** 2, rtol=1e-6)
    np.testing.assert_allclose(first_o, 0.2 * gradients[1], rtol=1e-6)
    np.testing.assert_allclose(second_o, 0.1 * gradients[1] ** 2, rtol=1e-6)
    # only the order of ``variables`` counts, not the order Adam built its slots in
    (first_o_again, first_w_again), _ = adam_moments(optimizer, [other, weights])
    np.testing.assert_allclose(first_w_again, first_w)


def test_adam_moments_refuses_another_optimizer():
    with pytest.raises(TypeError, match="needs a keras.optimizers.Adam, got SGD"):
        adam_moments(keras.optimizers.SGD(), [])
