"""Drawing images from a trained generator, the same for the same seed in any process.

A conditional generator takes int labels ``(batch,)`` as a second input, after the noise, and
feeds them through a ``keras.layers.Embedding(num_classes, ...)``.
"""

import keras
import numpy as np

__all__ = ["class_labels", "generate", "latent_dim_of", "latent_noise", "num_classes_of", "slerp"]


def latent_noise(n, latent_dim, seed=0):
    """Standard normal noise ``(n, latent_dim)`` float32 from NumPy's PCG64 seeded with ``seed``."""
    return np.random.default_rng(seed).standard_normal((n, latent_dim)).astype(np.float32)


def latent_dim_of(generator):
    """Noise size a generator expects; ``ValueError`` when the model is not a generator."""
    inputs, outputs = generator.inputs, generator.outputs
    labelled = len(inputs) == 2 and len(inputs[1].shape) == 1
    if (len(inputs) != 1 and not labelled) or len(inputs[0].shape) != 2 or len(outputs) != 1 \
            or len(outputs[0].shape) != 4:
        raise ValueError(
            f"{generator.name!r} is not a generator: expected an input (batch, latent_dim), optionally "
            f"labels (batch,), and one image output (batch, height, width, channels), got inputs "
            f"{[tuple(t.shape) for t in inputs]} and outputs {[tuple(t.shape) for t in outputs]}"
        )
    return int(inputs[0].shape[-1])


def num_classes_of(generator):
    """Number of labels a conditional generator knows (its label ``Embedding``'s ``input_dim``); ``None``
    for an unconditional one."""
    if len(generator.inputs) == 1:
        return None
    layers = list(generator.layers)
    while layers:
        layer = layers.pop()
        if isinstance(layer, keras.layers.Embedding):
            return int(layer.input_dim)
        layers.extend(getattr(layer, "layers", []))
    raise ValueError(f"{generator.name!r} takes labels but has no Embedding layer to say how many classes")


def class_labels(n, num_classes):
    """Labels ``0, 1, ..., num_classes - 1, 0, 1, ...`` ``(n,)`` int32: every class equally often."""
    return (np.arange(n) % num_classes).astype(np.int32)


def generate(generator, noise, labels=None, batch_size=1024):
    """Runs ``generator`` on ``noise`` (and int ``labels`` ``(n,)`` for a conditional one) in inference
    mode; returns images in [-1, 1] as NumPy."""
    def inputs(i):
        chunk = noise[i : i + batch_size]
        return chunk if labels is None else [chunk, np.asarray(labels[i : i + batch_size], np.int32)]

    return np.concatenate([np.asarray(generator(inputs(i), training=False))
                           for i in range(0, len(noise), batch_size)])


def slerp(a, b, steps):
    """``steps`` points on the great circle from ``a`` to ``b`` (White 2016), shape ``(steps, dim)``.

    Spherical interpolation keeps the norm typical of Gaussian noise, which linear
    interpolation shrinks in the middle.
    """
    t = np.linspace(0.0, 1.0, steps)[:, None]
    cos = np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))
    omega = np.arccos(np.clip(cos, -1.0, 1.0))
    if omega < 1e-6:
        return ((1 - t) * a + t * b).astype(np.float32)
    return ((np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega)).astype(np.float32)
