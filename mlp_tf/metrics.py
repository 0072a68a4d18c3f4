"""Classification results as plain NumPy: predicted classes and the confusion matrix."""

import numpy as np

__all__ = ["confusion_matrix", "predict_classes"]


def predict_classes(model, inputs, batch_size=1024):
    """The arg-max class of ``model``'s logits (or probabilities) for every input, int64 ``(n,)``."""
    return np.argmax(model.predict(inputs, batch_size=batch_size, verbose=0), axis=-1)


def confusion_matrix(labels, predictions, num_classes):
    """Counts ``matrix[true, predicted]`` over all examples.

    Args:
        labels: true classes, ints ``(n,)`` in ``[0, num_classes)``.
        predictions: predicted classes, ints ``(n,)`` in ``[0, num_classes)``.
        num_classes: rows and columns of the matrix.

    Returns:
        int64 ``(num_classes, num_classes)``; the diagonal holds the correct predictions,
        so ``trace / n`` is the accuracy.
    """
    labels = np.asarray(labels, np.int64).ravel()
    predictions = np.asarray(predictions, np.int64).ravel()
    if labels.shape != predictions.shape:
        raise ValueError(f"labels and predictions differ in length: {labels.shape[0]} vs {predictions.shape[0]}")
    for name, values in (("labels", labels), ("predictions", predictions)):
        if values.size and (values.min() < 0 or values.max() >= num_classes):
            raise ValueError(f"{name} must be in [0, {num_classes}), got values from {values.min()} to {values.max()}")
    return np.bincount(labels * num_classes + predictions, minlength=num_classes**2).reshape(num_classes, num_classes)
