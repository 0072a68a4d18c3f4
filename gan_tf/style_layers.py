"""Layers of the style-based generator (Karras et al. 2019, "A Style-Based Generator Architecture for GANs";
Karras et al. 2020, "Analyzing and Improving the Image Quality of StyleGAN") and its discriminator.

Every weight uses the equalised learning rate of Karras et al. 2018 ("Progressive Growing of
GANs", section 4.1): it is drawn from N(0, 1) and scaled at run time by He's constant, so Adam,
whose steps do not depend on a weight's scale, moves every layer at the same relative speed.

A style-based synthesis network reads its styles as ``ws``, one w per layer, ``(batch,
num_ws, w_dim)``, and its noise as one map per layer stacked on the channel axis, ``(batch,
size, size, num_ws)``; a layer at a lower resolution takes the top-left corner of its map.
"""

import math

import keras
from keras import layers, ops

__all__ = ["ACTIVATIONS", "ConstantInput", "EqualizedConv2D", "EqualizedDense", "ModulatedConv2D", "NoiseInjection",
           "NoiseSource", "PixelNorm", "Truncation", "truncate"]

ACTIVATIONS = ("linear", "lrelu")
LRELU_SLOPE = 0.2
LRELU_GAIN = math.sqrt(2.0)  # keeps the activations' scale through a leaky ReLU (StyleGAN's bias_act gain)


def _activate(x, activation):
    return x if activation == "linear" else ops.leaky_relu(x, LRELU_SLOPE) * LRELU_GAIN


def _check_activation(activation):
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; valid: {', '.join(ACTIVATIONS)}")


@keras.saving.register_keras_serializable(package="gan_tf")
class EqualizedDense(layers.Layer):
    """A dense layer with equalised learning rate and a learning-rate multiplier.

    The kernel is stored as ``N(0, 1 / lr_multiplier^2)`` draws and multiplied at run time by
    ``lr_multiplier / sqrt(fan_in)``; the bias is stored divided by ``lr_multiplier``. Adam's
    steps on the stored values are then ``lr_multiplier`` times smaller in effect: StyleGAN's
    mapping network learns at 0.01 of the rate of the rest.

    Args:
        units: output features.
        lr_multiplier: the multiplier (1 for an ordinary equalised layer).
        bias_init: the bias's starting value (1 for the style affines, so styles start at 1).
        activation: ``linear`` or ``lrelu`` (leaky ReLU 0.2 times sqrt(2)).
    """

    def __init__(self, units, lr_multiplier=1.0, bias_init=0.0, activation="linear", **kwargs):
        super().__init__(**kwargs)
        _check_activation(activation)
        if not lr_multiplier > 0:
            raise ValueError(f"lr_multiplier must be positive, got {lr_multiplier}")
        self.units, self.lr_multiplier, self.bias_init, self.activation = units, lr_multiplier, bias_init, activation

    def build(self, input_shape):
        fan_in = int(input_shape[-1])
        self.kernel = self.add_weight(shape=(fan_in, self.units), name="kernel",
                                      initializer=keras.initializers.RandomNormal(0.0, 1.0 / self.lr_multiplier))
        self.bias = self.add_weight(shape=(self.units,), name="bias",
                                    initializer=keras.initializers.Constant(self.bias_init / self.lr_multiplier))
        self.scale = self.lr_multiplier / math.sqrt(fan_in)

    def call(self, x):
        return _activate(ops.matmul(x, self.kernel * self.scale) + self.bias * self.lr_multiplier, self.activation)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "lr_multiplier": self.lr_multiplier,
                "bias_init": self.bias_init, "activation": self.activation}


@keras.saving.register_keras_serializable(package="gan_tf")
class EqualizedConv2D(layers.Layer):
    """A stride-1 ``same`` convolution with equalised learning rate: kernel ``N(0, 1)`` times ``1 / sqrt(fan_in)``.

    Args:
        filters: output channels.
        kernel_size: the square kernel's size.
        use_bias: add a learned bias (starting at 0).
        activation: ``linear`` or ``lrelu``.
    """

    def __init__(self, filters, kernel_size=3, use_bias=True, activation="linear", **kwargs):
        super().__init__(**kwargs)
        _check_activation(activation)
        self.filters, self.kernel_size, self.use_bias, self.activation = filters, kernel_size, use_bias, activation

    def build(self, input_shape):
        fan_in = self.kernel_size * self.kernel_size * int(input_shape[-1])
        self.kernel = self.add_weight(shape=(self.kernel_size, self.kernel_size, int(input_shape[-1]), self.filters),
                                      name="kernel", initializer=keras.initializers.RandomNormal(0.0, 1.0))
        self.bias = self.add_weight(shape=(self.filters,), name="bias", initializer="zeros") if self.use_bias else None
        self.scale = 1.0 / math.sqrt(fan_in)

    def call(self, x):
        y = ops.conv(x, self.kernel * self.scale, padding="same")
        if self.bias is not None:
            y = y + self.bias
        return _activate(y, self.activation)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "use_bias": self.use_bias, "activation": self.activation}


