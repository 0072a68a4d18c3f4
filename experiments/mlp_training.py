"""How ``experiments.training`` trains the MLP family (see its docstring for the contract).

A fixed, seeded share of the training images (``MLPConfig.validation_split``) is held out for
validation; at the end of training the model is scored on the test split (the validation
images for image folders, which have no test split): ``metrics.json`` and ``confusion_matrix.png``.
"""

import os

import keras
import numpy as np

from data import ImageData, make_dataset
from data.loaders import FOLDER_PREFIX
from experiments import run_dir as rd
from experiments.config import load_split
from experiments.run_metrics import METRICS
from mlp_tf import (
    DEFAULT_LEARNING_RATES,
    build_mlp,
    compile_mlp,
    confusion_matrix,
    plot_classifier_history,
    plot_confusion_matrix,
    predict_classes,
)

__all__ = ["MODEL", "TestEvaluation", "build_trainer", "callbacks", "datasets", "describe", "evaluation_split",
           "plot_history", "resolve", "saved_models", "split_validation"]

MODEL = "model.keras"
CONFUSION_MATRIX = "confusion_matrix.png"
plot_history = plot_classifier_history


def resolve(config, data):
    """Input shape and classes from the data; the optimizer's default learning rate."""
    if data.labels is None:
        raise ValueError(f"--model mlp needs labelled data; {config.data.dataset} has no labels "
                         "(put the images of each class in its own subfolder)")
    config.mlp.input_shape = data.image_shape
    config.mlp.num_classes = len(data.class_names) if data.class_names else int(data.labels.max()) + 1
    config.training.lr = config.training.lr or DEFAULT_LEARNING_RATES[config.mlp.optimizer]


def build_trainer(config):
    """The compiled ``build_mlp`` classifier."""
    mlp = config.mlp
    model = build_mlp(mlp.input_shape, mlp.num_classes, mlp.hidden, mlp.activation, batch_norm=mlp.batch_norm,
                      dropout=mlp.dropout, kernel_initializer=mlp.kernel_initializer)
    return compile_mlp(model, mlp.loss, mlp.optimizer, config.training.lr)


def split_validation(config, data):
    """``(training, validation)`` ``ImageData``: a seeded random ``validation_split`` share held out.

    The split depends only on the run's seed, so a resumed run validates on the same images.
    """
    order = np.random.default_rng(config.training.seed).permutation(len(data))
    n_validation = max(1, round(len(data) * config.mlp.validation_split))
    if n_validation >= len(data):
        raise ValueError(f"{len(data)} training images leave none to train on after a validation split of "
                         f"{config.mlp.validation_split}; use more images")

    def subset(indices):
        indices = np.sort(indices)
        return ImageData(data.images[indices], data.labels[indices], data.class_names)

    return subset(order[n_validation:]), subset(order[:n_validation])


def datasets(config, data, seed):
    """Shuffled labelled training batches and the fixed validation batches."""
    train, validation = split_validation(config, data)
    batch_size = config.training.batch_size
    return (make_dataset(train, batch_size, seed=seed, with_labels=True),
            make_dataset(validation, batch_size, shuffle=False, with_labels=True))


def evaluation_split(config, data):
    """``(name, ImageData)`` on which a finished model is scored: the test split, or the validation images."""
    if config.data.dataset.startswith(FOLDER_PREFIX):
        return "validation", split_validation(config, data)[1]
    return "test", load_split(config.data, "test")


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
        rd.write_json({"test_loss": float(loss), "test_accuracy": float(accuracy), "n": len(self.data),
                       "split": self.split}, os.path.join(self.run_dir, METRICS))
        plot_confusion_matrix(matrix, os.path.join(self.run_dir, CONFUSION_MATRIX), self.data.class_names)
        print(f"{self.split} accuracy {accuracy:.4f}, loss {loss:.4f} on {len(self.data)} images "
              f"-> {METRICS}, {CONFUSION_MATRIX}", flush=True)


def callbacks(config, run):
    """The held-out evaluation at the end of training."""
    split, data = evaluation_split(config, run.data)
    return [TestEvaluation(split, data, config.out_dir)]


def saved_models(model):
    """The classifier itself, a plain Keras model."""
    return {MODEL: model}


def describe(config, data):
    """``training mlp 784-256-128-10 (relu, crossentropy, adam lr 0.001) on mnist: 60000 images 28x28x1``."""
    mlp = config.mlp
    layers = "-".join(map(str, (int(np.prod(mlp.input_shape)), *mlp.hidden, mlp.num_classes)))
    height, width, channels = mlp.input_shape
    return (f"training {config.model} {layers} ({mlp.activation}, {mlp.loss}, {mlp.optimizer} lr {config.training.lr:g})"
            f" on {config.data.dataset}: {len(data)} images {height}x{width}x{channels}")
