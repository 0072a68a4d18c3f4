"""Evaluating a generator against real images: every metric, with what it was computed on."""

import numpy as np

from data.images import normalize_images
from eval_tf import metrics
from eval_tf.classifier import feature_model, features_and_probabilities
from eval_tf.inception import inception_features
from gan_tf.sampling import balanced_labels, generate, latent_dim_of, latent_noise, num_classes_of

__all__ = ["DESCRIPTIONS", "RealReference", "evaluate_generator", "evaluate_images", "inception_metrics",
           "sample_images"]

# What each reported number says, in the order tables show them.
DESCRIPTIONS = {
    "fid": "Fréchet distance of classifier features (lower is better)",
    "kid": "kernel distance, unbiased MMD^2 (lower is better; ~0 for matching sets)",
    "precision": "fraction of generated images on the real manifold (fidelity)",
    "recall": "fraction of real images on the generated manifold (diversity)",
    "density": "real neighbourhoods per generated image / k (~1 when matching)",
    "coverage": "fraction of real neighbourhoods with a generated image (diversity)",
    "classifier_score": "Inception-Score analogue from the classifier (higher is better)",
    "classes_covered": "classes generated at least a tenth as often as in the real data",
    "class_kl": "KL(generated || real) of class frequencies, nats (mode collapse; 0 is best)",
}


class RealReference:
    """Features of the real images that generated ones are compared with, computed once.

    Args:
        extractor: classifier from ``load_or_train_extractor``.
        extractor_id: its id, reported with every number.
        images: real ``ImageData`` (uint8).
        split: which split ``images`` is, reported with every number.
    """

    def __init__(self, extractor, extractor_id, images, split):
        self.feature_model = feature_model(extractor)  # built once: every evaluation reuses its traced predict
        self.extractor_id = extractor_id
        self.split = split
        self.images = images
        self.features, self.probabilities = features_and_probabilities(self.feature_model,
                                                                       normalize_images(images.images))
        self.histogram = metrics.class_histogram(self.probabilities.argmax(1), self.probabilities.shape[1])


def evaluate_images(reference, images, seed=0, requested=None):
    """All metrics of float images in [-1, 1] ``(n, h, w, c)`` against ``reference``; a JSON-ready dict.

    With ``requested`` (the ``(n,)`` labels a conditional generator was asked for), also the
    classifier's accuracy on them, overall (``conditional_accuracy``) and per class.
    """
    features, probabilities = features_and_probabilities(reference.feature_model, images)
    num_classes = probabilities.shape[1]
    histogram = metrics.class_histogram(probabilities.argmax(1), num_classes)
    kid, kid_std = metrics.kernel_distance(reference.features, features, seed=seed)
    precision, recall = metrics.precision_recall(reference.features, features)
    density, coverage = metrics.density_coverage(reference.features, features)
    score, score_std = metrics.classifier_score(probabilities)
    results = {
        "fid": metrics.frechet_distance(reference.features, features),
        "kid": kid,
        "kid_std": kid_std,
        "precision": precision,
        "recall": recall,
        "density": density,
        "coverage": coverage,
        "classifier_score": score,
        "classifier_score_std": score_std,
        "classes_covered": metrics.classes_covered(histogram, reference.histogram),
        "class_kl": metrics.class_kl_divergence(histogram, reference.histogram),
        "class_histogram": np.round(histogram, 5).tolist(),
        "n_real": len(reference.features),
        "n_fake": len(features),
        "split": reference.split,
        "extractor": reference.extractor_id,
    }
    if requested is not None:
        accuracy, per_class = metrics.conditional_accuracy(probabilities.argmax(1), requested, num_classes)
        results["conditional_accuracy"] = accuracy
        results["conditional_accuracy_per_class"] = [None if np.isnan(a) else round(float(a), 5) for a in per_class]
    return results


def inception_metrics(model, reference, images, seed=0):
    """FID and KID through Inception-v3 pool features (``eval_tf.inception``).

    Keras' ImageNet weights and bilinear resizing, not the reference TF-1 graph of Heusel et
    al., so the numbers are close to, not identical with, published ones.
    """
    real = inception_features(model, normalize_images(reference.images.images))
    fake = inception_features(model, images)
    kid, kid_std = metrics.kernel_distance(real, fake, seed=seed)
    return {"inception_fid": metrics.frechet_distance(real, fake), "inception_kid": kid, "inception_kid_std": kid_std}


def sample_images(generator, n, seed=0):
    """``(images, labels)``: ``n`` images in [-1, 1] from ``generator``, noise seeded by ``seed``.

    A conditional generator is asked for every class equally often (``labels``); ``labels``
    is ``None`` for an unconditional one.
    """
    classes = num_classes_of(generator)
    labels = None if classes is None else balanced_labels(n, classes)
    return generate(generator, latent_noise(n, latent_dim_of(generator), seed=seed), labels), labels


def evaluate_generator(generator, reference, n=10000, seed=0):
    """Draws ``n`` images from ``generator`` with noise seeded by ``seed`` and evaluates them."""
    images, labels = sample_images(generator, n, seed)
    return evaluate_images(reference, images, seed=seed, requested=labels)
