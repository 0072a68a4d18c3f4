"""The ground floor every package of this project stands on: Keras' backend, atomic files, figures.

Importing it selects the TensorFlow backend for Keras (``core_tf.backend``), so it must come
before the first ``import keras``; every library package imports it first. It never changes
matplotlib's backend: figures are drawn on ``matplotlib.figure.Figure`` objects, without pyplot.
"""

from core_tf.backend import use_tensorflow_backend

use_tensorflow_backend()

__all__ = ["use_tensorflow_backend"]
