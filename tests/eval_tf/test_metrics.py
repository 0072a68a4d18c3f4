"""Metric values against closed forms, SciPy and small cases worked out by hand."""

import math

import numpy as np
import pytest
import scipy.linalg

from eval_tf.metrics import (
    class_histogram,
    class_kl_divergence,
    classes_covered,
    classifier_score,
    conditional_accuracy,
    density_coverage,
    frechet_distance,
    frechet_distance_from_moments,
    kernel_distance,
    mixture_modes,
    precision_recall,
)


def random_covariance(rng, dim):
    a = rng.normal(size=(dim, dim))
    return a @ a.T / dim + 0.1 * np.eye(dim)


def test_frechet_distance_of_gaussians_matches_scipy_sqrtm():
    rng = np.random.default_rng(0)
    mu1, mu2 = rng.normal(size=6), rng.normal(size=6)
    cov1, cov2 = random_covariance(rng, 6), random_covariance(rng, 6)
    expected = np.sum((mu1 - mu2) ** 2) + np.trace(cov1 + cov2 - 2 * scipy.linalg.sqrtm(cov1 @ cov2).real)
    assert frechet_distance_from_moments(mu1, cov1, mu2, cov2) == pytest.approx(expected, rel=1e-9)


def test_frechet_distance_closed_form_for_diagonal_gaussians():
    # |mu1 - mu2|^2 + sum (sqrt(s1) - sqrt(s2))^2 when both covariances are diagonal
    value = frechet_distance_from_moments([0, 0], np.diag([1.0, 4.0]), [3, 4], np.diag([4.0, 9.0]))
    assert value == pytest.approx(25 + 1 + 1)


def test_frechet_distance_of_samples():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(5000, 4))
    assert frechet_distance(a, a) == pytest.approx(0, abs=1e-8)
    shifted = rng.normal(size=(5000, 4)) + np.array([1.0, 0, 0, 0])
    assert frechet_distance(a, shifted) == pytest.approx(1.0, abs=0.1)


def test_kernel_distance_is_unbiased_and_grows_with_the_gap():
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(2000, 8)), rng.normal(size=(2000, 8))
    same, same_std = kernel_distance(a, b, subsets=50, subset_size=500)
    assert abs(same) < 3 * same_std / math.sqrt(50) + 1e-3  # zero in expectation
    far, _ = kernel_distance(a, b + 0.5, subsets=50, subset_size=500)
    farther, _ = kernel_distance(a, b + 1.0, subsets=50, subset_size=500)
    assert 0 < far < farther


def test_kernel_distance_by_hand_on_two_points():
    # dim 1, x = {0, 1}, y = {0, 1}: off-diagonal k_xx = k_yy = (0*1 + 1)^3 = 1, k_xy mean = (1 + 1 + 1 + 8) / 4
    value, _ = kernel_distance(np.array([[0.0], [1.0]]), np.array([[0.0], [1.0]]), subsets=1, subset_size=2)
    assert value == pytest.approx(1 + 1 - 2 * 11 / 4)


def test_precision_recall_on_known_sets():
    real = np.array([[0.0, 0], [1, 0], [0, 1], [1, 1]])  # k=1 radius: 1 for every point
    inside = np.array([[0.5, 0.5], [0.2, 0.1], [0.9, 0.8], [0.1, 0.9]])
    outside = np.array([[5.0, 5], [5, 6], [6, 5], [6, 6]])
    assert precision_recall(real, inside, k=1)[0] == 1.0
    precision, recall = precision_recall(real, np.concatenate([inside[:2], outside[:2]]), k=1)
    assert precision == 0.5
    collapsed = np.array([[0.0, 0], [0, 0.01], [0.01, 0], [0.01, 0.01]])  # tiny balls at one corner
    assert precision_recall(real, collapsed, k=1) == (1.0, 0.25)


def test_density_and_coverage_on_known_sets():
    real = np.array([[0.0, 0], [1, 0], [0, 1], [1, 1]])
    fake_at_reals = real.copy()
    density, coverage = density_coverage(real, fake_at_reals, k=1)
    # open balls of radius 1: each fake lies in its own ball only (its neighbours are exactly 1 away)
    assert density == pytest.approx(1.0) and coverage == 1.0
    density, coverage = density_coverage(real, np.array([[0.0, 0]] * 4), k=1)
    assert coverage == 0.25 and density == pytest.approx(1.0)
    density, _ = density_coverage(real, np.array([[0.5, 0.5]] * 4), k=1)
    assert density == pytest.approx(4.0)  # the centre is 0.71 from all four points: inside all four balls


def test_classifier_score_bounds():
    confident_uniform = np.eye(10)[np.arange(1000) % 10]
    assert classifier_score(confident_uniform, splits=10)[0] == pytest.approx(10, rel=1e-6)
    one_class = np.eye(10)[np.zeros(1000, int)]
    assert classifier_score(one_class)[0] == pytest.approx(1, rel=1e-6)
    unsure = np.full((1000, 10), 0.1)
    assert classifier_score(unsure)[0] == pytest.approx(1, rel=1e-6)


def test_class_histogram_coverage_and_kl():
    real = class_histogram(np.arange(1000) % 10, 10)
    assert np.allclose(real, 0.1)
    collapsed = class_histogram(np.array([3] * 95 + [4] * 5), 10)
    assert classes_covered(real, real) == 10
    assert classes_covered(collapsed, real) == 2  # 4 has 5 % >= 1 % (a tenth of its 10 %)
    assert class_kl_divergence(real, real) == pytest.approx(0, abs=1e-9)
    single = class_histogram(np.zeros(50, int), 10)
    assert class_kl_divergence(single, real) == pytest.approx(math.log(10), rel=1e-4)


def test_conditional_accuracy():
    overall, per_class = conditional_accuracy([0, 1, 1, 2], [0, 1, 2, 2], 4)
    assert overall == 0.75
    assert per_class[:3].tolist() == [1.0, 1.0, 0.5] and np.isnan(per_class[3])


def test_mixture_modes_by_hand():
    centers = np.array([[0.0, 0.0], [2.0, 0.0], [0.0, 2.0]])
    samples = np.array([[0.01, 0.0]] * 3 + [[2.0, 0.02]] * 2 + [[1.0, 1.0]] + [[0.0, 2.5]])
    covered, quality, counts = mixture_modes(samples, centers, std=0.05, min_count=2)
    # [1, 1] and [0, 2.5] are farther than 3 * 0.05 from every centre
    assert counts.tolist() == [3, 2, 0]
    assert covered == 2 and quality == pytest.approx(5 / 7)
    assert mixture_modes(samples, centers, std=0.05, min_count=3)[0] == 1
