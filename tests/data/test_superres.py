"""Low/high-resolution pairs: the fixed degradation, its checks and the dataset of pairs."""

import numpy as np
import pytest

from data import ImageData, bicubic_upscale, downscale, make_superres_dataset
from data.superres import check_scale


def test_downscale_keeps_flat_images_flat_and_rounds_to_8_bits():
    flat = np.full((2, 8, 12, 3), 0.2, np.float32)
    low = np.asarray(downscale(flat, 4))
    assert low.shape == (2, 2, 3, 3)
    np.testing.assert_allclose(low, round(1.2 * 127.5) / 127.5 - 1, atol=1e-6)
    rng = np.random.default_rng(0)
    levels = (np.asarray(downscale(rng.uniform(-1, 1, (3, 8, 8, 1)), 2)) + 1) * 127.5
    np.testing.assert_allclose(levels, np.round(levels), atol=1e-3)


def test_downscale_antialiases_a_pattern_finer_than_the_new_pixels():
    stripes = np.tile(np.array([1.0, -1.0], np.float32), 8)[None, None, :, None].repeat(16, axis=1)  # 1-px columns
    low = np.asarray(downscale(stripes, 4))
    assert np.abs(low).max() < 0.1  # averaged out to grey, not aliased into black or white


def test_bicubic_upscale_keeps_flat_images_and_clips():
    up = np.asarray(bicubic_upscale(np.full((1, 3, 5, 1), -0.5, np.float32), 2))
    assert up.shape == (1, 6, 10, 1)
    np.testing.assert_allclose(up, -0.5, atol=1e-6)
    edges = np.asarray(bicubic_upscale(np.array([[1, -1], [-1, 1]], np.float32).reshape(1, 2, 2, 1), 4))
    assert edges.max() <= 1 and edges.min() >= -1  # bicubic overshoot is clipped to the image range


@pytest.mark.parametrize("shape, scale, message", [((32, 32), 3, "--scale must be 2 or 4, got 3"),
                                                   ((30, 30), 4, "30x30 pixels cannot be downscaled 4 times")])
def test_check_scale_names_the_problem(shape, scale, message):
    with pytest.raises(ValueError, match=message):
        check_scale(shape, scale)


def test_the_dataset_pairs_each_image_with_its_downscaled_copy():
    images = np.random.default_rng(0).integers(0, 256, (10, 8, 8, 3), dtype=np.uint8)
    batches = list(make_superres_dataset(ImageData(images), 2, 4, shuffle=False))
    assert [tuple(low.shape) for low, _ in batches] == [(4, 4, 4, 3), (4, 4, 4, 3), (2, 4, 4, 3)]
    low, high = batches[0]
    np.testing.assert_allclose(high, images[:4] / 127.5 - 1, atol=1e-6)
    np.testing.assert_allclose(low, downscale(high, 2), atol=1e-6)
