"""What the command-line scripts share: one-line errors with exit code 2, and argparse types."""

import argparse
import sys

__all__ = ["EXIT_BAD_INPUT", "EXIT_INTERRUPTED", "ArgumentParser", "int_at_least", "layer_sizes", "non_negative_int",
           "positive_int", "report_bad_input"]

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


def int_at_least(low):
    """argparse type: an integer of at least ``low``."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, got {value}")
        return value

    return parse


positive_int = int_at_least(1)
non_negative_int = int_at_least(0)


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
    return sizes
