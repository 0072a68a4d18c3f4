"""Multilayer perceptrons for learning activations, losses and hyperparameter tuning."""

import experiments.backend  # noqa: F401  (selects the TensorFlow backend before Keras loads)
