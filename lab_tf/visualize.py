"""What ``visualize.py`` runs: the network a run (or a dataset) names, its units maximised and judged, its maps.

The networks come from the families (``Family.networks``: a GAN run's discriminator, an MLP
run's classifier, an autoencoder's encoder) or, with ``--network classifier``, the evaluation
classifier of a dataset. A maximised classifier is judged by a network that was not maximised:
``--judge`` names another run's classifier, or the dataset's evaluation classifier.
"""

import os
from dataclasses import dataclass

import numpy as np

from data import normalize_images
from data.folder import load_image_file
from eval_tf.visualization import (
    Regularizers,
    class_probabilities,
    feature_maps,
    maximize_activation,
    plot_feature_maps,
    plot_maximized,
    unit_objective,
)
from gan_tf.sampling import num_classes_of
from lab_tf import run_dir as rd
from lab_tf.config import DataConfig, load_split
from lab_tf.metrics import dataset_classifier

__all__ = ["OBJECTIVES", "PRIORS", "Network", "load_network", "maximize", "parse_units", "show_features"]

PRIORS = ("none", "regularized", "generator")
OBJECTIVES = ("logit", "log-probability")
CLASSIFIER = "classifier"  # --network: the dataset's evaluation classifier, for any run or none


@dataclass
class Network:
    """A network to inspect: the model, what it is, its classes' names when it classifies, and its data."""

    model: object
    description: str
    class_names: tuple | None
    data: DataConfig
    run_dir: str | None = None


def load_network(run_dir=None, network=None, dataset=None, data_dir=None):
    """The network ``--run``/``--network``/``--dataset`` name.

    Raises:
        ValueError: no such network for the run, or nothing named, with the valid choices.
    """
    if run_dir is None:
        if network != CLASSIFIER or dataset is None:
            raise ValueError("name a network: --run RUN_DIR, or --network classifier --dataset NAME")
        data = DataConfig(dataset=dataset, data_dir=data_dir)
        return _evaluation_classifier(data, None)
    config = rd.load_config(run_dir)
    networks = {**config.family.networks}
    networks.setdefault(CLASSIFIER, None)  # a run's own classifier comes first, else the dataset's evaluation one
    network = network or next(iter(networks))
    if network not in networks:
        raise ValueError(f"--network {network} is not part of a --model {config.model} run; valid: "
                         f"{', '.join(networks)}")
    if networks[network] is None:
        return _evaluation_classifier(config.data, run_dir)
    model = rd.load_model(os.path.join(run_dir, networks[network]))
    if len(model.inputs) != 1:
        raise ValueError(f"the {network} of {run_dir} also takes a label (a conditional model); inspect an "
                         "unconditional run, or --network classifier")
    names = getattr(config.settings, "num_classes", None) if network == "classifier" else None
    class_names = tuple(str(k) for k in range(names)) if names else None
    return Network(model, f"the {network} of {run_dir}", class_names, config.data, run_dir)


def _evaluation_classifier(data, run_dir):
    train = load_split(data, "train")  # once: the classifier's identity and the class names both come from it
    model, identity = dataset_classifier(data, train)
    names = tuple(train.class_names) if train.class_names else None
    return Network(model, f"the {data.dataset} evaluation classifier {identity}", names, data, run_dir)


def parse_units(text, count):
    """``all`` or ``0,3,7`` as unit indices below ``count``; ``ValueError`` naming the valid range."""
    if text in (None, "all"):
        return list(range(count))
    try:
        units = [int(value) for value in text.split(",")]
    except ValueError:
        raise ValueError(f"--units takes all or indices like 0,3,7, got {text!r}") from None
    bad = [unit for unit in units if not 0 <= unit < count]
    if bad:
        raise ValueError(f"unit {bad[0]} is out of range: this layer has {count} units (0..{count - 1})")
    return units


