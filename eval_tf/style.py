"""What each idea of a style-based generator does, measured with the evaluation classifier.

StyleGAN (Karras et al. 2019) claims that the coarse styles (low resolutions) set what the
image shows and the fine ones how it is drawn (section 3.1), that the noise inputs vary
detail without changing the image's content (section 3.2), and that the truncation trick
trades variety for fidelity (section 3). Each becomes a number here. The classifier must be
one the generator never trained against: the dataset's evaluation classifier.
"""

import numpy as np

from eval_tf.classifier import features_and_probabilities
from eval_tf.report import evaluate_images
from gan_tf.sampling import latent_dim_of, latent_noise
from gan_tf.stylegan import mix_styles, random_noise, style_parts, styles, synthesize

__all__ = ["STYLE_DESCRIPTIONS", "TRUNCATION_KEYS", "style_metrics", "truncation_curve"]

STYLE_DESCRIPTIONS = {
    "mix_keeps_coarse_label": "coarse styles from A, fine from B: the classifier reads A's label",
    "mix_takes_fine_label": "... and reads B's label instead",
    "noise_keeps_label": "same styles, noise redrawn: the label is kept",
    "noise_mean_abs_change": "... while the pixels change by this much on average (0-255 levels)",
}
TRUNCATION_KEYS = ("fid", "precision", "recall", "density", "coverage", "classes_covered", "class_kl")


def _labels(classifier, images):
    return features_and_probabilities(classifier, images)[1].argmax(1)


def style_metrics(generator, classifier, n=1000, seed=0, crossover=None):
    """Style mixing and stochastic variation of ``n`` pairs of codes, as fractions of agreeing labels.

    Args:
        generator: a style-based generator (``gan_tf.stylegan.style_parts``).
        classifier: a ``eval_tf.classifier.feature_model`` of the dataset's evaluation classifier.
        n: codes A (and as many codes B).
        seed: seed of the codes and of the redrawn noise.
        crossover: the first fine layer (default: half of them, 16x16 and up at 32x32).

    Returns:
        ``STYLE_DESCRIPTIONS``' numbers, with ``crossover`` and ``n``. Two unrelated images
        share a label about a tenth of the time on ten balanced classes: that is chance.
    """
    dim = latent_dim_of(generator)
    ws_a, ws_b = (styles(generator, latent_noise(n, dim, seed=seed + k)) for k in (0, 1))
    crossover = crossover or style_parts(generator)[1].num_ws // 2
    a, b = synthesize(generator, ws_a), synthesize(generator, ws_b)
    mixed = synthesize(generator, mix_styles(ws_a, ws_b, crossover))
    redrawn = synthesize(generator, ws_a, random_noise(generator, n, seed=seed))
    label_a, label_b, label_mixed, label_redrawn = (_labels(classifier, x) for x in (a, b, mixed, redrawn))
    change = np.abs(np.clip(redrawn, -1, 1) - np.clip(a, -1, 1)).mean() * 127.5
    return {"mix_keeps_coarse_label": float(np.mean(label_mixed == label_a)),
            "mix_takes_fine_label": float(np.mean(label_mixed == label_b)),
            "noise_keeps_label": float(np.mean(label_redrawn == label_a)),
            "noise_mean_abs_change": float(change), "crossover": int(crossover), "n": int(n)}


def truncation_curve(generator, reference, psis=(1.0, 0.9, 0.8, 0.7, 0.6, 0.5), n=2000, seed=0):
    """``[{psi, fid, precision, recall, ...}]``: the same ``n`` codes drawn at each truncation ``psi`` and scored
    against ``reference`` (an ``eval_tf.RealReference``). Precision should rise and recall fall as psi falls."""
    z = latent_noise(n, latent_dim_of(generator), seed=seed)
    rows = []
    for psi in psis:
        results = evaluate_images(reference, synthesize(generator, styles(generator, z, psi)), seed=seed)
        rows.append({"psi": float(psi), **{key: results[key] for key in TRUNCATION_KEYS}})
    return rows
