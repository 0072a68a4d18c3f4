"""In-memory image sets and the normalisation pair every model uses.

Images are kept as ``uint8`` arrays of shape ``(n, height, width, channels)`` with
values 0..255 until they enter a ``tf.data`` pipeline; models see float32 in [-1, 1].
"""

from dataclasses import dataclass

import numpy as np
import tensorflow as tf

__all__ = ["ImageData", "conform_images", "denormalize_images", "normalize_images"]


@dataclass(frozen=True)
class ImageData:
    """A set of images with optional integer labels.

    Attributes:
        images: ``uint8`` array of shape ``(n, height, width, channels)``, values 0..255.
        labels: ``int32`` array of shape ``(n,)``, or ``None`` for unlabelled data.
        class_names: one name per label value, or ``None``.
    """

    images: np.ndarray
    labels: np.ndarray | None = None
    class_names: tuple[str, ...] | None = None

    def __post_init__(self):
        if self.images.dtype != np.uint8 or self.images.ndim != 4:
            raise ValueError(
                f"images must be uint8 of shape (n, height, width, channels), got "
                f"{self.images.dtype} {self.images.shape}"
            )
        if self.labels is not None and len(self.labels) != len(self.images):
            raise ValueError(f"got {len(self.labels)} labels for {len(self.images)} images")

    def __len__(self):
        return len(self.images)

    @property
    def image_shape(self):
        """``(height, width, channels)``."""
        return tuple(int(d) for d in self.images.shape[1:])

    def take(self, limit):
        """Returns the first ``limit`` images (all of them when ``limit`` is ``None``)."""
        if limit is None or limit >= len(self):
            return self
        labels = None if self.labels is None else self.labels[:limit]
        return ImageData(self.images[:limit], labels, self.class_names)


def normalize_images(images):
    """Maps ``uint8`` 0..255 images to float32 in [-1, 1] (works on NumPy arrays and tensors)."""
    return tf.cast(images, tf.float32) / 127.5 - 1.0


def denormalize_images(images):
    """Maps images in [-1, 1] back to ``uint8`` 0..255 as a NumPy array; values are clipped."""
    images = np.asarray(images, dtype=np.float32)
    return np.clip(np.round((images + 1.0) * 127.5), 0, 255).astype(np.uint8)


def conform_images(images, image_size=None, channels=None):
    """Resizes ``(n, h, w, c)`` uint8 images to ``image_size`` and converts them to ``channels``.

    Args:
        images: ``uint8`` array ``(n, height, width, channels)``.
        image_size: ``(height, width)`` or ``None`` to keep the size.
        channels: 1 (grayscale) or 3 (RGB), or ``None`` to keep them.

    Returns:
        A ``uint8`` array ``(n, image_size[0], image_size[1], channels)``.
    """
    if channels not in (None, 1, 3):
        raise ValueError(f"channels must be 1 or 3, got {channels}")
    out = images
    if image_size is not None and tuple(out.shape[1:3]) != tuple(image_size):
        out = _resize_in_chunks(out, tuple(image_size))
    if channels == 1 and out.shape[-1] == 3:
        out = np.round(tf.image.rgb_to_grayscale(out.astype(np.float32)).numpy()).astype(np.uint8)
    elif channels == 3 and out.shape[-1] == 1:
        out = np.repeat(out, 3, axis=-1)
    return out


def _resize_in_chunks(images, size, chunk=4096):
    # Chunks keep the float copy small for 50,000-image sets.
    parts = [
        tf.image.resize(images[i : i + chunk].astype(np.float32), size, antialias=True).numpy()
        for i in range(0, len(images), chunk)
    ]
    return np.clip(np.round(np.concatenate(parts)), 0, 255).astype(np.uint8)