@keras.saving.register_keras_serializable(package="gan_tf")
class PixelNorm(layers.Layer):
    """Scales each vector to unit root mean square over its last axis (Karras et al. 2018, section 4.2).

    StyleGAN normalises z with it before the mapping network.
    """

    def call(self, x):
        return x * ops.rsqrt(ops.mean(ops.square(x), axis=-1, keepdims=True) + 1e-8)


@keras.saving.register_keras_serializable(package="gan_tf")
class ModulatedConv2D(layers.Layer):
    """A convolution whose input channels are scaled by a style, then demodulated (StyleGAN2, section 2.2).

    Inputs ``[x (batch, h, w, in), ws (batch, num_ws, w_dim)]``; the layer reads style
    ``style_index``. An equalised affine layer maps that w to one scale ``s_i`` per input channel
    (starting at 1). The effective kernel of each sample is ``w'_ijk = s_i * w_ijk``; with
    ``demodulate`` it is divided by its L2 norm per output channel, ``sqrt(sum_ik w'_ijk^2 +
    1e-8)``, which keeps unit-variance inputs at unit variance and replaces StyleGAN's AdaIN
    (and the droplet artefacts it caused). Computed as scale, convolve, rescale, which equals
    the per-sample kernel exactly and runs as one ordinary convolution.

    Args:
        filters: output channels.
        kernel_size: the square kernel's size (3 for the synthesis convolutions, 1 for toRGB).
        style_index: which of the ``ws`` this layer reads.
        demodulate: normalise the effective kernel (off for toRGB).
        upsample: double the height and width (bilinear) before the convolution.
        use_bias: add a learned bias (starting at 0).
    """

    def __init__(self, filters, kernel_size=3, style_index=0, demodulate=True, upsample=False, use_bias=True,
                 **kwargs):
        super().__init__(**kwargs)
        self.filters, self.kernel_size, self.style_index = filters, kernel_size, style_index
        self.demodulate, self.upsample, self.use_bias = demodulate, upsample, use_bias
        self.upsampling = layers.UpSampling2D(interpolation="bilinear") if upsample else None

    def build(self, input_shape):
        x_shape, ws_shape = input_shape
        channels = int(x_shape[-1])
        self.affine = EqualizedDense(channels, bias_init=1.0, name="affine")
        self.affine.build((None, ws_shape[-1]))
        self.kernel = self.add_weight(shape=(self.kernel_size, self.kernel_size, channels, self.filters),
                                      name="kernel", initializer=keras.initializers.RandomNormal(0.0, 1.0))
        self.bias = self.add_weight(shape=(self.filters,), name="bias", initializer="zeros") if self.use_bias else None
        self.scale = 1.0 / math.sqrt(self.kernel_size * self.kernel_size * channels)

    def styles(self, ws):
        """The per-sample input-channel scales ``s`` ``(batch, in)`` from ``ws``."""
        return self.affine(ws[:, self.style_index])

    def call(self, inputs):
        x, ws = inputs
        styles = self.styles(ws)
        kernel = self.kernel * self.scale
        x = x * styles[:, None, None, :]
        if self.upsampling is not None:
            x = self.upsampling(x)
        y = ops.conv(x, kernel, padding="same")
        if self.demodulate:  # 1 / ||s_i w_ijk|| over i and the kernel's taps, for each sample and output j
            norms = ops.matmul(ops.square(styles), ops.sum(ops.square(kernel), axis=(0, 1)))
            y = y * ops.rsqrt(norms + 1e-8)[:, None, None, :]
        if self.bias is not None:
            y = y + self.bias
        return y

    def compute_output_shape(self, input_shape):
        batch, height, width, _ = input_shape[0]
        factor = 2 if self.upsample else 1
        return (batch, None if height is None else height * factor, None if width is None else width * factor,
                self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "style_index": self.style_index, "demodulate": self.demodulate, "upsample": self.upsample,
                "use_bias": self.use_bias}


