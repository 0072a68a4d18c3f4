"""A bundled, download-free dataset of handwriting-like digits drawn with Pillow.

Each digit is a set of pen strokes (several glyph styles per class: open and closed 4,
crossed 7, serif 1, ...). Every image gets its own random slant, rotation, width, stroke
thickness and a smooth elastic warp of the pen path, is drawn at 4x resolution and
downsampled, then placed like MNIST: the digit fits a 20-pixel box and its centre of mass
sits at the image centre. Image ``i`` of a split depends only on ``(seed, i)``, so any
prefix of a split is the same whatever the total size.
"""

import hashlib
import os

import numpy as np
from PIL import Image, ImageDraw

from core_tf.files import atomic_path
from data.images import ImageData
from data.keras_files import keras_cache_dir

__all__ = ["CLASS_NAMES", "GLYPHS", "load_digits", "render_digits"]

SPLIT_SIZES = {"train": 20000, "test": 5000}
SPLIT_SEEDS = {"train": 0, "test": 1}
CLASS_NAMES = tuple(str(d) for d in range(10))
_SUPERSAMPLE = 4


def _arc(cx, cy, rx, ry, start, stop):
    """Points of an elliptical arc; angles in degrees, 0 = right, 90 = down (image axes)."""
    t = np.radians(np.linspace(start, stop, max(8, int(abs(stop - start) / 6))))
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], axis=1)


def _line(*points):
    return np.array(points, dtype=np.float64)


def _join(*parts):
    return np.concatenate(parts)


# Glyph styles per digit, in a unit box (x right, y down); each style is a list of strokes.
GLYPHS = {
    0: [
        [_arc(0.5, 0.5, 0.3, 0.46, -90, 270)],
        [_arc(0.5, 0.5, 0.25, 0.47, -100, 280)],
    ],
    1: [
        [_line((0.5, 0.02), (0.5, 0.98))],
        [_line((0.3, 0.24), (0.52, 0.02), (0.52, 0.98))],
        [_line((0.3, 0.24), (0.52, 0.02), (0.52, 0.98)), _line((0.3, 0.98), (0.74, 0.98))],
    ],
    2: [
        [_join(_arc(0.5, 0.3, 0.27, 0.27, -160, 10), _line((0.2, 0.97), (0.84, 0.97)))],
        [_join(_arc(0.5, 0.3, 0.28, 0.26, -170, 30), _arc(0.75, 1.0, 0.55, 0.45, -60, -150),
               _line((0.45, 0.9), (0.86, 0.94)))],
    ],
    3: [
        [_join(_arc(0.48, 0.27, 0.24, 0.23, -150, 90), _arc(0.48, 0.73, 0.28, 0.25, -90, 150))],
        [_join(_line((0.22, 0.03), (0.76, 0.03), (0.45, 0.42)), _arc(0.48, 0.7, 0.28, 0.27, -100, 150))],
    ],
    4: [
        [_line((0.68, 0.98), (0.68, 0.02), (0.14, 0.68), (0.88, 0.68))],
        [_line((0.28, 0.02), (0.22, 0.6), (0.86, 0.6)), _line((0.66, 0.25), (0.66, 0.98))],
    ],
    5: [
        [_join(_line((0.78, 0.03), (0.32, 0.03), (0.3, 0.45)), _arc(0.5, 0.68, 0.28, 0.28, -125, 150))],
        [_join(_line((0.32, 0.03), (0.3, 0.45)), _arc(0.5, 0.68, 0.28, 0.28, -125, 150)),
         _line((0.32, 0.03), (0.8, 0.02))],
    ],
    6: [
        [_join(_arc(0.75, 0.7, 0.5, 0.65, -95, -175), _arc(0.5, 0.7, 0.25, 0.26, 180, 540))],
        [_join(_line((0.66, 0.02), (0.3, 0.5)), _arc(0.5, 0.72, 0.24, 0.25, 200, 560))],
    ],
    7: [
        [_line((0.18, 0.04), (0.82, 0.04), (0.42, 0.98))],
        [_line((0.18, 0.04), (0.82, 0.04), (0.42, 0.98)), _line((0.35, 0.52), (0.74, 0.52))],
        [_join(_line((0.18, 0.08), (0.82, 0.04)), _arc(0.05, 0.1, 0.77, 0.88, -5, 75))],
    ],
    8: [
        [_arc(0.5, 0.27, 0.21, 0.23, 90, 450), _arc(0.5, 0.72, 0.26, 0.26, -90, 270)],
        [_join(_arc(0.5, 0.26, 0.22, 0.24, 45, -225), _arc(0.5, 0.72, 0.25, 0.26, -45, 225),
               _line((0.35, 0.55), (0.35, 0.43)))],
    ],
    9: [
        [_arc(0.48, 0.3, 0.25, 0.26, 0, 360), _line((0.73, 0.3), (0.7, 0.98))],
        [_join(_arc(0.48, 0.3, 0.25, 0.26, 10, 370), _arc(0.2, 0.3, 0.53, 0.68, 0, 75))],
    ],
}


