"""What a user looks at for the autoencoder family: reconstructions, latent scatter plots, curves,
and the figures of a comparison of several runs."""

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from core_tf.figures import new_figure, save_figure
from lab_tf.figures import image_grid, save_image

__all__ = ["plot_comparison", "plot_latent", "plot_vae_history", "save_reconstructions"]


def save_reconstructions(images, reconstructions, path, columns=8, scale=2):
    """Writes inputs above their reconstructions: pairs of rows, ``columns`` images wide.

    Args:
        images: ``(n, h, w, c)`` in [-1, 1] (or uint8); ``n`` a multiple of ``columns``.
        reconstructions: the same shape.
        path: PNG file.
        columns: images per row.
        scale: integer upscaling.
    """
    images, reconstructions = np.asarray(images), np.asarray(reconstructions)
    rows = [part for i in range(0, len(images), columns)
            for part in (images[i : i + columns], reconstructions[i : i + columns])]
    save_image(image_grid(np.concatenate(rows), columns=columns, scale=scale), path)


def plot_latent(points, labels, path, variances=None, explained=None, class_names=None, threshold=0.01):
    """The codes of a test set as a scatter coloured by label, and each dimension's activity.

    Args:
        points: ``(n, 2)`` codes or their projection (``vae_tf.project_2d``).
        labels: int ``(n,)`` or ``None``.
        path: image file.
        variances: ``(latent_dim,)`` variance of each posterior-mean dimension over the data
            (``vae_tf.active_units``); draws a second panel when given.
        explained: fraction of variance of the two principal components, when ``points`` is a projection.
        class_names: a name per label.
        threshold: the activity threshold drawn in the second panel.
    """
    figure, axes = new_figure(1, 1 if variances is None else 2, figsize=(11 if variances is not None else 5.6, 5),
                                squeeze=False)
    scatter_axis = axes[0, 0]
    if labels is None:
        scatter_axis.scatter(points[:, 0], points[:, 1], s=4, alpha=0.7)
    else:
        drawn = scatter_axis.scatter(points[:, 0], points[:, 1], c=labels, cmap="tab10", s=4, alpha=0.7,
                                     vmin=-0.5, vmax=9.5)
    if labels is not None and labels.max() < 10:
        legend = [Line2D([], [], marker="o", linestyle="", color=drawn.cmap(drawn.norm(k)),
                             label=class_names[k] if class_names else str(k)) for k in np.unique(labels)]
        scatter_axis.legend(handles=legend, fontsize=7, markerscale=1, loc="best", ncol=2)
    if explained is None:
        scatter_axis.set(title="Latent means of test images", xlabel="z[0]", ylabel="z[1]")
    else:
        scatter_axis.set(title="Latent means, first two principal components",
                         xlabel=f"PC 1 ({explained[0]:.0%} of variance)", ylabel=f"PC 2 ({explained[1]:.0%})")
    if variances is not None:
        activity = axes[0, 1]
        activity.bar(np.arange(len(variances)), variances, color="tab:green")
        activity.axhline(threshold, color="grey", linestyle=":", linewidth=1)
        activity.set_yscale("log")
        activity.xaxis.get_major_locator().set_params(integer=True)
        active = int(np.sum(variances > threshold))
        activity.set(title=f"Activity per dimension: {active} of {len(variances)} active",
                     xlabel="latent dimension", ylabel="variance of the mean over the data")
    for axis in axes.ravel():
        axis.grid(alpha=0.3)
    save_figure(figure, path)


def plot_vae_history(rows, path, metric=None):
    """Panels over epochs: the objective and negative ELBO, its two terms, and ``metric`` if logged.

    Training values are solid, validation (test split) values dashed; every number is nats per image.
    """
    epochs = [row["epoch"] for row in rows]
    scored = [row for row in rows if metric in row]
    panels = [("Objective (nats per image)", ("loss", "negative_elbo")),
              ("ELBO terms (nats per image)", ("reconstruction_loss", "kl_loss"))]
    figure, axes = new_figure(1, 3 if scored else 2, figsize=(15 if scored else 10, 3.6))
    for axis, (title, keys) in zip(axes, panels):
        for key in keys:
            for prefix, style in (("", "-"), ("val_", "--")):
                values = [row.get(prefix + key) for row in rows]
                if all(v is not None for v in values):
                    axis.plot(epochs, values, style, marker="o", label=f"{prefix.replace('val_', 'test ')}{key}")
        axis.set(title=title, xlabel="epoch")
    if scored:
        axes[2].plot([row["epoch"] for row in scored], [row[metric] for row in scored], marker="o", color="tab:green")
        axes[2].set(title=f"Sample quality: {metric}", xlabel="epoch")
    for axis in axes:
        if axis.get_legend_handles_labels()[0]:
            axis.legend(fontsize=8)
        axis.grid(alpha=0.3)
        axis.xaxis.get_major_locator().set_params(integer=True)
    save_figure(figure, path)


def plot_comparison(results, grids, path, sweep):
    """A comparison of runs: their ELBO terms (against beta for a beta sweep) beside their sample grids.

    Args:
        results: one dict per run with ``name``, ``reconstruction_loss`` and ``kl_loss`` (and ``beta``).
        grids: one uint8 sample grid ``(h, w, c)`` per run.
        path: image file.
        sweep: ``beta`` (reconstruction against KL, each point a beta) or ``architecture`` (bars).
    """
    figure = Figure(figsize=(4.2 + 2.6 * len(grids), 4))
    layout = figure.add_gridspec(1, len(grids) + 2)
    terms = figure.add_subplot(layout[0, :2])
    names = [r["name"] for r in results]
    if sweep == "beta":
        kl, reconstruction = [r["kl_loss"] for r in results], [r["reconstruction_loss"] for r in results]
        terms.plot(kl, reconstruction, marker="o")
        for r in results:
            terms.annotate(f"β={r['beta']:g}", (r["kl_loss"], r["reconstruction_loss"]), fontsize=8,
                           textcoords="offset points", xytext=(4, 4))
        terms.set(title="Test reconstruction vs KL", xlabel="KL (nats)", ylabel="reconstruction (nats)")
    else:
        x = np.arange(len(results))
        terms.bar(x - 0.2, [r["reconstruction_loss"] for r in results], 0.4, label="reconstruction")
        terms.bar(x + 0.2, [r["kl_loss"] for r in results], 0.4, label="KL")
        terms.set_xticks(x, names, fontsize=8)
        terms.set(title="Test negative ELBO terms (nats)")
        terms.legend(fontsize=8)
    terms.grid(alpha=0.3)
    for i, (name, grid) in enumerate(zip(names, grids)):
        axis = figure.add_subplot(layout[0, i + 2])
        axis.imshow(grid[..., 0] if grid.shape[-1] == 1 else grid, cmap="gray", vmin=0, vmax=255)
        axis.set_title(name, fontsize=9)
        axis.axis("off")
    save_figure(figure, path)
