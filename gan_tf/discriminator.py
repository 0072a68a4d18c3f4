"""Discriminators: samples in [-1, 1] (images ``(batch, h, w, c)``) to one real/fake logit ``(batch, 1)``.

Every builder takes:
    num_classes: when given, the discriminator is conditional, with inputs ``[images, label
        (batch,) int32]``.
    conditioning: how it sees the label: ``concat`` (a learned label embedding appended to
        the input) or ``projection`` (``gan_tf.layers.projection_logits``).
    minibatch_std: append the batch's standard deviation before the head
        (``gan_tf.layers.MinibatchStdDev``), a mode-collapse mitigation.
    pack: judge this many samples jointly (PacGAN, ``gan_tf.layers.Pack``), another mitigation;
        the output then has ``batch // pack`` rows. Unconditional discriminators only.
A WGAN-GP critic is a discriminator without batch norm (``normalization=None`` or ``"layer"``).
``build_patch_discriminator`` (translation models) instead gives one logit per image patch;
``build_style_discriminator`` is StyleGAN2's residual discriminator.
"""

import keras
from keras import layers

from gan_tf.generator import instance_norm, style_channels, style_resolutions
from gan_tf.layers import MinibatchStdDev, discriminator_inputs, projection_logits
from gan_tf.shapes import check_image_shape, upsampling_steps
from gan_tf.style_layers import EqualizedConv2D, EqualizedDense

__all__ = ["NORMALIZATIONS", "build_dcgan_discriminator", "build_mlp_discriminator", "build_patch_discriminator",
           "build_sr_discriminator", "build_style_discriminator", "build_tutorial_discriminator", "sr_downsamples"]

NORMALIZATIONS = ("batch", "layer", None)


def build_mlp_discriminator(input_shape=(28, 28, 1), hidden=(512, 256), num_classes=None, conditioning="concat",
                            minibatch_std=False, pack=1, dropout=0.0, name="discriminator"):
    """The fully connected discriminator of the original GAN (Goodfellow et al. 2014).

    Flatten, dense layers of ``hidden`` units with LeakyReLU(0.2) and optional dropout, then a
    logit.

    Args:
        input_shape: shape of one sample, e.g. ``(28, 28, 1)`` or ``(2,)``.
        hidden: units of the hidden layers.
        num_classes: classes of a conditional discriminator, or ``None``.
        conditioning: ``concat`` or ``projection`` (see the module docstring).
        minibatch_std: append the batch's standard deviation before the last hidden layer.
        dropout: dropout rate after each hidden layer.
        name: model name.

    Returns:
        A functional ``keras.Model`` mapping ``(batch, *input_shape)`` (and labels) to ``(batch, 1)``.
    """
    inputs, x, label = discriminator_inputs(input_shape, num_classes, conditioning, pack)
    x = layers.Flatten()(x)
    for i, units in enumerate(hidden):
        if minibatch_std and i == len(hidden) - 1:
            x = MinibatchStdDev()(x)
        x = layers.Dense(units)(x)
        x = layers.LeakyReLU(negative_slope=0.2)(x)
        if dropout:
            x = layers.Dropout(dropout)(x)
    return keras.Model(inputs, projection_logits(x, label, num_classes), name=name)


def build_tutorial_discriminator(image_shape=(28, 28, 1), dropout=0.3, num_classes=None, conditioning="concat",
                                 minibatch_std=False, pack=1, name="discriminator"):
    """The TensorFlow DCGAN tutorial's discriminator.

    Two 5x5 stride-2 convolutions (64 and 128 filters) with LeakyReLU and dropout, then a
    dense logit. It has no batch norm, so it also serves as a WGAN-GP critic (``dropout=0``).

    Args:
        image_shape: ``(height, width, channels)``; height and width multiples of 4.
        dropout: dropout rate after each convolution.
        num_classes: classes of a conditional discriminator, or ``None``.
        conditioning: ``concat`` or ``projection`` (see the module docstring).
        minibatch_std: append the batch's standard deviation as a channel before the head.
        name: model name.

    Returns:
        A functional ``keras.Model`` mapping ``(batch, *image_shape)`` to logits ``(batch, 1)``.
    """
    check_image_shape(image_shape, multiple=4, architecture="tutorial")
    inputs, x, label = discriminator_inputs(image_shape, num_classes, conditioning, pack)
    for filters in (64, 128):
        x = layers.Conv2D(filters, 5, strides=2, padding="same")(x)
        x = layers.LeakyReLU()(x)
        x = layers.Dropout(dropout)(x)
    if minibatch_std:
        x = MinibatchStdDev()(x)
    x = layers.Flatten()(x)
    return keras.Model(inputs, projection_logits(x, label, num_classes), name=name)


