"""Callbacks of the MLP family: the held-out score and confusion matrix at the end of training."""

import os

import keras

from core_tf.files import write_json
from data import make_dataset
from lab_tf.metrics import METRICS
from mlp_tf import confusion_matrix, plot_confusion_matrix, predict_classes

__all__ = ["CONFUSION_MATRIX", "TestEvaluation"]

CONFUSION_MATRIX = "confusion_matrix.png"


class TestEvaluation(keras.callbacks.Callback):
    """At the end of training: loss, accuracy and the confusion matrix on held-out data.

    Writes ``metrics.json`` (``test_loss``, ``test_accuracy``, ``n``, ``split``) and
    ``confusion_matrix.png`` into the run directory.
    """

    def __init__(self, split, data, run_dir, batch_size=1024):
        super().__init__()
        self.split = split
        self.data = data
        self.run_dir = run_dir
        self.batch_size = batch_size

    def on_train_end(self, logs=None):
        dataset = make_dataset(self.data, self.batch_size, shuffle=False, with_labels=True)
        loss, accuracy = self.model.evaluate(dataset, verbose=0)
        predictions = predict_classes(self.model, dataset.map(lambda images, labels: images), self.batch_size)
        matrix = confusion_matrix(self.data.labels, predictions, self.model.output_shape[-1])
        write_json({"test_loss": float(loss), "test_accuracy": float(accuracy), "n": len(self.data),
                    "split": self.split}, os.path.join(self.run_dir, METRICS))
        plot_confusion_matrix(matrix, os.path.join(self.run_dir, CONFUSION_MATRIX), self.data.class_names)
        print(f"{self.split} accuracy {accuracy:.4f}, loss {loss:.4f} on {len(self.data)} images "
              f"-> {METRICS}, {CONFUSION_MATRIX}", flush=True)
