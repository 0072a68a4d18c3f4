"""Drawing images from a trained generator, the same for the same seed in any process."""

import numpy as np

__all__ = ["generate", "latent_dim_of", "latent_noise", "slerp"]


def latent_noise(n, latent_dim, seed=0):
    """Standard normal noise ``(n, latent_dim)`` float32 from NumPy's PCG64 seeded with ``seed``."""
    return np.random.default_rng(seed).standard_normal((n, latent_dim)).astype(np.float32)


def latent_dim_of(generator):
    """Noise size a generator expects; ``ValueError`` when the model is not a generator."""
    inputs, outputs = generator.inputs, generator.outputs
    if len(inputs) != 1 or len(inputs[0].shape) != 2 or len(outputs) != 1 or len(outputs[0].shape) != 4:
        raise ValueError(
            f"{generator.name!r} is not a generator: expected one input (batch, latent_dim) and one "
            f"image output (batch, height, width, channels), got inputs "
            f"{[tuple(t.shape) for t in inputs]} and outputs {[tuple(t.shape) for t in outputs]}"
        )
    return int(inputs[0].shape[-1])


def generate(generator, noise, batch_size=1024):
    """Runs ``generator`` on ``noise`` in inference mode; returns images in [-1, 1] as NumPy."""
    return np.concatenate([
        np.asarray(generator(noise[i : i + batch_size], training=False))
        for i in range(0, len(noise), batch_size)
    ])


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
