"""Image-quality metrics for a run: the real reference of its dataset, metrics.json, a table."""

import os

from core_tf.files import write_json
from data import MIXTURES
from data.loaders import dataset_name
from eval_tf import DESCRIPTIONS, RealReference, evaluate_images, load_or_train_extractor
from eval_tf.inception import build_inception
from eval_tf.report import inception_metrics
from lab_tf import run_dir as rd
from lab_tf.config import held_out_split, load_split

__all__ = ["METRICS", "build_reference", "dataset_classifier", "evaluate_run", "format_table", "loss_classifier"]

METRICS = "metrics.json"
MIN_REFERENCE = 5  # the largest k of the k-NN metrics
MIN_SAMPLES = 10
# Extractor training per dataset; CIFAR-10 gets augmentation and more epochs, aiming at 80 % test accuracy.
EXTRACTOR_SETTINGS = {"cifar10": {"epochs": 30, "augment": True}}
DEFAULT_EXTRACTOR_SETTINGS = {"epochs": 4}
# A classifier inside a training loss: another seed and fewer steps than the evaluation classifier.
LOSS_CLASSIFIER_TRAINING = {"seed": 1, "epochs": 4, "min_steps": 100}


def build_reference(data_config, train=None, limit=None):
    """The feature extractor and real reference images for a run's dataset.

    The extractor trains on the full training split (``train`` when the caller has it loaded
    already); the reference is the test split (the training split for sources without one,
    such as image folders), its first ``limit`` images.
    """
    if data_config.dataset in MIXTURES:
        raise ValueError(f"image-quality metrics need images; {data_config.dataset} holds 2-D points, whose runs "
                         "report the modes they cover (modes_covered in history.csv) after every epoch instead")
    if train is None or data_config.limit is not None:
        train = load_split(data_config, "train")
    test = held_out_split(data_config, limit)
    split = "train" if test is None else "test"
    reference = train.take(limit) if test is None else test
    if len(reference) <= MIN_REFERENCE:
        raise ValueError(f"image-quality metrics need more than {MIN_REFERENCE} real reference images, "
                         f"got {len(reference)}; add images to the dataset")
    extractor, identity = dataset_classifier(data_config, train, test)
    return RealReference(extractor, identity, reference, split)


def dataset_classifier(data_config, train=None, test=None):
    """``(classifier, its id)``: the evaluation classifier of a dataset, trained on its full training split on
    first use and cached (``eval_tf.load_or_train_extractor``); ``test`` reports its accuracy then."""
    if data_config.dataset in MIXTURES:
        raise ValueError(f"the evaluation classifier is for images; {data_config.dataset} holds 2-D points")
    name = dataset_name(data_config.dataset)
    train = train if train is not None else load_split(data_config, "train")
    return load_or_train_extractor(name, train, test, **EXTRACTOR_SETTINGS.get(name, DEFAULT_EXTRACTOR_SETTINGS))


def loss_classifier(dataset, train, role, why):
    """``(classifier, its id)``: a classifier of ``dataset`` for a training loss (``role``: ``perceptual``,
    ``semantic``), trained on ``train`` on first use and cached under a name of its own, so that it is never the
    evaluation classifier that scores the run. ``why`` ends the error raised for unlabelled ``train``."""
    if train.labels is None:
        raise ValueError(f"the {role} loss reads a classifier of {dataset}, which has no labels; put the images in "
                         f"class subfolders, or {why}")
    return load_or_train_extractor(f"{dataset_name(dataset)}-{role}", train, **LOSS_CLASSIFIER_TRAINING)


def evaluate_run(run_dir, n=10000, seed=0, inception=False, more=None):
    """Evaluates a run's generator with ``n`` samples; writes and returns ``metrics.json``'s content.

    With ``inception``, also FID and KID through Inception-v3 (its ImageNet weights must be
    in the Keras cache; ``InceptionWeightsMissing`` says where otherwise). ``more(generator, reference)``
    returns a family's own numbers, added to the results.
    """
    if n < MIN_SAMPLES:
        raise ValueError(f"--n must be at least {MIN_SAMPLES} to evaluate, got {n}")
    config = rd.load_config(run_dir)
    sampler = config.family.sampler
    if sampler is None:
        raise ValueError(f"--evaluate scores a generator's images; {run_dir} is a --model {config.model} run")
    run = rd.load_run(run_dir)
    inception_model = build_inception() if inception else None  # fail before any long work
    reference = build_reference(run.config.data)
    images, labels = sampler.evaluation_samples(run.generator, n, seed)
    results = evaluate_images(reference, images, seed=seed, requested=labels)
    if inception_model is not None:
        results.update(inception_metrics(inception_model, reference, images, seed=seed))
    if more is not None:
        results.update(more(run.generator, reference))
    write_json(results, os.path.join(run_dir, METRICS))
    return results


def format_table(results):
    """A short plain-text table of the metrics and what each measures."""
    lines = [f"{'metric':<18} {'value':>18}  meaning"]
    for key, meaning in DESCRIPTIONS.items():
        value = results[key]
        text = f"{value:.4f}" if isinstance(value, float) else str(value)
        if key in ("kid", "classifier_score"):
            text += f" ± {results[key + '_std']:.4f}"
        lines.append(f"{key:<18} {text:>18}  {meaning}")
    if "conditional_accuracy" in results:
        lines.append(f"{'conditional_accuracy':<18} {results['conditional_accuracy']:>18.4f}  "
                     "classifier agrees with the requested label (conditional models)")
    for key in ("inception_fid", "inception_kid"):
        if key in results:
            lines.append(f"{key:<18} {results[key]:>18.4f}  with Keras' Inception-v3 features (closer to papers)")
    lines.append(f"computed on n_real={results['n_real']} ({results['split']} split), n_fake={results['n_fake']}, "
                 f"extractor {results['extractor']}")
    return "\n".join(lines)
