"""Named generator/discriminator pairs, so configs and the CLI can pick one by name."""

from gan_tf.discriminator import build_dcgan_discriminator, build_tutorial_discriminator
from gan_tf.generator import build_dcgan_generator, build_tutorial_generator

__all__ = ["ARCHITECTURES", "build_gan_networks", "default_architecture"]

ARCHITECTURES = {
    "tutorial": (build_tutorial_generator, build_tutorial_discriminator),
    "dcgan": (build_dcgan_generator, build_dcgan_discriminator),
}


def default_architecture(image_shape):
    """``tutorial`` for grayscale images (the 28x28 MNIST net), ``dcgan`` for colour."""
    return "tutorial" if image_shape[-1] == 1 else "dcgan"


def build_gan_networks(architecture, latent_dim, image_shape):
    """Builds the ``(generator, discriminator)`` pair of ``architecture`` for ``image_shape``."""
    if architecture not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {architecture!r}; valid: {', '.join(ARCHITECTURES)}")
    if latent_dim < 1:
        raise ValueError(f"latent_dim must be at least 1, got {latent_dim}")
    build_generator, build_discriminator = ARCHITECTURES[architecture]
    return build_generator(latent_dim, image_shape), build_discriminator(image_shape)
