"""Classification losses as pure functions of integer labels and logits, and their registry.

Each function follows Keras' loss-function contract: ``(y_true, y_pred)`` in, one value per
example out; ``compile`` averages them (and applies sample weights). They are registered
serializable, so a compiled model saved as ``.keras`` reloads with its loss.
"""

import keras
from keras import ops

__all__ = ["MLP_LOSSES", "crossentropy_loss", "get_mlp_loss", "mse_loss"]


@keras.saving.register_keras_serializable(package="mlp_tf")
def crossentropy_loss(labels, logits):
    """``-log softmax(logits)[label]``, the negative log-likelihood of the true class.

    Args:
        labels: int class indices ``(batch,)`` (or ``(batch, 1)``).
        logits: ``(batch, classes)``, unnormalised.

    Returns:
        float32 ``(batch,)``. Uniform logits over ``k`` classes give ``log k``.
    """
    labels = ops.reshape(ops.cast(labels, "int32"), (-1,))
    return keras.losses.sparse_categorical_crossentropy(labels, ops.cast(logits, "float32"), from_logits=True)


@keras.saving.register_keras_serializable(package="mlp_tf")
def mse_loss(labels, logits):
    """Mean over classes of ``(softmax(logits) - one_hot(label))**2``: the Brier score divided by ``k``.

    The squared error is taken on probabilities, as when a network with a softmax output is
    trained with MSE. Its gradient through the softmax vanishes when the network is confidently
    wrong, which is why cross-entropy usually trains faster.

    Args:
        labels: int class indices ``(batch,)`` (or ``(batch, 1)``).
        logits: ``(batch, classes)``, unnormalised.

    Returns:
        float32 ``(batch,)``. Uniform logits over ``k`` classes give ``(1 - 1/k) / k``.
    """
    logits = ops.cast(logits, "float32")
    labels = ops.reshape(ops.cast(labels, "int32"), (-1,))
    targets = ops.one_hot(labels, ops.shape(logits)[-1])
    return ops.mean(ops.square(ops.softmax(logits, axis=-1) - targets), axis=-1)


MLP_LOSSES = {"crossentropy": crossentropy_loss, "mse": mse_loss}


def get_mlp_loss(name):
    """The loss function registered under ``name`` (``crossentropy`` or ``mse``)."""
    if name not in MLP_LOSSES:
        raise ValueError(f"unknown MLP loss {name!r}; valid: {', '.join(MLP_LOSSES)}")
    return MLP_LOSSES[name]
