"""Honest, offline sample-quality evaluation for generators of any family.

``evaluation.metrics`` holds the maths (pure NumPy on features); ``evaluation.classifier``
trains and caches a per-dataset feature extractor; ``evaluation.report`` puts them together.
"""

import experiments.backend  # noqa: F401  (selects the TensorFlow backend before Keras loads)

from evaluation.classifier import build_classifier, features_and_probabilities, load_or_train_extractor
from evaluation.metrics import (
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
from evaluation.report import DESCRIPTIONS, RealReference, evaluate_generator, evaluate_images

__all__ = [
    "DESCRIPTIONS",
    "RealReference",
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
]
