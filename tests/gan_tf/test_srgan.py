"""The super-resolution pieces: content losses by hand, sub-pixel upsampling, the networks and the trainer harness."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from gan_tf import (
    ICNR,
    SRGAN,
    PixelShuffle,
    build_sr_discriminator,
    build_sr_generator,
    classifier_features,
    perceptual_loss,
    pixel_loss,
    vgg19_features,
)
from gan_tf.perceptual import VGGWeightsMissing, feature_rms
from helpers import ROOT


def test_pixel_losses_are_mean_squared_and_absolute_errors():
    images = np.array([[0.5, -1.0], [1.0, 0.0]], np.float32)
    restored = np.array([[0.0, -1.0], [0.0, 1.0]], np.float32)
    assert float(pixel_loss(images, restored)) == pytest.approx((0.25 + 0 + 1 + 1) / 4)
    assert float(pixel_loss(images, restored, "l1")) == pytest.approx((0.5 + 0 + 1 + 1) / 4)
    with pytest.raises(ValueError, match="unknown pixel loss 'l2'; valid: mse, l1"):
        pixel_loss(images, restored, "l2")


def test_perceptual_loss_is_the_scaled_squared_distance_of_features():
    inputs = keras.Input((2,))
    doubling = keras.Model(inputs, keras.layers.Dense(1, use_bias=False, kernel_initializer="ones")(inputs))
    images = np.array([[1.0, 0.0], [0.0, 0.0]], np.float32)  # features 1 and 0
    restored = np.array([[0.0, 0.0], [1.0, 2.0]], np.float32)  # features 0 and 3
    assert float(perceptual_loss(doubling, images, restored)) == pytest.approx((1 + 9) / 2)
    assert float(perceptual_loss(doubling, images, restored, scale=2.0)) == pytest.approx((0.25 + 2.25) / 2)
    assert feature_rms(doubling, restored) == pytest.approx(np.sqrt((0 + 9) / 2))


def test_pixel_shuffle_moves_channel_groups_into_sub_pixels():
    x = np.arange(2 * 4, dtype=np.float32).reshape(1, 1, 2, 4)  # two pixels of 4 channels
    y = np.asarray(PixelShuffle(2)(x))
    assert y.shape == (1, 2, 4, 1)
    np.testing.assert_array_equal(y[0, :, :2, 0], [[0, 1], [2, 3]])  # pixel 0's channels as a 2x2 block
    np.testing.assert_array_equal(y[0, :, 2:, 0], [[4, 5], [6, 7]])


def test_icnr_starts_the_sub_pixel_convolution_as_nearest_neighbour_upsampling():
    kernel = np.asarray(ICNR(2)((3, 3, 5, 8)))
    x = np.random.default_rng(0).normal(size=(1, 6, 7, 5)).astype(np.float32)
    convolution = keras.layers.Conv2D(8, 3, padding="same", use_bias=False)
    convolution.build(x.shape)
    convolution.set_weights([kernel])
    y = np.asarray(PixelShuffle(2)(convolution(x)))
    for i, j in ((0, 1), (1, 0), (1, 1)):
        np.testing.assert_allclose(y[:, i::2, j::2], y[:, 0::2, 0::2])
    with pytest.raises(ValueError, match="divisible by 4"):
        ICNR(2)((3, 3, 5, 6))


@pytest.mark.parametrize("scale, channels", [(2, 3), (4, 1)])
def test_the_generator_upscales_any_size_including_odd_ones(scale, channels):
    generator = build_sr_generator(channels, scale, filters=8, residual_blocks=1)
    for height, width in ((7, 9), (1, 1), (16, 5)):
        out = generator(np.zeros((2, height, width, channels), np.float32))
        assert out.shape == (2, scale * height, scale * width, channels)
        assert np.all(np.abs(np.asarray(out)) <= 1)


def test_the_generator_refuses_other_scales():
    with pytest.raises(ValueError, match="scale must be one of 2, 4, got 3"):
        build_sr_generator(3, 3)


@pytest.mark.parametrize("shape, blocks", [((32, 32, 3), 4), ((28, 28, 1), 3), ((8, 8, 1), 2)])
def test_the_discriminator_scales_its_depth_to_the_image(shape, blocks):
    discriminator = build_sr_discriminator(shape, filters=4)
    assert discriminator.output.shape == (None, 1)
    strided = [layer for layer in discriminator.layers if getattr(layer, "strides", (1, 1)) == (2, 2)]
    assert len(strided) == blocks


def tiny_trainer(pretrain_steps=0, adversarial=True, perceptual=True):
    shape = (8, 8, 1)
    discriminator = build_sr_discriminator(shape, 4) if adversarial else None
    features = None
    if perceptual:
        inputs = keras.Input(shape, name="images")
        features = classifier_features(keras.Model(inputs, keras.layers.Conv2D(3, 3, name="mid")(inputs)), "mid")
    trainer = SRGAN(build_sr_generator(1, 2, 4, 1), discriminator, features, 0.5, pretrain_steps)
    trainer.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3))
    return trainer


def tiny_pairs(n=8):
    high = np.random.default_rng(0).uniform(-1, 1, (n, 8, 8, 1)).astype(np.float32)
    return high[:, ::2, ::2], high


@pytest.mark.parametrize("adversarial", [False, True])
def test_one_step_changes_the_weights_with_finite_losses(adversarial):
    trainer = tiny_trainer(adversarial=adversarial)
    networks = [trainer.generator] + ([trainer.discriminator] if adversarial else [])
    before = [[w.copy() for w in network.get_weights()] for network in networks]
    frozen = [w.copy() for w in trainer.features.get_weights()]
    logs = trainer.train_on_batch(*tiny_pairs(), return_dict=True)
    expected = {"pixel_loss", "psnr"} | ({"g_loss", "content_loss", "adversarial_loss", "d_loss"} if adversarial
                                         else set())
    assert set(logs) == expected and all(np.isfinite(v) for v in logs.values())
    for network, weights in zip(networks, before):
        assert any(not np.array_equal(a, b) for a, b in zip(network.get_weights(), weights)), network.name
    for a, b in zip(trainer.features.get_weights(), frozen):
        np.testing.assert_array_equal(a, b)  # the perceptual network never trains
    assert set(trainer.evaluate(*tiny_pairs(), return_dict=True, verbose=0)) == {"pixel_loss", "psnr"}


def test_the_discriminator_waits_for_the_pixel_loss_pretraining():
    trainer = tiny_trainer(pretrain_steps=2)
    low, high = tiny_pairs()
    initial = [w.copy() for w in trainer.discriminator.get_weights()]
    for _ in range(2):
        logs = trainer.train_on_batch(low, high, return_dict=True)
        assert logs["d_loss"] == 0 and logs["content_loss"] == logs["pixel_loss"]
    for a, b in zip(trainer.discriminator.get_weights(), initial):
        np.testing.assert_array_equal(a, b)
    logs = trainer.train_on_batch(low, high, return_dict=True)
    assert logs["d_loss"] > 0 and int(trainer.d_optimizer.iterations) == 1
    assert int(trainer.g_optimizer.iterations) == 3


def test_save_and_load_continue_training_in_a_fresh_process(tmp_path):
    trainer = tiny_trainer(pretrain_steps=1)
    low, high = tiny_pairs()
    trainer.train_on_batch(low, high)
    trainer.train_on_batch(low, high)
    path = tmp_path / "srgan.keras"
    trainer.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded(low), trainer(low), atol=1e-6)
    assert loaded.pretrain_steps == 1 and loaded.feature_scale == 0.5 and loaded.adversarial_weight == 1e-3
    assert int(loaded.d_optimizer.iterations) == 1
    np.save(tmp_path / "low.npy", low)
    np.save(tmp_path / "expected.npy", np.asarray(trainer(low)))
    script = (f"import core_tf, gan_tf, keras, numpy as np; m = keras.models.load_model({str(path)!r}); "
              f"low = np.load({str(tmp_path / 'low.npy')!r}); "
              f"assert np.allclose(m(low), np.load({str(tmp_path / 'expected.npy')!r}), atol=1e-6); "
              f"logs = m.train_on_batch(low, np.repeat(np.repeat(low, 2, 1), 2, 2), return_dict=True); "
              "assert int(m.d_optimizer.iterations) == 2 and logs['d_loss'] > 0; print('ok')")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and result.stdout.strip().endswith("ok"), result.stderr


TWO_DEVICES = """
import json
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import numpy as np
import keras
from core_tf.distribute import fit, for_replicas, make_strategy
from gan_tf import SRGAN, build_sr_discriminator, build_sr_generator, classifier_features