def build_dcgan_discriminator(image_shape=(32, 32, 3), filters=64, num_classes=None, conditioning="concat",
                              minibatch_std=False, pack=1, normalization="batch", name="discriminator"):
    """The DCGAN discriminator of Radford et al. 2015, sized from ``image_shape``.

    ``k`` 4x4 stride-2 convolutions doubling the filters from ``filters``, LeakyReLU(0.2),
    ``normalization`` on all but the first, then a dense logit; ``k = log2(min(height, width) / 4)``.
    Weights start from N(0, 0.02).

    Args:
        image_shape: ``(height, width, channels)``, as for ``build_dcgan_generator``.
        filters: channels of the first convolution.
        num_classes: classes of a conditional discriminator, or ``None``.
        conditioning: ``concat`` or ``projection`` (see the module docstring).
        minibatch_std: append the batch's standard deviation as a channel before the head.
        normalization: ``batch`` (the paper), ``layer`` (what Gulrajani et al. suggest in a
            critic's batch norm's place) or ``None`` (their CIFAR-10 critic's choice).
        name: model name.

    Returns:
        A functional ``keras.Model`` mapping ``(batch, *image_shape)`` to logits ``(batch, 1)``.
    """
    if normalization not in NORMALIZATIONS:
        raise ValueError(f"unknown normalization {normalization!r}; valid: batch, layer, None")
    height, width, _ = check_image_shape(image_shape, multiple=8, architecture="dcgan")
    init = keras.initializers.RandomNormal(stddev=0.02)
    inputs, x, label = discriminator_inputs(image_shape, num_classes, conditioning, pack)
    for step in range(upsampling_steps(height, width)):
        normalized = step > 0 and normalization is not None
        x = layers.Conv2D(filters * 2**step, 4, strides=2, padding="same", use_bias=not normalized,
                          kernel_initializer=init)(x)
        if normalized:
            # layer norm over each sample's whole feature map (Ba et al. 2016), not per pixel
            x = (layers.BatchNormalization() if normalization == "batch"
                 else layers.LayerNormalization(axis=(1, 2, 3)))(x)
        x = layers.LeakyReLU(negative_slope=0.2)(x)
    if minibatch_std:
        x = MinibatchStdDev()(x)
    x = layers.Flatten()(x)
    return keras.Model(inputs, projection_logits(x, label, num_classes, kernel_initializer=init), name=name)


