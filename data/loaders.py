"""One loader signature for every image source.

Sources: ``mnist``, ``fashion_mnist``, ``cifar10`` (the files Keras uses), ``digits`` (bundled,
no download), the domains derived from the digit sources (``mnist-m``, ``digits-m``,
``mnist-inverted``, ``digits-inverted``; ``data.domains``) and ``folder:PATH`` (a folder of
your own images). ``load_domains`` loads two of them as the unpaired domains of a translation.
"""

import os

import tensorflow as tf

from data.digits import load_digits
from data.domains import DERIVED_DATASETS, base_source, derive_domain
from data.folder import load_image_folder
from data.images import ImageData, conform_images, normalize_images
from data.keras_files import KERAS_DATASETS, load_keras_dataset
from data.mixtures import MIXTURES

__all__ = ["DATASETS", "FOLDER_PREFIX", "check_source", "dataset_name", "has_test_split", "load_dataset",
           "load_domains", "load_images", "make_dataset", "make_domain_dataset"]

FOLDER_PREFIX = "folder:"
DATASETS = (*KERAS_DATASETS, "digits", *DERIVED_DATASETS, f"{FOLDER_PREFIX}PATH", *MIXTURES)
FOLDER_DEFAULTS = {"image_size": (32, 32), "channels": 3}


def check_source(source):
    """Raises ``ValueError`` naming the valid sources unless ``source`` is one of them."""
    if source in KERAS_DATASETS or source == "digits" or source in DERIVED_DATASETS or source in MIXTURES:
        return
    if source.startswith(FOLDER_PREFIX) and len(source) > len(FOLDER_PREFIX):
        return
    raise ValueError(f"unknown dataset {source!r}; valid: {', '.join(DATASETS)}")


def dataset_name(source):
    """A short name for file and folder names: the source itself, ``folder-<basename>`` for folders."""
    if source.startswith(FOLDER_PREFIX):
        return "folder-" + os.path.basename(os.path.normpath(source[len(FOLDER_PREFIX):]))
    return source


def has_test_split(source):
    """Whether ``source`` has a ``test`` split: every source but an image folder (``folder:PATH``)."""
    return not source.startswith(FOLDER_PREFIX)


def load_images(source, split="train", *, data_dir=None, image_size=None, channels=None,
                limit=None, download=True):
    """Loads an image source into memory as uint8.

    Args:
        source: a name from ``DATASETS``; ``folder:PATH`` for your own images.
        split: ``train`` or ``test`` (folders have only ``train``).
        data_dir: folder holding ``mnist.npz``, ``cifar10.npz`` or ``fashion_mnist.npz``.
        image_size: ``(height, width)`` to resize to; ``None`` keeps the source's size
            (folders default to 32x32).
        channels: 1 or 3; ``None`` keeps the source's channels (folders default to 3).
        limit: use only the first ``limit`` images.
        download: whether Keras may download a missing dataset.

    Returns:
        ``ImageData`` with uint8 images ``(n, height, width, channels)`` and int32 labels
        (``None`` for an unlabelled folder).
    """
    check_source(source)
    if source in MIXTURES:
        raise ValueError(f"{source} holds 2-D points, not images; load it with data.load_mixture")
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    if not has_test_split(source):
        if split != "train":
            raise ValueError(f"image folders have only a train split, got split={split!r}")
        data = load_image_folder(
            source[len(FOLDER_PREFIX):],
            image_size=image_size or FOLDER_DEFAULTS["image_size"],
            channels=channels or FOLDER_DEFAULTS["channels"],
        )
        return data.take(limit)
    base = base_source(source)
    if base == "digits":
        data = load_digits(split, limit=limit)
    else:
        data = load_keras_dataset(base, split, data_dir=data_dir, download=download).take(limit)
    if source in DERIVED_DATASETS:
        data = derive_domain(source, data, split, data_dir)
    images = conform_images(data.images, image_size, channels)
    return ImageData(images, data.labels, data.class_names)


