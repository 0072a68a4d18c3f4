"""Layers the GAN networks share: minibatch standard deviation, packing, label conditioning, reflection padding,
sub-pixel upsampling."""

import keras
from keras import layers, ops

__all__ = ["CONDITIONINGS", "ICNR", "MinibatchStdDev", "Pack", "PixelShuffle", "ReflectionPadding2D",
           "conditioned_noise", "discriminator_inputs", "projection_logits"]

# How a conditional discriminator sees the label.
CONDITIONINGS = ("concat", "projection")


@keras.saving.register_keras_serializable(package="gan_tf")
class MinibatchStdDev(layers.Layer):
    """Appends one feature: the mean standard deviation over a group of samples (Karras et al. 2018, section 3).

    The standard deviation of every feature over the group, averaged to one number and
    appended to every sample of the group (as an extra channel for image maps), lets the
    discriminator see how varied the samples are, so a generator that collapses to a few
    outputs is easy to reject. ``group_size`` ``None`` takes the whole batch as one group;
    StyleGAN uses groups of 4, which give the discriminator several statistics per batch.
    Groups are contiguous, sample ``i`` in group ``i // group_size`` (StyleGAN's own code strides
    them), so that each replica's contiguous share of a batch under ``tf.distribute`` holds
    whole groups and the statistics are the same as on one device. A batch that does not
    divide into groups is taken whole.

    Input ``(batch, ..., channels)``; output ``(batch, ..., channels + 1)``.
    """

    def __init__(self, group_size=None, **kwargs):
        super().__init__(**kwargs)
        if group_size is not None and group_size < 2:
            raise ValueError(f"group_size must be at least 2, got {group_size}")
        self.group_size = group_size

    def call(self, x):
        batch = ops.shape(x)[0]
        group = batch if self.group_size is None else ops.where(batch % self.group_size == 0, self.group_size, batch)
        grouped = ops.reshape(ops.cast(x, "float32"), (-1, group, *x.shape[1:]))
        deviations = ops.sqrt(ops.var(grouped, axis=1) + 1e-8)  # (batch / group, ...)
        statistic = ops.mean(ops.reshape(deviations, (ops.shape(deviations)[0], -1)), axis=1)
        statistic = ops.reshape(ops.repeat(statistic, group, axis=0), (-1, *[1] * (len(x.shape) - 1)))
        return ops.concatenate([x, ops.ones_like(x[..., :1]) * ops.cast(statistic, x.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], None if input_shape[-1] is None else input_shape[-1] + 1)

    def get_config(self):
        return {**super().get_config(), "group_size": self.group_size}


@keras.saving.register_keras_serializable(package="gan_tf")
class Pack(layers.Layer):
    """Packs each ``packing`` consecutive samples into one (Lin et al. 2018, "PacGAN").

    A discriminator that judges several samples jointly sees how varied they are, so a
    generator that collapses to a few outputs is easy to reject. Samples are joined along the
    last axis (features of points, channels of images); a trailing partial pack is dropped.

    Input ``(batch, ..., channels)``; output ``(batch // packing, ..., packing * channels)``.
    """

    def __init__(self, packing, **kwargs):
        super().__init__(**kwargs)
        if packing < 1:
            raise ValueError(f"packing must be at least 1, got {packing}")
        self.packing = packing

    def call(self, x):
        groups = ops.shape(x)[0] // self.packing
        x = ops.reshape(x[: groups * self.packing], (groups, self.packing, *x.shape[1:]))
        x = ops.moveaxis(x, 1, -2)  # (groups, ..., packing, channels)
        return ops.reshape(x, (groups, *x.shape[1:-2], self.packing * x.shape[-1]))

    def compute_output_shape(self, input_shape):
        batch = None if input_shape[0] is None else input_shape[0] // self.packing
        return (batch, *input_shape[1:-1], self.packing * input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "packing": self.packing}


@keras.saving.register_keras_serializable(package="gan_tf")
class ReflectionPadding2D(layers.Layer):
    """Pads height and width by mirroring the image at its border (Keras has zero padding only).

    The translation networks of Johnson et al. 2016 and Zhu et al. 2017 pad this way so that
    no dark frame appears at the image border. Input ``(batch, height, width, channels)``;
    output ``(batch, height + 2 * padding, width + 2 * padding, channels)``.
    """

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        if padding < 0:
            raise ValueError(f"padding must be at least 0, got {padding}")
        self.padding = padding

    def call(self, x):
        p = self.padding
        return ops.pad(x, ((0, 0), (p, p), (p, p), (0, 0)), mode="reflect")

    def compute_output_shape(self, input_shape):
        grow = [None if d is None else d + 2 * self.padding for d in input_shape[1:3]]
        return (input_shape[0], *grow, input_shape[3])

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}


