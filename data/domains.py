"""Image domains derived from a digit source, for image-to-image translation without a download.

``mnist-m`` and ``digits-m`` follow the MNIST-M recipe of Ganin et al. 2016 (the tf-dann
``create_mnistm.py``): each binarised digit is blended with a random colour patch as
``|patch - digit|``. The patches are crops of CIFAR-10 training images when ``cifar10.npz`` is
found locally (in ``data_dir`` or the Keras cache; it is never downloaded for this), otherwise
smooth colour textures made here. ``mnist-inverted`` and ``digits-inverted`` are ``255 - x``: a
pair of domains whose true mapping is known, so a translation can be scored against it.
Every derived image depends only on the split, its index and the patch source.
"""

import numpy as np
from PIL import Image

from data.images import ImageData
from data.keras_files import DatasetNotFoundError, load_keras_dataset

__all__ = ["DERIVED_DATASETS", "base_source", "derive_domain", "made_textures", "true_translation"]

# name -> (the source it is made from, how)
DERIVED_DATASETS = {"mnist-m": ("mnist", "blend"), "digits-m": ("digits", "blend"),
                    "mnist-inverted": ("mnist", "invert"), "digits-inverted": ("digits", "invert")}
SPLIT_SEEDS = {"train": 0, "test": 1}
MADE_TEXTURES = 2000  # patches made when CIFAR-10 is not found
TEXTURE_SIZE = 32


def base_source(source):
    """The source a derived domain is made from (``mnist-m`` -> ``mnist``); any other source itself."""
    return DERIVED_DATASETS.get(source, (source,))[0]


def true_translation(source_a, source_b):
    """The known mapping from domain ``source_a`` to ``source_b`` on images in [-1, 1], or ``None``.

    Only inversion is known: between a source and its ``-inverted`` domain, either way, it is ``-x``.
    """
    kinds = {DERIVED_DATASETS.get(s, (s, None))[1] for s in (source_a, source_b)}
    if base_source(source_a) == base_source(source_b) and kinds == {"invert", None}:
        return np.negative
    return None


def derive_domain(source, data, split, data_dir=None):
    """The derived domain ``source`` of ``data`` (its base source's ``split``), as uint8 ``ImageData``.

    Blended domains are RGB ``(n, h, w, 3)``; inverted ones keep the channels.
    """
    kind = DERIVED_DATASETS[source][1]
    if kind == "invert":
        return ImageData(255 - data.images, data.labels, data.class_names)
    patches = _cifar_patches(data_dir)
    if patches is None:
        patches = made_textures(MADE_TEXTURES, TEXTURE_SIZE, seed=SPLIT_SEEDS.get(split, 0))
    return ImageData(blend(data.images, patches, seed=SPLIT_SEEDS.get(split, 0)), data.labels, data.class_names)


def blend(digits, patches, seed=0):
    """``|patch - digit|`` per channel: the MNIST-M composition (Ganin et al. 2016).

    Args:
        digits: uint8 ``(n, h, w, 1)`` white-on-black digits; binarised at 0 as in the recipe.
        patches: uint8 ``(m, H, W, 3)`` colour images with ``H >= h``, ``W >= w``.
        seed: seed of which patch and which crop each digit gets.

    Returns:
        uint8 ``(n, h, w, 3)``.
    """
    n, height, width = digits.shape[:3]
    rng = np.random.default_rng(seed)
    which = rng.integers(0, len(patches), n)
    top = rng.integers(0, patches.shape[1] - height + 1, n)
    left = rng.integers(0, patches.shape[2] - width + 1, n)
    rows = top[:, None] + np.arange(height)[None]
    columns = left[:, None] + np.arange(width)[None]
    crops = patches[which[:, None, None], rows[:, :, None], columns[:, None, :]].astype(np.int16)
    ink = np.where(digits[..., :1] > 0, 255, 0).astype(np.int16)
    return np.abs(crops - ink).astype(np.uint8)


def made_textures(n, size=32, seed=0):
    """``n`` smooth colour textures ``(n, size, size, 3)`` uint8: low-resolution colour noise enlarged
    bicubically, under a random stripe pattern, standing in for photo patches."""
    rng = np.random.default_rng((seed, 7))
    out = np.empty((n, size, size, 3), np.uint8)
    yy, xx = np.mgrid[0:size, 0:size] / size
    for i in range(n):
        cells = int(rng.integers(2, 7))
        coarse = rng.uniform(0, 255, (cells, cells, 3)).astype(np.uint8)
        field = np.asarray(Image.fromarray(coarse).resize((size, size), Image.Resampling.BICUBIC), np.float32)
        angle, frequency = rng.uniform(0, np.pi), rng.uniform(1, 6)
        stripes = np.sin(2 * np.pi * frequency * (xx * np.cos(angle) + yy * np.sin(angle)) + rng.uniform(0, 6.3))
        field += rng.uniform(10, 60) * stripes[..., None] * rng.uniform(-1, 1, 3)
        out[i] = np.clip(field, 0, 255).astype(np.uint8)
    return out


def _cifar_patches(data_dir):
    """CIFAR-10's training images when a local copy exists, else ``None`` (no download for a background)."""
    try:
        return load_keras_dataset("cifar10", "train", data_dir=data_dir, download=False).images
    except DatasetNotFoundError:
        return None
