"""Gradient flow through deep MLPs: per-layer gradient norms and activation distributions.

A sigmoid's derivative is at most 1/4, so backpropagation through ``L`` sigmoid layers with
weights of Glorot scale multiplies the error signal by roughly ``(1/4)**L``: the layers near the
input receive vanishing gradients (Hochreiter 1991; Glorot & Bengio 2010). ReLU-family
activations pass a derivative of 1 on their active half and, with He initialisation
(He et al. 2015), keep the signal's scale from layer to layer; batch normalisation
(Ioffe & Szegedy 2015) restores the scale whatever the activation.
"""

from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from mlp_tf.losses import get_mlp_loss
from mlp_tf.model import build_mlp, compile_mlp

__all__ = ["GradientFlow", "gradient_flow", "layer_activations", "layer_gradient_norms"]


def layer_gradient_norms(model, inputs, labels, loss="crossentropy"):
    """L2 norm of the loss gradient with respect to every dense kernel, input side first.

    Args:
        model: a model from ``build_mlp`` (dense layers named ``dense_i`` and ``logits``).
        inputs: one batch ``(batch, *input_shape)``.
        labels: int labels ``(batch,)``.
        loss: ``crossentropy`` or ``mse``, averaged over the batch.

    The forward pass runs in training mode (batch norm uses the batch's statistics) without
    changing the model's state.

    Returns:
        float64 array ``(hidden layers + 1,)``: ``||dL/dW||`` of ``dense_1 ... dense_L``, then ``logits``.
    """
    kernels = [layer.kernel.path for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    trainable = [tf.convert_to_tensor(v.value) for v in model.trainable_variables]
    non_trainable = [v.value for v in model.non_trainable_variables]
    with tf.GradientTape() as tape:
        tape.watch(trainable)
        # Training mode, as the optimizer sees it (batch norm on batch statistics), without
        # updating the model's moving averages.
        logits, _ = model.stateless_call(trainable, non_trainable, inputs, training=True)
        value = tf.reduce_mean(get_mlp_loss(loss)(labels, logits))
    gradients = dict(zip([v.path for v in model.trainable_variables], tape.gradient(value, trainable)))
    return np.array([float(tf.norm(gradients[path])) for path in kernels])


def layer_activations(model, inputs):
    """The output of every ``activation_i`` layer of a ``build_mlp`` model on ``inputs``, in inference mode.

    Returns:
        A list, input side first, of float32 arrays ``(batch, units_i)``.
    """
    outputs = [layer.output for layer in model.layers if layer.name.startswith("activation_")]
    probe = keras.Model(model.input, outputs)
    return [np.asarray(a) for a in probe(inputs, training=False)]


@dataclass
class GradientFlow:
    """One deep network's gradient norms and activations at initialisation and after training.

    Norm arrays are ``(depth + 1,)`` (hidden layers, then the output layer); activations are a
    list of ``(batch, width)`` arrays per hidden layer; ``history`` is Keras' ``History.history``.
    """

    label: str
    init_norms: np.ndarray
    trained_norms: np.ndarray
    init_activations: list
    trained_activations: list
    history: dict


def gradient_flow(train, probe, activation, *, depth=15, width=64, batch_norm=False,
                  kernel_initializer="glorot_uniform", epochs=1, batch_size=64, optimizer="sgd", lr=None, seed=0):
    """Builds a deep MLP, measures its gradients and activations, trains it briefly, measures again.

    Plain SGD is the default optimizer because Adam rescales every parameter's step by its
    gradient's size, which hides (without curing) a vanishing gradient.

    Args:
        train: ``(x, y)`` arrays to train on, x ``(n, *input_shape)`` float32, y int ``(n,)``.
        probe: ``(x, y)``, the fixed batch on which norms and activations are measured.
        activation: hidden activation, one of ``mlp_tf.ACTIVATIONS``.
        depth: hidden layers.
        width: units per hidden layer.
        batch_norm: batch normalisation before every activation.
        kernel_initializer: e.g. ``glorot_uniform`` (Keras' default) or ``he_normal``.
        epochs, batch_size, optimizer, lr: the brief training.
        seed: seed of the weights and the data order.

    Returns:
        ``GradientFlow`` labelled like ``sigmoid`` / ``relu, he_normal`` / ``tanh, batch norm``.
    """
    keras.utils.set_random_seed(seed)
    x, y = train
    num_classes = int(max(np.max(y), np.max(probe[1]))) + 1
    model = build_mlp(x.shape[1:], num_classes, (width,) * depth, activation, batch_norm=batch_norm,
                      kernel_initializer=kernel_initializer, name=f"deep_{activation}")
    compile_mlp(model, "crossentropy", optimizer, lr)
    init_norms = layer_gradient_norms(model, *probe)
    init_activations = layer_activations(model, probe[0])
    history = model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0, shuffle=True)
    extras = [kernel_initializer] if kernel_initializer != "glorot_uniform" else []
    extras += ["batch norm"] if batch_norm else []
    return GradientFlow(", ".join([activation, *extras]), init_norms, layer_gradient_norms(model, *probe),
                        init_activations, layer_activations(model, probe[0]), history.history)
