"""Scoring an image-to-image translation ``G: X -> Y`` on held-out images, with networks it never trained against.

Label preservation (Hoffman et al. 2018, CyCADA, table 1): a classifier trained on the target
domain's training split labels ``G(x)``; its accuracy against ``x``'s labels is compared with
the same classifier on ``x`` itself (no translation) and on the target's own test images (the
upper bound). Distribution match: Fréchet and kernel distances in that classifier's features,
of ``G(x)`` and, as the baseline, of ``x`` against the target's test images. Cycle error: how
far ``F(G(x))`` is from ``x``, also after ``G(x)`` is slightly blurred or noised, which shows
whether ``F`` reads the image or a faint signal hidden in it (Chu et al. 2017, "CycleGAN, a
master of steganography"). Where the true mapping is known, PSNR against it.
"""

import numpy as np
import tensorflow as tf

from eval_tf import metrics
from eval_tf.classifier import features_and_probabilities
from eval_tf.visualization import gaussian_blur

__all__ = ["BLUR_SIGMA", "NOISE_STD", "TRANSLATION_DESCRIPTIONS", "translation_metrics"]

BLUR_SIGMA = 0.7  # pixels: a slight blur of G(x) before F
NOISE_STD = 0.05  # in [-1, 1] units, about 6 grey levels: slight noise on G(x) before F

TRANSLATION_DESCRIPTIONS = {
    "label_accuracy": "target-domain classifier on G(x) agrees with x's label (label preservation)",
    "label_accuracy_untranslated": "the same classifier on x itself (the no-translation baseline)",
    "label_accuracy_target": "the same classifier on the target's test images (the upper bound)",
    "fid": "Fréchet distance of G(x) to the target's test images in that classifier's features",
    "fid_untranslated": "the same for x itself (the baseline G must improve on)",
    "kid": "kernel distance of G(x) to the target's test images (unbiased MMD^2)",
    "cycle_error": "mean |F(G(x)) - x| in [-1, 1] units",
    "cycle_error_blurred": f"the same with G(x) blurred (sigma {BLUR_SIGMA} px) before F",
    "cycle_error_noised": f"the same with noise (std {NOISE_STD}) added to G(x) before F",
    "cycle_accuracy": "source-domain classifier on F(G(x)) agrees with x's label",
    "cycle_accuracy_blurred": "the same with G(x) blurred before F",
    "cycle_accuracy_noised": "the same with G(x) noised before F",
    "psnr": "PSNR of G(x) against the true mapping, dB (where it is known)",
    "psnr_untranslated": "PSNR of x itself against the true mapping, dB",
}


def translation_metrics(translate, back, source, source_labels, target, target_labels, target_classifier,
                        source_classifier=None, truth=None, seed=0):
    """Every number of ``TRANSLATION_DESCRIPTIONS`` for one direction; a JSON-ready dict.

    Args:
        translate: ``G``, a function of float images ``(n, h, w, c)`` in [-1, 1] returning translated ones.
        back: ``F``, the reverse translation, for the cycle numbers.
        source: held-out images of ``X``, float in [-1, 1].
        source_labels: their labels ``(n,)``, or ``None`` (the label numbers are left out).
        target: held-out images of ``Y``, float in [-1, 1].
        target_labels: their labels, or ``None``.
        target_classifier: a ``eval_tf.classifier.feature_model`` of a classifier trained on ``Y``'s training
            split, never one used in training the translation; ``None`` (an unlabelled target) leaves out the
            label and distance numbers.
        source_classifier: the same for ``X``, to label the round trips; ``None`` leaves those out.
        truth: the true mapping of ``X`` to ``Y`` (a function of images), or ``None``.
        seed: seed of the noise and the kernel distance's subsets.
    """
    translated = translate(source)
    results = {"n_source": len(source), "n_target": len(target)}
    if target_classifier is not None:
        results.update(_label_and_distance(target_classifier, source, source_labels, translated, target, target_labels,
                                           seed))
    noise = np.random.default_rng(seed).normal(0, NOISE_STD, translated.shape).astype(np.float32)
    for suffix, changed in (("", translated), ("_blurred", gaussian_blur(translated, BLUR_SIGMA)),
                            ("_noised", np.clip(translated + noise, -1, 1))):
        cycled = back(changed)
        results["cycle_error" + suffix] = float(np.mean(np.abs(cycled - source)))
        if source_classifier is not None and source_labels is not None:
            results["cycle_accuracy" + suffix] = _accuracy(features_and_probabilities(source_classifier, cycled)[1],
                                                           source_labels)
    if truth is not None:
        expected = truth(source)
        results["psnr"] = _psnr(translated, expected)
        results["psnr_untranslated"] = _psnr(source, expected)
    return results


def _label_and_distance(classifier, source, source_labels, translated, target, target_labels, seed):
    target_features, target_probabilities = features_and_probabilities(classifier, target)
    features, probabilities = features_and_probabilities(classifier, translated)
    untranslated_features, untranslated_probabilities = features_and_probabilities(classifier, source)
    results = {}
    if source_labels is not None:
        results["label_accuracy"] = _accuracy(probabilities, source_labels)
        results["label_accuracy_untranslated"] = _accuracy(untranslated_probabilities, source_labels)
    if target_labels is not None:
        results["label_accuracy_target"] = _accuracy(target_probabilities, target_labels)
    results["fid"] = metrics.frechet_distance(target_features, features)
    results["fid_untranslated"] = metrics.frechet_distance(target_features, untranslated_features)
    results["kid"] = metrics.kernel_distance(target_features, features, seed=seed)[0]
    return results


def _accuracy(probabilities, labels):
    return float(np.mean(probabilities.argmax(1) == np.asarray(labels)))


def _psnr(images, expected):
    """Mean PSNR over images, in [-1, 1] (``tf.image.psnr`` with a range of 2)."""
    return float(tf.reduce_mean(tf.image.psnr(np.asarray(images, np.float32), np.asarray(expected, np.float32), 2.0)))
