import keras
import numpy as np
import pytest

from gan_tf import (
    build_dcgan_discriminator,
    build_dcgan_generator,
    build_gan_networks,
    build_tutorial_discriminator,
    build_tutorial_generator,
    default_architecture,
)
from gan_tf.layers import MinibatchStdDev, Pack


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
    with pytest.raises(ValueError, match="unknown architecture 'big'; valid: mlp, tutorial, dcgan"):
        build_gan_networks("big", 8, (16, 16, 3))



def test_mlp_pair_matches_the_original_gan_sizes():
    generator, discriminator = build_gan_networks("mlp", 100, (28, 28, 1))
    dense = (100 * 256 + 256) + (256 * 512 + 512) + (512 * 1024 + 1024) + (1024 * 784 + 784)
    assert generator.count_params() == dense + 4 * (256 + 512 + 1024)
    assert discriminator.count_params() == (784 * 512 + 512) + (512 * 256 + 256) + (256 + 1)
    assert generator.output_shape == (None, 28, 28, 1)


def test_points_get_small_unbounded_networks_and_images_only_architectures_refuse_them():
    assert default_architecture((2,)) == "mlp"
    generator, discriminator = build_gan_networks("mlp", 4, (2,))
    last = [layer for layer in generator.layers if layer.weights][-1]  # the output Dense (a Reshape may follow)
    kernel, bias = last.get_weights()
    last.set_weights([kernel, np.full_like(bias, 5.0)])  # an output far outside [-1, 1] must come out as it is
    out = np.asarray(generator(np.zeros((3, 4), "float32")))
    assert out.shape == (3, 2) and np.abs(out).max() > 1  # linear output: not squashed into [-1, 1]
    assert discriminator.output_shape == (None, 1)
    with pytest.raises(ValueError, match="need --architecture mlp"):
        build_gan_networks("dcgan", 4, (2,))


@pytest.mark.parametrize("conditioning", ["concat", "projection"])
@pytest.mark.parametrize("architecture, shape", [("mlp", (8, 8, 1)), ("tutorial", (8, 8, 1)), ("dcgan", (8, 8, 3)),
                                                 ("mlp", (2,))])
def test_conditional_pairs_take_labels(architecture, shape, conditioning):
    generator, discriminator = build_gan_networks(architecture, 6, shape, num_classes=3, conditioning=conditioning)
    assert [tuple(t.shape) for t in generator.inputs] == [(None, 6), (None,)]
    noise = np.random.default_rng(0).normal(size=(4, 6)).astype("float32")
    images = generator([noise, np.array([0, 1, 2, 0])], training=False)
    # the label changes the image for the same noise
    other = generator([noise, np.array([1, 2, 0, 1])], training=False)
    assert images.shape == (4, *shape) and not np.allclose(images, other)
    labels = keras.ops.convert_to_tensor([0, 1, 2, 0])
    scores = np.asarray(discriminator([images, labels]))
    assert scores.shape == (4, 1)
    # the discriminator's score depends on the label too
    assert not np.allclose(scores, np.asarray(discriminator([images, keras.ops.convert_to_tensor([1, 2, 0, 1])])))


def test_projection_head_adds_the_label_embedding_dot_features():
    _, discriminator = build_gan_networks("mlp", 4, (3,), num_classes=2, conditioning="projection")
    dense = [layer for layer in discriminator.layers if isinstance(layer, keras.layers.Dense)][-1]
    features_model = keras.Model(discriminator.inputs, dense.input)
    x = np.random.default_rng(1).normal(size=(2, 3)).astype("float32")
    labels = np.array([0, 1])
    features = np.asarray(features_model([x, labels]))
    kernel, bias = (np.asarray(w) for w in dense.weights)
    table = np.asarray(discriminator.get_layer("label_projection").embeddings)
    expected = features @ kernel + bias + np.sum(table[labels] * features, axis=1, keepdims=True)
    np.testing.assert_allclose(np.asarray(discriminator([x, labels])), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("architecture, shape", [("tutorial", (8, 8, 1)), ("dcgan", (16, 16, 3))])
def test_critics_have_no_normalisation_or_dropout(architecture, shape):
    # unnormalised, like the WGAN-GP paper's CIFAR-10 critic, so every convolution keeps its bias
    _, discriminator = build_gan_networks(architecture, 4, shape, critic=True)
    kinds = {type(layer) for layer in discriminator.layers}
    assert not kinds & {keras.layers.BatchNormalization, keras.layers.LayerNormalization}
    assert all(layer.use_bias for layer in discriminator.layers if isinstance(layer, keras.layers.Conv2D))
    assert all(layer.rate == 0 for layer in discriminator.layers if isinstance(layer, keras.layers.Dropout))


def test_dcgan_critic_layer_norm_normalises_each_whole_feature_map():
    critic = build_dcgan_discriminator((16, 16, 3), normalization="layer")
    norms = [layer for layer in critic.layers if isinstance(layer, keras.layers.LayerNormalization)]
    assert norms
    x = np.random.default_rng(0).normal(3.0, 2.0, (2, 4, 4, 8)).astype("float32")
    for layer in norms:
        fresh = keras.layers.LayerNormalization.from_config(layer.get_config())
        out = np.asarray(fresh(x))
        # one mean and variance per sample over height, width and channels, not per pixel
        np.testing.assert_allclose(out.reshape(2, -1).mean(1), 0.0, atol=1e-4)
        np.testing.assert_allclose(out.reshape(2, -1).std(1), 1.0, atol=1e-2)
        assert np.abs(out.mean(-1)).max() > 0.1


def test_minibatch_std_appends_the_mean_standard_deviation():
    x = np.array([[[0.0, 1.0]], [[2.0, 5.0]]], "float32")  # (batch 2, 1, 2 features)
    out = np.asarray(MinibatchStdDev()(x))
    # population std over the batch: feature 0 -> 1, feature 1 -> 2; mean 1.5, appended to every sample
    np.testing.assert_allclose(out[..., 2], 1.5, rtol=1e-4)
    np.testing.assert_array_equal(out[..., :2], x)
    _, discriminator = build_gan_networks("tutorial", 4, (8, 8, 1), minibatch_std=True)
    assert any(isinstance(layer, MinibatchStdDev) for layer in discriminator.layers)


def test_pack_joins_consecutive_samples_along_the_last_axis():
    points = np.arange(10, dtype="float32").reshape(5, 2)
    np.testing.assert_array_equal(np.asarray(Pack(2)(points)), [[0, 1, 2, 3], [4, 5, 6, 7]])  # the 5th is dropped
    images = np.random.default_rng(0).normal(size=(4, 3, 3, 2)).astype("float32")
    packed = np.asarray(Pack(2)(images))
    assert packed.shape == (2, 3, 3, 4)
    np.testing.assert_array_equal(packed[1], np.concatenate([images[2], images[3]], axis=-1))


@pytest.mark.parametrize("architecture, shape", [("mlp", (2,)), ("tutorial", (8, 8, 1)), ("dcgan", (16, 16, 3))])
def test_a_packed_discriminator_scores_groups_and_reloads(architecture, shape, tmp_path):
    _, discriminator = build_gan_networks(architecture, 4, shape, pack=4)
    samples = np.random.default_rng(0).uniform(-1, 1, (8, *shape)).astype("float32")
    scores = np.asarray(discriminator(samples))
    assert scores.shape == (2, 1)
    path = tmp_path / "d.keras"
    discriminator.save(path)
    np.testing.assert_allclose(np.asarray(keras.models.load_model(path)(samples)), scores, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="unconditional"):
        build_gan_networks(architecture, 4, shape, num_classes=3, pack=2)
