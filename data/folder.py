"""A user's own image folder as a dataset.

Images may sit at any depth. When the folder has subfolders, the first-level subfolder an
image lives in is its class (as in ``keras.utils.image_dataset_from_directory``); images
lying directly in the root are then left out, with a warning. Files are decoded one by one
with ``keras.utils.load_img`` (centre-cropped to the target aspect ratio, then resized)
rather than through ``image_dataset_from_directory``, because that utility stops at the
first unreadable file, while a user's folder should train with such files skipped.
"""

import os
import sys

import keras
import numpy as np
from PIL import Image

from data.images import ImageData

__all__ = ["EmptyFolderError", "IMAGE_EXTENSIONS", "list_image_files", "load_image_file", "load_image_folder"]

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


class EmptyFolderError(ValueError):
    """The folder holds no image files."""


def list_image_files(root):
    """Image paths under ``root`` (any depth), sorted, with their first-level subfolder or ``None``."""
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders.sort()
        relative = os.path.relpath(folder, root)
        top = None if relative == "." else relative.split(os.sep)[0]
        found += [(os.path.join(folder, f), top) for f in sorted(files) if f.lower().endswith(IMAGE_EXTENSIONS)]
    return found


def load_image_file(path, image_size=(32, 32), channels=3, interpolation="bilinear"):
    """One image file as uint8 ``(h, w, channels)``: centre-cropped to the aspect ratio, resized (``load_img``).

    Raises:
        OSError, ValueError, SyntaxError, PIL.Image.DecompressionBombError: an unreadable file.
    """
    image = keras.utils.load_img(path, color_mode="grayscale" if channels == 1 else "rgb",
                                 target_size=tuple(image_size), interpolation=interpolation, keep_aspect_ratio=True)
    return np.asarray(image, dtype=np.uint8).reshape(*image_size, channels)


def load_image_folder(root, image_size=(32, 32), channels=3, interpolation="bilinear"):
    """Decodes every readable image under ``root``.

    Args:
        root: the folder.
        image_size: ``(height, width)`` of the returned images.
        channels: 1 for grayscale or 3 for RGB.
        interpolation: resize method, as in ``keras.utils.load_img``.

    Returns:
        ``ImageData`` with uint8 images ``(n, height, width, channels)``; labels are the
        subfolder indices (sorted names) when the images sit in subfolders, else ``None``.

    Raises:
        EmptyFolderError: ``root`` is missing or holds no readable image.
    """
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 or 3, got {channels}")
    if not os.path.isdir(root):
        raise EmptyFolderError(f"image folder {root} does not exist; "
                               "pass --dataset folder:PATH with an existing folder")
    files = list_image_files(root)
    labelled = any(top is not None for _, top in files)
    if labelled:
        loose = [path for path, top in files if top is None]
        if loose:
            print(f"warning: left out {len(loose)} image(s) lying directly in {root}; "
                  "put them in a class subfolder to use them", file=sys.stderr)
        files = [(path, top) for path, top in files if top is not None]
    if not files:
        raise EmptyFolderError(
            f"no images ({', '.join(IMAGE_EXTENSIONS)}) found in {root}; add image files to it "
            "(subfolders become class labels)"
        )
    class_names = sorted({top for _, top in files}) if labelled else None
    images, labels, unreadable = [], [], []
    for path, top in files:
        try:
            images.append(load_image_file(path, image_size, channels, interpolation))
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):  # corrupt, truncated, huge
            unreadable.append(path)
            continue
        labels.append(class_names.index(top) if labelled else 0)
    if unreadable:
        print(f"warning: skipped {len(unreadable)} unreadable image file(s) in {root} "
              f"(first: {unreadable[0]})", file=sys.stderr)
    if not images:
        raise EmptyFolderError(f"none of the {len(files)} image files in {root} could be read; "
                               "check that they are valid images")
    return ImageData(np.stack(images), np.array(labels, np.int32) if labelled else None,
                     tuple(class_names) if labelled else None)
