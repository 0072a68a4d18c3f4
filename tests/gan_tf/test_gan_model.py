"""The model harness: config round trip, shapes, a real fit step, evaluate, .keras save/load."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import GAN, build_gan_networks, latent_noise, r1_penalty
from gan_tf.gan import AVERAGE_STATISTICS_SAMPLES

SHAPES = {"tutorial": (8, 8, 1), "dcgan": (8, 8, 3)}
LOG_KEYS = {"d_loss", "g_loss", "d_real_accuracy", "d_fake_accuracy"}


def make_gan(architecture, seed=0, **compile_kwargs):
    keras.utils.set_random_seed(seed)
    generator, discriminator = build_gan_networks(architecture, 8, SHAPES[architecture])
    gan = GAN(generator, discriminator, seed=seed)
    gan.compile(**compile_kwargs)
    return gan


def images(architecture, n=32):
    return np.random.default_rng(1).uniform(-1, 1, (n, *SHAPES[architecture])).astype("float32")


@pytest.fixture(params=sorted(SHAPES))
def architecture(request):
    return request.param


def test_call_generates_images_in_range(architecture):
    gan = make_gan(architecture)
    out = np.asarray(gan(latent_noise(5, 8)))
    assert out.shape == (5, *SHAPES[architecture])
    assert out.min() >= -1 and out.max() <= 1


def test_config_round_trip(architecture):
    gan = make_gan(architecture, seed=7)
    clone = GAN.from_config(gan.get_config())
    assert clone.seed == 7 and clone.latent_dim == 8
    assert [layer.__class__ for layer in clone.generator.layers] == [layer.__class__ for layer in gan.generator.layers]
    assert clone.discriminator.output_shape == gan.discriminator.output_shape


def test_fit_updates_both_networks_with_finite_logs(architecture):
    gan = make_gan(architecture)
    before_g = [w.copy() for w in gan.generator.get_weights()]
    before_d = [w.copy() for w in gan.discriminator.get_weights()]
    history = gan.fit(images(architecture), batch_size=16, epochs=1, verbose=0, shuffle=False)
    assert set(history.history) == LOG_KEYS
    assert all(np.isfinite(v[0]) for v in history.history.values())
    assert 0 <= history.history["d_real_accuracy"][0] <= 1
    assert any(not np.allclose(a, b) for a, b in zip(before_g, gan.generator.get_weights()))
    assert any(not np.allclose(a, b) for a, b in zip(before_d, gan.discriminator.get_weights()))
    assert int(gan.d_optimizer.iterations) == int(gan.g_optimizer.iterations) == 2


def test_fit_accepts_labelled_batches(architecture):
    gan = make_gan(architecture)
    history = gan.fit(images(architecture), np.zeros(32, "int32"), batch_size=16, epochs=1, verbose=0)
    assert set(history.history) == LOG_KEYS


def test_evaluate_does_not_train(architecture):
    gan = make_gan(architecture)
    weights = [w.copy() for w in gan.generator.get_weights()]
    logs = gan.evaluate(images(architecture), batch_size=16, verbose=0, return_dict=True)
    assert set(logs) == LOG_KEYS and all(np.isfinite(list(logs.values())))
    assert all(np.array_equal(a, b) for a, b in zip(weights, gan.generator.get_weights()))


def test_compile_forwards_keras_arguments():
    gan = make_gan("tutorial", jit_compile=False, steps_per_execution=2)
    assert gan.jit_compile is False and gan.steps_per_execution == 2
    gan.fit(images("tutorial"), batch_size=8, epochs=1, verbose=0)
    assert int(gan.g_optimizer.iterations) == 4


def test_same_seed_same_training():
    weights = []
    for _ in range(2):
        gan = make_gan("dcgan", seed=3)
        gan.fit(images("dcgan"), batch_size=16, epochs=1, verbose=0, shuffle=False)
        weights.append(gan.generator.get_weights())
    assert all(np.allclose(a, b, atol=1e-6) for a, b in zip(*weights))
    other = make_gan("dcgan", seed=4)
    assert not all(np.allclose(a, b) for a, b in zip(weights[0], other.generator.get_weights()))


def test_evaluate_leaves_the_training_noise_alone():
    gan = make_gan("tutorial")
    state = np.asarray(gan.seed_generator.state).copy()
    gan.evaluate(images("tutorial"), batch_size=16, verbose=0)
    assert np.array_equal(np.asarray(gan.seed_generator.state), state)


def test_reloaded_model_keeps_jit_and_steps_per_execution(tmp_path):
    gan = make_gan("tutorial", jit_compile=False, steps_per_execution=2)
    gan.save(tmp_path / "gan.keras")
    loaded = keras.models.load_model(tmp_path / "gan.keras")
    assert loaded.jit_compile is False and loaded.steps_per_execution == 2


def test_unknown_loss_is_rejected_at_compile():
    with pytest.raises(ValueError, match="unknown GAN loss"):
        make_gan("tutorial", loss="hinge-ish")


def test_keras_file_round_trip_keeps_outputs_and_optimizer_state(architecture, tmp_path):
    gan = make_gan(architecture, loss="minimax",
                   d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.3),
                   g_optimizer=keras.optimizers.Adam(5e-4))
    gan.fit(images(architecture), batch_size=16, epochs=1, verbose=0)
    path = tmp_path / "gan.keras"
    gan.save(path)
    loaded = keras.models.load_model(path)
    noise = latent_noise(4, 8)
    np.testing.assert_allclose(np.asarray(loaded(noise)), np.asarray(gan(noise)), atol=1e-6)
    assert loaded.loss == "minimax"
    assert float(loaded.d_optimizer.learning_rate) == pytest.approx(1e-3)
    assert float(loaded.d_optimizer.beta_1) == pytest.approx(0.3)
    assert int(loaded.g_optimizer.iterations) == 2
    for saved, restored in zip(gan.g_optimizer.variables, loaded.g_optimizer.variables):
        np.testing.assert_allclose(np.asarray(restored), np.asarray(saved))
    loaded.fit(images(architecture), batch_size=16, epochs=1, verbose=0)
    assert int(loaded.g_optimizer.iterations) == 4


def test_generator_file_loads_in_plain_keras_without_this_package(tmp_path):
    gan = make_gan("dcgan")
    gan.fit(images("dcgan"), batch_size=16, epochs=1, verbose=0)
    gan.generator.save(tmp_path / "generator.keras")
    noise = latent_noise(3, 8)
    np.save(tmp_path / "noise.npy", noise)
    script = (
        "import os, sys, numpy as np; os.environ['KERAS_BACKEND'] = 'tensorflow'; import keras; "
        f"m = keras.models.load_model({str(tmp_path / 'generator.keras')!r}); "
        f"np.save({str(tmp_path / 'out.npy')!r}, np.asarray(m(np.load({str(tmp_path / 'noise.npy')!r})))); "
        "assert not any(name.split('.')[0] in ('gan_tf', 'lab_tf', 'core_tf', 'data') for name in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": ""})
    assert result.returncode == 0, result.stderr
    np.testing.assert_allclose(np.load(tmp_path / "out.npy"), np.asarray(gan.generator(noise)), atol=1e-6)


def labelled(n=32, classes=3):
    return images("tutorial", n), (np.arange(n) % classes).astype("int32")


def make_conditional_gan(**compile_kwargs):
    keras.utils.set_random_seed(0)
    generator, discriminator = build_gan_networks("tutorial", 8, (8, 8, 1), num_classes=3)
    gan = GAN(generator, discriminator, seed=0)
    gan.compile(**compile_kwargs)
    return gan


def test_conditional_gan_trains_on_labelled_batches_and_round_trips(tmp_path):
    gan = make_conditional_gan()
    x, y = labelled()
    history = gan.fit(x, y, batch_size=16, epochs=1, verbose=0)
    assert set(history.history) == LOG_KEYS and all(np.isfinite(v[0]) for v in history.history.values())
    with pytest.raises(ValueError, match="conditional GAN trains on \\(images, labels\\) batches"):
        gan.fit(x, batch_size=16, epochs=1, verbose=0)
    gan.save(tmp_path / "cgan.keras")
    loaded = keras.models.load_model(tmp_path / "cgan.keras")
    inputs = [latent_noise(4, 8), keras.ops.convert_to_tensor([0, 1, 2, 0])]
    np.testing.assert_allclose(np.asarray(loaded(inputs)), np.asarray(gan(inputs)), atol=1e-6)
    assert loaded.conditional


def test_wgan_gp_updates_the_generator_every_d_steps_and_logs_the_critic():
    keras.utils.set_random_seed(0)
    generator, critic = build_gan_networks("tutorial", 8, (8, 8, 1), critic=True)
    gan = GAN(generator, critic, seed=0)
    gan.compile(loss="wasserstein", d_steps=3, gp_weight=10.0)
    history = gan.fit(images("tutorial", 96), batch_size=16, epochs=1, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss", "critic_gap", "gradient_penalty"}
    assert int(gan.d_optimizer.iterations) == 6 and int(gan.g_optimizer.iterations) == 2
    assert history.history["gradient_penalty"][0] > 0


def test_r1_adds_gamma_over_two_times_the_penalty_to_the_discriminator_loss():
    keras.utils.set_random_seed(0)
    generator, discriminator = build_gan_networks("mlp", 4, (2,), critic=True)
    real = np.random.default_rng(2).normal(size=(16, 2)).astype("float32")

    def one_step(r1_gamma):  # one plain SGD step from the same weights and noise
        gan = GAN(keras.models.clone_model(generator), keras.models.clone_model(discriminator), seed=0)
        gan.generator.set_weights(generator.get_weights())
        gan.discriminator.set_weights(discriminator.get_weights())
        gan.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1), r1_gamma=r1_gamma)
        history = gan.fit(real, batch_size=16, epochs=1, verbose=0, shuffle=False)
        return gan.discriminator.get_weights(), gan.generator.get_weights(), history.history

    plain, plain_generator, plain_logs = one_step(0.0)
    regularised, generator_after, logs = one_step(4.0)
    for a, b in zip(plain_generator, generator_after):  # the generator's loss has no penalty
        np.testing.assert_array_equal(a, b)
    assert logs["g_loss"] == plain_logs["g_loss"]
    with tf.GradientTape() as tape:
        penalty = r1_penalty(discriminator, real)
    gradients = tape.gradient(penalty, discriminator.trainable_weights)
    assert "r1_penalty" not in plain_logs and logs["r1_penalty"][0] == pytest.approx(float(penalty), rel=1e-5)
    assert float(penalty) > 0
    for without, with_r1, gradient in zip(plain, regularised, gradients):  # SGD(0.1) on 4 / 2 * penalty
        expected = np.zeros_like(without) if gradient is None else -0.1 * 2.0 * np.asarray(gradient)  # output bias
        np.testing.assert_allclose(with_r1 - without, expected, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("ema_decay, batch", [(0.9, 16), (0.1, 16), (0.9, AVERAGE_STATISTICS_SAMPLES + 16)])
def test_ema_generator_averages_the_weights_and_tracks_its_own_batch_norm_statistics(tmp_path, ema_decay, batch):
    keras.utils.set_random_seed(0)
    generator, discriminator = build_gan_networks("tutorial", 8, (8, 8, 1))
    gan = GAN(generator, discriminator, seed=0, ema_decay=ema_decay)
    gan.compile()
    start = [w.copy() for w in gan.generator.get_weights()]
    assert all(np.array_equal(a, b) for a, b in zip(start, gan.ema_generator.get_weights()))
    trainable = [np.asarray(w).copy() for w in gan.generator.trainable_weights]
    gan.fit(images("tutorial", batch), batch_size=batch, epochs=1, verbose=0)  # one step
    decay = min(ema_decay, 2 / 11)  # warmed up: (1 + t) / (10 + t) after update t = 1
    averaged = [decay * a + (1 - decay) * np.asarray(b) for a, b in zip(trainable, gan.generator.trainable_weights)]
    for average, value in zip(gan.ema_generator.trainable_weights, averaged):
        np.testing.assert_allclose(np.asarray(average), value, rtol=1e-5, atol=1e-6)
    # The statistics come from the averaged weights run on the step's noise (the seed's first draw), at most
    # AVERAGE_STATISTICS_SAMPLES of it, not from averaging the generator's statistics.
    expected = keras.models.clone_model(generator)
    expected.set_weights(start)
    for variable, value in zip(expected.trainable_weights, averaged):
        variable.assign(value)
    noise = keras.random.normal((batch, 8), seed=keras.random.SeedGenerator(0))
    expected(noise[:AVERAGE_STATISTICS_SAMPLES], training=True)
    statistics = [np.asarray(w) for w in gan.ema_generator.non_trainable_weights]
    assert statistics
    for value, target in zip(statistics, expected.non_trainable_weights):
        np.testing.assert_allclose(value, np.asarray(target), rtol=1e-4, atol=1e-5)
    assert gan.sampler is gan.ema_generator
    gan.save(tmp_path / "ema.keras")
    loaded = keras.models.load_model(tmp_path / "ema.keras")
    for a, b in zip(loaded.ema_generator.get_weights(), gan.ema_generator.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_instance_noise_is_annealed_to_zero():
    gan = make_gan("tutorial", instance_noise=0.5, instance_noise_steps=4)
    x = np.zeros((512, 8, 8, 1), "float32")
    assert float(np.std(np.asarray(gan._noisy(x)))) == pytest.approx(0.5, rel=0.05)
    gan.d_optimizer.iterations.assign(2)
    assert float(np.std(np.asarray(gan._noisy(x)))) == pytest.approx(0.25, rel=0.05)
    gan.d_optimizer.iterations.assign(9)
    assert float(np.max(np.abs(np.asarray(gan._noisy(x))))) == 0.0


@pytest.mark.parametrize("kwargs, message", [
    ({"loss": "hinge", "label_smoothing": 0.1}, "label smoothing needs a loss with a real target"),
    ({"d_steps": 0}, "d_steps must be at least 1"),
    ({"gp_weight": -1.0}, "gp_weight must be at least 0"),
    ({"r1_gamma": -1.0}, "r1_gamma must be at least 0"),
])
def test_compile_rejects_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_gan("tutorial", **kwargs)


def test_training_settings_survive_a_reload(tmp_path):
    gan = make_gan("tutorial", loss="least-squares", label_smoothing=0.1, d_steps=2, instance_noise=0.1, r1_gamma=5.0)
    gan.save(tmp_path / "gan.keras")
    loaded = keras.models.load_model(tmp_path / "gan.keras")
    assert (loaded.loss, loaded.label_smoothing, loaded.d_steps, loaded.instance_noise, loaded.r1_gamma) == (
        "least-squares", 0.1, 2, 0.1, 5.0)


def test_unrolled_steps_change_only_the_generators_update():
    # Same weights, seeds and batch: the discriminator's step is the same with or without
    # unrolling, the generator's is not (it sees the discriminator 3 simulated steps ahead).
    plain, unrolled = make_gan("tutorial"), make_gan("tutorial", unrolled_steps=3)
    for gan in (plain, unrolled):
        gan.fit(images("tutorial", 16), batch_size=16, epochs=1, verbose=0, shuffle=False)
    for a, b in zip(plain.discriminator.get_weights(), unrolled.discriminator.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert not all(np.allclose(a, b) for a, b in zip(plain.generator.get_weights(), unrolled.generator.get_weights()))
    assert all(np.isfinite(w).all() for w in unrolled.generator.get_weights())
    assert unrolled.get_compile_config()["unrolled_steps"] == 3


def test_unrolled_steps_need_an_adam_discriminator_optimizer():
    for optimizer in (keras.optimizers.SGD(), keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam())):
        with pytest.raises(ValueError, match="simulate plain Adam"):
            make_gan("tutorial", d_optimizer=optimizer, unrolled_steps=2)


def test_unrolled_steps_with_a_frozen_discriminator_change_nothing():
    # With a zero learning rate the simulated steps leave the discriminator where it is, so the
    # generator's update must be exactly the plain one: the unrolled path adds no other change
    # (dcgan: a discriminator without dropout, whose masks would differ between passes).
    weights = []
    for steps in (0, 3):
        gan = make_gan("dcgan", d_optimizer=keras.optimizers.Adam(0.0), unrolled_steps=steps)
        gan.fit(images("dcgan", 16), batch_size=16, epochs=1, verbose=0, shuffle=False)
        weights.append(gan.generator.get_weights())
    for a, b in zip(*weights):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
