"""Multilayer perceptrons for learning activations, losses, gradient flow and hyperparameter tuning.

Example:
    >>> from mlp_tf import build_mlp, compile_mlp
    >>> model = compile_mlp(build_mlp((28, 28, 1), 10, hidden=(512, 512)), loss="crossentropy")
    >>> model.fit(images_in_minus_one_to_one, labels, validation_split=0.1, epochs=10)
"""

import core_tf  # noqa: F401  (selects the TensorFlow backend before Keras loads)
from mlp_tf.activations import ACTIVATIONS, activation_derivative, get_activation
from mlp_tf.figures import (
    plot_activation_functions,
    plot_activation_histograms,
    plot_classifier_history,
    plot_comparison,
    plot_confusion_matrix,
    plot_gradient_norms,
    plot_hyperparameter_effects,
)
from mlp_tf.gradients import GradientFlow, gradient_flow, layer_activations, layer_gradient_norms
from mlp_tf.losses import MLP_LOSSES, crossentropy_loss, get_mlp_loss, mse_loss
from mlp_tf.metrics import confusion_matrix, predict_classes
from mlp_tf.model import DEFAULT_LEARNING_RATES, OPTIMIZERS, build_mlp, compile_mlp, make_optimizer
from mlp_tf.tuning import TUNERS, MLPHyperModel, SearchSpace, make_tuner, trials_table, write_trials_csv

__all__ = [
    "ACTIVATIONS",
    "DEFAULT_LEARNING_RATES",
    "MLP_LOSSES",
    "OPTIMIZERS",
    "TUNERS",
    "GradientFlow",
    "MLPHyperModel",
    "SearchSpace",
    "activation_derivative",
    "build_mlp",
    "compile_mlp",
    "confusion_matrix",
    "crossentropy_loss",
    "get_activation",
    "get_mlp_loss",
    "gradient_flow",
    "layer_activations",
    "layer_gradient_norms",
    "make_optimizer",
    "make_tuner",
    "mse_loss",
    "plot_activation_functions",
    "plot_activation_histograms",
    "plot_classifier_history",
    "plot_comparison",
    "plot_confusion_matrix",
    "plot_gradient_norms",
    "plot_hyperparameter_effects",
    "predict_classes",
    "trials_table",
    "write_trials_csv",
]
