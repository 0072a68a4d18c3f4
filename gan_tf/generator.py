"""Generators: latent noise ``(batch, latent_dim)`` to samples in [-1, 1] (images ``(batch, h, w, c)``), and the
image-to-image generators of translation (``build_resnet_generator``) and super-resolution
(``build_sr_generator``), and the style-based generator (``build_style_generator``: a mapping network and a
synthesis network).

Every noise-to-sample builder takes ``num_classes``: when given, the generator is conditional,
with inputs ``[noise (batch, latent_dim), label (batch,) int32]`` and the label embedded and
concatenated with the noise (``gan_tf.layers.conditioned_noise``).
"""

import math

import keras
from keras import layers

from gan_tf.layers import ICNR, PixelShuffle, ReflectionPadding2D, conditioned_noise
from gan_tf.shapes import check_image_shape, upsampling_steps
from gan_tf.style_layers import (
    LRELU_GAIN,
    LRELU_SLOPE,
    ConstantInput,
    EqualizedDense,
    ModulatedConv2D,
    NoiseInjection,
    NoiseSource,
    PixelNorm,
    Truncation,
)

SR_SCALES = (2, 4)  # upscaling factors of build_sr_generator: stages of x2 sub-pixel upsampling

__all__ = ["build_dcgan_generator", "build_mapping_network", "build_mlp_generator", "build_resnet_generator",
           "build_sr_generator", "build_style_generator", "build_synthesis_network", "build_tutorial_generator",
           "default_residual_blocks", "instance_norm", "style_channels", "style_resolutions"]


def build_mlp_generator(latent_dim=100, output_shape=(28, 28, 1), hidden=(256, 512, 1024), num_classes=None,
                        output_activation="tanh", name="generator"):
    """The fully connected generator of the original GAN (Goodfellow et al. 2014).

    Dense layers of ``hidden`` units with LeakyReLU(0.2) and batch norm, then a dense layer
    reshaped to ``output_shape``.

    Args:
        latent_dim: size of the noise vector.
        output_shape: shape of one sample, e.g. ``(28, 28, 1)`` or ``(2,)`` for 2-D points.
        hidden: units of the hidden layers.
        num_classes: classes of a conditional generator, or ``None``.
        output_activation: ``tanh`` for images in [-1, 1]; ``linear`` for unbounded points.
        name: model name.

    Returns:
        A functional ``keras.Model`` mapping noise (and labels) to ``(batch, *output_shape)``.
    """
    inputs, x = conditioned_noise(latent_dim, num_classes)
    for units in hidden:
        x = layers.Dense(units)(x)
        x = layers.LeakyReLU(negative_slope=0.2)(x)
        x = layers.BatchNormalization(momentum=0.8)(x)
    x = layers.Dense(math.prod(output_shape), activation=output_activation, dtype="float32")(x)
    samples = layers.Reshape(tuple(output_shape), dtype="float32", name="images")(x)
    return keras.Model(inputs, samples, name=name)


