"""Inception-v3 features for FID/KID in the literature's feature space, when the ImageNet weights are on disk.

These are Keras' ``InceptionV3`` weights, not the TF-1 graph the reference FID code uses, so
values are close to but not identical with published numbers.

The weights are never downloaded: Keras keeps them at
``~/.keras/models/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5`` (or under
``$KERAS_HOME``) after any ``keras.applications.InceptionV3(include_top=False)`` call on a
machine with internet; copy that file there to use it offline.
"""

import os

import keras
import numpy as np
import tensorflow as tf

from data.keras_files import keras_cache_dir

__all__ = ["INCEPTION_WEIGHTS", "InceptionWeightsMissing", "build_inception", "inception_features",
           "inception_weights_path"]

INCEPTION_WEIGHTS = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"


class InceptionWeightsMissing(ValueError):
    """The ImageNet Inception-v3 weights are not in the Keras cache."""


def inception_weights_path():
    """Where Keras caches the Inception-v3 ImageNet weights (no top)."""
    return os.path.join(os.path.dirname(keras_cache_dir()), "models", INCEPTION_WEIGHTS)


def build_inception(weights="imagenet"):
    """Inception-v3 without its top, with global average pooling.

    It maps images ``(batch, 299, 299, 3)`` in [-1, 1] to ``(batch, 2048)``.

    Args:
        weights: ``"imagenet"`` for the cached ImageNet weights, or ``None`` for random ones
            (tests of the computation path).

    Raises:
        InceptionWeightsMissing: ``"imagenet"`` asked for and the file is not in the cache.
    """
    if weights == "imagenet":
        weights = inception_weights_path()
        if not os.path.isfile(weights):
            raise InceptionWeightsMissing(
                f"Inception-v3 weights not found: put {INCEPTION_WEIGHTS} in {os.path.dirname(weights)} "
                "(Keras saves it there on a machine with internet) to compute Inception FID"
            )
    return keras.applications.InceptionV3(include_top=False, weights=weights, pooling="avg",
                                          input_shape=(299, 299, 3))


def inception_features(model, images, batch_size=64):
    """Pool features ``(n, 2048)`` of float images in [-1, 1], resized to 299x299 (bilinear), grey made RGB.

    [-1, 1] is already Inception-v3's input range (``keras.applications.inception_v3.preprocess_input``).
    """
    features = []
    for start in range(0, len(images), batch_size):
        batch = tf.image.resize(np.asarray(images[start : start + batch_size], np.float32), (299, 299))
        if batch.shape[-1] == 1:
            batch = tf.repeat(batch, 3, axis=-1)
        features.append(np.asarray(model(batch, training=False), np.float64))
    return np.concatenate(features)
