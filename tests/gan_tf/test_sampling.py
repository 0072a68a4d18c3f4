import keras
import numpy as np
import pytest

from gan_tf import build_tutorial_discriminator, latent_dim_of, latent_noise, slerp


def test_latent_noise_is_seeded_standard_normal():
    a, b = latent_noise(4000, 16, seed=3), latent_noise(4000, 16, seed=3)
    assert a.dtype == np.float32 and a.shape == (4000, 16)
    assert np.array_equal(a, b) and not np.array_equal(a, latent_noise(4000, 16, seed=4))
    assert abs(a.mean()) < 0.02 and abs(a.std() - 1) < 0.02


def test_slerp_keeps_endpoints_and_norm():
    a = np.array([3.0, 0.0, 0.0])
    b = np.array([0.0, 3.0, 0.0])
    path = slerp(a, b, 5)
    np.testing.assert_allclose(path[0], a, atol=1e-6)
    np.testing.assert_allclose(path[-1], b, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), 3.0, rtol=1e-6)  # linear would dip to 2.12
    np.testing.assert_allclose(path[2], [3 / np.sqrt(2), 3 / np.sqrt(2), 0], atol=1e-6)
    np.testing.assert_allclose(slerp(a, a, 3), [a, a, a])


def test_latent_dim_of_rejects_models_that_are_not_generators():
    assert latent_dim_of(keras.Sequential([keras.Input((7,)), keras.layers.Dense(16),
                                           keras.layers.Reshape((4, 4, 1))])) == 7
    with pytest.raises(ValueError, match="'discriminator' is not a generator"):
        latent_dim_of(build_tutorial_discriminator((8, 8, 1)))


def test_conditional_generators_take_labels_and_name_their_classes():
    from gan_tf import build_gan_networks, generate
    from gan_tf.sampling import balanced_labels, class_rows, num_classes_of

    generator, _ = build_gan_networks("tutorial", 4, (8, 8, 1), num_classes=3)
    assert latent_dim_of(generator) == 4 and num_classes_of(generator) == 3
    noise = latent_noise(6, 4)
    images = generate(generator, noise, class_rows(3, 2))
    assert images.shape == (6, 8, 8, 1)
    assert class_rows(3, 2).tolist() == [0, 0, 1, 1, 2, 2] and balanced_labels(5, 3).tolist() == [0, 1, 2, 0, 1]
    with pytest.raises(ValueError, match="needs labels"):
        generate(generator, noise)
    with pytest.raises(ValueError, match="labels must be in 0..2"):
        generate(generator, noise, np.full(6, 3))
    unconditional, _ = build_gan_networks("tutorial", 4, (8, 8, 1))
    assert num_classes_of(unconditional) is None
    with pytest.raises(ValueError, match="is unconditional; it takes no labels"):
        generate(unconditional, noise, np.zeros(6))