high = np.random.default_rng(0).uniform(-1, 1, (48, 8, 8, 1)).astype("float32")
weights = []
for strategy in (tf.distribute.get_strategy(), make_strategy("mirrored")):
    keras.utils.set_random_seed(0)
    with strategy.scope():
        inputs = keras.Input((8, 8, 1))
        features = classifier_features(keras.Model(inputs, keras.layers.Conv2D(3, 3, name="mid")(inputs)), "mid")
        networks = build_sr_generator(1, 2, 4, 1, batch_norm=True), build_sr_discriminator((8, 8, 1), 4)
        trainer = SRGAN(*map(for_replicas, networks), features, 0.5, pretrain_steps=2)
        # SGD: a loss scaled wrongly over the replicas changes its steps (Adam would normalise it away)
        trainer.compile(keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1))
    batches = tf.data.Dataset.from_tensor_slices((high[:, ::2, ::2], high)).batch(8, drop_remainder=True)
    if strategy.num_replicas_in_sync > 1:
        logs = fit(trainer, batches, epochs=1, verbose=0).history
    else:
        logs = trainer.fit(batches, epochs=1, verbose=0, shuffle=False).history
    weights.append(trainer.get_weights())
    print(json.dumps({"replicas": strategy.num_replicas_in_sync, "d_steps": int(trainer.d_optimizer.iterations.numpy()),
                      "logs": {name: values[-1] for name, values in logs.items()}}))