def build_tutorial_generator(latent_dim=100, image_shape=(28, 28, 1), num_classes=None, name="generator"):
    """The TensorFlow DCGAN tutorial's generator, with its start size derived from ``image_shape``.

    Dense to ``(h/4, w/4, 256)``, then 5x5 transposed convolutions with 128, 64 and
    ``channels`` filters (strides 1, 2, 2), batch norm and LeakyReLU between, tanh output.

    Args:
        latent_dim: size of the noise vector.
        image_shape: ``(height, width, channels)``; height and width multiples of 4.
        num_classes: classes of a conditional generator, or ``None``.
        name: model name.

    Returns:
        A functional ``keras.Model`` mapping ``(batch, latent_dim)`` to ``(batch, *image_shape)``.
    """
    height, width, channels = check_image_shape(image_shape, multiple=4, architecture="tutorial")
    inputs, x = conditioned_noise(latent_dim, num_classes)
    x = layers.Dense((height // 4) * (width // 4) * 256, use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    x = layers.LeakyReLU()(x)
    x = layers.Reshape((height // 4, width // 4, 256))(x)
    for filters, strides in ((128, 1), (64, 2)):
        x = layers.Conv2DTranspose(filters, 5, strides=strides, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.LeakyReLU()(x)
    images = layers.Conv2DTranspose(channels, 5, strides=2, padding="same", use_bias=False,
                                    activation="tanh", dtype="float32", name="images")(x)
    return keras.Model(inputs, images, name=name)


def build_dcgan_generator(latent_dim=100, image_shape=(32, 32, 3), filters=64, num_classes=None, name="generator"):
    """The DCGAN generator of Radford et al. 2015, sized from ``image_shape``.

    Dense to a 4-pixel-high map with ``filters * 2**(k-1)`` channels, then ``k`` 4x4
    stride-2 transposed convolutions halving the filters, batch norm and ReLU between,
    tanh output; ``k = log2(min(height, width) / 4)``. Weights start from N(0, 0.02).

    Args:
        latent_dim: size of the noise vector.
        image_shape: ``(height, width, channels)``, e.g. ``(32, 32, 3)``; the shorter side is
            4 times a power of two and the longer side a multiple of the same power.
        filters: channels of the last hidden layer.
        num_classes: classes of a conditional generator, or ``None``.
        name: model name.

    Returns:
        A functional ``keras.Model`` mapping ``(batch, latent_dim)`` to ``(batch, *image_shape)``.
    """
    height, width, channels = check_image_shape(image_shape, multiple=8, architecture="dcgan")
    steps = upsampling_steps(height, width)
    init = keras.initializers.RandomNormal(stddev=0.02)
    inputs, x = conditioned_noise(latent_dim, num_classes)
    start = (height >> steps, width >> steps, filters * 2 ** (steps - 1))
    x = layers.Dense(start[0] * start[1] * start[2], use_bias=False, kernel_initializer=init)(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    x = layers.Reshape(start)(x)
    for step in range(steps - 1):
        x = layers.Conv2DTranspose(filters * 2 ** (steps - 2 - step), 4, strides=2, padding="same",
                                   use_bias=False, kernel_initializer=init)(x)
        x = layers.BatchNormalization()(x)
        x = layers.ReLU()(x)
    images = layers.Conv2DTranspose(channels, 4, strides=2, padding="same", activation="tanh",
                                    kernel_initializer=init, dtype="float32", name="images")(x)
    return keras.Model(inputs, images, name=name)


def instance_norm(name=None):
    """Instance normalisation (Ulyanov et al. 2016) from Keras itself: one group per channel."""
    return layers.GroupNormalization(groups=-1, epsilon=1e-5, name=name)


def default_residual_blocks(image_shape):
    """The paper's choice: 6 residual blocks for images up to 128 pixels, 9 for larger ones."""
    return 6 if min(image_shape[:2]) <= 128 else 9


def build_resnet_generator(image_shape=(32, 32, 3), filters=32, residual_blocks=None, name="generator"):
    """The image-to-image generator of CycleGAN (Zhu et al. 2017, appendix 7.2; Johnson et al. 2016).

    ``c7s1-f, d2f, d4f, R4f x N, u2f, uf, c7s1-channels``: a 7x7 stem, two stride-2 3x3
    convolutions, ``N`` residual blocks of two reflection-padded 3x3 convolutions, two stride-2
    transposed convolutions and a 7x7 convolution to tanh; instance norm and ReLU between.
    Fully convolutional: the model takes any height and width that are multiples of 4.

    Args:
        image_shape: ``(height, width, channels)`` of the training images (multiples of 4);
            the output has the same channels.
        filters: channels of the stem (the paper's 64; 32 keeps CPU runs short).
        residual_blocks: blocks at the bottleneck; default 6 up to 128 pixels and 9 above, as in the paper.
        name: model name.

    Returns:
        A functional ``keras.Model`` mapping ``(batch, h, w, channels)`` in [-1, 1] to the same shape.
    """
    height, width, channels = check_image_shape(image_shape, multiple=4, architecture="resnet")
    if residual_blocks is None:
        residual_blocks = default_residual_blocks(image_shape)
    if filters < 1 or residual_blocks < 0:
        raise ValueError(f"filters must be at least 1 and residual_blocks at least 0, got {filters} and "
                         f"{residual_blocks}")
    init = keras.initializers.RandomNormal(stddev=0.02)  # the reference code's init_type "normal"
    images = keras.Input((None, None, channels), name="images")
    x = ReflectionPadding2D(3)(images)
    x = layers.Conv2D(filters, 7, use_bias=False, kernel_initializer=init)(x)
    x = layers.ReLU()(instance_norm()(x))
    for step in (1, 2):
        x = layers.Conv2D(filters * 2**step, 3, strides=2, padding="same", use_bias=False, kernel_initializer=init)(x)
        x = layers.ReLU()(instance_norm()(x))
    for block in range(residual_blocks):
        skip = x
        for conv in range(2):
            x = ReflectionPadding2D(1)(x)
            x = layers.Conv2D(filters * 4, 3, use_bias=False, kernel_initializer=init)(x)
            x = instance_norm()(x)
            if conv == 0:
                x = layers.ReLU()(x)
        x = layers.Add(name=f"residual_{block}")([skip, x])
    for step in (1, 0):
        x = layers.Conv2DTranspose(filters * 2**step, 3, strides=2, padding="same", use_bias=False,
                                   kernel_initializer=init)(x)
        x = layers.ReLU()(instance_norm()(x))
    x = ReflectionPadding2D(3)(x)
    translated = layers.Conv2D(channels, 7, activation="tanh", kernel_initializer=init, dtype="float32",
                               name="translated")(x)
    return keras.Model(images, translated, name=name)


def build_sr_generator(channels=3, scale=4, filters=64, residual_blocks=16, batch_norm=False, name="generator"):
    """The super-resolution generator of SRResNet / SRGAN (Ledig et al. 2017, figure 4), EDSR-style by default.

    A 9x9 convolution and PReLU, ``residual_blocks`` blocks of two 3x3 convolutions (PReLU
    between, batch norm after each with ``batch_norm``, the paper's SRResNet; none by default,
    as in EDSR, Lim et al. 2017), a 3x3 convolution added to the stem's output, then one
    x2 sub-pixel stage per factor of 2 (a 3x3 convolution to ``4 * filters`` channels with ICNR
    initialisation, ``PixelShuffle`` and PReLU) and a 9x9 convolution to tanh. Fully
    convolutional: it upscales images of any height and width.

    Args:
        channels: channels of the images (1 or 3); input and output have the same.
        scale: upscaling factor, 2 or 4.
        filters: channels of every hidden layer (the paper's 64).
        residual_blocks: blocks at low resolution (the paper's 16).
        batch_norm: batch norm in the residual blocks, as in the paper's SRResNet.
        name: model name.

    Returns:
        A functional ``keras.Model`` mapping ``(batch, h, w, channels)`` in [-1, 1] to
        ``(batch, scale * h, scale * w, channels)`` in [-1, 1].
    """
    if scale not in SR_SCALES:
        raise ValueError(f"scale must be one of {', '.join(map(str, SR_SCALES))}, got {scale}")
    if filters < 1 or residual_blocks < 0:
        raise ValueError(f"filters must be at least 1 and residual_blocks at least 0, got {filters} and "
                         f"{residual_blocks}")

    def prelu():
        return layers.PReLU(shared_axes=[1, 2])

    def conv(x, kernel=3):
        x = layers.Conv2D(filters, kernel, padding="same")(x)
        return layers.BatchNormalization()(x) if batch_norm else x

    low = keras.Input((None, None, channels), name="low_resolution")
    stem = prelu()(layers.Conv2D(filters, 9, padding="same")(low))
    x = stem
    for block in range(residual_blocks):
        x = layers.Add(name=f"residual_{block}")([x, conv(prelu()(conv(x)))])
    x = layers.Add(name="global_skip")([stem, conv(x)])
    for _ in range(scale.bit_length() - 1):
        x = layers.Conv2D(filters * 4, 3, padding="same", kernel_initializer=ICNR(2))(x)
        x = prelu()(PixelShuffle(2)(x))
    high = layers.Conv2D(channels, 9, padding="same", activation="tanh", dtype="float32", name="high_resolution")(x)
    return keras.Model(low, high, name=name)


def style_resolutions(image_size):
    """The synthesis network's resolutions, 4 up to ``image_size`` (a power of two from 8)."""
    if image_size < 8 or image_size & (image_size - 1):
        raise ValueError(f"a style-based network makes square images of a power-of-two size from 8, got {image_size}")
    return [2**k for k in range(2, image_size.bit_length())]


def style_channels(resolution, image_size, filters, max_filters):
    """Channels at ``resolution``: ``filters`` at the image size, doubling per halving, at most ``max_filters``."""
    return min(max_filters, filters * image_size // resolution)


def build_mapping_network(latent_dim=128, w_dim=128, layers_count=2, lr_multiplier=0.01, name="mapping"):
    """StyleGAN's mapping network z -> w: pixel norm, then ``layers_count`` equalised dense layers with leaky ReLU.

    The paper's has 8 layers of 512 units; StyleGAN2-ADA's CIFAR-10 configuration 2. The
    ``lr_multiplier`` of 0.01 (the paper's) keeps w from moving faster than the synthesis
    network can follow.
    """
    z = keras.Input((latent_dim,), name="z")
    x = PixelNorm(name="pixel_norm")(z)
    for index in range(layers_count):
        x = EqualizedDense(w_dim, lr_multiplier=lr_multiplier, activation="lrelu", name=f"dense_{index}")(x)
    return keras.Model(z, x, name=name)


def build_synthesis_network(image_shape=(32, 32, 3), w_dim=128, filters=32, max_filters=128, name="synthesis"):
    """StyleGAN2's synthesis network with skip outputs (Karras et al. 2020, figure 7b).

    A learned 4x4 constant, then at each resolution from 4 to the image size two modulated
    3x3 convolutions (the first of each resolution above 4 upsamples), each followed by
    noise with a learned per-channel weight and a leaky ReLU times sqrt(2) (which keeps the
    scale), and a modulated 1x1 toRGB whose output is added to the upsampled sum of the lower
    resolutions' (no tanh: the images
    are not squashed, as in the paper; they are clipped to [-1, 1] when drawn). Layer ``k``
    reads style ``ws[:, k]`` and noise map ``k``; toRGB shares its resolution's second style.

    Args:
        image_shape: ``(size, size, channels)`` of the images, ``size`` a power of two from 8.
        w_dim: size of w.
        filters: channels at the image size (``style_channels``).
        max_filters: the most channels of any resolution.
        name: model name.

    Returns:
        A functional ``keras.Model`` mapping ``[ws (batch, num_ws, w_dim), noise (batch,
        size, size, num_ws)]`` to images ``(batch, size, size, channels)``; ``num_ws`` is
        two per resolution.
    """
    size, width, channels = image_shape
    if size != width:
        raise ValueError(f"a style-based network makes square images, got {size}x{width}")
    resolutions = style_resolutions(size)
    num_ws = 2 * len(resolutions)
    ws = keras.Input((num_ws, w_dim), name="ws")
    noise = keras.Input((size, size, num_ws), name="noise")
    x = ConstantInput(style_channels(4, size, filters, max_filters), name="constant")(ws)
    image = None
    for level, resolution in enumerate(resolutions):
        units = style_channels(resolution, size, filters, max_filters)
        for half in (0, 1):
            index = 2 * level + half
            x = ModulatedConv2D(units, 3, style_index=index, upsample=half == 0 and level > 0,
                                name=f"conv_{resolution}_{half}")([x, ws])
            x = NoiseInjection(index, name=f"noise_{resolution}_{half}")([x, noise])
            x = layers.Rescaling(LRELU_GAIN)(layers.LeakyReLU(negative_slope=LRELU_SLOPE)(x))
        rgb = ModulatedConv2D(channels, 1, style_index=2 * level + 1, demodulate=False, name=f"to_rgb_{resolution}")(
            [x, ws])
        image = rgb if image is None else layers.Add()([layers.UpSampling2D(interpolation="bilinear")(image), rgb])
    return keras.Model([ws, noise], layers.Activation("linear", dtype="float32", name="images")(image), name=name)


def build_style_generator(latent_dim=128, image_shape=(32, 32, 3), w_dim=128, mapping_layers=2, filters=32,
                          max_filters=128, name="generator"):
    """A style-based generator z -> image: ``mapping``, ``truncation``, ``noise`` and ``synthesis``, by those names.

    ``truncation`` (``gan_tf.style_layers.Truncation``) broadcasts w to every layer and holds
    the average w; ``noise`` (``NoiseSource``) draws fresh noise in training and a fixed map
    in inference. ``gan_tf.stylegan`` reaches the parts to mix styles, truncate and redraw
    the noise. Arguments as for ``build_mapping_network`` and ``build_synthesis_network``.
    """
    mapping = build_mapping_network(latent_dim, w_dim, mapping_layers)
    synthesis = build_synthesis_network(image_shape, w_dim, filters, max_filters)
    num_ws = synthesis.inputs[0].shape[1]
    z = keras.Input((latent_dim,), name="z")
    ws = Truncation(num_ws, name="truncation")(mapping(z))
    noise = NoiseSource(image_shape[0], num_ws, seed=0, name="noise")(ws)
    return keras.Model(z, synthesis([ws, noise]), name=name)
