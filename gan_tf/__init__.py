"""GANs for Keras 3 on TensorFlow: generators, discriminators, the GAN, CycleGAN, SRGAN and StyleGAN trainers, and
their losses.

Example:
    >>> from gan_tf import GAN, build_tutorial_generator, build_tutorial_discriminator
    >>> gan = GAN(build_tutorial_generator(100), build_tutorial_discriminator())
    >>> gan.compile()
    >>> gan.fit(images_in_minus_one_to_one, epochs=5)
"""

import core_tf  # noqa: F401  (selects the TensorFlow backend before Keras loads)
from gan_tf.architectures import ARCHITECTURES, build_gan_networks, default_architecture
from gan_tf.cyclegan import CycleGAN
from gan_tf.discriminator import (
    build_dcgan_discriminator,
    build_mlp_discriminator,
    build_patch_discriminator,
    build_sr_discriminator,
    build_style_discriminator,
    build_tutorial_discriminator,
)
from gan_tf.gan import GAN
from gan_tf.generator import (
    build_dcgan_generator,
    build_mapping_network,
    build_mlp_generator,
    build_resnet_generator,
    build_sr_generator,
    build_style_generator,
    build_synthesis_network,
    build_tutorial_generator,
)
from gan_tf.image_pool import ImagePool
from gan_tf.layers import ICNR, MinibatchStdDev, Pack, PixelShuffle, ReflectionPadding2D
from gan_tf.losses import (
    LOSSES,
    cycle_consistency_loss,
    get_loss,
    gradient_penalty,
    hinge_discriminator_loss,
    hinge_generator_loss,
    identity_loss,
    least_squares_discriminator_loss,
    least_squares_generator_loss,
    minimax_discriminator_loss,
    minimax_generator_loss,
    nonsaturating_generator_loss,
    perceptual_loss,
    pixel_loss,
    r1_penalty,
    semantic_consistency_loss,
    wasserstein_discriminator_loss,
    wasserstein_generator_loss,
)
from gan_tf.optimizers import ConstantThenLinearDecay
from gan_tf.perceptual import classifier_features, vgg19_features
from gan_tf.sampling import generate, latent_dim_of, latent_noise, slerp
from gan_tf.srgan import SRGAN
from gan_tf.style_layers import (
    ConstantInput,
    EqualizedConv2D,
    EqualizedDense,
    ModulatedConv2D,
    NoiseInjection,
    NoiseSource,
    PixelNorm,
    Truncation,
)
from gan_tf.stylegan import StyleGAN, mix_styles, random_noise, style_parts, styles, synthesize

__all__ = [
    "ARCHITECTURES",
    "ConstantInput",
    "ConstantThenLinearDecay",
    "CycleGAN",
    "EqualizedConv2D",
    "EqualizedDense",
    "GAN",
    "ICNR",
    "ImagePool",
    "LOSSES",
    "MinibatchStdDev",
    "ModulatedConv2D",
    "NoiseInjection",
    "NoiseSource",
    "Pack",
    "PixelNorm",
    "PixelShuffle",
    "ReflectionPadding2D",
    "SRGAN",
    "StyleGAN",
    "Truncation",
    "build_dcgan_discriminator",
    "build_dcgan_generator",
    "build_gan_networks",
    "build_mapping_network",
    "build_mlp_discriminator",
    "build_mlp_generator",
    "build_patch_discriminator",
    "build_resnet_generator",
    "build_sr_discriminator",
    "build_sr_generator",
    "build_style_discriminator",
    "build_style_generator",
    "build_synthesis_network",
    "build_tutorial_discriminator",
    "build_tutorial_generator",
    "classifier_features",
    "cycle_consistency_loss",
    "default_architecture",
    "generate",
    "get_loss",
    "gradient_penalty",
    "hinge_discriminator_loss",
    "hinge_generator_loss",
    "identity_loss",
    "latent_dim_of",
    "latent_noise",
    "least_squares_discriminator_loss",
    "least_squares_generator_loss",
    "minimax_discriminator_loss",
    "minimax_generator_loss",
    "mix_styles",
    "nonsaturating_generator_loss",
    "perceptual_loss",
    "pixel_loss",
    "r1_penalty",
    "random_noise",
    "semantic_consistency_loss",
    "slerp",
    "style_parts",
    "styles",
    "synthesize",
    "vgg19_features",
    "wasserstein_discriminator_loss",
    "wasserstein_generator_loss",
]
