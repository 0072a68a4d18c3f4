"""Looking into a trained latent space: codes of a dataset, active units, projections, grids, and
an importance-weighted estimate of the negative log-likelihood."""

import statistics

import numpy as np
from keras import ops

from vae_tf.losses import gaussian_log_density, importance_weighted_bound

__all__ = ["active_units", "encode_images", "importance_weighted_nll", "latent_grid", "project_2d"]


def encode_images(vae, images, labels=None, batch_size=500):
    """Posterior means (codes for an autoencoder) of many images, in batches.

    Args:
        vae: a ``VAE``.
        images: float ``(n, h, w, c)`` in [-1, 1].
        labels: int ``(n,)`` for a conditional model.
        batch_size: images per encoder call.

    Returns:
        float32 NumPy ``(n, latent_dim)``.
    """
    return np.concatenate([
        np.asarray(vae.encode(images[i : i + batch_size], None if labels is None else labels[i : i + batch_size]))
        for i in range(0, len(images), batch_size)
    ])


def active_units(z_means, threshold=0.01):
    """Latent dimensions the data uses: ``Var_x(E_q[z_u | x]) > threshold``.

    Burda et al. 2016, "Importance Weighted Autoencoders", section 5.2 (threshold 0.01). A
    dimension whose posterior mean does not move across the data carries no information:
    its posterior has collapsed to the prior.

    Args:
        z_means: posterior means ``(n, latent_dim)``.
        threshold: activity threshold.

    Returns:
        ``(count, variances)``: the number of active units and the per-dimension variance ``(latent_dim,)``.
    """
    variances = np.var(np.asarray(z_means, np.float64), axis=0)
    return int(np.sum(variances > threshold)), variances


def project_2d(z):
    """Codes ``(n, d)`` as ``(n, 2)`` points for a scatter plot.

    Returns:
        ``(points, explained)``: for ``d <= 2`` the codes themselves (a 1-D code padded with
        zeros) and ``None``; otherwise the two leading principal components and the fraction
        of the variance each explains ``(2,)``.
    """
    z = np.asarray(z, np.float64)
    if z.shape[1] <= 2:
        return np.pad(z, ((0, 0), (0, 2 - z.shape[1]))), None
    centred = z - z.mean(axis=0)
    _, singular, components = np.linalg.svd(centred, full_matrices=False)
    explained = singular**2 / np.sum(singular**2)
    return centred @ components[:2].T, explained[:2]


def latent_grid(n, low=0.05, high=0.95):
    """An ``n x n`` grid of 2-D codes at the standard normal's quantiles ``low..high``, ``(n * n, 2)``.

    Rows run from high to low second coordinate, so a decoded grid reads like a scatter plot
    (Kingma & Welling 2014, figure 4).
    """
    values = np.array([statistics.NormalDist().inv_cdf(p) for p in np.linspace(low, high, n)], np.float32)
    second, first = np.meshgrid(values[::-1], values, indexing="ij")
    return np.stack([first.ravel(), second.ravel()], axis=1)


def importance_weighted_nll(vae, images, labels=None, k=100, batch_size=10, seed=0):
    """``-log p(x)`` per image estimated with ``k`` importance samples from ``q(z | x)``.

    ``log p(x) >= log (1/k) sum_j p(x | z_j) p(z_j) / q(z_j | x)`` (Burda et al. 2016), a bound
    that tightens with ``k``; at ``k = 1`` it is a one-sample ELBO. Variational models only.

    Args:
        vae: a variational ``VAE``.
        images: float ``(n, h, w, c)`` in [-1, 1].
        labels: int ``(n,)`` for a conditional model.
        k: importance samples per image.
        batch_size: images per step (each step decodes ``batch_size * k`` codes).
        seed: seed of the samples.

    Returns:
        float64 NumPy ``(n,)`` in nats: an upper bound on each image's negative log-likelihood.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    rng = np.random.default_rng(seed)
    bounds = []
    for i in range(0, len(images), batch_size):
        batch = images[i : i + batch_size]
        batch_labels = None if labels is None else np.asarray(labels[i : i + batch_size])
        mean, log_var = (np.asarray(t) for t in vae.posterior(batch, batch_labels))
        z = mean[:, None] + np.exp(0.5 * log_var)[:, None] * rng.standard_normal((len(batch), k, vae.latent_dim))
        flat = z.reshape(-1, vae.latent_dim).astype(np.float32)
        repeated = None if batch_labels is None else np.repeat(batch_labels, k)
        logits = vae.decoder(flat if repeated is None else [flat, repeated], training=False)
        log_px_z = ops.reshape(vae.log_likelihood(np.repeat(batch, k, axis=0), logits), (len(batch), k))
        log_pz = gaussian_log_density(z, np.zeros_like(z), np.zeros_like(z))
        log_qz = gaussian_log_density(z, mean[:, None], log_var[:, None])
        bounds.append(np.asarray(importance_weighted_bound(log_px_z + log_pz - log_qz), np.float64))
    return -np.concatenate(bounds)
