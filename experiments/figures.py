"""What a user looks at: image grids, the progression GIF, training curves."""

import math
import os
import re

import matplotlib

matplotlib.use("Agg")  # files only; never needs a display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from data.images import denormalize_images  # noqa: E402
from experiments.files import atomic_path  # noqa: E402

__all__ = ["image_grid", "plot_gan_history", "plot_point_snapshots", "save_figure", "save_image", "save_image_grid",
           "save_point_scatter", "save_progress_gif"]

GIF_FRAMES = 60  # frames of progress.gif at most: 24 s at 400 ms a frame


def image_grid(images, columns=None, padding=2, scale=1):
    """Tiles images into one picture.

    Args:
        images: ``(n, height, width, channels)``, uint8 0..255 or float in [-1, 1].
        columns: images per row; default ``ceil(sqrt(n))``.
        padding: pixels between and around images (scaled with them).
        scale: integer nearest-neighbour upscaling factor.

    Returns:
        uint8 array ``(rows * (h + p) + p, columns * (w + p) + p, channels)``, times ``scale``.
    """
    images = np.asarray(images)
    if images.dtype != np.uint8:
        images = denormalize_images(images)
    n, height, width, channels = images.shape
    columns = columns or math.ceil(math.sqrt(n))
    rows = math.ceil(n / columns)
    grid = np.zeros((rows * (height + padding) + padding, columns * (width + padding) + padding, channels), np.uint8)
    for i, image in enumerate(images):
        top = padding + (i // columns) * (height + padding)
        left = padding + (i % columns) * (width + padding)
        grid[top : top + height, left : left + width] = image
    return grid.repeat(scale, axis=0).repeat(scale, axis=1)


def save_image(array, path):
    """Writes a uint8 ``(h, w, 1|3)`` array (grayscale or RGB) atomically; the extension picks the format."""
    image = Image.fromarray(array[..., 0] if array.shape[-1] == 1 else array)
    with atomic_path(path) as temporary:
        image.save(temporary)


def save_image_grid(images, path, columns=None, padding=2, scale=1):
    """``image_grid`` written to ``path`` as PNG."""
    save_image(image_grid(images, columns, padding, scale), path)


def epoch_frames(folder):
    """``(epoch, path)`` of every ``epoch_N.png`` in ``folder``, in epoch order."""
    found = [re.fullmatch(r"epoch_(\d+)\.png", name) for name in os.listdir(folder)]
    return sorted((int(m.group(1)), os.path.join(folder, m.group(0))) for m in found if m)


def save_progress_gif(frame_paths, path, captions, duration_ms=400, max_frames=GIF_FRAMES):
    """Animated GIF of the per-epoch grids, each frame captioned (e.g. ``epoch 3``), looping.

    Of more than ``max_frames`` frames it keeps ``max_frames``, evenly spread from the first to the
    last, so a long run's GIF stays watchable and cheap to rewrite after every epoch.
    """
    if len(frame_paths) > max_frames:
        kept = np.linspace(0, len(frame_paths) - 1, max_frames).round().astype(int)
        frame_paths, captions = [frame_paths[i] for i in kept], [captions[i] for i in kept]
    frames = []
    for frame_path, caption in zip(frame_paths, captions):
        with Image.open(frame_path) as image:
            image = image.convert("RGB")
        framed = Image.new("RGB", (image.width, image.height + 14), "white")
        framed.paste(image, (0, 14))
        ImageDraw.Draw(framed).text((3, 1), caption, fill="black")
        frames.append(framed)
    if frames:
        with atomic_path(path) as temporary:
            frames[0].save(temporary, save_all=True, append_images=frames[1:], duration=duration_ms, loop=0)


def plot_gan_history(rows, path, metric=None):
    """The balance of the two players over epochs, and ``metric`` if logged.

    Panels: both losses; the discriminator's accuracy on real and generated samples (for a
    Wasserstein critic, its distance estimate ``critic_gap`` instead); ``metric``.
    """
    epochs = [row["epoch"] for row in rows]
    scored = [row for row in rows if metric in row]
    figure, axes = plt.subplots(1, 3 if scored else 2, figsize=(15 if scored else 10, 3.6))
    losses, balance = axes[:2]
    for key, label in (("d_loss", "discriminator"), ("g_loss", "generator")):
        losses.plot(epochs, [row[key] for row in rows], marker="o", label=label)
    losses.set(title="Losses", xlabel="epoch", ylabel="loss")
    if rows and "critic_gap" in rows[0]:
        balance.plot(epochs, [row["critic_gap"] for row in rows], marker="o", color="tab:purple")
        balance.set(title="Critic's Wasserstein estimate E[D(real)] - E[D(fake)]", xlabel="epoch")
    else:
        for key, label in (("d_real_accuracy", "on real samples"), ("d_fake_accuracy", "on generated samples")):
            balance.plot(epochs, [row[key] for row in rows], marker="o", label=label)
        balance.axhline(0.5, color="grey", linestyle=":", linewidth=1)
        balance.set(title="Discriminator accuracy (0.5 = fooled half the time)", xlabel="epoch", ylim=(-0.02, 1.02))
    if scored:
        axes[2].plot([row["epoch"] for row in scored], [row[metric] for row in scored], marker="o", color="tab:green")
        axes[2].set(title=f"Sample quality: {metric}", xlabel="epoch")
    for panel in axes:
        if panel.get_legend_handles_labels()[0]:
            panel.legend()
        panel.grid(alpha=0.3)
        panel.xaxis.get_major_locator().set_params(integer=True)
    figure.tight_layout()
    save_figure(figure, path)


def save_figure(figure, path, dpi=100):
    """Writes a matplotlib figure atomically and closes it."""
    with atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=dpi)
    plt.close(figure)


def _scatter(axis, points, real, limit, title=None):
    if real is not None:
        axis.scatter(real[:, 0], real[:, 1], s=2, color="lightgrey", label="real")
    axis.scatter(points[:, 0], points[:, 1], s=2, color="tab:blue", alpha=0.5, label="generated")
    axis.set(xlim=(-limit, limit), ylim=(-limit, limit), aspect="equal", xticks=[], yticks=[])
    if title:
        axis.set_title(title, fontsize=9)


def _limit(real):
    return float(np.abs(real).max()) * 1.25


def save_point_scatter(points, real, path, title=None):
    """A scatter of generated 2-D ``points`` over the ``real`` ones (if not ``None``), written as PNG."""
    figure, axis = plt.subplots(figsize=(3.2, 3.2))
    points = np.asarray(points)
    real = None if real is None else np.asarray(real)
    _scatter(axis, points, real, _limit(points if real is None else real), title)
    figure.tight_layout()
    with atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=100)
    plt.close(figure)


def plot_point_snapshots(rows, real, path):
    """A figure of generated 2-D points over training: one row per run, one column per snapshot.

    Args:
        rows: ``[(row title, [(column title, points (n, 2)), ...]), ...]``, all rows as long.
        real: real points ``(m, 2)`` drawn in grey behind each panel.
        path: PNG to write.
    """
    columns = len(rows[0][1])
    figure, axes = plt.subplots(len(rows), columns, figsize=(2.2 * columns, 2.3 * len(rows)), squeeze=False)
    limit = _limit(real)
    for axes_row, (row_title, snapshots) in zip(axes, rows):
        for axis, (title, points) in zip(axes_row, snapshots):
            _scatter(axis, np.asarray(points), np.asarray(real), limit, title)
        axes_row[0].set_ylabel(row_title, fontsize=10)
    figure.tight_layout()
    with atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=100)
    plt.close(figure)
