"""2-D mixtures of Gaussians: the standard datasets for watching mode collapse.

``ring8``: 8 Gaussians on a circle of radius 2, standard deviation 0.02 (Metz et al. 2017,
"Unrolled GANs"). ``grid25``: 25 Gaussians on the grid {-4, -2, 0, 2, 4}^2, standard deviation
0.05 (Srivastava et al. 2017, VEEGAN; Lin et al. 2018, PacGAN). Every point's label is its mode.
"""

from dataclasses import dataclass

import numpy as np
import tensorflow as tf

__all__ = ["MIXTURES", "PointData", "load_mixture", "make_point_dataset"]

SPLIT_SIZES = {"train": 25600, "test": 5000}
SPLIT_SEEDS = {"train": 0, "test": 1}


def _ring(modes=8, radius=2.0):
    angles = 2 * np.pi * np.arange(modes) / modes
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def _grid(side=5, spacing=2.0):
    axis = spacing * (np.arange(side) - (side - 1) / 2)
    return np.stack(np.meshgrid(axis, axis), axis=-1).reshape(-1, 2)


# name -> (mode centres, standard deviation of every mode)
MIXTURES = {"ring8": (_ring(), 0.02), "grid25": (_grid(), 0.05)}


@dataclass(frozen=True)
class PointData:
    """Points of a mixture with the mode each came from.

    Attributes:
        points: float32 ``(n, 2)``.
        labels: int32 ``(n,)``, the index of each point's mode.
        centers: float ``(modes, 2)``, the mode centres.
        std: the standard deviation of every mode.
    """

    points: np.ndarray
    labels: np.ndarray
    centers: np.ndarray
    std: float

    def __len__(self):
        return len(self.points)

    @property
    def image_shape(self):
        """The shape of one sample, ``(2,)`` (named as for images, so trainers treat both alike)."""
        return tuple(int(d) for d in self.points.shape[1:])

    def take(self, limit):
        """Returns the first ``limit`` points (all of them when ``limit`` is ``None``)."""
        if limit is None or limit >= len(self):
            return self
        return PointData(self.points[:limit], self.labels[:limit], self.centers, self.std)


def load_mixture(name, split="train", limit=None):
    """The ``train`` (25,600 points) or ``test`` (5,000) split of mixture ``name``, the same every time."""
    if name not in MIXTURES:
        raise ValueError(f"unknown mixture {name!r}; valid: {', '.join(MIXTURES)}")
    if split not in SPLIT_SIZES:
        raise ValueError(f"split must be train or test, got {split!r}")
    centers, std = MIXTURES[name]
    rng = np.random.default_rng(SPLIT_SEEDS[split])
    labels = rng.integers(0, len(centers), SPLIT_SIZES[split]).astype(np.int32)
    points = (centers[labels] + std * rng.standard_normal((len(labels), 2))).astype(np.float32)
    return PointData(points, labels, centers, std).take(limit)


def make_point_dataset(data, batch_size, *, seed=0, shuffle=True, drop_remainder=False):
    """A batched, shuffled ``tf.data.Dataset`` of float32 points ``(batch, 2)``; ``drop_remainder`` drops the
    last, smaller batch."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    dataset = tf.data.Dataset.from_tensor_slices(data.points)
    if shuffle:
        dataset = dataset.shuffle(len(data), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size, drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)
