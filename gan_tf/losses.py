"""GAN losses as pure functions of discriminator logits, and a registry of loss pairs.

Every function takes raw logits (no sigmoid), computes in float32 and returns a scalar.
"""

from keras import ops

__all__ = ["LOSSES", "get_loss", "minimax_discriminator_loss", "minimax_generator_loss", "nonsaturating_generator_loss"]


def minimax_discriminator_loss(real_logits, fake_logits):
    """``-E[log D(x)] - E[log(1 - D(G(z)))]``: binary cross-entropy of real vs fake.

    Goodfellow et al. 2014, "Generative Adversarial Nets", eq. 1. Equals the TensorFlow DCGAN
    tutorial's ``discriminator_loss`` (a sum of two means).
    """
    real_logits = ops.cast(real_logits, "float32")
    fake_logits = ops.cast(fake_logits, "float32")
    return ops.mean(ops.softplus(-real_logits)) + ops.mean(ops.softplus(fake_logits))


def minimax_generator_loss(fake_logits):
    """``E[log(1 - D(G(z)))]``, the generator's side of the original minimax game.

    Goodfellow et al. 2014, eq. 1. Its gradient vanishes when D rejects the fakes
    confidently, which is why the non-saturating loss is the usual choice.
    """
    return -ops.mean(ops.softplus(ops.cast(fake_logits, "float32")))


def nonsaturating_generator_loss(fake_logits):
    """``-E[log D(G(z))]``: the generator maximises the log-probability of being taken for real.

    Goodfellow et al. 2014, section 3; the TensorFlow DCGAN tutorial's ``generator_loss``.
    """
    return ops.mean(ops.softplus(-ops.cast(fake_logits, "float32")))


LOSSES = {
    "minimax": (minimax_discriminator_loss, minimax_generator_loss),
    "nonsaturating": (minimax_discriminator_loss, nonsaturating_generator_loss),
}


def get_loss(name):
    """Returns the ``(discriminator_loss, generator_loss)`` pair registered under ``name``."""
    if name not in LOSSES:
        raise ValueError(f"unknown GAN loss {name!r}; valid: {', '.join(LOSSES)}")
    return LOSSES[name]
