"""The gradient-flow study in one call: deep MLPs with several activations, measured and drawn.

    <out_dir>/activation_functions.png   every activation and its derivative
    <out_dir>/gradient_norms.png         ||dL/dW|| per layer, at initialisation and after training
    <out_dir>/activations_init.png       activation histograms per layer, at initialisation
    <out_dir>/activations_trained.png    the same after training
    <out_dir>/gradient_norms.csv         the norms, one row per network and moment
"""

import os

from core_tf.files import write_csv
from data import ImageData, normalize_images
from lab_tf.config import load_split
from mlp_tf import (
    ACTIVATIONS,
    gradient_flow,
    plot_activation_functions,
    plot_activation_histograms,
    plot_gradient_norms,
)

__all__ = ["DEFAULT_NETWORKS", "run_gradient_flow"]

# (activation, kernel initializer, batch norm): the saturating pair, ReLU with either
# initialisation, and the sigmoid rescued by batch normalisation.
DEFAULT_NETWORKS = (
    ("sigmoid", "glorot_uniform", False),
    ("tanh", "glorot_uniform", False),
    ("relu", "glorot_uniform", False),
    ("relu", "he_normal", False),
    ("sigmoid", "glorot_uniform", True),
)
PROBE_SIZE = 512


def run_gradient_flow(config, out_dir, networks=DEFAULT_NETWORKS):
    """Measures every network of ``networks`` on the config's data and writes the figures.

    Args:
        config: a ``Config`` of ``--model mlp``: ``data`` (``limit`` images), ``mlp.hidden``
            (the deep net's layer sizes; they must all be equal), ``training`` (epochs,
            batch size, lr, seed; ``mlp.optimizer``, SGD recommended).
        out_dir: the folder to write into (created).
        networks: ``(activation, kernel initializer, batch norm)`` triples.

    Returns:
        The ``mlp_tf.GradientFlow`` results.
    """
    if len(set(config.settings.hidden)) != 1:
        raise ValueError(f"the gradient-flow study needs equal hidden layers such as 64x15, "
                         f"got {config.settings.hidden}")
    data = load_split(config.data, "train", config.data.limit)
    if not isinstance(data, ImageData) or data.labels is None:
        raise ValueError(f"the gradient-flow study needs labelled data; {config.data.dataset} has none")
    x, y = normalize_images(data.images).numpy(), data.labels
    probe = (x[:PROBE_SIZE], y[:PROBE_SIZE])
    os.makedirs(out_dir, exist_ok=True)
    plot_activation_functions(ACTIVATIONS, os.path.join(out_dir, "activation_functions.png"))
    flows = []
    for activation, initializer, batch_norm in networks:
        flows.append(gradient_flow(
            (x, y), probe, activation, depth=len(config.settings.hidden), width=config.settings.hidden[0],
            batch_norm=batch_norm, kernel_initializer=initializer,
            epochs=config.training.epochs, batch_size=config.training.batch_size,
            optimizer=config.settings.optimizer, lr=config.training.lr, seed=config.training.seed))
        print(f"{flows[-1].label}: first/last hidden layer gradient norm {flows[-1].init_norms[0]:.2e} / "
              f"{flows[-1].init_norms[-2]:.2e} at initialisation, training accuracy "
              f"{flows[-1].history['accuracy'][-1]:.3f}", flush=True)
    plot_gradient_norms(flows, os.path.join(out_dir, "gradient_norms.png"))
    plot_activation_histograms(flows, os.path.join(out_dir, "activations_init.png"))
    plot_activation_histograms(flows, os.path.join(out_dir, "activations_trained.png"), trained=True)
    _write_norms(flows, os.path.join(out_dir, "gradient_norms.csv"))
    return flows


def _write_norms(flows, path):
    layers = [f"layer_{i}" for i in range(1, len(flows[0].init_norms) + 1)]
    write_csv([{"network": flow.label, "moment": moment, **dict(zip(layers, norms))}
               for flow in flows for moment, norms in (("initialisation", flow.init_norms),
                                                       ("trained", flow.trained_norms))], path)
