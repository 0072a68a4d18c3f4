"""Scores of a translation, checked with a hand-made classifier and translations whose answers are known."""

import keras
import numpy as np
import pytest
from keras import layers

from eval_tf import translation_metrics


def quadrant_images(n=40, inverted=False):
    """Dark 8x8 images with one bright 4x4 quadrant: label 1 top-left, label 0 bottom-right; ``inverted``: 1 - x."""
    labels = np.arange(n) % 2
    images = np.full((n, 8, 8, 1), -1.0, np.float32)
    for i, label in enumerate(labels):
        if label:
            images[i, :4, :4] = 1.0
        else:
            images[i, 4:, 4:] = 1.0
    return (-images if inverted else images), labels


def inverted_domain_classifier():
    """Features: the four quadrants' means; class 1 when the top-left one is darker than the bottom-right one."""
    images = keras.Input((8, 8, 1))
    features = layers.Flatten()(layers.AveragePooling2D(4)(images))  # (tl, tr, bl, br)
    logits = layers.Dense(2)
    probabilities = layers.Softmax()(logits(features))
    logits.set_weights([np.array([[0, -5], [0, 0], [0, 0], [0, 5]], np.float32), np.zeros(2, np.float32)])
    return keras.Model(images, [features, probabilities])


def test_true_inversion_preserves_labels_the_untranslated_images_do_not():
    source, source_labels = quadrant_images()
    target, target_labels = quadrant_images(inverted=True)
    classifier = inverted_domain_classifier()

    def invert(images):
        return -images

    results = translation_metrics(invert, invert, source, source_labels, target, target_labels, classifier,
                                  truth=np.negative)
    assert results["label_accuracy"] == 1.0 and results["label_accuracy_target"] == 1.0
    assert results["label_accuracy_untranslated"] == 0.0
    assert results["fid"] == pytest.approx(0, abs=1e-6) and results["fid_untranslated"] > 1
    assert results["cycle_error"] == 0.0
    assert 0 < results["cycle_error_noised"] < 0.1 and results["cycle_error_blurred"] > 0
    assert results["psnr"] == float("inf")
    # x against -x: every pixel off by 2 on a range of 2, so the MSE is 4 and the PSNR 10 log10(4 / 4) = 0 dB
    assert results["psnr_untranslated"] == pytest.approx(0.0, abs=1e-5)
    assert "cycle_accuracy" not in results  # no source classifier given


def test_a_translation_that_drops_the_content_loses_the_labels_and_its_round_trip():
    source, source_labels = quadrant_images()
    target, target_labels = quadrant_images(inverted=True)

    def blank(images):
        return np.ones_like(images)

    results = translation_metrics(blank, lambda images: -images, source, source_labels, target, target_labels,
                                  inverted_domain_classifier(), source_classifier=inverted_domain_classifier())
    assert results["label_accuracy"] == 0.5  # every image gets one class
    assert results["cycle_error"] == pytest.approx(np.mean(np.abs(-1 - source)))
    assert "psnr" not in results and "cycle_accuracy" in results


def test_an_unlabelled_target_gives_the_cycle_numbers_only():
    source, _ = quadrant_images()
    results = translation_metrics(lambda x: -x, lambda x: -x, source, None, -source, None, None)
    assert "label_accuracy" not in results and "fid" not in results
    assert results["cycle_error"] == 0.0
