"""Image files drawn from a trained generator: sample grids and latent interpolations."""

from experiments.figures import save_image_grid
from gan_tf.sampling import generate, latent_dim_of, latent_noise, slerp

__all__ = ["write_interpolation", "write_sample_grid"]


def write_sample_grid(generator, path, n=64, seed=0, scale=2):
    """Writes a grid of ``n`` images from noise seeded by ``seed``; the same seed gives the same file."""
    noise = latent_noise(n, latent_dim_of(generator), seed=seed)
    save_image_grid(generate(generator, noise), path, scale=scale)


def write_interpolation(generator, path, steps=10, seed=0, scale=2):
    """Writes one row of ``steps`` images along the great circle between two seeded noise vectors."""
    start, end = latent_noise(2, latent_dim_of(generator), seed=seed)
    save_image_grid(generate(generator, slerp(start, end, steps)), path, columns=steps, scale=scale)
