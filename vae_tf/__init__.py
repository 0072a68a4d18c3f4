"""Autoencoders and variational autoencoders for Keras 3 on TensorFlow."""

import experiments.backend  # noqa: F401  (selects the TensorFlow backend before Keras loads)
