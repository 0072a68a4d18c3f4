"""Autoencoders and variational autoencoders for Keras 3 on TensorFlow.

Example:
    >>> from vae_tf import VAE, build_vae_networks
    >>> encoder, decoder = build_vae_networks("conv", "conv", latent_dim=2, image_shape=(28, 28, 1))
    >>> vae = VAE(encoder, decoder, beta=1.0, likelihood="bernoulli", seed=0)
    >>> vae.compile(optimizer="adam")
    >>> vae.fit(images_in_minus_one_to_one, epochs=5)      # a conditional VAE: fit((images, labels))
"""

import core_tf  # noqa: F401  (selects the TensorFlow backend before Keras loads)
from vae_tf.architectures import DECODERS, ENCODERS, build_vae_networks
from vae_tf.decoders import build_conv_decoder, build_dense_decoder, build_resnet_decoder
from vae_tf.encoders import build_conv_encoder, build_dense_encoder, build_resnet_encoder, residual_block
from vae_tf.latent import active_units, encode_images, importance_weighted_nll, latent_grid, project_2d
from vae_tf.losses import (
    LIKELIHOODS,
    bernoulli_log_likelihood,
    check_likelihood,
    gaussian_kl_divergence,
    gaussian_log_density,
    gaussian_log_likelihood,
    importance_weighted_bound,
    likelihood_targets,
)
from vae_tf.vae import VAE, default_likelihood

__all__ = [
    "DECODERS",
    "ENCODERS",
    "LIKELIHOODS",
    "VAE",
    "active_units",
    "bernoulli_log_likelihood",
    "build_conv_decoder",
    "build_conv_encoder",
    "build_dense_decoder",
    "build_dense_encoder",
    "build_resnet_decoder",
    "build_resnet_encoder",
    "build_vae_networks",
    "check_likelihood",
    "default_likelihood",
    "encode_images",
    "gaussian_kl_divergence",
    "gaussian_log_density",
    "gaussian_log_likelihood",
    "importance_weighted_bound",
    "importance_weighted_nll",
    "latent_grid",
    "likelihood_targets",
    "project_2d",
    "residual_block",
]