def maximize(network, out, layer=None, units=None, prior="regularized", steps=200, seed=0, generator_run=None,
             judge=None, samples=1, objective="logit"):
    """Maximises each unit, writes the labelled grid to ``out`` and returns one row of numbers per unit.

    Args:
        network: from ``load_network``.
        out: the PNG to write.
        layer: a layer name (its channels), or ``None`` for the output units.
        units: ``all`` or a comma list (see ``parse_units``).
        prior: ``none`` (plain ascent), ``regularized`` (``Regularizers.readable()``) or ``generator``.
        steps: ascent steps.
        seed: the seed of the starting points and the jitter.
        generator_run: a run whose generator is the prior (default: ``network``'s own run).
        judge: a ``Network`` that classifies the results: never the maximised one.
        samples: images per unit, from different starting points.
        objective: ``logit`` (the unit itself) or ``log-probability`` (a classifier's output units:
            the class's log-softmax, which also pushes the other classes down).

    Returns:
        ``[{"unit", "score", "probability" (output units of a classifier), "judged" (with a judge)}]``.
    """
    if prior not in PRIORS:
        raise ValueError(f"unknown prior {prior!r}; valid: {', '.join(PRIORS)}")
    if objective not in OBJECTIVES:
        raise ValueError(f"unknown objective {objective!r}; valid: {', '.join(OBJECTIVES)}")
    model = network.model
    score = unit_objective(model, layer, log_probability=objective == "log-probability")
    image_shape = tuple(model.inputs[0].shape[1:])
    count = int(score(np.zeros((1, *image_shape), np.float32)).shape[-1])
    chosen = [unit for unit in parse_units(units, count) for _ in range(samples)]
    generator, labels = None, None
    if prior == "generator":
        generator = _generator(generator_run or network.run_dir, image_shape)
        if num_classes_of(generator) is not None:
            labels = chosen  # a conditional generator draws the class of each unit
    result = maximize_activation(score, image_shape, chosen, steps=steps, generator=generator, labels=labels,
                                 regularizers=Regularizers.readable() if prior == "regularized" else None, seed=seed)
    rows = [{"unit": unit, "score": float(score)} for unit, score in zip(chosen, result.scores)]
    classifies = layer is None and network.class_names is not None
    if classifies:
        probabilities = class_probabilities(model, result.images)
        for row, unit, p in zip(rows, chosen, probabilities):
            row["probability"] = float(p[unit])
    if judge is not None:
        if judge.description == network.description:
            raise ValueError("the judge must be another network than the one maximised: a classifier that did "
                             "not shape the images is the only fair reader of them")
        verdicts = class_probabilities(judge.model, result.images).argmax(1)
        for row, verdict in zip(rows, verdicts):
            row["judged"] = int(verdict)
    titles = []
    for row in rows:
        name = network.class_names[row["unit"]] if classifies else f"unit {row['unit']}"
        detail = f"p={row['probability']:.2f}" if "probability" in row else f"{row['score']:.2f}"
        judged = f", judged {row['judged']}" if "judged" in row else ""
        titles.append(f"{name}: {detail}{judged}")
    where = f"layer {layer}" if layer else f"output ({objective})"
    plot_maximized(result.images, titles, out,
                   suptitle=f"{where} of {network.description}, prior {prior}, {steps} steps, seed {seed}")
    return rows


def _generator(run_dir, image_shape):
    if run_dir is None or rd.load_config(run_dir).family.sampler is None:
        raise ValueError("--prior generator needs a generator of the same data: pass --generator RUN_DIR, a run "
                         "of a model that generates")
    generator = rd.load_run(run_dir).generator
    if tuple(generator.outputs[0].shape[1:]) != image_shape:
        raise ValueError(f"the generator of {run_dir} makes images of shape {tuple(generator.outputs[0].shape[1:])}, "
                         f"the network takes {image_shape}; pass a --generator run of the same data")
    return generator


def show_features(network, image_path, out, max_channels=16):
    """Writes the maps of ``image_path`` through each convolutional layer of ``network`` to ``out``."""
    model = network.model
    height, width, channels = tuple(model.inputs[0].shape[1:])
    if not os.path.isfile(image_path):
        raise ValueError(f"image {image_path} does not exist; pass an image file (png, jpg, ...)")
    try:
        image = load_image_file(image_path, (height, width), channels)
    except (OSError, ValueError, SyntaxError) as error:
        raise ValueError(f"image {image_path} cannot be read ({error}); pass a png or jpg file") from None
    image = np.asarray(normalize_images(image[None]))[0]
    maps = feature_maps(model, image)
    plot_feature_maps(image, maps, out, max_channels=max_channels)
    return [(name, values.shape) for name, values in maps]
