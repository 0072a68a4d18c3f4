"""Feature networks for perceptual losses, offline: a classifier of the package's own, or VGG19 when its ImageNet
weights are on disk.

The VGG19 weights are never downloaded: Keras keeps them at
``~/.keras/models/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5`` (or under ``$KERAS_HOME``)
after any ``keras.applications.VGG19(include_top=False)`` call on a machine with internet; copy
that file there to use it offline.
"""

import os

import keras
import numpy as np
from keras import layers, ops

from data.keras_files import keras_cache_dir

__all__ = ["VGG19_LAYER", "VGG19_WEIGHTS", "ImageNetInput", "VGGWeightsMissing", "classifier_features",
           "feature_rms", "vgg19_features", "vgg19_weights_path"]

VGG19_WEIGHTS = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
VGG19_LAYER = "block5_conv4"  # SRGAN's VGG54: the 4th convolution before the 5th max pooling


class VGGWeightsMissing(ValueError):
    """The ImageNet VGG19 weights are not in the Keras cache."""


def vgg19_weights_path():
    """Where Keras caches the VGG19 ImageNet weights (no top)."""
    return os.path.join(os.path.dirname(keras_cache_dir()), "models", VGG19_WEIGHTS)


@keras.saving.register_keras_serializable(package="gan_tf")
class ImageNetInput(layers.Layer):
    """Images in [-1, 1] (grey or colour) to the input VGG networks were trained on: BGR, 0-255, ImageNet mean
    subtracted (``keras.applications.vgg19.preprocess_input``)."""

    MEAN_BGR = (103.939, 116.779, 123.68)

    def call(self, images):
        if images.shape[-1] == 1:
            images = ops.repeat(images, 3, axis=-1)
        return (images[..., ::-1] + 1.0) * 127.5 - ops.convert_to_tensor(self.MEAN_BGR, images.dtype)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], 3)


def vgg19_features(image_shape, layer=VGG19_LAYER, weights="imagenet"):
    """VGG19 up to ``layer`` (Simonyan & Zisserman 2015), frozen, taking images in [-1, 1] of ``image_shape``.

    Args:
        image_shape: ``(height, width, channels)``, at least 32 pixels a side.
        layer: the VGG19 layer whose output is the features (default SRGAN's VGG54).
        weights: ``"imagenet"`` for the cached ImageNet weights, or ``None`` for random ones
            (tests of the computation path).

    Raises:
        VGGWeightsMissing: ``"imagenet"`` asked for and the file is not in the cache.
        ValueError: images smaller than VGG19 takes.
    """
    if min(image_shape[:2]) < 32:
        raise ValueError(f"VGG19 features need images of at least 32x32 pixels, got {image_shape[0]}x"
                         f"{image_shape[1]}; use the dataset's classifier instead")
    if weights == "imagenet":
        weights = vgg19_weights_path()
        if not os.path.isfile(weights):
            raise VGGWeightsMissing(f"VGG19 weights not found: put {VGG19_WEIGHTS} in {os.path.dirname(weights)} "
                                    "(Keras saves it there on a machine with internet), or use the dataset's "
                                    "classifier")
    images = keras.Input(tuple(image_shape), name="images")
    vgg = keras.applications.VGG19(include_top=False, weights=weights, input_shape=(*image_shape[:2], 3))
    features = keras.Model(vgg.inputs, vgg.get_layer(layer).output)(ImageNetInput()(images))
    model = keras.Model(images, features, name=f"vgg19_{layer}")
    model.trainable = False
    return model


def classifier_features(classifier, layer):
    """A classifier's ``layer`` output as a frozen feature model of its input images."""
    model = keras.Model(classifier.inputs[0], classifier.get_layer(layer).output, name=f"{classifier.name}_{layer}")
    model.trainable = False
    return model


def feature_rms(features, images, batch_size=256):
    """The root mean square of ``features`` on float ``images``: a ``perceptual_loss`` scale that makes a loss of 1
    a distance as large as the features themselves."""
    squares = [np.mean(np.square(np.asarray(features(images[i : i + batch_size], training=False), np.float64)))
               for i in range(0, len(images), batch_size)]
    return float(np.sqrt(np.mean(squares)))
