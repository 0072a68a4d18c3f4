"""Honest, offline sample-quality evaluation for generators of any family.

``eval_tf.metrics`` holds the maths (pure NumPy on features); ``eval_tf.classifier``
trains and caches a per-dataset feature extractor; ``eval_tf.report`` puts them together.
"""

import core_tf  # noqa: F401  (selects the TensorFlow backend before Keras loads)
from eval_tf.classifier import build_classifier, features_and_probabilities, load_or_train_extractor
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
from eval_tf.report import DESCRIPTIONS, RealReference, evaluate_generator, evaluate_images
from eval_tf.style import STYLE_DESCRIPTIONS, style_metrics, truncation_curve
from eval_tf.superres import SUPERRES_DESCRIPTIONS, superres_metrics
from eval_tf.translation import TRANSLATION_DESCRIPTIONS, translation_metrics

__all__ = [
    "DESCRIPTIONS",
    "RealReference",
    "STYLE_DESCRIPTIONS",
    "SUPERRES_DESCRIPTIONS",
    "TRANSLATION_DESCRIPTIONS",
    "build_classifier",
    "class_histogram",
    "class_kl_divergence",
    "classes_covered",
    "classifier_score",
    "conditional_accuracy",
    "density_coverage",
    "evaluate_generator",
    "evaluate_images",
    "features_and_probabilities",
    "frechet_distance",
    "frechet_distance_from_moments",
    "kernel_distance",
    "load_or_train_extractor",
    "mixture_modes",
    "precision_recall",
    "style_metrics",
    "superres_metrics",
    "translation_metrics",
    "truncation_curve",
]
