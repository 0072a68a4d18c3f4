"""What a network learned: activation maximisation and feature maps, for any Keras image model.

Activation maximisation (Erhan et al. 2009; Simonyan et al. 2014) searches for the input that
drives one unit of a trained network as high as it goes: a class logit (before the softmax, so
the search cannot win by lowering the other classes alone) or, as an option, the class's
log-probability (which also pushes the other classes down), the mean activation of one filter of
a convolutional layer, or a discriminator's "real" logit. On its own the search finds
adversarial patterns; the usual priors make the images readable: L2 and total-variation
penalties, jitter (a random shift every step) and a blur every few steps (Yosinski et al.
2015), or the strongest prior, ascending in the latent space of a generator trained on the
same data (Nguyen et al. 2016). Networks are always called in inference mode (batch norm uses
its moving statistics, dropout is off), images stay in the network's input range, and the same
seed gives the same images.
"""

from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from core_tf.figures import new_figure, save_figure

__all__ = ["MaximizationResult", "Regularizers", "class_probabilities", "feature_maps", "first_layer_filters",
           "gaussian_blur", "maximize_activation", "plot_feature_maps", "plot_maximized", "total_variation",
           "unit_objective"]


@dataclass(frozen=True)
class Regularizers:
    """The image priors of an ascent in pixel space; all off by default (``Regularizers.readable()``: on).

    Args:
        l2: weight of the mean squared pixel value (keeps the image near mid-grey).
        tv: weight of the mean total variation (``total_variation``; smooths the image).
        jitter: largest random shift in pixels applied before every step (``0``: none).
        blur_every: blur the image every this many steps (``0``: never).
        blur_sigma: the blur's Gaussian standard deviation in pixels.
    """

    l2: float = 0.0
    tv: float = 0.0
    jitter: int = 0
    blur_every: int = 0
    blur_sigma: float = 0.5

    @classmethod
    def readable(cls):
        """Settings that make small networks' maximised images readable (chosen on MNIST, see docs)."""
        return cls(l2=0.01, tv=0.05, jitter=1, blur_every=8, blur_sigma=0.5)


@dataclass
class MaximizationResult:
    """Maximised images ``(units, h, w, c)`` in the input range, their objective values, and its history."""

    images: np.ndarray
    scores: np.ndarray
    history: np.ndarray  # (steps, units)


def total_variation(images):
    """Mean absolute difference between neighbouring pixels of ``(n, h, w, c)`` images, per image ``(n,)``."""
    dy = tf.abs(images[:, 1:] - images[:, :-1])
    dx = tf.abs(images[:, :, 1:] - images[:, :, :-1])
    return tf.reduce_mean(dy, axis=[1, 2, 3]) + tf.reduce_mean(dx, axis=[1, 2, 3])


def _pre_activation(model):
    """A model giving the last layer's output before its softmax or sigmoid: logits, for a classifier's output."""
    last = model.layers[-1]
    activation = getattr(last, "activation", None)
    if isinstance(last, keras.layers.Dense) and activation in (keras.activations.softmax, keras.activations.sigmoid):
        features = keras.Model(model.input, last.input)
        bias = last.bias if last.use_bias else 0.0
        return lambda x: tf.matmul(features(x, training=False), tf.cast(last.kernel, "float32")) + bias
    return lambda x: model(x, training=False)


def unit_objective(model, layer=None, log_probability=False):
    """``f(images) -> (n, units)``: what activation maximisation raises, unit by unit.

    Args:
        model: a Keras model taking images ``(n, h, w, c)``.
        layer: a layer name: its channels, each averaged over the image for a convolutional map;
            ``None``: the model's output, as logits (a softmax or sigmoid output layer is undone).
        log_probability: with ``layer=None`` on a classifier, raise each class's log-probability
            (log-softmax of the logits) instead of its logit: the search must then also lower the
            other classes, so it cannot settle where another class's logit climbs faster.

    Raises:
        ValueError: ``layer`` is not a layer of ``model``, naming the valid ones, or
            ``log_probability`` is asked of a layer or of a single-output network.
    """
    if log_probability:
        logits = _pre_activation(model)
        if layer is not None or len(model.outputs[0].shape) != 2 or model.outputs[0].shape[-1] < 2:
            raise ValueError("the log-probability objective needs a classifier's class outputs (two or more), "
                             "not a layer's channels or a single score; use the logit objective")
        output = lambda x: tf.nn.log_softmax(tf.cast(logits(x), "float32"))  # noqa: E731
    elif layer is None:
        output = _pre_activation(model)
    else:
        names = [candidate.name for candidate in model.layers]
        if layer not in names:
            raise ValueError(f"no layer {layer!r} in {model.name!r}; valid: {', '.join(names[1:])}")
        inner = keras.Model(model.input, model.get_layer(layer).output)
        output = lambda x: inner(x, training=False)  # noqa: E731

    def objective(images):
        values = tf.cast(output(images), "float32")
        return tf.reduce_mean(values, axis=list(range(1, len(values.shape) - 1))) if len(values.shape) > 2 \
            else values

    return objective


