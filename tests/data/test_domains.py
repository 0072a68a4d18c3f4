"""Derived domains (MNIST-M, inverted digits) and loading two unpaired domains."""

import numpy as np
import pytest

from data import load_domains, load_images, make_domain_dataset, true_translation
from data.domains import blend, made_textures


def test_blend_is_the_absolute_difference_of_patch_and_binarised_digit():
    digits = np.zeros((1, 2, 2, 1), np.uint8)
    digits[0, 0, 0, 0] = 30  # any ink counts as a stroke
    patches = np.full((1, 2, 2, 3), 200, np.uint8)
    out = blend(digits, patches)
    assert out.shape == (1, 2, 2, 3) and out.dtype == np.uint8
    np.testing.assert_array_equal(out[0, 0, 0], [55, 55, 55])  # |200 - 255|
    np.testing.assert_array_equal(out[0, 1, 1], [200, 200, 200])  # |200 - 0|


def test_blend_crops_inside_larger_patches_and_depends_on_the_seed():
    rng = np.random.default_rng(0)
    digits = rng.integers(0, 256, (8, 4, 4, 1), dtype=np.uint8)
    patches = rng.integers(0, 256, (3, 9, 9, 3), dtype=np.uint8)
    first, again, other = blend(digits, patches, seed=1), blend(digits, patches, seed=1), blend(digits, patches, 2)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_made_textures_are_coloured_varied_and_reproducible():
    textures = made_textures(6, size=32, seed=0)
    assert textures.shape == (6, 32, 32, 3)
    np.testing.assert_array_equal(textures, made_textures(6, size=32, seed=0))
    assert textures.std(axis=(1, 2)).mean() > 10  # not flat
    assert np.abs(textures[..., 0].astype(int) - textures[..., 1]).mean() > 5  # colour, not grey


def test_derived_sources_load_like_any_other():
    digits = load_images("digits", "test", limit=20)
    inverted = load_images("digits-inverted", "test", limit=20)
    np.testing.assert_array_equal(inverted.images, 255 - digits.images)
    np.testing.assert_array_equal(inverted.labels, digits.labels)
    coloured = load_images("digits-m", "test", limit=20)
    assert coloured.image_shape == (28, 28, 3) and coloured.class_names == digits.class_names


def test_mnist_m_uses_cifar10_patches_when_the_file_is_there_and_made_textures_otherwise(data_dir, tmp_path,
                                                                                         monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "empty_keras_home"))
    mnist_only = tmp_path / "mnist_only"
    mnist_only.mkdir()
    (mnist_only / "mnist.npz").write_bytes((data_dir / "mnist.npz").read_bytes())

    def roughness(data):  # neighbouring pixels of the fixture's CIFAR-10 (uniform noise) differ a lot
        return np.abs(np.diff(data.images.astype(int), axis=2)).mean()

    with_cifar = load_images("mnist-m", "train", data_dir=data_dir)
    with_textures = load_images("mnist-m", "train", data_dir=mnist_only)
    assert with_cifar.image_shape == with_textures.image_shape == (28, 28, 3)
    assert roughness(with_cifar) > 3 * roughness(with_textures)


def test_two_domains_from_one_source_use_disjoint_halves():
    a, b = load_domains("digits", "digits-inverted", "test")
    assert len(a) == len(b) == 2500
    whole = load_images("digits", "test")
    np.testing.assert_array_equal(a.images, whole.images[:2500])
    np.testing.assert_array_equal(b.images, 255 - whole.images[2500:])
    a, b = load_domains("digits", "digits-inverted", "test", limit=7)
    assert len(a) == len(b) == 7


def test_greyscale_is_made_rgb_beside_a_colour_domain_and_sizes_must_match(data_dir):
    a, b = load_domains("digits", "digits-m", "test", limit=4)
    assert a.image_shape == b.image_shape == (28, 28, 3)
    np.testing.assert_array_equal(a.images[..., 0], a.images[..., 2])
    with pytest.raises(ValueError, match="domains differ: mnist is 28x28x3 and cifar10 is 32x32x3; pass --image-size"):
        load_domains("mnist", "cifar10", "test", data_dir=data_dir)
    a, b = load_domains("mnist", "cifar10", "test", data_dir=data_dir, image_size=(16, 16), channels=1)
    assert a.image_shape == b.image_shape == (16, 16, 1)


def test_the_true_translation_is_known_only_for_inversion():
    x = np.array([0.5, -1.0])
    for pair in (("mnist", "mnist-inverted"), ("digits-inverted", "digits")):
        np.testing.assert_array_equal(true_translation(*pair)(x), -x)
    for pair in (("mnist", "mnist-m"), ("mnist", "digits-inverted"), ("mnist", "mnist")):
        assert true_translation(*pair) is None


def test_domain_batches_are_unpaired_full_and_as_many_as_the_larger_domain_needs():
    a, b = load_domains("digits", "digits-m", "test", limit=10)
    b = type(b)(b.images[:6], b.labels[:6], b.class_names)
    batches = list(make_domain_dataset(a, b, 4, seed=0))
    assert len(batches) == 2  # 10 // 4: the smaller domain repeats
    assert all(x.shape == (4, 28, 28, 3) and y.shape == (4, 28, 28, 3) for x, y in batches)
    assert all(-1 <= float(x.numpy().min()) and float(x.numpy().max()) <= 1 for x, _ in batches)
    with pytest.raises(ValueError, match="lower --batch-size"):
        make_domain_dataset(a, b, 64)
    flipped = next(iter(make_domain_dataset(a, a, 10, seed=0, flip=True)))[0].numpy()
    plain = next(iter(make_domain_dataset(a, a, 10, seed=0)))[0].numpy()
    np.testing.assert_array_equal(np.sort(plain.reshape(10, -1), 1), np.sort(flipped.reshape(10, -1), 1))
    assert not np.array_equal(plain, flipped)  # some images were mirrored
