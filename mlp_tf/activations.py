"""Hidden-layer activations by name, and their derivatives by automatic differentiation.

The names are Keras' own (``keras.activations.get``), so a model built with them saves and
loads as plain Keras. ``leaky_relu`` is Keras' default, slope 0.2 for negative inputs.
"""

import keras
import tensorflow as tf

__all__ = ["ACTIVATIONS", "activation_derivative", "get_activation"]

ACTIVATIONS = ("relu", "sigmoid", "tanh", "leaky_relu", "elu", "gelu", "swish", "softplus", "linear")


def get_activation(name):
    """The Keras activation function registered under ``name`` (one of ``ACTIVATIONS``)."""
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; valid: {', '.join(ACTIVATIONS)}")
    return keras.activations.get(name)


def activation_derivative(name, x):
    """``f'(x)`` of the activation ``name``, element-wise, by ``tf.GradientTape``.

    Args:
        name: one of ``ACTIVATIONS``.
        x: float array of any shape.

    Returns:
        float32 tensor of the shape of ``x``; at ReLU's kink (x = 0) TensorFlow's choice, 0.
    """
    function = get_activation(name)
    x = tf.convert_to_tensor(x, tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = function(x)
    return tape.gradient(y, x)
