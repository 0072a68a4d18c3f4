"""Latent-space analysis: active units, projections, grids and the importance-weighted bound."""

import math
import statistics

import keras
import numpy as np
import pytest

from vae_tf import (
    VAE,
    active_units,
    build_vae_networks,
    encode_images,
    importance_weighted_nll,
    latent_grid,
    project_2d,
)


def test_active_units_counts_dimensions_whose_mean_moves():
    z_means = np.array([[0, 0.0, 1], [0, 0.1, -1], [0, -0.1, 1], [0, 0.0, -1]])
    count, variances = active_units(z_means)
    np.testing.assert_allclose(variances, [0, 0.005, 1])
    assert count == 1
    assert active_units(z_means, threshold=0.001)[0] == 2


def test_project_2d_keeps_two_dimensional_codes_and_finds_a_plane():
    codes = np.array([[1.0, 2.0], [3.0, 4.0]])
    points, explained = project_2d(codes)
    np.testing.assert_array_equal(points, codes)
    assert explained is None
    rng = np.random.default_rng(0)
    plane = rng.standard_normal((50, 2)) * [3.0, 1.0]
    basis = np.linalg.qr(rng.standard_normal((5, 2)))[0].T  # two orthonormal directions in 5-D
    points, explained = project_2d(plane @ basis + 7.0)
    assert explained.sum() == pytest.approx(1.0)
    assert explained[0] > explained[1]
    distances = lambda p: np.linalg.norm(p[:, None] - p[None], axis=-1)  # noqa: E731
    np.testing.assert_allclose(distances(points), distances(plane), atol=1e-9)


def test_latent_grid_spans_normal_quantiles_top_row_first():
    grid = latent_grid(3)
    edge = statistics.NormalDist().inv_cdf(0.95)
    assert grid.shape == (9, 2)
    np.testing.assert_allclose(grid[0], [-edge, edge], rtol=1e-6)  # top left
    np.testing.assert_allclose(grid[4], [0, 0], atol=1e-6)
    np.testing.assert_allclose(grid[8], [edge, -edge], rtol=1e-6)  # bottom right


def constant_vae(bias, likelihood="binary"):
    """A VAE whose posterior is the prior and whose decoder ignores z: log p(x) is exact."""
    keras.utils.set_random_seed(0)
    encoder, decoder = build_vae_networks("dense", "dense", 2, (2, 2, 1), num_classes=3)
    for network in (encoder, decoder):
        network.set_weights([np.zeros_like(w) for w in network.get_weights()])
    weights = decoder.get_weights()
    weights[-1] = np.full_like(weights[-1], bias)
    decoder.set_weights(weights)
    return VAE(encoder, decoder, likelihood=likelihood)


@pytest.mark.parametrize("k", [1, 7])
def test_importance_weighted_nll_is_exact_when_the_posterior_is_the_prior(k):
    vae = constant_vae(bias=1.0)
    images = np.float32([[1, -1, 1, 1], [-1, -1, -1, -1], [1, 1, 1, 1]]).reshape(3, 2, 2, 1)
    nll = importance_weighted_nll(vae, images, labels=np.array([0, 1, 2]), k=k, batch_size=2)
    # each pixel: -(x * 1 - softplus(1)); ones cost softplus(1) - 1, zeros softplus(1)
    softplus = math.log1p(math.e)
    expected = [3 * (softplus - 1) + softplus, 4 * softplus, 4 * (softplus - 1)]
    np.testing.assert_allclose(nll, expected, rtol=1e-5)


def test_importance_weighted_nll_tightens_the_elbo():
    keras.utils.set_random_seed(1)
    encoder, decoder = build_vae_networks("dense", "dense", 2, (4, 4, 1))
    log_var_head = encoder.get_layer("z_log_var")
    log_var_head.bias.assign(np.full(2, 2.0, np.float32))  # q much wider than the posterior: a loose ELBO
    vae = VAE(encoder, decoder, seed=0)
    vae.compile()
    images = np.repeat(np.random.default_rng(2).uniform(-1, 1, (16, 4, 4, 1)).astype("float32"), 50, axis=0)
    one = importance_weighted_nll(vae, images, k=1, seed=0, batch_size=400)
    many = importance_weighted_nll(vae, images[::50], k=200, seed=0)
    elbo = vae.evaluate(images, batch_size=400, verbose=0, return_dict=True)["negative_elbo"]
    assert many.mean() < one.mean() - 1 and many.mean() < elbo - 1
    assert one.mean() == pytest.approx(elbo, abs=0.5)  # k = 1 is a one-sample estimate of the ELBO
    assert encode_images(vae, images[:16], batch_size=5).shape == (16, 2)


def test_importance_weighted_nll_needs_a_variational_model_and_k():
    encoder, decoder = build_vae_networks("dense", "dense", 2, (4, 4, 1), variational=False)
    images = np.zeros((2, 4, 4, 1), np.float32)
    with pytest.raises(ValueError, match="no posterior"):
        importance_weighted_nll(VAE(encoder, decoder), images)
    with pytest.raises(ValueError, match="k must be at least 1"):
        importance_weighted_nll(constant_vae(0.0), images, labels=np.zeros(2, int), k=0)
