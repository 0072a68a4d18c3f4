"""Figures of the MLP lab: activations, training curves, comparisons, confusion matrix,
gradient flow and hyperparameter effects. Every figure is written atomically as PNG."""

import math

import matplotlib
import numpy as np
from matplotlib.ticker import NullLocator

from core_tf.figures import new_figure, save_figure
from mlp_tf.activations import activation_derivative, get_activation

__all__ = [
    "plot_activation_functions", "plot_activation_histograms", "plot_classifier_history", "plot_comparison",
    "plot_confusion_matrix", "plot_gradient_norms", "plot_hyperparameter_effects",
]



def _integer_epochs(panel):
    panel.xaxis.get_major_locator().set_params(integer=True)
    panel.grid(alpha=0.3)


def plot_activation_functions(names, path, x_range=(-5.0, 5.0)):
    """Two panels: each activation ``f(x)`` and its derivative ``f'(x)`` over ``x_range``."""
    x = np.linspace(*x_range, 801, dtype="float32")
    figure, (values, slopes) = new_figure(1, 2, figsize=(12, 4.5))
    for name in names:
        line, = values.plot(x, np.asarray(get_activation(name)(x)), label=name)
        slopes.plot(x, np.asarray(activation_derivative(name, x)), color=line.get_color(), label=name)
    values.set(title="Activation f(x)", xlabel="x", ylim=(-2, 5))
    slopes.set(title="Derivative f'(x): each layer's factor on the gradient", xlabel="x",
               ylim=(-0.2, 1.3))
    slopes.axhline(0.25, color="grey", linestyle=":", linewidth=1)
    slopes.annotate("sigmoid's maximum, 1/4", (x_range[0], 0.27), color="grey", fontsize=8)
    for panel in (values, slopes):
        panel.axhline(0, color="black", linewidth=0.5)
        panel.axvline(0, color="black", linewidth=0.5)
        panel.grid(alpha=0.3)
    values.legend(ncol=2, fontsize=8)
    save_figure(figure, path)


def plot_classifier_history(rows, path, metric=None):
    """Loss and accuracy over epochs, training and validation (``val_`` keys) where logged.

    ``rows`` are history rows (``epoch``, ``loss``, ``accuracy``, ``val_loss``, ...); ``metric``
    is unused and accepted for the run recorder's common signature.
    """
    epochs = [row["epoch"] for row in rows]
    figure, axes = new_figure(1, 2, figsize=(11, 3.8))
    for panel, key, title in ((axes[0], "loss", "Loss"), (axes[1], "accuracy", "Accuracy")):
        for prefix, label in (("", "training"), ("val_", "validation")):
            if rows and f"{prefix}{key}" in rows[0]:
                panel.plot(epochs, [row[f"{prefix}{key}"] for row in rows], marker="o", label=label)
        panel.set(title=title, xlabel="epoch")
        panel.legend()
        _integer_epochs(panel)
    save_figure(figure, path)


def plot_comparison(histories, path, title=None, losses=None):
    """Overlaid curves of several runs: accuracy, then the loss, validation solid, training dashed.

    Args:
        histories: ``{label: history rows}``, one entry per run.
        path: the PNG to write.
        title: the figure's title, e.g. what was compared.
        losses: ``{label: loss name}``; runs with different losses get a loss panel each, since
            cross-entropy and MSE values share no scale.
    """
    losses = losses or dict.fromkeys(histories, "")
    kinds = list(dict.fromkeys(losses[label] for label in histories))
    figure, axes = new_figure(1, 1 + len(kinds), figsize=(6 * (1 + len(kinds)), 4.2))
    colours = matplotlib.colormaps["tab10"]
    for i, (label, rows) in enumerate(histories.items()):
        epochs = [row["epoch"] for row in rows]
        for panel, key in ((axes[0], "accuracy"), (axes[1 + kinds.index(losses[label])], "loss")):
            if rows and f"val_{key}" in rows[0]:
                panel.plot(epochs, [row[f"val_{key}"] for row in rows], color=colours(i % 10), marker="o",
                           markersize=3, label=label)
            panel.plot(epochs, [row[key] for row in rows], color=colours(i % 10), linestyle="--", linewidth=1,
                       label=None if rows and f"val_{key}" in rows[0] else label)
    axes[0].set(title="Accuracy (validation solid, training dashed)", xlabel="epoch")
    axes[0].legend(fontsize=8)
    for panel, kind in zip(axes[1:], kinds):
        panel.set(title=f"Loss{': ' + kind if kind else ''} (validation solid, training dashed)", xlabel="epoch",
                  yscale="log")
        panel.legend(fontsize=8)
    for panel in axes:
        _integer_epochs(panel)
    if title:
        figure.suptitle(title)
    save_figure(figure, path)


