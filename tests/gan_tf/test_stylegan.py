"""The style-based pieces: the layers against hand values, the networks' shapes, mixing and truncation, the trainer."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import (
    EqualizedConv2D,
    EqualizedDense,
    MinibatchStdDev,
    ModulatedConv2D,
    NoiseInjection,
    StyleGAN,
    Truncation,
    build_dcgan_generator,
    build_mapping_network,
    build_style_discriminator,
    build_style_generator,
    build_synthesis_network,
    mix_styles,
    random_noise,
    style_parts,
    styles,
    synthesize,
)
from gan_tf.generator import style_resolutions
from gan_tf.style_layers import truncate
from helpers import ROOT

SMALL = {"latent_dim": 8, "w_dim": 8, "filters": 4, "max_filters": 8}


def small_generator(shape=(16, 16, 1), seed=0):
    keras.utils.set_random_seed(seed)
    return build_style_generator(SMALL["latent_dim"], shape, SMALL["w_dim"], 2, SMALL["filters"],
                                 SMALL["max_filters"])


def test_equalized_dense_scales_its_weights_at_run_time_by_the_lr_multiplier_over_sqrt_fan_in():
    layer = EqualizedDense(2, lr_multiplier=0.01, bias_init=1.0)
    layer.build((None, 4))
    assert np.std(np.asarray(layer.kernel)) == pytest.approx(100, rel=0.7)  # stored N(0, 1 / 0.01^2)
    assert np.asarray(layer.bias) == pytest.approx([100, 100])  # 1 / 0.01, times 0.01 at run time
    kernel = np.arange(8, dtype=np.float32).reshape(4, 2)
    layer.kernel.assign(kernel)
    x = np.array([[1.0, 2.0, 3.0, 4.0]], np.float32)
    assert np.asarray(layer(x)) == pytest.approx(x @ kernel * 0.01 / 2 + 1.0)  # sqrt(4) = 2
    relu = EqualizedDense(1, activation="lrelu")
    relu.build((None, 1))
    relu.kernel.assign([[1.0]])
    assert np.asarray(relu(np.array([[-1.0], [2.0]], np.float32))).ravel() == pytest.approx(
        [-0.2 * np.sqrt(2), 2 * np.sqrt(2)])


def test_equalized_conv_divides_its_kernel_by_sqrt_of_the_fan_in():
    layer = EqualizedConv2D(1, kernel_size=1)
    layer.build((None, 2, 2, 4))
    layer.kernel.assign(np.ones((1, 1, 4, 1), np.float32))
    x = np.ones((1, 2, 2, 4), np.float32)
    assert np.asarray(layer(x)) == pytest.approx(np.full((1, 2, 2, 1), 4 / 2))


def test_modulated_conv_equals_a_per_sample_kernel_normalised_to_unit_norm():
    rng = np.random.default_rng(0)
    layer = ModulatedConv2D(3, kernel_size=3, style_index=1, use_bias=False)
    x = rng.standard_normal((2, 5, 5, 4)).astype(np.float32)
    ws = rng.standard_normal((2, 2, 6)).astype(np.float32)
    out = np.asarray(layer([x, ws]))
    s = np.asarray(layer.styles(ws))
    assert s.shape == (2, 4)
    for sample in range(2):
        kernel = np.asarray(layer.kernel) / np.sqrt(9 * 4) * s[sample][None, None, :, None]
        kernel = kernel / np.sqrt((kernel**2).sum(axis=(0, 1, 2), keepdims=True) + 1e-8)
        assert (kernel**2).sum(axis=(0, 1, 2)) == pytest.approx(np.ones(3), rel=1e-5)
        expected = tf.nn.conv2d(x[sample : sample + 1], kernel, 1, "SAME").numpy()
        assert out[sample : sample + 1] == pytest.approx(expected, abs=1e-5)
    # the style only changes the kernel's direction: scaling every style leaves the output as it is
    affine = layer.affine
    affine.bias.assign(np.asarray(affine.bias) * 3)
    affine.kernel.assign(np.asarray(affine.kernel) * 3)
    assert np.asarray(layer([x, ws])) == pytest.approx(out, abs=1e-4)
    plain = ModulatedConv2D(3, kernel_size=1, demodulate=False, upsample=True)
    assert plain([x, ws]).shape == (2, 10, 10, 3)


def test_noise_starts_switched_off_and_adds_its_map_times_a_per_channel_weight():
    layer = NoiseInjection(noise_index=1)
    x = np.ones((1, 2, 2, 3), np.float32)
    noise = np.arange(32, dtype=np.float32).reshape(1, 4, 4, 2)
    assert np.asarray(layer([x, noise])) == pytest.approx(x)  # weights start at 0
    layer.strength.assign([0.0, 1.0, 2.0])
    corner = noise[0, :2, :2, 1]
    out = np.asarray(layer([x, noise]))[0]
    for channel, weight in enumerate((0.0, 1.0, 2.0)):
        assert out[..., channel] == pytest.approx(1 + weight * corner)


def test_minibatch_std_over_groups_of_four_gives_each_sample_its_groups_statistic():
    x = np.random.default_rng(0).standard_normal((8, 2, 2, 3)).astype(np.float32)
    out = np.asarray(MinibatchStdDev(group_size=4)(x))
    groups = x.reshape(2, 4, 2, 2, 3)  # sample i is in group i // 4: a batch's contiguous shares hold whole groups
    expected = np.sqrt(groups.var(axis=1) + 1e-8).reshape(2, -1).mean(axis=1)
    assert out[:, 0, 0, 3] == pytest.approx(np.repeat(expected, 4), rel=1e-5)
    assert out[..., :3] == pytest.approx(x)
    whole = np.asarray(MinibatchStdDev(group_size=4)(x[:6]))[:, 0, 0, 3]  # 6 does not divide into 4s
    assert whole == pytest.approx(np.full(6, np.sqrt(x[:6].var(axis=0) + 1e-8).mean()), rel=1e-5)


def test_truncation_pulls_styles_towards_the_average_up_to_the_cutoff():
    ws = np.array([[[2.0], [4.0]]], np.float32)
    average = np.array([1.0], np.float32)
    assert np.asarray(truncate(ws, average, 0.5)).ravel() == pytest.approx([1.5, 2.5])
    assert np.asarray(truncate(ws, average, 0.5, cutoff=1)).ravel() == pytest.approx([1.5, 4.0])
    with pytest.raises(ValueError, match=r"psi must be in \[0, 1\]"):
        Truncation(2, psi=1.5)


def test_networks_have_the_documented_shapes():
    assert style_resolutions(32) == [4, 8, 16, 32]
    with pytest.raises(ValueError, match="power-of-two size from 8"):
        style_resolutions(28)
    mapping = build_mapping_network(8, 6, layers_count=3)
    assert mapping.output.shape == (None, 6) and len(mapping.layers) == 5  # input, pixel norm, 3 dense
    synthesis = build_synthesis_network((32, 32, 3), w_dim=6, filters=4, max_filters=16)
    assert [tuple(i.shape) for i in synthesis.inputs] == [(None, 8, 6), (None, 32, 32, 8)]
    assert synthesis.output.shape == (None, 32, 32, 3)
    assert synthesis.get_layer("conv_4_0").filters == 16 and synthesis.get_layer("conv_32_1").filters == 4
    generator = small_generator()
    assert generator.inputs[0].shape == (None, 8) and generator.output.shape == (None, 16, 16, 1)
    mapping, truncation, noise, synthesis = style_parts(generator)
    assert truncation.num_ws == 6 and noise.size == 16
    discriminator = build_style_discriminator((16, 16, 1), filters=4, max_filters=8)
    assert discriminator.output.shape == (None, 1)
    with pytest.raises(ValueError, match="not a style-based generator"):
        style_parts(build_dcgan_generator(8, (16, 16, 1)))


def test_style_mixing_uses_both_codes_and_truncation_to_zero_gives_the_average_image():
    generator = small_generator()
    truncation = style_parts(generator)[1]
    truncation.w_average.assign(np.linspace(-1, 1, 8).astype(np.float32))
    z = np.random.default_rng(0).standard_normal((4, 8)).astype(np.float32)
    a, b = styles(generator, z[:2]), styles(generator, z[2:])
    for crossover in (1, 3, 5):  # each crossover layer changes the image: both codes are used
        mixed = synthesize(generator, mix_styles(a, b, crossover))
        assert np.abs(mixed - synthesize(generator, a)).max() > 1e-4
        assert np.abs(mixed - synthesize(generator, b)).max() > 1e-4
    with pytest.raises(ValueError, match="crossover must be in 1..5"):
        mix_styles(a, b, 6)
    average = synthesize(generator, np.repeat(np.asarray(truncation.w_average)[None, None], 6, axis=1))
    images = synthesize(generator, styles(generator, z, psi=0.0))
    assert images == pytest.approx(np.repeat(average, 4, axis=0), abs=1e-5)
    assert synthesize(generator, styles(generator, z)) == pytest.approx(np.asarray(generator(z)), abs=1e-5)


def test_redrawn_noise_changes_pixels_once_its_weights_are_on():
    generator = small_generator()
    z = np.random.default_rng(1).standard_normal((2, 8)).astype(np.float32)
    ws = styles(generator, z)
    fixed = synthesize(generator, ws)
    assert synthesize(generator, ws, random_noise(generator, 2, seed=3)) == pytest.approx(fixed)  # weights at 0
    for layer in generator.get_layer("synthesis").layers:
        if isinstance(layer, NoiseInjection):
            layer.strength.assign(np.full(layer.strength.shape, 0.5, np.float32))
    fixed = synthesize(generator, ws)
    redrawn = synthesize(generator, ws, random_noise(generator, 2, seed=3))
    assert np.abs(redrawn - fixed).max() > 1e-3
    assert synthesize(generator, ws) == pytest.approx(fixed)  # the fixed maps: the same image every time
    assert np.asarray(generator(z)) == pytest.approx(fixed, abs=1e-5)


def test_trainer_fits_tracks_the_average_w_and_round_trips_with_its_optimizers(tmp_path):
    generator = small_generator()
    discriminator = build_style_discriminator((16, 16, 1), filters=4, max_filters=8)
    gan = StyleGAN(generator, discriminator, seed=0, ema_decay=0.9)
    gan.compile(keras.optimizers.Adam(2e-3, 0.0, 0.99), keras.optimizers.Adam(2e-3, 0.0, 0.99), r1_gamma=1.0,
                r1_interval=2)
    images = np.random.default_rng(0).uniform(-1, 1, (32, 16, 16, 1)).astype(np.float32)
    before = np.asarray(gan.generator.get_layer("synthesis").get_layer("conv_4_0").kernel).copy()
    history = gan.fit(images, batch_size=8, epochs=1, verbose=0).history
    assert set(history) == {"d_loss", "g_loss", "d_real_accuracy", "d_fake_accuracy", "r1_penalty"}
    assert history["r1_penalty"][0] > 0  # steps 2 and 4 of 4 regularised
    assert np.abs(np.asarray(gan.generator.get_layer("synthesis").get_layer("conv_4_0").kernel) - before).max() > 0
    average = np.asarray(gan.truncation.w_average)
    assert np.abs(average).max() > 0
    assert np.asarray(gan.sampler.get_layer("truncation").w_average) == pytest.approx(average)
    path = tmp_path / "stylegan.keras"
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, StyleGAN) and loaded.style_mixing == 0.9 and loaded.r1_interval == 2
    assert int(loaded.d_optimizer.iterations) == int(gan.d_optimizer.iterations)  # 4 steps + 2 R1 steps
    z = np.random.default_rng(2).standard_normal((3, 8)).astype(np.float32)
    assert np.asarray(loaded.sampler(z)) == pytest.approx(np.asarray(gan.sampler(z)), abs=1e-5)
    loaded.fit(images, batch_size=8, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="does not train with gp_weight"):
        gan.compile(gp_weight=10.0)
    with pytest.raises(ValueError, match="not a style-based generator"):
        StyleGAN(build_dcgan_generator(8, (16, 16, 1)), discriminator)


def test_the_saved_generator_loads_in_safe_mode_in_a_fresh_process(tmp_path):
    generator = small_generator()
    path = tmp_path / "generator.keras"
    generator.save(path)
    z = np.random.default_rng(0).standard_normal((2, 8)).astype(np.float32)
    np.save(tmp_path / "z.npy", z)
    np.save(tmp_path / "expected.npy", np.asarray(generator(z)))
    code = (f"import numpy as np, keras, gan_tf; g = keras.models.load_model({str(path)!r}, safe_mode=True); "
            f"z = np.load({str(tmp_path / 'z.npy')!r}); e = np.load({str(tmp_path / 'expected.npy')!r}); "
            "assert np.abs(np.asarray(g(z)) - e).max() < 1e-5; gan_tf.style_parts(g); print('ok')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


LAZY_R1 = """
import json, sys
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import numpy as np
import keras
from core_tf.distribute import fit, for_replicas, make_strategy
from gan_tf import build_style_discriminator, build_style_generator
from gan_tf.stylegan import StyleGAN

