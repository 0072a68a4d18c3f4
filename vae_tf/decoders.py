"""Decoders: a latent code ``(batch, latent_dim)`` to per-pixel logits ``(batch, height, width, channels)``.

The logits parameterise the likelihood ``p(x | z)`` (``vae_tf.losses``); ``sigmoid(logits)``
is the mean image in [0, 1]. A conditional decoder (``num_classes`` given) takes int labels
``(batch,)`` as a second input, fed through ``keras.layers.Embedding(num_classes, ...)``
and concatenated with the code, exactly as a conditional GAN generator
(``gan_tf.layers.conditioned_noise``), so the decoder is a conditional generator too.
"""

import keras
from keras import layers

from gan_tf.layers import conditioned_noise
from gan_tf.shapes import check_image_shape
from vae_tf.encoders import residual_block

__all__ = ["build_conv_decoder", "build_dense_decoder", "build_resnet_decoder"]


def build_dense_decoder(latent_dim, image_shape=(28, 28, 1), num_classes=None, units=(256, 512),
                        name="decoder"):
    """A multilayer perceptron: ``Dense(units[i])`` with ReLU, then one logit per pixel.

    Args:
        latent_dim: size of the code.
        image_shape: ``(height, width, channels)``, any size.
        num_classes: number of labels of a conditional decoder; ``None`` for none.
        units: widths of the hidden layers.
        name: model name.

    Returns:
        A functional ``keras.Model`` mapping ``(batch, latent_dim)`` (and labels ``(batch,)``)
        to logits ``(batch, *image_shape)``.
    """
    height, width, channels = (int(d) for d in image_shape)
    inputs, x = _inputs(latent_dim, num_classes)
    for size in units:
        x = layers.Dense(size, activation="relu")(x)
    x = layers.Dense(height * width * channels, dtype="float32")(x)
    return _model(inputs, layers.Reshape((height, width, channels), name="logits")(x), name)


def build_conv_decoder(latent_dim, image_shape=(28, 28, 1), num_classes=None, filters=(64, 32), units=256,
                       name="decoder"):
    """The conv encoder's mirror: ``Dense(units)``, a ``(h/4, w/4, filters[0])`` map, two
    3x3 stride-2 transposed convolutions (the TensorFlow CVAE tutorial's) and a 3x3 output
    convolution.

    Args:
        latent_dim: size of the code.
        image_shape: ``(height, width, channels)``; height and width multiples of 4.
        num_classes: number of labels of a conditional decoder; ``None`` for none.
        filters: channels of the two transposed convolutions.
        units: width of the first dense layer.
        name: model name.

    Returns:
        A functional ``keras.Model`` mapping ``(batch, latent_dim)`` (and labels ``(batch,)``)
        to logits ``(batch, *image_shape)``.
    """
    height, width, channels = check_image_shape(image_shape, multiple=4, architecture="conv")
    inputs, x = _inputs(latent_dim, num_classes)
    x = layers.Dense(units, activation="relu")(x)
    x = layers.Dense((height // 4) * (width // 4) * filters[0], activation="relu")(x)
    x = layers.Reshape((height // 4, width // 4, filters[0]))(x)
    for size in filters:
        x = layers.Conv2DTranspose(size, 3, strides=2, padding="same", activation="relu")(x)
    logits = layers.Conv2D(channels, 3, padding="same", dtype="float32", name="logits")(x)
    return _model(inputs, logits, name)


def build_resnet_decoder(latent_dim, image_shape=(28, 28, 1), num_classes=None, filters=(128, 64, 32),
                         units=256, name="decoder"):
    """The resnet encoder's mirror: residual blocks between 4x4 stride-2 transposed convolutions.

    Args:
        latent_dim: size of the code.
        image_shape: ``(height, width, channels)``; height and width multiples of
            ``2 ** (len(filters) - 1)``.
        num_classes: number of labels of a conditional decoder; ``None`` for none.
        filters: channels at each resolution, from the smallest map up.
        units: width of the first dense layer.
        name: model name.

    Returns:
        A functional ``keras.Model`` mapping ``(batch, latent_dim)`` (and labels ``(batch,)``)
        to logits ``(batch, *image_shape)``.
    """
    factor = 2 ** (len(filters) - 1)
    height, width, channels = check_image_shape(image_shape, multiple=factor, architecture="resnet")
    inputs, x = _inputs(latent_dim, num_classes)
    x = layers.Dense(units, activation="relu")(x)
    x = layers.Dense((height // factor) * (width // factor) * filters[0])(x)
    x = layers.Reshape((height // factor, width // factor, filters[0]))(x)
    for size in filters[1:]:
        x = residual_block(x)
        x = layers.Conv2DTranspose(size, 4, strides=2, padding="same")(layers.ReLU()(x))
    x = residual_block(x)
    logits = layers.Conv2D(channels, 3, padding="same", dtype="float32", name="logits")(layers.ReLU()(x))
    return _model(inputs, logits, name)


def _inputs(latent_dim, num_classes):
    """The model's inputs (code first, as ``noise``) and the vector the trunk starts from."""
    if latent_dim < 1:
        raise ValueError(f"latent_dim must be at least 1, got {latent_dim}")
    return conditioned_noise(latent_dim, num_classes)


def _model(inputs, logits, name):
    return keras.Model(inputs, logits, name=name)