def class_probabilities(model, images, batch_size=256):
    """A classifier's class probabilities ``(n, classes)`` for images: its softmax output, or softmax of its logits."""
    logits = _pre_activation(model)
    chunks = [tf.nn.softmax(logits(images[i : i + batch_size])).numpy() for i in range(0, len(images), batch_size)]
    return np.concatenate(chunks)


def gaussian_blur(images, sigma):
    """Images ``(n, h, w, c)`` blurred by a Gaussian of ``sigma`` pixels (radius ``2 sigma``, borders mirrored)."""
    kernel = _gaussian_kernel(sigma, np.shape(images)[-1])
    radius = kernel.shape[0] // 2
    padded = tf.pad(tf.convert_to_tensor(images, tf.float32), [[0, 0], [radius, radius], [radius, radius], [0, 0]],
                    mode="REFLECT")
    return tf.nn.depthwise_conv2d(padded, kernel, [1, 1, 1, 1], "VALID").numpy()


def _gaussian_kernel(sigma, channels):
    radius = max(1, int(round(2 * sigma)))
    x = np.arange(-radius, radius + 1, dtype=np.float32)
    weights = np.exp(-0.5 * (x / sigma) ** 2)
    kernel = np.outer(weights, weights) / np.outer(weights, weights).sum()
    return tf.constant(np.tile(kernel[:, :, None, None], (1, 1, channels, 1)))


def maximize_activation(objective, image_shape, units, steps=200, learning_rate=0.05, regularizers=None,
                        value_range=(-1.0, 1.0), seed=0, generator=None, labels=None, latent_l2=0.01):
    """Gradient ascent on the input (or on a generator's latent code) for each unit of ``objective``.

    Args:
        objective: from ``unit_objective``: images ``(n, h, w, c)`` -> ``(n, units)``.
        image_shape: ``(h, w, c)`` of the network's input.
        units: the unit indices to maximise, one image each.
        steps: ascent steps (Adam on the input, or on the code).
        learning_rate: Adam's step size.
        regularizers: ``Regularizers`` for an ascent in pixel space (ignored with ``generator``).
        value_range: the network's input range; the images are kept inside it.
        seed: seed of the starting images or codes and of the jitter.
        generator: a trained generator ``z -> image`` (``[z, label] -> image`` when conditional):
            the images are the generator's, so they stay on what it learned of the data.
        labels: a conditional generator's label per unit (e.g. the class a classifier unit stands for).
        latent_l2: with ``generator``, the weight that keeps the code near the prior's typical set.

    Returns:
        A ``MaximizationResult``.
    """
    units = np.asarray(units, np.int32)
    n = len(units)
    rng = np.random.default_rng(seed)
    regularizers = regularizers or Regularizers()
    low, high = value_range
    optimizer = keras.optimizers.Adam(learning_rate)
    selector = tf.one_hot(units, depth=int(units.max()) + 1)

    def unit_scores(images):
        values = objective(images)
        return tf.reduce_sum(values[:, : selector.shape[1]] * selector, axis=1)

    if generator is not None:
        latent_dim = int(generator.inputs[0].shape[-1])
        variable = tf.Variable(rng.standard_normal((n, latent_dim)).astype(np.float32))
        label_input = None if labels is None else tf.constant(np.asarray(labels, np.int32))

        def render(code):
            inputs = code if label_input is None else [code, label_input]
            return tf.cast(generator(inputs, training=False), "float32")

        def loss_of(code, shift):
            images = render(code)
            scores = unit_scores(images)
            return -tf.reduce_mean(scores) + latent_l2 * tf.reduce_mean(tf.square(code)), scores
    else:
        middle, spread = (low + high) / 2, (high - low) / 2
        start = middle + 0.1 * spread * rng.standard_normal((n, *image_shape)).astype(np.float32)
        variable = tf.Variable(start)

        def render(images):
            return images

        def loss_of(images, shift):
            shifted = tf.roll(images, shift=shift, axis=[1, 2]) if regularizers.jitter else images
            scores = unit_scores(shifted)
            penalty = regularizers.l2 * tf.reduce_mean(tf.square(images - middle), axis=[1, 2, 3]) \
                + regularizers.tv * total_variation(images)
            return tf.reduce_mean(-scores + penalty), scores

    @tf.function
    def step(shift):
        with tf.GradientTape() as tape:
            loss, scores = loss_of(variable, shift)
        gradient = tape.gradient(loss, variable)
        # normalised gradients make the step size independent of the unit's scale (Yosinski et al. 2015)
        gradient = gradient / (tf.sqrt(tf.reduce_mean(tf.square(gradient))) + 1e-8)
        optimizer.apply_gradients([(gradient, variable)])
        if generator is None:
            variable.assign(tf.clip_by_value(variable, low, high))
        return scores

    blur = _gaussian_kernel(regularizers.blur_sigma, image_shape[-1]) if regularizers.blur_every else None
    history = []
    for index in range(steps):
        shift = rng.integers(-regularizers.jitter, regularizers.jitter + 1, 2) if regularizers.jitter else (0, 0)
        history.append(step(tf.constant(shift, tf.int32)).numpy())
        if blur is not None and generator is None and (index + 1) % regularizers.blur_every == 0 and index + 1 < steps:
            variable.assign(tf.nn.depthwise_conv2d(variable, blur, [1, 1, 1, 1], "SAME"))
    images = render(variable).numpy()
    final = unit_scores(tf.constant(images)).numpy()
    return MaximizationResult(np.clip(images, low, high), final, np.asarray(history))


