"""Scores of a translation run: both directions on held-out images, by classifiers of the two domains.

Each domain's classifier trains on that domain's training split (once; cached like every
evaluation classifier) and never enters the translation's loss. ``metrics.json`` holds the
numbers of ``eval_tf.translation_metrics`` for ``ab`` (A -> B) and ``ba`` (B -> A).
"""

import os

import numpy as np

from core_tf.files import write_json
from data import normalize_images, true_translation
from eval_tf import TRANSLATION_DESCRIPTIONS, translation_metrics
from eval_tf.classifier import feature_model
from lab_tf import run_dir as rd
from lab_tf.config import DataConfig
from lab_tf.families.cyclegan.recipe import GENERATORS, Domains, held_out_domains, load_domain_pair
from lab_tf.metrics import METRICS, dataset_classifier
from lab_tf.sampling import ImageToImage

__all__ = ["LOGGED", "TranslationReference", "evaluate_run", "format_table", "logged_values"]

LOGGED = ("label_accuracy", "fid", "cycle_error", "psnr")  # per direction, into history.csv with --eval-every
MIN_IMAGES = 10


class TranslationReference:
    """Held-out images of both domains, their classifiers and the known mappings: what a translation is scored on.

    Args:
        held_out: ``Domains`` of held-out images.
        split: which split they are.
        classifiers: ``{"a": (feature model, id) or None, "b": ...}``; ``None`` for an unlabelled domain.
        truths: ``{"ab": known mapping or None, "ba": ...}``.
    """

    def __init__(self, held_out, split, classifiers, truths):
        self.held_out, self.split, self.classifiers, self.truths = held_out, split, classifiers, truths

    @classmethod
    def build(cls, config, n, train=None):
        """The reference of a run's config, with at most ``n`` held-out images per domain (classifiers are trained
        on the domains' whole training splits on first use; ``train``: those splits when already loaded)."""
        held_out, split = held_out_domains(config)
        held_out = Domains(held_out.a.take(n), held_out.b.take(n))
        if min(len(held_out.a), len(held_out.b)) < MIN_IMAGES:
            raise ValueError(f"scoring a translation needs at least {MIN_IMAGES} held-out images per domain, got "
                             f"{len(held_out.a)} and {len(held_out.b)}")
        train = train if train is not None else load_domain_pair(config, "train")
        sources = {"a": config.data.dataset, "b": config.settings.target_dataset}
        classifiers = {}
        for side, images, test in (("a", train.a, held_out.a), ("b", train.b, held_out.b)):
            if images.labels is None:
                classifiers[side] = None
                continue
            model, identity = dataset_classifier(DataConfig(dataset=sources[side]), images,
                                                 test if test.labels is not None else None)
            classifiers[side] = (feature_model(model), identity)
        truths = {"ab": true_translation(sources["a"], sources["b"]),
                  "ba": true_translation(sources["b"], sources["a"])}
        return cls(held_out, split, classifiers, truths)

    def score(self, generator_ab, generator_ba, seed=0):
        """Both directions' ``translation_metrics``, with the split and the classifiers' ids; a JSON-ready dict."""
        sampler = ImageToImage()

        def translator(generator):
            return lambda images: sampler.translate(generator, images)

        images = {side: np.asarray(normalize_images(data.images)) for side, data in
                  (("a", self.held_out.a), ("b", self.held_out.b))}
        labels = {"a": self.held_out.a.labels, "b": self.held_out.b.labels}
        model = {side: entry and entry[0] for side, entry in self.classifiers.items()}
        results = {"split": self.split, "classifiers": {side: entry and entry[1] for side, entry in
                                                        self.classifiers.items()}}
        for direction, forward, backward, source, target in (("ab", generator_ab, generator_ba, "a", "b"),
                                                             ("ba", generator_ba, generator_ab, "b", "a")):
            results[direction] = translation_metrics(
                translator(forward), translator(backward), images[source], labels[source], images[target],
                labels[target], model[target], model[source], truth=self.truths[direction], seed=seed)
        return results


def logged_values(results):
    """The headline numbers of ``score``'s results as flat log keys: ``label_accuracy_ab``, ``fid_ba``, ..."""
    return {f"{key}_{direction}": results[direction][key]
            for direction in ("ab", "ba") for key in LOGGED if key in results[direction]}


def evaluate_run(run_dir, n, seed=0):
    """Scores a run's two generators on ``n`` held-out images per domain; writes ``metrics.json``.

    Returns:
        ``(results, plain-text table)``.
    """
    config = rd.load_config(run_dir)
    generators = [rd.load_model(os.path.join(run_dir, GENERATORS[direction])) for direction in ("ab", "ba")]
    results = TranslationReference.build(config, n).score(*generators, seed=seed)
    write_json(results, os.path.join(run_dir, METRICS))
    return results, format_table(results, config.data.dataset, config.settings.target_dataset)


def format_table(results, source_a="A", source_b="B"):
    """A plain-text table: one row per number, a column per direction, and what it measures."""
    header = (f"{'metric':<28} {source_a + ' -> ' + source_b:>22} {source_b + ' -> ' + source_a:>22}  meaning")
    lines = [header]
    for key, meaning in TRANSLATION_DESCRIPTIONS.items():
        values = [results[direction].get(key) for direction in ("ab", "ba")]
        if all(value is None for value in values):
            continue
        text = [f"{value:.4f}" if value is not None else "-" for value in values]
        lines.append(f"{key:<28} {text[0]:>22} {text[1]:>22}  {meaning}")
    lines.append(f"computed on {results['ab']['n_source']} and {results['ba']['n_source']} held-out images "
                 f"({results['split']} split); classifiers {results['classifiers']}")
    return "\n".join(lines)
