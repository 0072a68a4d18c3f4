"""Discriminators: images ``(batch, height, width, channels)`` in [-1, 1] to one real/fake logit ``(batch, 1)``."""

import keras
from keras import layers

from gan_tf.shapes import check_image_shape, upsampling_steps

__all__ = ["build_dcgan_discriminator", "build_tutorial_discriminator"]


def build_tutorial_discriminator(image_shape=(28, 28, 1), dropout=0.3, name="discriminator"):
    """The TensorFlow DCGAN tutorial's discriminator.

    Two 5x5 stride-2 convolutions (64 and 128 filters) with LeakyReLU and dropout, then a
    dense logit.

    Args:
        image_shape: ``(height, width, channels)``; height and width multiples of 4.
        dropout: dropout rate after each convolution.
        name: model name.

    Returns:
        A functional ``keras.Model`` mapping ``(batch, *image_shape)`` to logits ``(batch, 1)``.
    """
    check_image_shape(image_shape, multiple=4, architecture="tutorial")
    images = keras.Input(tuple(image_shape), name="images")
    x = images
    for filters in (64, 128):
        x = layers.Conv2D(filters, 5, strides=2, padding="same")(x)
        x = layers.LeakyReLU()(x)
        x = layers.Dropout(dropout)(x)
    x = layers.Flatten()(x)
    logits = layers.Dense(1, dtype="float32", name="logits")(x)
    return keras.Model(images, logits, name=name)


def build_dcgan_discriminator(image_shape=(32, 32, 3), filters=64, name="discriminator"):
    """The DCGAN discriminator of Radford et al. 2015, sized from ``image_shape``.

    ``k`` 4x4 stride-2 convolutions doubling the filters from ``filters``, LeakyReLU(0.2), batch
    norm on all but the first, then a dense logit; ``k = log2(min(height, width) / 4)``.
    Weights start from N(0, 0.02).

    Args:
        image_shape: ``(height, width, channels)``, as for ``build_dcgan_generator``.
        filters: channels of the first convolution.
        name: model name.

    Returns:
        A functional ``keras.Model`` mapping ``(batch, *image_shape)`` to logits ``(batch, 1)``.
    """
    height, width, _ = check_image_shape(image_shape, multiple=8, architecture="dcgan")
    init = keras.initializers.RandomNormal(stddev=0.02)
    images = keras.Input(tuple(image_shape), name="images")
    x = images
    for step in range(upsampling_steps(height, width)):
        x = layers.Conv2D(filters * 2**step, 4, strides=2, padding="same", use_bias=step == 0,
                          kernel_initializer=init)(x)
        if step > 0:
            x = layers.BatchNormalization()(x)
        x = layers.LeakyReLU(negative_slope=0.2)(x)
    x = layers.Flatten()(x)
    logits = layers.Dense(1, kernel_initializer=init, dtype="float32", name="logits")(x)
    return keras.Model(images, logits, name=name)
