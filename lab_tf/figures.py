"""What every family's runs show: image grids, the progression GIF, scatters of 2-D samples."""

import math
import os
import re

import numpy as np
from PIL import Image, ImageDraw

from core_tf.figures import new_figure, save_figure
from core_tf.files import atomic_path
from data.images import denormalize_images

__all__ = ["epoch_frames", "image_grid", "save_image", "save_image_grid", "save_point_scatter", "save_progress_gif",
           "write_progress_gif"]

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


def save_point_scatter(points, real, path, title=None):
    """A scatter of generated 2-D ``points`` over the ``real`` ones (if not ``None``), written as PNG."""
    figure, axis = new_figure(figsize=(3.2, 3.2))
    points = np.asarray(points)
    if real is not None:
        real = np.asarray(real)
        axis.scatter(real[:, 0], real[:, 1], s=2, color="lightgrey", label="real")
    axis.scatter(points[:, 0], points[:, 1], s=2, color="tab:blue", alpha=0.5, label="generated")
    limit = float(np.abs(points if real is None else real).max()) * 1.25
    axis.set(xlim=(-limit, limit), ylim=(-limit, limit), aspect="equal", xticks=[], yticks=[])
    if title:
        axis.set_title(title, fontsize=9)
    save_figure(figure, path)


def write_progress_gif(folder, path):
    """``path`` (a GIF) from every ``epoch_NNN.png`` in ``folder`` so far, each frame captioned with its epoch."""
    frames = epoch_frames(folder)
    save_progress_gif([frame for _, frame in frames], path, [f"epoch {epoch}" for epoch, _ in frames])
