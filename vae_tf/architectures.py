"""Encoders and decoders by name, so configs and the CLI can swap either one."""

from vae_tf.decoders import build_conv_decoder, build_dense_decoder, build_resnet_decoder
from vae_tf.encoders import build_conv_encoder, build_dense_encoder, build_resnet_encoder

__all__ = ["DECODERS", "ENCODERS", "build_vae_networks"]

ENCODERS = {"dense": build_dense_encoder, "conv": build_conv_encoder, "resnet": build_resnet_encoder}
DECODERS = {"dense": build_dense_decoder, "conv": build_conv_decoder, "resnet": build_resnet_decoder}


def build_vae_networks(encoder, decoder, latent_dim, image_shape, num_classes=None, variational=True,
                       encoder_sizes=None, decoder_sizes=None):
    """Builds the ``(encoder, decoder)`` pair named ``encoder`` and ``decoder`` for ``image_shape``.

    Args:
        encoder: a name in ``ENCODERS``.
        decoder: a name in ``DECODERS``.
        latent_dim: size of the code.
        image_shape: ``(height, width, channels)``.
        num_classes: number of labels of a conditional pair; ``None`` for none.
        variational: whether the encoder outputs ``(z_mean, z_log_var)`` (else ``z``).
        encoder_sizes, decoder_sizes: the builders' ``units`` and ``filters`` where they are not
            the defaults, e.g. ``{"filters": (16, 32)}`` for the conv encoder.
    """
    for kind, name, table in (("encoder", encoder, ENCODERS), ("decoder", decoder, DECODERS)):
        if name not in table:
            raise ValueError(f"unknown {kind} {name!r}; valid: {', '.join(table)}")
    return (ENCODERS[encoder](latent_dim, image_shape, num_classes=num_classes, variational=variational,
                              **(encoder_sizes or {})),
            DECODERS[decoder](latent_dim, image_shape, num_classes=num_classes, **(decoder_sizes or {})))