print(json.dumps({"difference": max(float(np.abs(a - b).max()) for a, b in zip(*weights))}))
"""


def test_the_phases_over_two_devices_train_what_one_device_trains():
    """The CPU split into two logical devices: two pixel-loss steps, then four adversarial ones (batch norm in the
    generator and the discriminator, a perceptual loss)."""
    result = subprocess.run([sys.executable, "-c", TWO_DEVICES], capture_output=True, text=True, timeout=300,
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": ROOT})
    assert result.returncode == 0, result.stderr[-3000:]
    one, two, compared = (json.loads(line) for line in result.stdout.strip().splitlines()[-3:])
    assert (one["replicas"], two["replicas"]) == (1, 2)
    assert one["d_steps"] == two["d_steps"] == 4  # the discriminator trained after the pretraining only
    assert one["logs"]["d_loss"] > 0
    for name, value in one["logs"].items():  # the epoch means, each replica's share averaged
        assert two["logs"][name] == pytest.approx(value, rel=1e-4), name
    assert compared["difference"] < 1e-5


def test_vgg19_features_need_the_cached_weights_and_32_pixels(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(VGGWeightsMissing, match="vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"):
        vgg19_features((32, 32, 3))
    with pytest.raises(ValueError, match="at least 32x32"):
        vgg19_features((28, 28, 1), weights=None)
    features = vgg19_features((32, 32, 1), weights=None)  # grey images enter VGG as RGB
    assert features(np.zeros((2, 32, 32, 1), np.float32)).shape == (2, 2, 2, 512)
    assert not features.trainable_weights