@keras.saving.register_keras_serializable(package="gan_tf")
class NoiseInjection(layers.Layer):
    """Adds per-pixel noise scaled by a learned per-channel weight (StyleGAN, section 3.2), starting at 0.

    Inputs ``[x (batch, h, w, c), noise (batch, size, size, num_noise)]``; the layer adds the
    top-left ``h x w`` corner of noise map ``noise_index`` times its weights. Zero weights at
    the start leave the generator deterministic until training finds a use for the noise
    (hair, pores, the grain of a stroke: detail that should vary without changing what the
    image shows).
    """

    def __init__(self, noise_index=0, **kwargs):
        super().__init__(**kwargs)
        self.noise_index = noise_index

    def build(self, input_shape):
        self.strength = self.add_weight(shape=(int(input_shape[0][-1]),), name="strength", initializer="zeros")

    def call(self, inputs):
        x, noise = inputs
        height, width = x.shape[1], x.shape[2]
        return x + noise[:, :height, :width, self.noise_index : self.noise_index + 1] * self.strength

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "noise_index": self.noise_index}


@keras.saving.register_keras_serializable(package="gan_tf")
class ConstantInput(layers.Layer):
    """The synthesis network's learned starting map ``(size, size, channels)``, the same for every sample.

    The input only gives the batch size (StyleGAN, section 2: the latent code enters through
    the styles alone).
    """

    def __init__(self, channels, size=4, **kwargs):
        super().__init__(**kwargs)
        self.channels, self.size = channels, size

    def build(self, input_shape):
        self.constant = self.add_weight(shape=(1, self.size, self.size, self.channels), name="constant",
                                        initializer=keras.initializers.RandomNormal(0.0, 1.0))

    def call(self, x):
        return ops.repeat(self.constant, ops.shape(x)[0], axis=0)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.size, self.size, self.channels)

    def get_config(self):
        return {**super().get_config(), "channels": self.channels, "size": self.size}


def truncate(ws, w_average, psi, cutoff=None):
    """The truncation trick (StyleGAN, section 3; Marchesi 2017): ``w_avg + psi * (w - w_avg)``.

    Pulling w towards the average trades variety for fidelity: ``psi`` 1 leaves ``ws`` as
    they are, 0 gives every sample the average image. Only the first ``cutoff`` of the
    ``(batch, num_ws, w_dim)`` styles are truncated (StyleGAN truncates the coarse ones);
    ``None`` truncates all.
    """
    truncated = w_average + psi * (ws - w_average)
    if cutoff is None:
        return truncated
    layer = ops.arange(ops.shape(ws)[1])[None, :, None]
    return ops.where(layer < cutoff, truncated, ws)


@keras.saving.register_keras_serializable(package="gan_tf")
class Truncation(layers.Layer):
    """Broadcasts w to one style per layer ``(batch, num_ws, w_dim)``, truncated towards the tracked average w.

    ``w_average`` is a non-trainable weight the trainer updates as a moving average of the
    mapping network's outputs (``gan_tf.StyleGAN``, beta 0.995); ``psi`` and ``cutoff`` are
    those of ``truncate`` (1 and ``None``: no truncation).
    """

    def __init__(self, num_ws, psi=1.0, cutoff=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= psi <= 1:
            raise ValueError(f"psi must be in [0, 1], got {psi}")
        self.num_ws, self.psi, self.cutoff = num_ws, psi, cutoff

    def build(self, input_shape):
        self.w_average = self.add_weight(shape=(int(input_shape[-1]),), name="w_average", initializer="zeros",
                                         trainable=False)

    def call(self, w):
        ws = ops.repeat(w[:, None, :], self.num_ws, axis=1)
        return ws if self.psi == 1 else truncate(ws, self.w_average, self.psi, self.cutoff)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.num_ws, input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "num_ws": self.num_ws, "psi": self.psi, "cutoff": self.cutoff}


@keras.saving.register_keras_serializable(package="gan_tf")
class NoiseSource(layers.Layer):
    """The noise maps ``(batch, size, size, num_noise)`` of a generator called on z alone.

    Training draws fresh Gaussian noise each call; inference uses one fixed draw kept in the
    model (StyleGAN2-ADA's ``const`` noise mode), so a z always gives the same image. Pass
    other noise to the synthesis network itself to see what the noise does
    (``gan_tf.stylegan.random_noise``). The input only gives the batch size.
    """

    def __init__(self, size, num_noise, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.size, self.num_noise, self.seed = size, num_noise, seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def build(self, input_shape):
        self.constant = self.add_weight(shape=(1, self.size, self.size, self.num_noise), name="constant",
                                        initializer=keras.initializers.RandomNormal(0.0, 1.0, seed=self.seed),
                                        trainable=False)

    def call(self, x, training=False):
        batch = ops.shape(x)[0]
        if training:
            return keras.random.normal((batch, self.size, self.size, self.num_noise), seed=self.seed_generator)
        return ops.repeat(self.constant, batch, axis=0)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.size, self.size, self.num_noise)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "num_noise": self.num_noise, "seed": self.seed}
