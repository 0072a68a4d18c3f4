"""Callbacks of the MLP family: the held-out score and confusion matrix at the end of training."""

import os

import keras
import numpy as np

from core_tf.files import write_json
from data import make_dataset
from lab_tf.metrics import METRICS
from mlp_tf import confusion_matrix, plot_confusion_matrix

__all__ = ["CONFUSION_MATRIX", "TestEvaluation"]

CONFUSION_MATRIX = "confusion_matrix.png"


class TestEvaluation(keras.callbacks.Callback):
    """At the end of training: loss, accuracy and the confusion matrix on held-out data.

    Writes ``metrics.json`` (``test_loss``, the mean of ``loss`` over the examples; ``test_accuracy``;
    ``n``; ``split``) and ``confusion_matrix.png`` into the run directory. The model is called
    directly, batch by batch: ``evaluate`` and ``predict`` fail under a multi-worker strategy
    (keras-team/keras#20585).
    """

    def __init__(self, split, data, run_dir, loss, batch_size=1024):
        super().__init__()
        self.split = split
        self.data = data
        self.run_dir = run_dir
        self.loss = loss
        self.batch_size = batch_size

    def on_train_end(self, logs=None):
        batches = make_dataset(self.data, self.batch_size, shuffle=False)
        logits = np.concatenate([np.asarray(self.model(images, training=False), np.float32) for images in batches])
        loss = float(np.mean(self.loss(self.data.labels, logits)))
        predictions = np.argmax(logits, axis=-1)
        accuracy = float(np.mean(predictions == self.data.labels))
        matrix = confusion_matrix(self.data.labels, predictions, self.model.output_shape[-1])
        write_json({"test_loss": float(loss), "test_accuracy": float(accuracy), "n": len(self.data),
                    "split": self.split}, os.path.join(self.run_dir, METRICS))
        plot_confusion_matrix(matrix, os.path.join(self.run_dir, CONFUSION_MATRIX), self.data.class_names)
        print(f"{self.split} accuracy {accuracy:.4f}, loss {loss:.4f} on {len(self.data)} images "
              f"-> {METRICS}, {CONFUSION_MATRIX}", flush=True)
