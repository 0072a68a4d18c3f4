"""Encoders: images ``(batch, height, width, channels)`` in [-1, 1] to a latent code.

A variational encoder has two outputs, ``z_mean`` and ``z_log_var`` ``(batch, latent_dim)``,
the parameters of the diagonal Gaussian ``q(z | x)``; a deterministic one (for the plain
autoencoder) has one, ``z``. A conditional encoder (``num_classes`` given) takes int labels
``(batch,)`` as a second input, embedded into one extra image channel.
"""

import keras
from keras import layers

from gan_tf.shapes import check_image_shape

__all__ = ["build_conv_encoder", "build_dense_encoder", "build_resnet_encoder", "residual_block"]


def build_dense_encoder(latent_dim, image_shape=(28, 28, 1), num_classes=None, variational=True,
                        units=(512, 256), name="encoder"):
    """A multilayer perceptron on the flattened pixels: ``Dense(units[i])`` with ReLU.

    Args:
        latent_dim: size of the code.
        image_shape: ``(height, width, channels)``, any size.
        num_classes: number of labels of a conditional encoder; ``None`` for none.
        variational: two outputs ``(z_mean, z_log_var)`` instead of one ``z``.
        units: widths of the hidden layers.
        name: model name.

    Returns:
        A functional ``keras.Model`` (see the module docstring for inputs and outputs).
    """
    inputs, x = _inputs(image_shape, num_classes)
    x = layers.Flatten()(x)
    for width in units:
        x = layers.Dense(width, activation="relu")(x)
    return _with_heads(inputs, x, latent_dim, variational, name)


def build_conv_encoder(latent_dim, image_shape=(28, 28, 1), num_classes=None, variational=True,
                       filters=(32, 64), units=256, name="encoder"):
    """Two 3x3 stride-2 convolutions (the TensorFlow CVAE tutorial's), then ``Dense(units)``.

    Args:
        latent_dim: size of the code.
        image_shape: ``(height, width, channels)``; height and width multiples of 4.
        num_classes: number of labels of a conditional encoder; ``None`` for none.
        variational: two outputs ``(z_mean, z_log_var)`` instead of one ``z``.
        filters: channels of the two convolutions.
        units: width of the dense layer before the heads.
        name: model name.

    Returns:
        A functional ``keras.Model`` (see the module docstring for inputs and outputs).
    """
    check_image_shape(image_shape, multiple=4, architecture="conv")
    inputs, x = _inputs(image_shape, num_classes)
    for width in filters:
        x = layers.Conv2D(width, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(units, activation="relu")(x)
    return _with_heads(inputs, x, latent_dim, variational, name)


def build_resnet_encoder(latent_dim, image_shape=(28, 28, 1), num_classes=None, variational=True,
                         filters=(32, 64, 128), units=256, name="encoder"):
    """A deeper convolutional encoder: residual blocks between stride-2 convolutions.

    ``Conv 3x3 (filters[0])``, then for each further width a residual block and a 4x4
    stride-2 convolution, a last residual block, and ``Dense(units)``. Two downsamplings
    with the default three widths.

    Args:
        latent_dim: size of the code.
        image_shape: ``(height, width, channels)``; height and width multiples of
            ``2 ** (len(filters) - 1)``.
        num_classes: number of labels of a conditional encoder; ``None`` for none.
        variational: two outputs ``(z_mean, z_log_var)`` instead of one ``z``.
        filters: channels at each resolution, from the input's down.
        units: width of the dense layer before the heads.
        name: model name.

    Returns:
        A functional ``keras.Model`` (see the module docstring for inputs and outputs).
    """
    check_image_shape(image_shape, multiple=2 ** (len(filters) - 1), architecture="resnet")
    inputs, x = _inputs(image_shape, num_classes)
    x = layers.Conv2D(filters[0], 3, padding="same")(x)
    for width in filters[1:]:
        x = residual_block(x)
        x = layers.Conv2D(width, 4, strides=2, padding="same")(x)
    x = residual_block(x)
    x = layers.Flatten()(layers.ReLU()(x))
    x = layers.Dense(units, activation="relu")(x)
    return _with_heads(inputs, x, latent_dim, variational, name)


def residual_block(x):
    """``x + Conv3x3(ReLU(Conv3x3(ReLU(x))))`` with as many channels as ``x`` (He et al. 2016, pre-activation)."""
    channels = x.shape[-1]
    y = layers.Conv2D(channels, 3, padding="same")(layers.ReLU()(x))
    y = layers.Conv2D(channels, 3, padding="same")(layers.ReLU()(y))
    return layers.Add()([x, y])


def _inputs(image_shape, num_classes):
    """The model's inputs and the tensor the trunk starts from (image plus a label channel)."""
    images = keras.Input(tuple(image_shape), name="images")
    if num_classes is None:
        return [images], images
    height, width = image_shape[0], image_shape[1]
    label = keras.Input((), dtype="int32", name="label")
    label_map = layers.Reshape((height, width, 1))(layers.Embedding(num_classes, height * width)(label))
    return [images, label], layers.Concatenate()([images, label_map])


def _with_heads(inputs, features, latent_dim, variational, name):
    if latent_dim < 1:
        raise ValueError(f"latent_dim must be at least 1, got {latent_dim}")
    if variational:
        outputs = [layers.Dense(latent_dim, dtype="float32", name="z_mean")(features),
                   layers.Dense(latent_dim, dtype="float32", name="z_log_var")(features)]
    else:
        outputs = layers.Dense(latent_dim, dtype="float32", name="z")(features)
    return keras.Model(inputs if len(inputs) > 1 else inputs[0], outputs, name=name)