def plot_confusion_matrix(matrix, path, class_names=None):
    """The confusion matrix: colour is the share of each true class, numbers are counts."""
    matrix = np.asarray(matrix)
    k = len(matrix)
    names = list(class_names) if class_names is not None else [str(i) for i in range(k)]
    shares = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    size = max(5.0, 0.5 * k + 2)
    figure, panel = new_figure(figsize=(size + 1, size))
    image = panel.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    figure.colorbar(image, ax=panel, label="share of the true class")
    if k <= 30:
        for (i, j), count in np.ndenumerate(matrix):
            panel.text(j, i, str(count), ha="center", va="center", fontsize=7,
                       color="white" if shares[i, j] > 0.5 else "black")
    accuracy = np.trace(matrix) / max(matrix.sum(), 1)
    panel.set(xticks=range(k), yticks=range(k), xlabel="predicted class", ylabel="true class",
              title=f"Confusion matrix (accuracy {accuracy:.2%} of {matrix.sum()})")
    panel.set_xticklabels(names, rotation=90 if max(map(len, names)) > 3 else 0)
    panel.set_yticklabels(names)
    save_figure(figure, path)


def plot_gradient_norms(flows, path):
    """Per-layer gradient norms (log scale) at initialisation and after training, one line per network.

    Args:
        flows: ``mlp_tf.GradientFlow`` results.
        path: the PNG to write.
    """
    figure, axes = new_figure(1, 2, figsize=(13, 4.5), sharey=True)
    for flow in flows:
        layers = np.arange(1, len(flow.init_norms) + 1)
        line, = axes[0].plot(layers, flow.init_norms, marker="o", markersize=3, label=flow.label)
        accuracy = flow.history.get("accuracy", [math.nan])[-1]
        axes[1].plot(layers, flow.trained_norms, marker="o", markersize=3, color=line.get_color(),
                     label=f"{flow.label} (train acc {accuracy:.0%})")
    epochs = len(flows[0].history.get("loss", [])) if flows else 0
    axes[0].set(title="At initialisation", ylabel="||dL/dW|| of the layer (log scale)", yscale="log")
    axes[1].set(title=f"After {epochs} epoch(s) of training")
    for panel in axes:
        panel.set(xlabel="layer (1 = next to the input; last = output layer)")
        panel.legend(fontsize=8)
        panel.grid(alpha=0.3, which="both")
        panel.xaxis.get_major_locator().set_params(integer=True)
    save_figure(figure, path)


def plot_activation_histograms(flows, path, trained=False, max_layers=5, bins=50):
    """Histograms of the activations of a few layers per network, one panel per network.

    Args:
        flows: ``mlp_tf.GradientFlow`` results.
        path: the PNG to write.
        trained: the activations after training instead of at initialisation.
        max_layers: layers shown per network, spread from the first to the last.
        bins: histogram bins.
    """
    columns = min(len(flows), 3)
    rows = math.ceil(len(flows) / columns)
    figure, axes = new_figure(rows, columns, figsize=(5 * columns, 3.6 * rows), squeeze=False)
    for panel, flow in zip(axes.flat, flows):
        activations = flow.trained_activations if trained else flow.init_activations
        chosen = sorted(set(np.linspace(0, len(activations) - 1, min(max_layers, len(activations))).astype(int)))
        colours = matplotlib.colormaps["viridis"](np.linspace(0, 0.9, len(chosen)))
        for colour, i in zip(colours, chosen):
            panel.hist(activations[i].ravel(), bins=bins, histtype="step", density=True, color=colour,
                       label=f"layer {i + 1}")
        panel.set(title=flow.label, xlabel="activation value", yscale="log")
        panel.legend(fontsize=7)
    for panel in axes.flat[len(flows):]:
        panel.axis("off")
    figure.suptitle(f"Activations per layer {'after training' if trained else 'at initialisation'}")
    save_figure(figure, path)


