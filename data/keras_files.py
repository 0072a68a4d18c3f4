"""The datasets Keras downloads (MNIST, Fashion-MNIST, CIFAR-10), read from local files first.

Lookup order: ``DATA_DIR/<name>.npz``, then ``$KERAS_HOME/datasets/<name>.npz``
(``~/.keras/datasets`` by default), then ``keras.datasets.<name>.load_data()``, which reads
Keras' own cache (``mnist.npz``, ``fashion-mnist/``, ``cifar-10-batches-py-target/``) and
downloads only when the files are not there.
"""

import os
import zipfile

import keras
import numpy as np

from data.images import ImageData

KERAS_DATASETS = {
    "mnist": (keras.datasets.mnist, tuple(str(d) for d in range(10))),
    "fashion_mnist": (
        keras.datasets.fashion_mnist,
        ("t-shirt", "trouser", "pullover", "dress", "coat",
         "sandal", "shirt", "sneaker", "bag", "ankle-boot"),
    ),
    "cifar10": (
        keras.datasets.cifar10,
        ("airplane", "automobile", "bird", "cat", "deer",
         "dog", "frog", "horse", "ship", "truck"),
    ),
}
SPLITS = ("train", "test")
# What keras.datasets.<name>.load_data() leaves in the cache's datasets folder.
KERAS_CACHE_ENTRIES = {"mnist": "mnist.npz", "fashion_mnist": "fashion-mnist", "cifar10": "cifar-10-batches-py-target"}

__all__ = ["DatasetFileError", "DatasetNotFoundError", "KERAS_DATASETS", "find_npz", "keras_cache_dir",
           "load_keras_dataset"]


class DatasetNotFoundError(ValueError):
    """A dataset file is neither on disk nor downloadable."""


class DatasetFileError(ValueError):
    """A dataset file is there but damaged or not a dataset."""


def keras_cache_dir():
    """Keras' dataset cache: ``$KERAS_HOME/datasets``, else ``~/.keras/datasets`` (``/tmp`` if home is read-only)."""
    home = os.environ.get("KERAS_HOME")
    if not home:
        base = os.path.expanduser("~")
        home = os.path.join(base if os.access(base, os.W_OK) else "/tmp", ".keras")
    return os.path.join(home, "datasets")


def find_npz(name, data_dir=None):
    """Returns the first existing ``<name>.npz`` in ``data_dir`` or the Keras cache, else ``None``."""
    folders = ([data_dir] if data_dir else []) + [keras_cache_dir()]
    for folder in folders:
        path = os.path.join(folder, f"{name}.npz")
        if os.path.isfile(path):
            return path
    return None


def load_keras_dataset(name, split="train", data_dir=None, download=True):
    """Loads one split of a Keras dataset as uint8 images ``(n, h, w, c)`` with int32 labels.

    Args:
        name: one of ``mnist``, ``fashion_mnist``, ``cifar10``.
        split: ``train`` or ``test``.
        data_dir: folder holding ``<name>.npz`` with keys ``x_train, y_train, x_test, y_test``.
        download: whether Keras may download the dataset when no local file is found.

    Raises:
        DatasetNotFoundError: no local file and downloading is off or failed.
        DatasetFileError: the file is damaged, empty, or holds no grayscale or RGB images.
    """
    if name not in KERAS_DATASETS:
        raise ValueError(f"unknown Keras dataset {name!r}; valid: {', '.join(KERAS_DATASETS)}")
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    if data_dir and not os.path.isdir(data_dir):
        raise DatasetNotFoundError(f"data dir {data_dir} is not a folder; pass the folder that holds {name}.npz")
    module, class_names = KERAS_DATASETS[name]
    path = find_npz(name, data_dir)
    if path is not None:
        x, y = _read_npz(path, name, split)
    elif download or os.path.exists(os.path.join(keras_cache_dir(), KERAS_CACHE_ENTRIES[name])):
        try:
            (x_train, y_train), (x_test, y_test) = module.load_data()
        except Exception as error:  # Keras raises bare Exception for network failures.
            raise DatasetNotFoundError(_not_found_message(name, data_dir, error)) from error
        x, y = (x_train, y_train) if split == "train" else (x_test, y_test)
    else:
        raise DatasetNotFoundError(_not_found_message(name, data_dir))
    if x.ndim == 3:
        x = x[..., None]
    where = path or f"Keras' copy of {name} in {keras_cache_dir()}"
    usable = np.issubdtype(x.dtype, np.number) and np.issubdtype(y.dtype, np.integer)
    if not usable or x.ndim != 4 or x.shape[-1] not in (1, 3) or len(x) == 0 or len(y) != len(x):
        raise DatasetFileError(f"{where} is not a usable {name} file: its {split} split holds images of shape "
                               f"{x.shape[1:]} ({len(x)} of them, {x.dtype}; {len(y)} labels, {y.dtype}), expected "
                               "one or more grayscale or RGB images with an integer label each; replace it with a "
                               "fresh copy")
    return ImageData(np.ascontiguousarray(x, dtype=np.uint8), y.reshape(-1).astype(np.int32), class_names)


def _read_npz(path, name, split):
    """``x_<split>``, ``y_<split>`` from ``path``; ``DatasetFileError`` naming the file when it is damaged."""
    fix = (f"replace it with a fresh copy of {name}.npz (keras.datasets.{name}.load_data() downloads one into "
           f"{keras_cache_dir()})")
    try:
        with np.load(path, allow_pickle=False) as arrays:
            if not hasattr(arrays, "files"):
                raise DatasetFileError(f"{path} holds one array, not a Keras dataset archive; {fix}")
            missing = {f"x_{split}", f"y_{split}"} - set(arrays.files)
            if missing:
                raise DatasetFileError(f"{path} lacks {', '.join(sorted(missing))}; expected keys x_train, y_train, "
                                       f"x_test, y_test as written by keras.datasets; {fix}")
            return arrays[f"x_{split}"], arrays[f"y_{split}"]
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as error:
        if isinstance(error, DatasetFileError):
            raise
        # numpy reports bytes that are not a zip archive as pickled data; say what is wrong instead
        truncated = isinstance(error, (EOFError, OSError, zipfile.BadZipFile))
        reason = ("it is empty" if os.path.getsize(path) == 0 else
                  "it is truncated or damaged" if truncated else "it is not an .npz archive")
        raise DatasetFileError(f"{path} cannot be read: {reason}; {fix}") from None


def _not_found_message(name, data_dir, error=None):
    where = f"{data_dir} or {keras_cache_dir()}" if data_dir else keras_cache_dir()
    cause = f" and the download failed ({str(error).splitlines()[0]})" if error else ""
    return (
        f"{name}.npz not found in {where}{cause}; put {name}.npz there (keys x_train, y_train, "
        f"x_test, y_test) and pass --data-dir, or use --dataset digits, which needs no download"
    )
