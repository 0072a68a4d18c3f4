"""Low/high-resolution pairs from any image source, by one fixed degradation used for training and evaluation alike.

The low-resolution image is the high-resolution one downscaled ``scale`` times with bicubic
interpolation and antialiasing (``tf.image.resize(method="bicubic", antialias=True)``, which
filters like MATLAB's ``imresize``, the degradation of the SRGAN paper's benchmarks), then
rounded to 8-bit levels as a saved image would be.
"""

import tensorflow as tf

from data.loaders import make_dataset

__all__ = ["DEGRADATION", "SCALES", "bicubic_upscale", "check_scale", "downscale", "make_superres_dataset"]

SCALES = (2, 4)
DEGRADATION = "bicubic downscaling with antialiasing, rounded to 8 bits"


def check_scale(image_shape, scale):
    """Raises ``ValueError`` unless ``scale`` is one of ``SCALES`` and divides the image's height and width."""
    if scale not in SCALES:
        raise ValueError(f"--scale must be {' or '.join(map(str, SCALES))}, got {scale}")
    height, width = image_shape[:2]
    if height % scale or width % scale:
        raise ValueError(f"images of {height}x{width} pixels cannot be downscaled {scale} times evenly; pass "
                         f"--image-size with a multiple of {scale} (e.g. {max(scale, height // scale * scale)})")


def downscale(images, scale):
    """Float images ``(n, h, w, c)`` in [-1, 1] to ``(n, h / scale, w / scale, c)``: ``DEGRADATION``."""
    images = tf.convert_to_tensor(images, tf.float32)
    size = (images.shape[1] // scale, images.shape[2] // scale)
    low = tf.image.resize((images + 1.0) * 127.5, size, method="bicubic", antialias=True)
    return tf.clip_by_value(tf.round(low), 0.0, 255.0) / 127.5 - 1.0


def bicubic_upscale(images, scale):
    """Float images in [-1, 1] upscaled ``scale`` times with bicubic interpolation: the baseline to beat."""
    images = tf.convert_to_tensor(images, tf.float32)
    size = (images.shape[1] * scale, images.shape[2] * scale)
    return tf.clip_by_value(tf.image.resize(images, size, method="bicubic"), -1.0, 1.0)


def make_superres_dataset(data, scale, batch_size, *, seed=0, shuffle=True, drop_remainder=False):
    """``ImageData`` as a dataset of ``(low, high)`` float batches in [-1, 1] (``downscale``, made per batch);
    arguments as ``make_dataset``'s."""
    check_scale(data.image_shape, scale)
    dataset = make_dataset(data, batch_size, seed=seed, shuffle=shuffle, drop_remainder=drop_remainder)
    return dataset.map(lambda high: (downscale(high, scale), high), num_parallel_calls=tf.data.AUTOTUNE)