def _log_ticks(values):
    """Ticks at 1, 2 and 5 times the powers of ten within ``values``' range, each labelled once."""
    low, high = min(values), max(values)
    decades = range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
    ticks = [m * 10.0 ** k for k in decades for m in (1, 2, 5) if low <= m * 10.0 ** k <= high]
    return ticks if len(ticks) >= 2 else sorted({low, high})


def plot_hyperparameter_effects(trials, hyperparameters, path, metrics=("val_accuracy", "val_loss"),
                                log_scale=("lr",), columns=4):
    """Each hyperparameter's effect on each metric: one dot per finished trial, the best starred.

    Args:
        trials: rows with the hyperparameters' values and the ``metrics`` (``None`` or missing
            for unfinished trials, which are skipped), e.g. from ``mlp_tf.trials_table``.
        hyperparameters: the names to plot, one block of panels each (a panel per metric,
            stacked), ``columns`` blocks to a row.
        path: the PNG to write.
        metrics: one panel each per hyperparameter; the best trial is the one with the highest
            first metric if its name ends in ``accuracy``, else the lowest.
        log_scale: hyperparameters drawn on a logarithmic axis.
        columns: blocks side by side before the next row of blocks.
    """
    key = metrics[0]
    done = [t for t in trials if t.get(key) is not None]
    metrics = [m for m in metrics if m == key or any(t.get(m) is not None for t in done)]  # none logged: no row
    columns = min(columns, len(hyperparameters))
    blocks = math.ceil(len(hyperparameters) / columns)
    rows = blocks * len(metrics)
    figure, axes = new_figure(rows, columns, figsize=(3.6 * columns + 0.6, 2.8 * rows), squeeze=False)
    best = None
    if done:
        best = (max if key.endswith("accuracy") else min)(done, key=lambda t: t[key])
    for index, name in enumerate(hyperparameters):
        block, column = divmod(index, columns)
        values = [t.get(name) for t in done]
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        categories = None if numeric else sorted({str(v) for v in values})

        def position(value, numeric=numeric, categories=categories):
            return value if numeric else categories.index(str(value))

        for row, metric in enumerate(metrics):
            panel = axes[block * len(metrics) + row, column]
            shown = [(position(v), t[metric]) for v, t in zip(values, done) if t.get(metric) is not None]
            if shown:
                panel.scatter(*zip(*shown), alpha=0.7)
            if best is not None and best.get(metric) is not None:
                panel.scatter([position(best.get(name))], [best[metric]], marker="*", s=160, color="tab:red",
                              label="best trial")
            if numeric and name in log_scale and values:
                panel.set_xscale("log")
                ticks = _log_ticks(values)
                panel.set_xticks(ticks, [f"{v:.0e}".replace("e-0", "e-") for v in ticks], minor=False)
                panel.xaxis.set_minor_locator(NullLocator())
            elif numeric and 0 < len(set(values)) <= 5:  # a few listed values: tick exactly those
                panel.set_xticks(sorted(set(values)), [f"{v:g}" for v in sorted(set(values))])
                panel.margins(x=0.15)
            if not numeric:
                panel.set_xticks(range(len(categories)))
                panel.set_xticklabels(categories, fontsize=8)
                panel.margins(x=0.15)
            if row == 0:
                panel.set_title(name, fontsize=11, fontweight="bold")
            panel.set(xlabel=name if row == len(metrics) - 1 else None,
                      ylabel=metric if column == 0 else None)
            panel.grid(alpha=0.3)
    for index in range(len(hyperparameters), blocks * columns):  # the last row of blocks may be short
        block, column = divmod(index, columns)
        for row in range(len(metrics)):
            axes[block * len(metrics) + row, column].set_visible(False)
    if best is not None:
        axes[0, 0].legend(fontsize=8)
    figure.suptitle(f"Effect of each hyperparameter over {len(done)} trials")
    save_figure(figure, path)
