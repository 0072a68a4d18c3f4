"""Scoring super-resolution: fidelity to the high-resolution image and how real the result looks.

Fidelity: PSNR and SSIM on images read as [0, 1], with a border of ``scale`` pixels shaved
(the convention of SR benchmarks, as the border lacks context); SSIM is ``tf.image.ssim``
with the settings of Wang et al. 2004 (``SSIM_SETTINGS``: an 11x11 Gaussian window of sigma
1.5, k1 0.01, k2 0.03), averaged over colour channels. Perception: Fréchet and kernel
distances and precision/recall of the upscaled images against other real images, in the
features of an evaluation classifier, and that classifier's accuracy on them (Ledig et al.
2017 score with mean opinion tests; a classifier the training never saw is the offline
stand-in). Blurry upscales score well on PSNR and badly on the rest: the perception-distortion
trade-off (Blau & Michaeli 2018).
"""

import numpy as np
import tensorflow as tf

from eval_tf import metrics
from eval_tf.classifier import features_and_probabilities

__all__ = ["SSIM_SETTINGS", "SUPERRES_DESCRIPTIONS", "psnr", "ssim", "superres_metrics"]

SSIM_SETTINGS = {"max_val": 1.0, "filter_size": 11, "filter_sigma": 1.5, "k1": 0.01, "k2": 0.03}

SUPERRES_DESCRIPTIONS = {
    "psnr": "PSNR against the high-resolution image, dB ([0, 1], border of scale px shaved; higher is closer)",
    "ssim": "SSIM against it (11x11 Gaussian window, sigma 1.5; 1 is identical)",
    "fid": "Fréchet distance to other real images in the evaluation classifier's features (lower looks more real)",
    "kid": "kernel distance to them (unbiased MMD^2)",
    "precision": "share of the images inside the real images' feature manifold (Kynkäänniemi et al. 2019)",
    "recall": "share of the real images inside theirs",
    "accuracy": "evaluation classifier's accuracy on them (not the network of the perceptual loss)",
}


def _unit(images, border):
    images = (tf.convert_to_tensor(images, tf.float32) + 1.0) / 2.0
    return images[:, border : images.shape[1] - border, border : images.shape[2] - border] if border else images


def psnr(images, reference, border=0):
    """Per-image PSNR in dB of float images in [-1, 1] against ``reference``, read as [0, 1], ``border`` px shaved."""
    return np.asarray(tf.image.psnr(_unit(images, border), _unit(reference, border), 1.0), np.float64)


def ssim(images, reference, border=0):
    """Per-image SSIM (``SSIM_SETTINGS``) of float images in [-1, 1] against ``reference``, ``border`` px shaved;
    images smaller than the window after shaving use a window of their size."""
    images, reference = _unit(images, border), _unit(reference, border)
    settings = {**SSIM_SETTINGS, "filter_size": min(SSIM_SETTINGS["filter_size"], *images.shape[1:3])}
    return np.asarray(tf.image.ssim(images, reference, **settings), np.float64)


def superres_metrics(candidates, high, labels, real, classifier, border, seed=0):
    """Every number of ``SUPERRES_DESCRIPTIONS`` for each candidate upscaling; a JSON-ready dict.

    Args:
        candidates: ``{name: float images (n, h, w, c) in [-1, 1]}``, e.g. bicubic, the model's and the
            high-resolution images themselves (whose PSNR and SSIM are left out).
        high: the high-resolution images the candidates restore.
        labels: their class labels ``(n,)``, or ``None`` (no accuracy).
        real: other real high-resolution images, float in [-1, 1], for the distribution numbers.
        classifier: an ``eval_tf.classifier.feature_model`` never used in training the upscaler.
        border: pixels shaved before PSNR and SSIM (the scale).
        seed: seed of the kernel distance's subsets.
    """
    real_features, _ = features_and_probabilities(classifier, real)
    results = {}
    for name, images in candidates.items():
        scores = {}
        if images is not high:
            scores["psnr"] = float(np.mean(psnr(images, high, border)))
            scores["ssim"] = float(np.mean(ssim(images, high, border)))
        features, probabilities = features_and_probabilities(classifier, images)
        scores["fid"] = metrics.frechet_distance(real_features, features)
        scores["kid"] = metrics.kernel_distance(real_features, features, seed=seed)[0]
        scores["precision"], scores["recall"] = metrics.precision_recall(real_features, features)
        if labels is not None:
            scores["accuracy"] = float(np.mean(probabilities.argmax(1) == np.asarray(labels)))
        results[name] = scores
    return results
