"""Checks that an image shape suits an architecture's up- and down-sampling."""

__all__ = ["check_image_shape", "upsampling_steps"]


def check_image_shape(image_shape, multiple, architecture):
    """Returns ``(height, width, channels)`` or raises ``ValueError`` saying what sizes work."""
    if len(image_shape) != 3:
        raise ValueError(f"image_shape must be (height, width, channels), got {tuple(image_shape)}")
    height, width, channels = (int(d) for d in image_shape)
    if height % multiple or width % multiple or min(height, width) < multiple:
        raise ValueError(
            f"image_shape {tuple(image_shape)} does not suit the {architecture} architecture: height "
            f"and width must be multiples of {multiple} (e.g. --image-size {4 * multiple})"
        )
    if architecture == "dcgan":
        upsampling_steps(height, width)  # raises for unsuitable sizes
    return height, width, channels


def upsampling_steps(height, width):
    """Number of stride-2 steps from a map whose shorter side is 4 up to ``(height, width)``."""
    short = min(height, width)
    steps = (short // 4).bit_length() - 1
    if 4 << steps != short or height % (1 << steps) or width % (1 << steps):
        raise ValueError(
            f"image size {height}x{width} does not suit the dcgan architecture: the shorter side "
            "must be 4 times a power of two (8, 16, 32, 64, ...) and divide the longer side"
        )
    return steps
