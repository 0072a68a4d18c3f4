"""Named generator/discriminator pairs, so configs and the CLI can pick one by name."""

from gan_tf.discriminator import build_dcgan_discriminator, build_mlp_discriminator, build_tutorial_discriminator
from gan_tf.generator import build_dcgan_generator, build_mlp_generator, build_tutorial_generator

__all__ = ["ARCHITECTURES", "build_gan_networks", "default_architecture"]

ARCHITECTURES = {
    "mlp": (build_mlp_generator, build_mlp_discriminator),
    "tutorial": (build_tutorial_generator, build_tutorial_discriminator),
    "dcgan": (build_dcgan_generator, build_dcgan_discriminator),
}
# What makes each discriminator a critic for a gradient penalty: no batch norm, no dropout noise in the penalty.
# The dcgan critic has no normalisation at all, as Gulrajani et al.'s CIFAR-10 critic.
CRITIC_SETTINGS = {"mlp": {}, "tutorial": {"dropout": 0.0}, "dcgan": {"normalization": None}}
# Small networks for 2-D points (the mode-collapse datasets), with unbounded outputs.
POINT_SETTINGS = ({"hidden": (128, 128, 128), "output_activation": "linear"}, {"hidden": (128, 128, 128)})


def default_architecture(sample_shape):
    """``mlp`` for points, ``tutorial`` for grayscale images (the 28x28 MNIST net), ``dcgan`` for colour."""
    if len(sample_shape) == 1:
        return "mlp"
    return "tutorial" if sample_shape[-1] == 1 else "dcgan"


def build_gan_networks(architecture, latent_dim, sample_shape, num_classes=None, conditioning="concat", critic=False,
                       minibatch_std=False, pack=1):
    """Builds the ``(generator, discriminator)`` pair of ``architecture`` for ``sample_shape``.

    Args:
        architecture: a name in ``ARCHITECTURES``.
        latent_dim: size of the noise vector.
        sample_shape: ``(height, width, channels)`` for images, ``(dims,)`` for points (``mlp`` only).
        num_classes: classes of a conditional pair, or ``None``.
        conditioning: how a conditional discriminator sees the label: ``concat`` or ``projection``.
        critic: build the discriminator for a gradient penalty, WGAN-GP's or R1 (no batch norm, no dropout).
        minibatch_std: give the discriminator a minibatch standard deviation feature.
        pack: samples the discriminator judges jointly (PacGAN); 1 for none.
    """
    if architecture not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {architecture!r}; valid: {', '.join(ARCHITECTURES)}")
    if latent_dim < 1:
        raise ValueError(f"latent_dim must be at least 1, got {latent_dim}")
    if len(sample_shape) == 1 and architecture != "mlp":
        raise ValueError(f"the {architecture} architecture makes images; points of shape {tuple(sample_shape)} "
                         "need --architecture mlp")
    build_generator, build_discriminator = ARCHITECTURES[architecture]
    generator_settings, discriminator_settings = POINT_SETTINGS if len(sample_shape) == 1 else ({}, {})
    if critic:
        discriminator_settings = {**discriminator_settings, **CRITIC_SETTINGS[architecture]}
    generator = build_generator(latent_dim, sample_shape, num_classes=num_classes, **generator_settings)
    discriminator = build_discriminator(sample_shape, num_classes=num_classes, conditioning=conditioning,
                                        minibatch_std=minibatch_std, pack=pack, **discriminator_settings)
    return generator, discriminator