images = np.tanh(np.random.default_rng(0).normal(size=(64, 16, 16, 1))).astype("float32")
weights = []
for strategy in (tf.distribute.get_strategy(), make_strategy("mirrored")):
    keras.utils.set_random_seed(0)
    with strategy.scope():
        networks = build_style_generator(8, (16, 16, 1), 8, 2, 4, 8), build_style_discriminator((16, 16, 1), 4, 8)
        trainer = StyleGAN(*map(for_replicas, networks), seed=1)
        trainer.compile(r1_gamma=1.0, r1_interval=4)
    batches = tf.data.Dataset.from_tensor_slices(images).batch(8, drop_remainder=True)
    if strategy.num_replicas_in_sync > 1:
        fit(trainer, batches, epochs=1, verbose=0)
    else:
        trainer.fit(batches, epochs=1, verbose=0, shuffle=False)
    weights.append(trainer.get_weights())
    r1 = float(trainer.r1_tracker.result())
print(json.dumps({"difference": max(float(np.abs(a - b).max()) for a, b in zip(*weights)), "r1": r1,
                  "replicas": strategy.num_replicas_in_sync}))
"""


def test_lazy_r1_and_style_mixing_over_two_devices_train_what_one_device_trains():
    """The CPU split into two logical devices: eight steps, R1 every fourth, synchronised in cross-replica context."""
    result = subprocess.run([sys.executable, "-c", LAZY_R1], capture_output=True, text=True, timeout=300, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": ROOT})
    assert result.returncode == 0, result.stderr[-3000:]
    numbers = json.loads(result.stdout.strip().splitlines()[-1])
    assert numbers["replicas"] == 2 and numbers["r1"] > 0  # R1 ran
    assert numbers["difference"] < 1e-5