@keras.saving.register_keras_serializable(package="gan_tf")
class PixelShuffle(layers.Layer):
    """Sub-pixel upsampling: rearranges ``factor**2`` groups of channels into a ``factor`` times larger image.

    Shi et al. 2016, "Real-Time Single Image and Video Super-Resolution Using an Efficient
    Sub-Pixel Convolutional Neural Network" (``depth_to_space``). A convolution to
    ``channels * factor**2`` filters followed by this layer upsamples without the checkerboard
    pattern that transposed convolutions leave. Input ``(batch, h, w, c * factor**2)``; output
    ``(batch, h * factor, w * factor, c)``; any ``h`` and ``w``.
    """

    def __init__(self, factor=2, **kwargs):
        super().__init__(**kwargs)
        if factor < 1:
            raise ValueError(f"factor must be at least 1, got {factor}")
        self.factor = factor

    def call(self, x):
        return ops.depth_to_space(x, self.factor)

    def compute_output_shape(self, input_shape):
        grow = [None if d is None else d * self.factor for d in input_shape[1:3]]
        return (input_shape[0], *grow, input_shape[3] // self.factor**2)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


@keras.saving.register_keras_serializable(package="gan_tf")
class ICNR(keras.initializers.Initializer):
    """Initialises the convolution before a ``PixelShuffle(factor)`` so that the upsampling starts as nearest neighbour.

    Aitken et al. 2017, "Checkerboard artifact free sub-pixel convolution": a kernel for
    ``out / factor**2`` channels is drawn with ``initializer`` and repeated for every sub-pixel
    position, so all ``factor**2`` outputs of a pixel start equal and no checkerboard is
    there to unlearn.
    """

    def __init__(self, factor=2, initializer="glorot_uniform"):
        self.factor = factor
        self.initializer = keras.initializers.get(initializer)

    def __call__(self, shape, dtype=None):
        *kernel, channels = shape
        repeats = self.factor**2
        if channels % repeats:
            raise ValueError(f"ICNR({self.factor}) needs output channels divisible by {repeats}, got {channels}")
        base = self.initializer((*kernel, channels // repeats), dtype=dtype)
        # depth_to_space reads channel (i * factor + j) * c_out + c for sub-pixel (i, j) of channel c
        return ops.tile(base, (1,) * len(kernel) + (repeats,))

    def get_config(self):
        return {"factor": self.factor, "initializer": keras.initializers.serialize(self.initializer)}


def conditioned_noise(latent_dim, num_classes, embedding_dim=50):
    """Generator inputs and the vector its body starts from.

    Returns ``(inputs, x)``: without ``num_classes``, the noise input and the noise itself;
    with it, ``[noise, label]`` and the noise concatenated with a learned label embedding
    (Mirza & Osindero 2014).
    """
    noise = keras.Input((latent_dim,), name="noise")
    if num_classes is None:
        return noise, noise
    label = keras.Input((), dtype="int32", name="label")
    embedded = layers.Embedding(num_classes, embedding_dim, name="label_embedding")(label)
    return [noise, label], layers.Concatenate()([noise, embedded])


def discriminator_inputs(input_shape, num_classes, conditioning="concat", pack=1):
    """Discriminator inputs, the tensor its body starts from, and the label its head needs.

    Returns ``(inputs, x, head_label)``. Without ``num_classes``: the sample input (packed by
    ``Pack`` when ``pack`` > 1) and ``None``. With it, inputs ``[samples, label]`` and, for ``concat`` (Mirza & Osindero
    2014), the samples with the label's learned embedding appended (one extra image channel,
    or extra features for vectors) and no head label; for ``projection`` (Miyato & Koyama
    2018), the samples unchanged and the label for ``projection_logits``.
    """
    if conditioning not in CONDITIONINGS:
        raise ValueError(f"unknown conditioning {conditioning!r}; valid: {', '.join(CONDITIONINGS)}")
    samples = keras.Input(tuple(input_shape), name="images")
    if num_classes is None:
        return samples, (Pack(pack)(samples) if pack > 1 else samples), None
    if pack > 1:
        raise ValueError("packing (PacGAN) is for unconditional discriminators; a conditional one sees one "
                         "label per sample")
    label = keras.Input((), dtype="int32", name="label")
    if conditioning == "projection":
        return [samples, label], samples, label
    if len(input_shape) == 3:
        height, width, _ = input_shape
        plane = layers.Embedding(num_classes, height * width, name="label_embedding")(label)
        x = layers.Concatenate()([samples, layers.Reshape((height, width, 1))(plane)])
    else:
        embedded = layers.Embedding(num_classes, 50, name="label_embedding")(label)
        x = layers.Concatenate()([layers.Flatten()(samples), embedded])
    return [samples, label], x, None


def projection_logits(features, label, num_classes, kernel_initializer="glorot_uniform", name="logits"):
    """``w . phi(x) + <embed(y), phi(x)>``: the projection discriminator's head (Miyato & Koyama 2018).

    Args:
        features: ``(batch, dim)`` features of the input.
        label: the int label input ``(batch,)``, or ``None`` for an unconditional head.
        num_classes: number of classes (ignored when ``label`` is ``None``).
        kernel_initializer: initializer of the dense head.
        name: name of the output layer.
    """
    logits = layers.Dense(1, kernel_initializer=kernel_initializer, dtype="float32",
                          name=name if label is None else None)(features)
    if label is None:
        return logits
    embedded = layers.Embedding(num_classes, features.shape[-1], name="label_projection")(label)
    projection = layers.Dot(axes=1)([embedded, features])
    return layers.Add(dtype="float32", name=name)([logits, projection])
