"""Drawing samples from a trained generator, the same for the same seed in any process.

A conditional generator has two inputs, ``[noise (batch, latent_dim), label (batch,)]``, and
embeds the label with a ``keras.layers.Embedding`` whose ``input_dim`` is the number of classes.
"""

import keras
import numpy as np

__all__ = ["balanced_labels", "class_rows", "generate", "latent_dim_of", "latent_noise", "num_classes_of", "slerp"]


def latent_noise(n, latent_dim, seed=0):
    """Standard normal noise ``(n, latent_dim)`` float32 from NumPy's PCG64 seeded with ``seed``."""
    return np.random.default_rng(seed).standard_normal((n, latent_dim)).astype(np.float32)


def latent_dim_of(generator):
    """Noise size a generator expects; ``ValueError`` when the model is not a generator."""
    inputs, outputs = generator.inputs, generator.outputs
    labelled = len(inputs) == 2 and len(inputs[1].shape) == 1
    if not (len(inputs) == 1 or labelled) or len(inputs[0].shape) != 2 or len(outputs) != 1:
        raise ValueError(
            f"{generator.name!r} is not a generator: expected a noise input (batch, latent_dim), "
            f"optionally a label input (batch,), and one output, got inputs "
            f"{[tuple(t.shape) for t in inputs]} and outputs {[tuple(t.shape) for t in outputs]}"
        )
    return int(inputs[0].shape[-1])


def num_classes_of(generator):
    """Number of classes of a conditional generator; ``None`` for an unconditional one."""
    if len(generator.inputs) == 1:
        return None
    embeddings = [layer for layer in generator.layers if isinstance(layer, keras.layers.Embedding)]
    if not embeddings:
        raise ValueError(f"{generator.name!r} has a label input but no Embedding layer to say how many classes")
    return int(embeddings[0].input_dim)


def balanced_labels(n, num_classes):
    """``n`` labels cycling through the classes ``0, 1, ..., num_classes - 1`` (int32)."""
    return (np.arange(n) % num_classes).astype(np.int32)


def class_rows(num_classes, per_class):
    """Labels for a grid with one row per class: ``0`` x per_class, ``1`` x per_class, ... (int32)."""
    return np.repeat(np.arange(num_classes, dtype=np.int32), per_class)


def generate(generator, noise, labels=None, batch_size=1024):
    """Runs ``generator`` on ``noise`` (and ``labels``) in inference mode; returns samples as NumPy.

    Images come out in [-1, 1]. ``labels`` (``(n,)`` ints) are required by a conditional
    generator and rejected by an unconditional one.
    """
    classes = num_classes_of(generator)
    if (labels is None) != (classes is None):
        raise ValueError("a conditional generator needs labels" if labels is None
                         else f"{generator.name!r} is unconditional; it takes no labels")
    if labels is not None:
        labels = np.asarray(labels, np.int32)
        if labels.min() < 0 or labels.max() >= classes:
            raise ValueError(f"labels must be in 0..{classes - 1} for this generator, "
                             f"got {labels.min()}..{labels.max()}")
    batches = []
    for i in range(0, len(noise), batch_size):
        inputs = noise[i : i + batch_size]
        if labels is not None:
            inputs = [inputs, labels[i : i + batch_size]]
        batches.append(np.asarray(generator(inputs, training=False)))
    return np.concatenate(batches)


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
