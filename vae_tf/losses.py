"""The terms of the (importance-weighted) evidence lower bound, as pure functions on tensors.

Every function sums over the data or latent dimensions and returns one value per image,
shape ``(batch,)``, in nats; the trainer averages them. Images arrive as likelihood
targets in [0, 1] (``likelihood_targets`` maps the models' [-1, 1] to them).
"""

import math

from keras import ops

__all__ = [
    "LIKELIHOODS",
    "bernoulli_log_likelihood",
    "check_likelihood",
    "gaussian_kl_divergence",
    "gaussian_log_density",
    "gaussian_log_likelihood",
    "importance_weighted_bound",
    "likelihood_targets",
]

# name -> what the decoder's output parameterises
LIKELIHOODS = {
    "bernoulli": "Bernoulli on grayscale values in [0, 1] (the decoder's outputs are logits)",
    "binary": "Bernoulli on images statically binarised at 0.5, inputs and targets alike",
    "gaussian": "Gaussian with mean sigmoid(logits) and a learned scale per channel, on [0, 1]",
}
_LOG_2PI = math.log(2.0 * math.pi)


def check_likelihood(name):
    """Raises ``ValueError`` naming the valid likelihoods unless ``name`` is one of them."""
    if name not in LIKELIHOODS:
        raise ValueError(f"unknown likelihood {name!r}; valid: {', '.join(LIKELIHOODS)}")
    return name


def likelihood_targets(images, likelihood):
    """Maps images in [-1, 1] ``(batch, h, w, c)`` to the targets of ``likelihood`` in [0, 1].

    ``binary`` thresholds at the grey midpoint (0.5 after rescaling), as the TensorFlow CVAE
    tutorial binarises MNIST; the others rescale linearly.
    """
    images = ops.cast(images, "float32")
    if check_likelihood(likelihood) == "binary":
        return ops.cast(images > 0.0, "float32")
    return (images + 1.0) / 2.0


def _sum_per_image(values):
    return ops.sum(ops.reshape(values, (ops.shape(values)[0], -1)), axis=1)


def bernoulli_log_likelihood(targets, logits):
    """``sum_i x_i log p_i + (1 - x_i) log(1 - p_i)`` with ``p = sigmoid(logits)``, per image.

    Kingma & Welling 2014, "Auto-Encoding Variational Bayes", appendix C.1. Computed as
    ``x * l - softplus(l)``, which is stable for large logits. For grey values (``x``
    strictly between 0 and 1) it is the usual cross-entropy objective rather than a
    normalised density.

    Args:
        targets: ``(batch, h, w, c)`` in [0, 1].
        logits: ``(batch, h, w, c)``.

    Returns:
        ``(batch,)`` log-likelihoods in nats (at most 0).
    """
    logits = ops.cast(logits, "float32")
    return _sum_per_image(ops.cast(targets, "float32") * logits - ops.softplus(logits))


def gaussian_log_likelihood(targets, mean, log_scale):
    """``sum_i log N(x_i; mean_i, exp(log_scale)^2)`` per image.

    Kingma & Welling 2014, appendix C.2; a learned shared scale is the "calibrated decoder"
    of Rybkin et al. 2021, "Simple and Effective VAE Training with Calibrated Decoders".

    Args:
        targets: ``(batch, h, w, c)``.
        mean: ``(batch, h, w, c)``.
        log_scale: log standard deviation, broadcastable to ``mean`` (e.g. ``(c,)``).

    Returns:
        ``(batch,)`` log-densities in nats.
    """
    mean = ops.cast(mean, "float32")
    log_scale = ops.broadcast_to(ops.cast(log_scale, "float32"), ops.shape(mean))
    z = (ops.cast(targets, "float32") - mean) * ops.exp(-log_scale)
    return _sum_per_image(-0.5 * ops.square(z) - log_scale - 0.5 * _LOG_2PI)


def gaussian_kl_divergence(mean, log_var):
    """``KL(N(mean, exp(log_var)) || N(0, I)) = 0.5 * sum(mean^2 + exp(log_var) - 1 - log_var)``.

    Kingma & Welling 2014, appendix B.

    Args:
        mean: ``(batch, latent_dim)``.
        log_var: ``(batch, latent_dim)``.

    Returns:
        ``(batch,)`` in nats.
    """
    mean, log_var = ops.cast(mean, "float32"), ops.cast(log_var, "float32")
    return 0.5 * ops.sum(ops.square(mean) + ops.exp(log_var) - 1.0 - log_var, axis=-1)


def gaussian_log_density(z, mean, log_var):
    """``log N(z; mean, diag(exp(log_var)))`` summed over the last axis; ``(...,)``."""
    z, mean, log_var = (ops.cast(t, "float32") for t in (z, mean, log_var))
    return -0.5 * ops.sum(ops.square(z - mean) * ops.exp(-log_var) + log_var + _LOG_2PI, axis=-1)


def importance_weighted_bound(log_weights):
    """``log (1/k) sum_j w_j`` from ``log w_j = log p(x, z_j) - log q(z_j | x)``.

    Burda et al. 2016, "Importance Weighted Autoencoders", eq. 8: a lower bound on
    ``log p(x)`` that tightens as ``k`` grows (``k = 1`` is the ELBO).

    Args:
        log_weights: ``(batch, k)``.

    Returns:
        ``(batch,)`` in nats.
    """
    log_weights = ops.cast(log_weights, "float32")
    k = ops.cast(ops.shape(log_weights)[-1], "float32")
    return ops.logsumexp(log_weights, axis=-1) - ops.log(k)
