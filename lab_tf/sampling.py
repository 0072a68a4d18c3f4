"""How a family's generator is drawn and scored, and the image files ``samples.py`` writes from it.

``NoiseToImage`` covers generators that map noise (and a label, when conditional) to samples:
GAN generators and VAE decoders. ``ImageToImage`` covers generators that map an image to an
image of the same size (translation), ``Upscaler`` those that map it to a larger one
(super-resolution): ``samples.py --input`` feeds them the user's images.
"""

import os

import numpy as np
from PIL import Image

from data.folder import IMAGE_EXTENSIONS, list_image_files, load_image_file
from data.images import denormalize_images, normalize_images
from data.superres import bicubic_upscale
from eval_tf.report import sample_images
from gan_tf.sampling import class_rows, generate, latent_dim_of, latent_noise, num_classes_of, slerp
from gan_tf.stylegan import mix_styles, random_noise, style_parts, styles, synthesize
from lab_tf.figures import save_image, save_image_grid, save_point_scatter

__all__ = ["ImageToImage", "NoiseToImage", "Upscaler", "noise_variation_grid", "read_input_images", "style_mix_grid",
           "write_interpolation", "write_noise_variation", "write_samples", "write_style_mix", "write_translations"]


class NoiseToImage:
    """Draws a noise-to-sample generator; the same seed gives the same samples in any process."""

    takes_images = False

    def check(self, generator):
        """Raises ``ValueError`` unless ``generator`` is one this sampler can draw."""
        latent_dim_of(generator)

    def default_count(self, generator, label=None):
        """``samples.py``'s default ``--n``: 64 samples, or 10 per class for a conditional generator without a label."""
        return 10 if num_classes_of(generator) is not None and label is None else 64

    def grid(self, generator, n, seed=0, label=None, truncation=None):
        """``(samples, columns)``: ``n`` samples; a conditional generator without ``label`` gives one row of
        ``n`` per class, with ``label`` ``n`` samples of that class. ``truncation``: the psi of a style-based
        generator's truncation trick (``gan_tf.stylegan.styles``)."""
        classes = self._check_label(generator, label)
        columns, labels = None, None
        if classes is not None and label is None:
            labels, columns = class_rows(classes, n), n
        elif classes is not None:
            labels = np.full(n, label, np.int32)
        noise = latent_noise(n if labels is None else len(labels), latent_dim_of(generator), seed=seed)
        if truncation is not None:
            _style_based(generator, "--truncation")
            return synthesize(generator, styles(generator, noise, truncation)), columns
        return generate(generator, noise, labels), columns

    def epoch_grid(self, generator, total, seed=0):
        """``(samples, columns)``: about ``total`` samples for the per-epoch grid, a row per class when conditional."""
        classes = num_classes_of(generator)
        return self.grid(generator, total if classes is None else max(1, total // classes), seed)

    def interpolation(self, generator, steps, seed=0, label=None):
        """``(samples, columns)``: one row of ``steps`` along the great circle between two seeded noise vectors.

        A conditional generator keeps the class ``label`` (default 0) fixed along the way.
        """
        classes = self._check_label(generator, label)
        start, end = latent_noise(2, latent_dim_of(generator), seed=seed)
        labels = None if classes is None else np.full(steps, label or 0, np.int32)
        return generate(generator, slerp(start, end, steps), labels), steps

    def evaluation_samples(self, generator, n, seed=0):
        """``(images, requested labels or None)`` for the image-quality metrics: every class equally often."""
        return sample_images(generator, n, seed)

    @staticmethod
    def _check_label(generator, label):
        """The generator's number of classes (``None``: unconditional); ``ValueError`` for a label it cannot take."""
        classes = num_classes_of(generator)
        if label is not None and classes is None:
            raise ValueError("--label needs a conditional generator (a run of a conditional model); "
                             "this one is unconditional")
        if label is not None and not 0 <= label < classes:
            raise ValueError(f"--label must be in 0..{classes - 1} for this generator, got {label}")
        return classes


def write_samples(sampler, generator, path, n=64, seed=0, scale=2, label=None, truncation=None):
    """Writes ``sampler.grid``'s samples to ``path``: an image grid, or a scatter for a generator of 2-D points."""
    samples, columns = sampler.grid(generator, n, seed, label, truncation)
    if samples.ndim == 2:
        save_point_scatter(samples, None, path, title=f"{n} generated points")
    else:
        save_image_grid(samples, path, columns=columns, scale=scale)


def write_interpolation(sampler, generator, path, steps=10, seed=0, scale=2, label=None):
    """Writes ``sampler.interpolation``'s row of images to ``path``."""
    samples, columns = sampler.interpolation(generator, steps, seed, label)
    save_image_grid(samples, path, columns=columns, scale=scale)


def _style_based(generator, option):
    """Raises ``ValueError`` naming ``option`` when ``generator`` is not style-based."""
    try:
        style_parts(generator)
    except ValueError as error:
        raise ValueError(f"{option} needs a style-based generator (a --model stylegan run): {error}") from None


def style_mix_grid(generator, n=6, seed=0, crossover=None, truncation=1.0):
    """``(images, columns)``: StyleGAN's style-mixing figure, ``(n + 1) x (n + 1)`` cells.

    The top row holds ``n`` codes that give the coarse styles (layers before ``crossover``;
    default half of them: the 4x4 and 8x8 layers at 32x32), the left column ``n`` codes that
    give the fine styles, and each other cell the image of its column's coarse styles with its
    row's fine styles. The corner is left black.
    """
    _style_based(generator, "--style-mix")
    coarse, fine = (styles(generator, latent_noise(n, latent_dim_of(generator), seed=seed + k), truncation)
                    for k in (0, 1))
    crossover = crossover or coarse.shape[1] // 2
    top, left = synthesize(generator, coarse), synthesize(generator, fine)
    cells = [np.full_like(top[:1], -1.0), top]
    for row in range(n):
        cells += [left[row : row + 1],
                  synthesize(generator, mix_styles(coarse, np.repeat(fine[row : row + 1], n, axis=0), crossover))]
    return np.concatenate(cells), n + 1


def noise_variation_grid(generator, n=8, redraws=6, seed=0):
    """``(images, columns)``: for each of ``n`` codes a row of ``redraws`` images with only the noise redrawn, then
    the per-pixel standard deviation over them (StyleGAN's figure 4), white where it is largest in the grid."""
    _style_based(generator, "--noise-only")
    ws = styles(generator, latent_noise(n, latent_dim_of(generator), seed=seed))
    noise = random_noise(generator, n * redraws, seed=seed)
    images = synthesize(generator, np.repeat(ws, redraws, axis=0), noise)
    images = images.reshape(n, redraws, *images.shape[1:])
    spread = np.clip(images, -1, 1).std(axis=1).mean(axis=-1, keepdims=True)
    spread = np.repeat(spread / max(spread.max(), 1e-8) * 2 - 1, images.shape[-1], axis=-1)
    return np.concatenate([images, spread[:, None]], axis=1).reshape(-1, *images.shape[2:]), redraws + 1


def write_style_mix(generator, path, n=6, seed=0, scale=2, truncation=1.0):
    """Writes ``style_mix_grid`` to ``path``."""
    images, columns = style_mix_grid(generator, n, seed, truncation=truncation)
    save_image_grid(images, path, columns=columns, scale=scale)


def write_noise_variation(generator, path, n=8, seed=0, scale=2):
    """Writes ``noise_variation_grid`` to ``path``."""
    images, columns = noise_variation_grid(generator, n, seed=seed)
    save_image_grid(images, path, columns=columns, scale=scale)


class ImageToImage:
    """Draws an image-to-image generator: the translation of given images, in batches.

    Inputs are resized to the size the generator trained on, and converted to its channels.
    """

    takes_images = True
    verb = "translate"
    size_multiple = 4  # an image of unknown training size is cut to multiples of this (two stride-2 layers)
    converts_channels = True

    def default_count(self, generator, label=None):
        """``samples.py``'s default ``--n``: 16 held-out images translated when no ``--input`` is given."""
        return 16

    @staticmethod
    def accepts(model):
        """Whether ``model`` maps a batch of images to images of as many channels (a translation generator)."""
        if len(model.inputs) != 1 or len(model.outputs) != 1:
            return False
        given, made = model.inputs[0].shape, model.outputs[0].shape
        return len(given) == len(made) == 4 and given[-1] == made[-1]

    def check(self, generator):
        """Raises ``ValueError`` unless ``generator`` maps images to images."""
        if not self.accepts(generator):
            raise ValueError(f"{generator.name} does not map images to images (inputs "
                             f"{[tuple(i.shape) for i in generator.inputs]}, outputs "
                             f"{[tuple(o.shape) for o in generator.outputs]}); pass a translation run's generator")

    def translate(self, generator, images, batch_size=256):
        """The generator's outputs for float images ``(n, h, w, c)`` in [-1, 1], as a NumPy array."""
        images = np.asarray(images, np.float32)
        return np.concatenate([np.asarray(generator(images[i : i + batch_size], training=False))
                               for i in range(0, len(images), batch_size)])

    def input_shape(self, generator, config=None):
        """The shape ``--input`` images are read at: the run's training shape, else any size of the generator's
        channels."""
        return tuple(config.settings.image_shape) if config else (None, None, generator.inputs[0].shape[-1])

    def panels(self, images, outputs):
        """The rows a grid shows for a chunk of inputs: the inputs, then their translations."""
        return [images, outputs]


class Upscaler(ImageToImage):
    """Draws a super-resolution generator: any size in, ``scale`` times larger out, the channels it was trained on.

    Grids show each input enlarged without interpolation (its pixels), bicubic, and the model's.
    """

    verb = "upscale"
    size_multiple = 1
    converts_channels = False

    def input_shape(self, generator, config=None):
        """Any size (the first image's, for a folder), in the generator's channels."""
        return None, None, generator.inputs[0].shape[-1]

    def panels(self, images, outputs):
        scale = outputs.shape[1] // images.shape[1]
        return [np.repeat(np.repeat(images, scale, axis=1), scale, axis=2), np.asarray(bicubic_upscale(images, scale)),
                outputs]


def read_input_images(path, image_shape, multiple=4, convert_channels=True):
    """``(float images in [-1, 1] (n, h, w, c), file names)`` of an image file, or of every image in a folder.

    Images are centre-cropped to the aspect ratio and resized to ``image_shape``'s size and
    channels (a generator's training size; a size of ``None`` takes the first image's, down to
    multiples of ``multiple``). Unreadable files in a folder are skipped with a warning.

    Raises:
        ValueError: ``path`` is missing, is not an image, or is a folder without a readable image; or, without
            ``convert_channels``, an image is grey where ``image_shape`` is colour or the other way round.
    """
    size, channels = tuple(image_shape[:2]), image_shape[2]
    if os.path.isdir(path):
        files = [file for file, _ in list_image_files(path)]
        names = [os.path.relpath(file, path) for file in files]
    elif os.path.isfile(path):
        files, names = [path], [os.path.basename(path)]
    else:
        raise ValueError(f"--input {path} does not exist; pass an image file or a folder of images")
    if size[0] is None:
        size = _first_size(files, multiple)
    images, kept = [], []
    for file, name in zip(files, names):
        if not convert_channels:
            _check_channels(file, channels)
        try:
            images.append(load_image_file(file, size, channels))
            kept.append(os.path.splitext(name)[0] + ".png")
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            if len(files) == 1:
                raise ValueError(f"{file} is not an image that can be read; pass a {'/'.join(IMAGE_EXTENSIONS)} "
                                 "file or a folder of them") from None
            print(f"warning: skipped {file}, not a readable image")
    if not images:
        raise ValueError(f"{path} holds no readable image ({', '.join(IMAGE_EXTENSIONS)}); pass an image file or a "
                         "folder of them")
    return np.asarray(normalize_images(np.stack(images))), kept


def _first_size(files, multiple):
    """``(height, width)`` of the first readable image among ``files``, rounded down to multiples of ``multiple``."""
    for file in files:
        try:
            with Image.open(file) as image:
                width, height = image.size
            return max(multiple, height // multiple * multiple), max(multiple, width // multiple * multiple)
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            continue
    return multiple, multiple  # nothing readable: load_image_file reports each file


def _check_channels(file, channels):
    """Raises ``ValueError`` when ``file`` is grey and ``channels`` 3, or colour and ``channels`` 1."""
    try:
        with Image.open(file) as image:
            grey = image.mode in ("1", "L", "LA", "I", "I;16", "F")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return  # unreadable: load_image_file reports it
    if grey != (channels == 1):
        kinds = ("greyscale", "colour")
        raise ValueError(f"{file} is a {kinds[not grey]} image and this generator takes {kinds[channels == 3]} ones; "
                         f"convert it (or pass a run trained on {kinds[not grey]} images)")


def is_folder_path(path):
    """Whether ``--out`` names a folder: an existing one, a path ending in a separator, or one without an extension."""
    return os.path.isdir(path) or path.endswith(("/", os.sep)) or not os.path.splitext(path)[1]


def write_translations(sampler, generator, images, out, names=None, scale=2, columns=8, truth=None):
    """Translates (or upscales) ``images`` and writes the results; returns what was written (a file or a folder).

    ``out`` a folder (``is_folder_path``): one PNG per image under its name in ``names``,
    refusing to replace a file already there. Otherwise one grid: for each chunk of up to
    ``columns`` inputs, the rows of ``sampler.panels`` and, when given, the ``truth`` row (what
    the outputs should be, e.g. the high-resolution originals).
    """
    translated = sampler.translate(generator, images)
    if is_folder_path(out):
        names = names or [f"{i:04d}.png" for i in range(len(images))]
        targets = [os.path.join(out, name) for name in names]
        existing = [target for target in targets if os.path.exists(target)]
        if existing:
            raise ValueError(f"{existing[0]} already exists ({len(existing)} of the files would be replaced); "
                             "choose another --out folder")
        for target, image in zip(targets, translated):
            os.makedirs(os.path.dirname(target), exist_ok=True)
            save_image(denormalize_images(image), target)
        return out
    rows, columns = [], min(columns, len(images))
    for start in range(0, len(images), columns):
        chunk = slice(start, start + columns)
        panels = sampler.panels(images[chunk], translated[chunk])
        if truth is not None:
            panels.append(truth[chunk])
        pad = columns - len(images[chunk])
        rows += [np.concatenate([panel, np.full((pad, *panel.shape[1:]), -1.0, np.float32)]) for panel in panels]
    save_image_grid(np.concatenate(rows), out, columns=columns, scale=scale)
    return out

