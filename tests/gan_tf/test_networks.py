import pytest

from gan_tf import (
    build_dcgan_discriminator,
    build_dcgan_generator,
    build_gan_networks,
    build_tutorial_discriminator,
    build_tutorial_generator,
    default_architecture,
)


def test_tutorial_generator_matches_the_tutorial_at_28x28():
    generator = build_tutorial_generator(100, (28, 28, 1))
    assert generator.output_shape == (None, 28, 28, 1)
    # Dense(7*7*256) and 5x5 transposed convolutions 256->128->64->1, none with a bias
    weights = 100 * 12544 + 5 * 5 * 256 * 128 + 5 * 5 * 128 * 64 + 5 * 5 * 64 * 1
    batch_norm = 4 * (12544 + 128 + 64)  # gamma, beta, moving mean and variance
    assert generator.count_params() == weights + batch_norm


def test_tutorial_discriminator_matches_the_tutorial_at_28x28():
    discriminator = build_tutorial_discriminator((28, 28, 1))
    assert discriminator.output_shape == (None, 1)
    expected = (5 * 5 * 1 * 64 + 64) + (5 * 5 * 64 * 128 + 128) + (7 * 7 * 128 + 1)
    assert discriminator.count_params() == expected


@pytest.mark.parametrize("shape", [(32, 32, 3), (64, 64, 3), (32, 64, 1), (32, 40, 3), (8, 8, 3)])
def test_dcgan_shapes_follow_image_shape(shape):
    assert build_dcgan_generator(16, shape).output_shape == (None, *shape)
    assert build_dcgan_discriminator(shape).output_shape == (None, 1)


@pytest.mark.parametrize("shape", [(28, 28, 3), (48, 48, 3), (32, 36, 3)])
def test_dcgan_rejects_sizes_it_cannot_reach(shape):
    with pytest.raises(ValueError, match="does not suit the dcgan architecture"):
        build_dcgan_generator(16, shape)


def test_tutorial_rejects_sizes_not_multiple_of_4():
    with pytest.raises(ValueError, match="multiples of 4"):
        build_tutorial_discriminator((30, 30, 1))


def test_named_pairs_and_default_choice():
    assert default_architecture((28, 28, 1)) == "tutorial"
    assert default_architecture((32, 32, 3)) == "dcgan"
    generator, discriminator = build_gan_networks("dcgan", 8, (16, 16, 3))
    assert generator.name == "generator" and discriminator.name == "discriminator"
    with pytest.raises(ValueError, match="unknown architecture 'big'; valid: tutorial, dcgan"):
        build_gan_networks("big", 8, (16, 16, 3))