def patch_downsamples(height, width):
    """Stride-2 layers of a PatchGAN for an image: 3 (the 70x70 PatchGAN) from 64 pixels up, fewer below,
    so that the last map keeps at least about 7 patches a side."""
    short = min(height, width)
    return max(1, min(3, (short // 7).bit_length() - 1))


def build_patch_discriminator(image_shape=(32, 32, 3), filters=32, downsamples=None, name="discriminator"):
    """The PatchGAN discriminator of pix2pix and CycleGAN (Isola et al. 2017; Zhu et al. 2017, appendix 7.2).

    ``C(f)-C(2f)-...`` 4x4 convolutions with stride 2, LeakyReLU(0.2) and instance norm (none
    on the first), one stride-1 layer, then a 4x4 convolution to one logit per patch: it judges
    texture and local structure, and takes images of any size.

    Args:
        image_shape: ``(height, width, channels)`` of the images judged.
        filters: channels of the first layer (the paper's 64).
        downsamples: stride-2 layers; default ``patch_downsamples`` (3 for 64 pixels and up, 2 for 28 to 63).
        name: model name.

    Returns:
        A functional ``keras.Model`` mapping ``(batch, h, w, channels)`` to logits ``(batch, h', w', 1)``.
    """
    height, width, channels = check_image_shape(image_shape, multiple=1, architecture="patch")
    downsamples = patch_downsamples(height, width) if downsamples is None else downsamples
    if downsamples < 1:
        raise ValueError(f"downsamples must be at least 1, got {downsamples}")
    init = keras.initializers.RandomNormal(stddev=0.02)
    images = keras.Input((None, None, channels), name="images")
    x = images
    for layer in range(downsamples + 1):
        x = layers.Conv2D(filters * 2 ** min(layer, 3), 4, strides=2 if layer < downsamples else 1, padding="same",
                          use_bias=layer == 0, kernel_initializer=init)(x)
        if layer:
            x = instance_norm()(x)
        x = layers.LeakyReLU(negative_slope=0.2)(x)
    logits = layers.Conv2D(1, 4, padding="same", kernel_initializer=init, dtype="float32", name="logits")(x)
    return keras.Model(images, logits, name=name)


def sr_downsamples(height, width):
    """Stride-2 blocks of the SRGAN discriminator: the paper's 4 from 32 pixels up, fewer below (at least 1)."""
    return max(1, min(4, min(height, width).bit_length() - 2))


def build_sr_discriminator(image_shape=(32, 32, 3), filters=64, name="discriminator"):
    """The SRGAN discriminator (Ledig et al. 2017, figure 4), its depth sized from the image.

    Pairs of 3x3 convolutions, stride 1 then stride 2, with ``filters * 2**k`` channels
    (``k`` capped at 3; batch norm after all but the first, LeakyReLU(0.2)), one pair per
    stride-2 block (``sr_downsamples``: 4 from 32 pixels up, as in the paper for 96 pixels),
    then dense layers of ``16 * filters`` units (the paper's 1024) and one logit.

    Args:
        image_shape: ``(height, width, channels)`` of the high-resolution images judged.
        filters: channels of the first convolution (the paper's 64).
        name: model name.

    Returns:
        A functional ``keras.Model`` mapping ``(batch, *image_shape)`` to logits ``(batch, 1)``.
    """
    height, width, _ = check_image_shape(image_shape, multiple=1, architecture="srgan")
    images = keras.Input(tuple(image_shape), name="images")
    x = images
    for block in range(sr_downsamples(height, width)):
        for strides in (1, 2):
            x = layers.Conv2D(filters * 2 ** min(block, 3), 3, strides=strides, padding="same",
                              use_bias=block == 0 and strides == 1)(x)
            if block or strides == 2:
                x = layers.BatchNormalization()(x)
            x = layers.LeakyReLU(negative_slope=0.2)(x)
    x = layers.Flatten()(x)
    x = layers.LeakyReLU(negative_slope=0.2)(layers.Dense(filters * 16)(x))
    return keras.Model(images, layers.Dense(1, dtype="float32", name="logits")(x), name=name)


def build_style_discriminator(image_shape=(32, 32, 3), filters=32, max_filters=128, mbstd_group=4,
                              name="discriminator"):
    """StyleGAN2's residual discriminator (Karras et al. 2020, figure 7c), with equalised learning rate.

    A 1x1 fromRGB, then per resolution down to 8 a residual block: two 3x3 convolutions and a
    2x2 average pool, added to the pooled input through a 1x1 convolution and scaled by
    1/sqrt(2). At 4x4: the minibatch standard deviation over groups of 4 (``MinibatchStdDev``), a 3x3
    convolution, a dense layer and one logit. Channels mirror the synthesis network's
    (``style_channels``); leaky ReLU 0.2 throughout.

    Returns:
        A functional ``keras.Model`` mapping ``(batch, *image_shape)`` to logits ``(batch, 1)``.
    """
    size = image_shape[0]
    resolutions = style_resolutions(size)
    if image_shape[1] != size:
        raise ValueError(f"a style-based network judges square images, got {size}x{image_shape[1]}")
    images = keras.Input(tuple(image_shape), name="images")
    top = style_channels(size, size, filters, max_filters)
    x = EqualizedConv2D(top, 1, activation="lrelu", name="from_rgb")(images)
    for resolution in reversed(resolutions[1:]):
        units, lower = (style_channels(r, size, filters, max_filters) for r in (resolution, resolution // 2))
        skip = EqualizedConv2D(lower, 1, use_bias=False, name=f"skip_{resolution}")(layers.AveragePooling2D(2)(x))
        x = EqualizedConv2D(units, 3, activation="lrelu", name=f"conv_{resolution}_0")(x)
        x = EqualizedConv2D(lower, 3, activation="lrelu", name=f"conv_{resolution}_1")(x)
        x = layers.Rescaling(2**-0.5)(layers.Add()([layers.AveragePooling2D(2)(x), skip]))
    units = style_channels(4, size, filters, max_filters)
    x = EqualizedConv2D(units, 3, activation="lrelu", name="conv_4")(MinibatchStdDev(group_size=mbstd_group)(x))
    x = EqualizedDense(units, activation="lrelu", name="dense_4")(layers.Flatten()(x))
    logits = EqualizedDense(1, name="logits")(x)
    return keras.Model(images, layers.Activation("linear", dtype="float32")(logits), name=name)