def feature_maps(model, image, layers=None):
    """``[(layer name, activations (h, w, channels))]`` of ``image`` through each convolutional layer.

    Args:
        model: a Keras model taking images.
        image: one image ``(h, w, c)`` in the model's input range.
        layers: layer names; default every ``Conv2D``/``Conv2DTranspose`` layer, in order.

    Raises:
        ValueError: a named layer does not exist or has no spatial maps.
    """
    if layers is None:
        layers = [layer.name for layer in model.layers
                  if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose))]
    outputs = []
    for name in layers:
        if name not in [layer.name for layer in model.layers]:
            raise ValueError(f"no layer {name!r} in {model.name!r}")
        output = model.get_layer(name).output
        if len(output.shape) != 4:
            raise ValueError(f"layer {name!r} has no spatial maps (output {tuple(output.shape)}); pick a "
                             "convolutional layer")
        outputs.append(output)
    if not outputs:
        raise ValueError(f"{model.name!r} has no convolutional layers to show")
    probe = keras.Model(model.input, outputs)
    values = probe(np.asarray(image, np.float32)[None], training=False)
    values = values if isinstance(values, (list, tuple)) else [values]
    return [(name, np.asarray(value, np.float32)[0]) for name, value in zip(layers, values)]


def first_layer_filters(model):
    """The first ``Conv2D`` layer's kernels as images ``(filters, kh, kw, c)``, each scaled to [-1, 1]."""
    convolutions = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    if not convolutions:
        raise ValueError(f"{model.name!r} has no Conv2D layer")
    kernel = np.asarray(convolutions[0].kernel, np.float32).transpose(3, 0, 1, 2)
    scale = np.abs(kernel).max(axis=(1, 2, 3), keepdims=True) + 1e-8
    return kernel / scale


def _show(axis, image, title=None):
    image = (np.asarray(image, np.float32) + 1) / 2
    axis.imshow(image[..., 0] if image.shape[-1] == 1 else np.clip(image, 0, 1), cmap="gray", vmin=0, vmax=1)
    axis.set_xticks([])
    axis.set_yticks([])
    if title:
        axis.set_title(title, fontsize=8)


def plot_maximized(images, titles, path, columns=None, suptitle=None):
    """A labelled grid of maximised images (in [-1, 1]), one cell per unit, written to ``path``."""
    n = len(images)
    columns = columns or min(n, 10)
    rows = -(-n // columns)
    figure, axes = new_figure(rows, columns, figsize=(1.5 * columns, 1.75 * rows + 0.4), squeeze=False)
    for index, axis in enumerate(axes.ravel()):
        if index < n:
            _show(axis, images[index], titles[index])
        else:
            axis.axis("off")
    if suptitle:
        figure.suptitle(suptitle, fontsize=10)
    save_figure(figure, path)


def plot_feature_maps(image, maps, path, max_channels=16):
    """The input beside each layer's maps (up to ``max_channels`` each), titled with the layer's name and shape."""
    figure, axes = new_figure(len(maps) + 1, max_channels, figsize=(1.1 * max_channels, 1.3 * (len(maps) + 1)),
                              squeeze=False)
    for axis in axes.ravel():
        axis.axis("off")
    _show(axes[0, 0], image, "input")
    for row, (name, values) in enumerate(maps, start=1):
        shown = min(max_channels, values.shape[-1])
        for channel in range(shown):
            axis = axes[row, channel]
            axis.imshow(values[..., channel], cmap="viridis")
            axis.set_xticks([])
            axis.set_yticks([])
        axes[row, 0].set_title(f"{name} {values.shape[0]}x{values.shape[1]}x{values.shape[2]}"
                               + (f" (first {shown})" if shown < values.shape[-1] else ""), fontsize=8, loc="left")
    save_figure(figure, path)
