"""Super-resolution scores: PSNR and SSIM against closed forms, and the side-by-side metrics."""

import math

import numpy as np
import pytest

from eval_tf.classifier import build_classifier, feature_model
from eval_tf.superres import SSIM_SETTINGS, psnr, ssim, superres_metrics


def unit(images):
    """[0, 1] images as the [-1, 1] floats the functions take."""
    return np.asarray(images, np.float32) * 2 - 1


def test_psnr_of_a_constant_error_and_the_shaved_border():
    reference = np.zeros((2, 12, 12, 3), np.float32)
    off = reference + 0.1
    np.testing.assert_allclose(psnr(unit(off), unit(reference)), 20.0, atol=1e-3)  # 10 log10(1 / 0.1^2)
    wrong_border = off.copy()
    wrong_border[:, :2] = 1.0
    assert psnr(unit(wrong_border), unit(reference))[0] < 15
    np.testing.assert_allclose(psnr(unit(wrong_border), unit(reference), border=2), 20.0, atol=1e-3)


def test_ssim_of_identical_and_of_flat_images():
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 1, (2, 16, 16, 1)).astype(np.float32)
    np.testing.assert_allclose(ssim(unit(images), unit(images)), 1.0, atol=1e-5)
    # Two flat images: no variance, so SSIM is the luminance term (2 mx my + C1) / (mx^2 + my^2 + C1).
    c1 = (SSIM_SETTINGS["k1"] * SSIM_SETTINGS["max_val"]) ** 2
    a, b = np.full((1, 16, 16, 1), 0.2, np.float32), np.full((1, 16, 16, 1), 0.6, np.float32)
    expected = (2 * 0.2 * 0.6 + c1) / (0.2**2 + 0.6**2 + c1)
    np.testing.assert_allclose(ssim(unit(a), unit(b)), expected, atol=1e-4)


def test_superres_metrics_score_each_candidate_side_by_side():
    rng = np.random.default_rng(0)
    high = rng.uniform(-1, 1, (24, 8, 8, 1)).astype(np.float32)
    real = rng.uniform(-1, 1, (24, 8, 8, 1)).astype(np.float32)
    labels = np.arange(24) % 3
    classifier = feature_model(build_classifier((8, 8, 1), 3))
    blurred = np.repeat(np.repeat(high[:, ::2, ::2], 2, 1), 2, 2)
    results = superres_metrics({"blocky": blurred, "hr": high}, high, labels, real, classifier, border=2)
    assert set(results["blocky"]) == {"psnr", "ssim", "fid", "kid", "precision", "recall", "accuracy"}
    assert "psnr" not in results["hr"] and "ssim" not in results["hr"]  # the originals are what is restored
    assert math.isfinite(results["blocky"]["psnr"]) and results["blocky"]["ssim"] < 1
    assert results["hr"]["fid"] < results["blocky"]["fid"]
    assert all(0 <= results[name]["accuracy"] <= 1 for name in results)
    assert superres_metrics({"hr": high}, high, None, real, classifier, 2)["hr"].keys() == {
        "fid", "kid", "precision", "recall"}


@pytest.mark.parametrize("function", [psnr, ssim])
def test_fidelity_scores_are_per_image(function):
    images = np.zeros((5, 16, 16, 3), np.float32)
    assert function(images + 0.1, images).shape == (5,)