def render_digits(n, seed=0, start=0):
    """Draws ``n`` digit images.

    Args:
        n: number of images.
        seed: dataset seed; image ``i`` depends only on ``(seed, i)``.
        start: index of the first image.

    Returns:
        ``ImageData`` with uint8 images ``(n, 28, 28, 1)`` (white strokes on black) and labels
        ``(start + i) % 10``.
    """
    indices = np.arange(start, start + n)
    images = np.stack([_render_one(np.random.default_rng((seed, int(i))), int(i) % 10) for i in indices])
    return ImageData(images[..., None], (indices % 10).astype(np.int32), CLASS_NAMES)


def load_digits(split="train", limit=None):
    """The bundled digits split: 20,000 training or 5,000 test images (or the first ``limit``).

    A whole split is drawn once and cached in Keras' dataset cache, under a name that
    changes whenever this module does.
    """
    if split not in SPLIT_SIZES:
        raise ValueError(f"split must be one of {', '.join(SPLIT_SIZES)}, got {split!r}")
    if limit is not None and limit < SPLIT_SIZES[split]:
        return render_digits(limit, seed=SPLIT_SEEDS[split])
    path = os.path.join(keras_cache_dir(), f"gan_tf-digits-{split}-{_source_hash()}.npz")
    if os.path.isfile(path):
        with np.load(path) as arrays:
            return ImageData(arrays["x"], arrays["y"], CLASS_NAMES)
    print(f"drawing the bundled digits' {split} split (first use only; cached in {path})", flush=True)
    data = render_digits(SPLIT_SIZES[split], seed=SPLIT_SEEDS[split])
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with atomic_path(path) as temporary:
        np.savez_compressed(temporary, x=data.images, y=data.labels)
    return data


def _source_hash():
    with open(__file__, "rb") as source:
        return hashlib.sha256(source.read()).hexdigest()[:10]


def _render_one(rng, digit):
    styles = GLYPHS[digit]
    strokes = [_resample(s) for s in styles[rng.integers(len(styles))]]
    warp = _random_warp(rng)
    strokes = [warp(s) for s in strokes]
    points = np.concatenate(strokes)
    # Like MNIST: the inked digit fits about 20 pixels (18 for the pen path plus the stroke),
    # and its centre of mass goes to the centre.
    extent = np.ptp(points, axis=0).max()
    scale = 18 * _SUPERSAMPLE / max(extent, 1e-6)
    centre = points.mean(axis=0)
    size = 28 * _SUPERSAMPLE
    canvas = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(canvas)
    width = rng.uniform(1.5, 3.3) * _SUPERSAMPLE
    for stroke in strokes:
        xy = (stroke - centre) * scale + size / 2
        draw.line([tuple(p) for p in xy], fill=255, width=int(round(width)), joint="curve")
        for x, y in (xy[0], xy[-1]):
            r = width / 2
            draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
    image = np.asarray(canvas.resize((28, 28), Image.Resampling.BOX), dtype=np.float32)
    ink = rng.uniform(0.8, 1.0)  # pen pressure
    return np.clip(image * ink * 1.15, 0, 255).astype(np.uint8)


def _resample(stroke, spacing=0.025):
    """Points spaced evenly along the stroke, so warps and centres weight ink uniformly."""
    steps = np.linalg.norm(np.diff(stroke, axis=0), axis=1)
    arc = np.concatenate([[0.0], np.cumsum(steps)])
    at = np.linspace(0.0, arc[-1], max(2, int(arc[-1] / spacing) + 1))
    return np.stack([np.interp(at, arc, stroke[:, k]) for k in range(2)], axis=1)


def _random_warp(rng):
    """A random smooth elastic warp followed by slant, rotation and width change."""
    freqs = rng.uniform(0.5, 1.6, size=(3, 2, 2))
    phases = rng.uniform(0, 2 * np.pi, size=(3, 2))
    amps = rng.normal(0, 0.025, size=(3, 2))
    angle = np.radians(np.clip(rng.normal(0, 9), -20, 20))
    shear = rng.uniform(-0.35, 0.25)
    widen = rng.uniform(0.7, 1.2)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])

    def warp(points):
        p = points - 0.5
        for f, phi, a in zip(freqs, phases, amps):
            p = p + a * np.sin(2 * np.pi * (p @ f) + phi)
        p = p * np.array([widen, 1.0])
        p[:, 0] = p[:, 0] - shear * p[:, 1]
        return p @ rotation.T

    return warp
