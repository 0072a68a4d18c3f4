"""The ELBO's terms against hand-computed values."""

import math

import numpy as np
import pytest

from vae_tf import (
    bernoulli_log_likelihood,
    gaussian_kl_divergence,
    gaussian_log_density,
    gaussian_log_likelihood,
    importance_weighted_bound,
    likelihood_targets,
)


def image(values):
    """A (1, 1, len, 1) image batch from a list of pixel values."""
    return np.asarray(values, np.float32).reshape(1, 1, -1, 1)


def test_bernoulli_log_likelihood_sums_pixels():
    # x=1 at p=sigmoid(0)=0.5: log 0.5; x=0 at p=sigmoid(2): log(1 - 0.8808) = -log(1 + e^2)
    expected = math.log(0.5) - math.log(1 + math.e**2)
    assert float(bernoulli_log_likelihood(image([1, 0]), image([0, 2]))[0]) == pytest.approx(expected, rel=1e-6)


def test_bernoulli_log_likelihood_of_grey_targets_and_large_logits():
    values = np.asarray(bernoulli_log_likelihood(image([0.5, 1.0]), image([0.0, 100.0])))
    assert values.shape == (1,)
    assert values[0] == pytest.approx(-math.log(2), rel=1e-6)  # the saturated pixel adds 0, not NaN


def test_gaussian_log_likelihood():
    # z = (1 - 0.5) / 0.5 = 1: -z^2/2 - log 0.5 - log(2 pi)/2 per pixel, two pixels
    per_pixel = -0.5 - math.log(0.5) - 0.5 * math.log(2 * math.pi)
    value = gaussian_log_likelihood(image([1.0, 0.0]), image([0.5, 0.5]), np.float32([math.log(0.5)]))
    assert float(value[0]) == pytest.approx(2 * per_pixel, rel=1e-6)


def test_gaussian_kl_divergence():
    # 0.5 * [(1 + 1 - 1 - 0) + (0 + 2 - 1 - log 2)]
    value = gaussian_kl_divergence(np.float32([[1, 0]]), np.float32([[0, math.log(2)]]))
    assert float(value[0]) == pytest.approx(0.5 * (2 - math.log(2)), rel=1e-6)
    assert float(gaussian_kl_divergence(np.zeros((1, 3)), np.zeros((1, 3)))[0]) == 0.0


def test_kl_is_the_expected_log_ratio_of_the_densities():
    rng = np.random.default_rng(0)
    mean, log_var = np.float32([[0.7, -1.2]]), np.float32([[-0.5, 0.8]])
    z = (mean + np.exp(0.5 * log_var) * rng.standard_normal((200000, 2))).astype(np.float32)
    log_ratio = gaussian_log_density(z, mean, log_var) - gaussian_log_density(z, 0 * z, 0 * z)
    assert float(np.mean(log_ratio)) == pytest.approx(float(gaussian_kl_divergence(mean, log_var)[0]), abs=0.02)


def test_gaussian_log_density():
    assert float(gaussian_log_density(np.float32([1]), np.float32([0]), np.float32([0]))) == pytest.approx(
        -0.5 * (1 + math.log(2 * math.pi)), rel=1e-6)


def test_importance_weighted_bound_is_the_log_mean_weight():
    bounds = np.asarray(importance_weighted_bound(np.log(np.float32([[1, 3], [2, 2]]))))
    np.testing.assert_allclose(bounds, [math.log(2), math.log(2)], rtol=1e-6)
    assert float(importance_weighted_bound(np.float32([[-5.0]]))[0]) == pytest.approx(-5.0)


def test_likelihood_targets():
    images = np.float32([-1, -0.01, 0, 0.01, 1])
    np.testing.assert_allclose(np.asarray(likelihood_targets(images, "binary")), [0, 0, 0, 1, 1])
    np.testing.assert_allclose(np.asarray(likelihood_targets(images, "bernoulli")), [0, 0.495, 0.5, 0.505, 1],
                               rtol=1e-6)
    with pytest.raises(ValueError, match="unknown likelihood 'poisson'; valid: bernoulli, binary, gaussian"):
        likelihood_targets(images, "poisson")
