"""Scores of a super-resolution run: bicubic, the model and the originals, side by side, on held-out images.

The held-out split is cut in two: the first half is downscaled and upscaled again, the second
half is the real reference of the distribution numbers (so the originals' own FID is the floor
that any upscaling is measured against). The evaluation classifier is the dataset's
(``lab_tf.metrics.dataset_classifier``), never the perceptual loss's network.
"""

import os

import numpy as np

from core_tf.files import write_json
from data import bicubic_upscale, downscale, normalize_images
from eval_tf import SUPERRES_DESCRIPTIONS, superres_metrics
from eval_tf.classifier import feature_model
from lab_tf import run_dir as rd
from lab_tf.families.srgan.recipe import held_out_images
from lab_tf.metrics import METRICS, dataset_classifier
from lab_tf.sampling import Upscaler

__all__ = ["LOGGED", "MODEL", "SuperResolutionReference", "evaluate_run", "format_table", "logged_values"]

MODEL = "model"
LOGGED = ("fid", "kid", "ssim", "accuracy")  # the model's, into history.csv with --eval-every
MIN_IMAGES = 10


class SuperResolutionReference:
    """What an upscaling is scored on: high-resolution images to restore, other real ones, the classifier.

    Args:
        high: float held-out images in [-1, 1] to downscale and restore.
        labels: their labels, or ``None``.
        real: other float held-out images, the distribution numbers' reference.
        classifier: ``(feature model, id)`` of the evaluation classifier.
        split: which split the images are from.
        scale: the upscaling factor (also the border PSNR and SSIM shave).
    """

    def __init__(self, high, labels, real, classifier, split, scale):
        self.high, self.labels, self.real, self.split, self.scale = high, labels, real, split, scale
        self.classifier, self.classifier_id = classifier
        self.low = np.asarray(downscale(high, scale))
        self.baselines = None

    @classmethod
    def build(cls, config, n):
        """A run config's reference: up to ``n`` held-out images to restore and as many others (half the split each
        at most); the evaluation classifier is trained on the dataset's training split on first use."""
        held_out, split = held_out_images(config)
        n = min(n, len(held_out) // 2)
        if n < MIN_IMAGES:
            raise ValueError(f"scoring super-resolution needs at least {2 * MIN_IMAGES} held-out images, got "
                             f"{len(held_out)}")
        if held_out.labels is None:
            raise ValueError(f"scoring super-resolution trains a classifier of {config.data.dataset}, which has no "
                             "labels; put the images in class subfolders")
        images = np.asarray(normalize_images(held_out.images[: 2 * n]))
        test = held_out if split == "test" else None
        model, identity = dataset_classifier(config.data, None, test)
        return cls(images[:n], held_out.labels[:n], images[n:], (feature_model(model), identity), split,
                   config.settings.scale)

    def score(self, generator, seed=0):
        """``superres_metrics`` of bicubic, the generator (``MODEL``) and the originals (``hr``), with the split,
        the classifier's id and the scale; a JSON-ready dict. The baselines are computed once."""
        candidates = {MODEL: Upscaler().translate(generator, self.low)}
        if self.baselines is None:
            candidates.update(bicubic=np.asarray(bicubic_upscale(self.low, self.scale)), hr=self.high)
        results = superres_metrics(candidates, self.high, self.labels, self.real, self.classifier, self.scale, seed)
        if self.baselines is None:
            self.baselines = {key: results[key] for key in ("bicubic", "hr")}
        return {**self.baselines, MODEL: results[MODEL], "n": len(self.high), "n_real": len(self.real),
                "split": self.split, "classifier": self.classifier_id, "scale": self.scale}


def logged_values(results):
    """The model's headline numbers of ``SuperResolutionReference.score``'s results (``LOGGED``), as log keys."""
    return {key: results[MODEL][key] for key in LOGGED if key in results[MODEL]}


def evaluate_run(run_dir, n, seed=0):
    """Scores a run's generator against bicubic and the originals on up to ``n`` held-out images; writes
    ``metrics.json``.

    Returns:
        ``(results, plain-text table)``.
    """
    config = rd.load_config(run_dir)
    generator = rd.load_model(os.path.join(run_dir, rd.GENERATOR))
    results = SuperResolutionReference.build(config, n).score(generator, seed=seed)
    write_json(results, os.path.join(run_dir, METRICS))
    return results, format_table(results, config.model)


def format_table(results, model=MODEL):
    """A plain-text table: a row per number, a column for bicubic, the model and the originals."""
    columns = (("bicubic", "bicubic"), (MODEL, model), ("hr", "original"))
    lines = [f"{'metric':<10} " + " ".join(f"{title:>10}" for _, title in columns) + "  meaning"]
    for key, meaning in SUPERRES_DESCRIPTIONS.items():
        values = [results[column].get(key) for column, _ in columns]
        if all(value is None for value in values):
            continue
        text = [f"{value:.4f}" if value is not None else "-" for value in values]
        lines.append(f"{key:<10} " + " ".join(f"{t:>10}" for t in text) + f"  {meaning}")
    lines.append(f"x{results['scale']} on {results['n']} held-out images ({results['split']} split), "
                 f"{results['n_real']} others as the real reference; classifier {results['classifier']}")
    return "\n".join(lines)
