"""What the command-line scripts share: one-line errors with exit code 2, and argparse types."""

import argparse
import math
import os
import sys

__all__ = ["ArgumentParser", "EXIT_BAD_INPUT", "EXIT_INTERRUPTED", "data_source", "finite_float", "image_count",
           "image_size", "int_at_least", "latent_dim", "layer_sizes", "non_negative_int", "positive_int",
           "report_bad_input", "unit_interval"]

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


class ArgumentParser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` whose errors are one line on stderr, exit code 2."""

    def error(self, message):
        self.exit(EXIT_BAD_INPUT, f"error: {message} (see {self.prog} --help)\n")


def report_bad_input(error):
    """Prints ``error`` as one line on stderr and returns exit code 2."""
    message = " ".join(str(error).split()) or type(error).__name__
    print(f"error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def int_at_least(low, high=None, why=None):
    """argparse type: an integer of at least ``low`` and, when given, at most ``high`` (``why`` says why)."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, got {value}")
        if high is not None and value > high:
            raise argparse.ArgumentTypeError(f"must be at most {high}, got {value}" + (f" ({why})" if why else ""))
        return value

    return parse


def finite_float(text):
    """argparse type: a finite number (``nan`` and ``inf`` are refused: they train nothing but NaN)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return value


def unit_interval(text):
    """argparse type: a number in [0, 1]."""
    value = finite_float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1], got {value:g}")
    return value


positive_int = int_at_least(1)
non_negative_int = int_at_least(0)
# Sizes past these would not fit in memory on any machine this package targets; each says so in one line.
MAX_IMAGE_SIZE = 1024
MAX_LATENT_DIM = 4096
MAX_IMAGES = 100_000  # images drawn at once: a grid, an evaluation, a batch
image_size = int_at_least(4, MAX_IMAGE_SIZE, "images larger than that do not fit in memory for training")
latent_dim = int_at_least(1, MAX_LATENT_DIM, "codes that large only add parameters")
image_count = int_at_least(1, MAX_IMAGES, "that many images at once do not fit in memory")


def data_source(text):
    """argparse type: a dataset source (``data.DATASETS``); a ``folder:PATH`` is made absolute, so a run resumes
    from any folder."""
    from data.loaders import FOLDER_PREFIX, check_source

    try:
        check_source(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if text.startswith(FOLDER_PREFIX):
        return FOLDER_PREFIX + os.path.abspath(text[len(FOLDER_PREFIX):])
    return text


def layer_sizes(text):
    """argparse type: ``256,128`` or ``64x15`` (15 layers of 64) as a tuple of positive ints."""
    try:
        if "x" in text:
            units, _, repeat = text.partition("x")
            sizes = (int(units),) * int(repeat)
        else:
            sizes = tuple(int(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected sizes like 256,128 or 64x15, got {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"layer sizes must be at least 1, got {text!r}")
    if max(sizes) > 65536 or len(sizes) > 1000:
        raise argparse.ArgumentTypeError(f"at most 1000 layers of at most 65536 units, got {text!r} (larger networks "
                                         "do not fit in memory)")
    return sizes
