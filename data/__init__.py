"""Image datasets: Keras' MNIST / Fashion-MNIST / CIFAR-10 files, bundled digits, domains derived from digits
(MNIST-M, inverted), your own folders, low/high-resolution pairs; and 2-D mixtures of Gaussians for mode-collapse
experiments.

Every loader gives float32 images in [-1, 1] of shape ``(height, width, channels)``.
"""

import core_tf  # noqa: F401  (selects the TensorFlow backend before Keras loads)
from data.digits import load_digits, render_digits
from data.domains import DERIVED_DATASETS, true_translation
from data.folder import EmptyFolderError, load_image_folder
from data.images import ImageData, conform_images, denormalize_images, normalize_images
from data.keras_files import DatasetFileError, DatasetNotFoundError, keras_cache_dir, load_keras_dataset
from data.loaders import (
    DATASETS,
    check_source,
    load_dataset,
    load_domains,
    load_images,
    make_dataset,
    make_domain_dataset,
)
from data.mixtures import MIXTURES, PointData, load_mixture, make_point_dataset
from data.superres import bicubic_upscale, downscale, make_superres_dataset

__all__ = [
    "DATASETS",
    "DERIVED_DATASETS",
    "DatasetFileError",
    "DatasetNotFoundError",
    "MIXTURES",
    "PointData",
    "EmptyFolderError",
    "ImageData",
    "bicubic_upscale",
    "check_source",
    "conform_images",
    "denormalize_images",
    "downscale",
    "keras_cache_dir",
    "load_dataset",
    "load_digits",
    "load_domains",
    "load_image_folder",
    "load_images",
    "load_keras_dataset",
    "load_mixture",
    "make_dataset",
    "make_domain_dataset",
    "make_point_dataset",
    "make_superres_dataset",
    "normalize_images",
    "render_digits",
    "true_translation",
]