def make_dataset(data, batch_size, *, seed=0, shuffle=True, with_labels=False, drop_remainder=False):
    """Turns ``ImageData`` into a batched, prefetched ``tf.data.Dataset``.

    Args:
        data: the images.
        batch_size: images per batch.
        seed: seed of the shuffle (reshuffled every epoch, the same sequence for the same seed).
        shuffle: whether to shuffle.
        with_labels: yield ``(images, labels)`` instead of images alone.
        drop_remainder: drop the last, smaller batch.

    Returns:
        A dataset of float32 images ``(batch, height, width, channels)`` in [-1, 1], with int32
        labels ``(batch,)`` when ``with_labels``.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if with_labels and data.labels is None:
        raise ValueError("with_labels=True needs a labelled dataset; put the images in class subfolders")
    elements = (data.images, data.labels) if with_labels else data.images
    dataset = tf.data.Dataset.from_tensor_slices(elements)
    if shuffle:
        dataset = dataset.shuffle(len(data), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size, drop_remainder=drop_remainder)
    # Normalising whole batches is one vectorised op instead of one per image.
    if with_labels:
        dataset = dataset.map(lambda x, y: (normalize_images(x), y), num_parallel_calls=tf.data.AUTOTUNE)
    else:
        dataset = dataset.map(normalize_images, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)


def load_domains(source_a, source_b, split="train", *, limit=None, **kwargs):
    """The two unpaired domains of a translation: ``(ImageData of A, ImageData of B)``.

    When both are made from one source (``mnist`` and ``mnist-m``), A takes the first half of
    the split and B the second, so no digit appears in both. A greyscale domain paired with a
    colour one is made RGB (which loses nothing) unless ``channels`` is given; different sizes
    are refused: pass ``image_size``.

    Args:
        source_a, source_b: sources as for ``load_images``.
        split: ``train`` or ``test``.
        limit: at most this many images per domain.
        **kwargs: ``load_images``' ``data_dir``, ``image_size``, ``channels``, ``download``.
    """
    a, b = (load_images(source, split, **kwargs) for source in (source_a, source_b))
    if base_source(source_a) == base_source(source_b):
        half = min(len(a), len(b)) // 2
        a, b = _subset(a, slice(0, half)), _subset(b, slice(half, 2 * half))
    if kwargs.get("channels") is None and a.image_shape[-1] != b.image_shape[-1]:
        a, b = (ImageData(conform_images(d.images, channels=3), d.labels, d.class_names) for d in (a, b))
    if a.image_shape != b.image_shape:
        shapes = " and ".join(f"{source} is {'x'.join(map(str, data.image_shape))}"
                              for source, data in ((source_a, a), (source_b, b)))
        raise ValueError(f"the two domains differ: {shapes}; pass --image-size (and --channels) to make them equal")
    return a.take(limit), b.take(limit)


def _subset(data, part):
    return ImageData(data.images[part], None if data.labels is None else data.labels[part], data.class_names)


def make_domain_dataset(a, b, batch_size, *, seed=0, flip=False):
    """Unpaired ``(a, b)`` batches of two domains, each shuffled on its own, in [-1, 1].

    An epoch is as long as the larger domain; the smaller one repeats (reshuffled), as in the
    unaligned loader of the CycleGAN reference code. Batches are full (the last partial one is
    dropped). ``flip`` mirrors images left-right at random (for photos; it would mirror digits).
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    steps = max(len(a), len(b)) // batch_size
    if steps < 1:
        raise ValueError(f"a batch of {batch_size} needs at least {batch_size} images per domain, got "
                         f"{len(a)} and {len(b)}; lower --batch-size")
    streams = []
    for offset, data in enumerate((a, b)):
        stream = tf.data.Dataset.from_tensor_slices(data.images)
        stream = stream.shuffle(len(data), seed=seed + offset, reshuffle_each_iteration=True).repeat()
        if flip:
            stream = stream.map(lambda image, s=seed + offset: tf.image.random_flip_left_right(image, seed=s))
        streams.append(stream.batch(batch_size, drop_remainder=True).map(normalize_images))
    return tf.data.Dataset.zip(tuple(streams)).take(steps).prefetch(tf.data.AUTOTUNE)


def load_dataset(source, split="train", *, batch_size=256, seed=0, shuffle=True, with_labels=False,
                 data_dir=None, image_size=None, channels=None, limit=None, download=True):
    """``load_images`` followed by ``make_dataset``; arguments as there."""
    data = load_images(source, split, data_dir=data_dir, image_size=image_size, channels=channels,
                       limit=limit, download=download)
    return make_dataset(data, batch_size, seed=seed, shuffle=shuffle, with_labels=with_labels)
