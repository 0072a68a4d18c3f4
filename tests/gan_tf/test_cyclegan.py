"""The CycleGAN pieces: losses by hand, the image pool, the networks, the schedule and the trainer harness."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import (
    ConstantThenLinearDecay,
    CycleGAN,
    ImagePool,
    ReflectionPadding2D,
    build_patch_discriminator,
    build_resnet_generator,
    cycle_consistency_loss,
    identity_loss,
    semantic_consistency_loss,
)
from helpers import ROOT

SHAPE = (16, 16, 3)


def test_cycle_and_identity_losses_are_mean_absolute_errors():
    images = np.array([[0.5, -1.0], [1.0, 0.0]], np.float32)
    reconstructed = np.array([[0.0, -1.0], [0.0, 1.0]], np.float32)
    assert float(cycle_consistency_loss(images, reconstructed)) == pytest.approx((0.5 + 0 + 1 + 1) / 4)
    assert float(identity_loss(images, images)) == 0.0


def test_semantic_consistency_is_the_cross_entropy_against_the_class_read_on_the_source():
    source = np.array([[0.1, 0.9], [0.8, 0.2]], np.float32)  # read as classes 1 and 0
    translated = np.array([[0.5, 0.5], [0.25, 0.75]], np.float32)
    expected = (-np.log(0.5) - np.log(0.25)) / 2
    assert float(semantic_consistency_loss(source, translated)) == pytest.approx(expected, rel=1e-6)
    assert float(semantic_consistency_loss(source, source)) < expected


def test_semantic_consistency_keeps_a_gradient_when_the_reading_is_confidently_wrong():
    inputs = keras.Input((4,))
    classifier = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(inputs))
    classifier.layers[-1].kernel.assign(np.tile(np.array([[0.0, 0.0, 40.0]], np.float32), (4, 1)))
    source = np.eye(3, dtype=np.float32)[[0, 0]]  # read as class 0; the translation is read as 2
    translated = tf.Variable(np.full((2, 4), 1.0, np.float32))  # p(class 0) = e^-160: below any clipping floor

    @tf.function
    def loss_and_gradient():
        with tf.GradientTape() as tape:
            loss = semantic_consistency_loss(source, classifier(translated))
        return loss, tape.gradient(loss, translated)

    loss, gradient = loss_and_gradient()
    assert float(loss) == pytest.approx(160.0, rel=1e-4)
    assert float(tf.reduce_min(tf.abs(gradient))) > 1.0


def test_reflection_padding_mirrors_the_border():
    image = np.arange(9, dtype=np.float32).reshape(1, 3, 3, 1)
    padded = np.asarray(ReflectionPadding2D(1)(image))[0, :, :, 0]
    assert padded.shape == (5, 5)
    np.testing.assert_array_equal(padded[0, 1:4], [3, 4, 5])  # row 1 mirrored above row 0
    np.testing.assert_array_equal(padded[1:4, 0], [1, 4, 7])  # column 1 mirrored left of column 0


def test_image_pool_fills_then_mixes_new_and_stored_images():
    pool = ImagePool(size=4, seed=0)
    pool.build((None, 1, 1, 1))
    first = np.arange(4, dtype=np.float32).reshape(4, 1, 1, 1)
    np.testing.assert_array_equal(pool(first), first)  # filling: every image is returned as it is
    assert int(pool.count.numpy()) == 4
    fresh, stored = [], set(first.ravel())
    for step in range(20):
        new = np.full((4, 1, 1, 1), 100 + step, np.float32)
        out = np.asarray(pool(new)).ravel()
        fresh += list(out == 100 + step)
        for value in out:  # each image is either the new one or one the pool held before
            assert value == 100 + step or value in stored
        stored = set(pool.images.numpy().ravel())
        assert 100 + step in stored or all(out == 100 + step)  # a swapped-out image left the new one behind
    assert 0.3 < np.mean(fresh) < 0.7  # about half are the new images, the rest earlier ones


def test_image_pool_of_size_zero_returns_the_images():
    images = np.random.default_rng(0).normal(size=(3, 2, 2, 1)).astype(np.float32)
    np.testing.assert_array_equal(ImagePool(0)(images), images)


def test_translation_networks_take_any_multiple_of_four_and_keep_the_shape():
    generator = build_resnet_generator(SHAPE, filters=4, residual_blocks=2)
    for size in (16, 24):
        x = np.zeros((2, size, size, 3), np.float32)
        assert generator(x).shape == (2, size, size, 3)
    assert np.all(np.abs(np.asarray(generator(x))) <= 1)
    assert sum("group_normalization" in layer.name for layer in generator.layers) > 0
    discriminator = build_patch_discriminator(SHAPE, filters=4)
    assert discriminator(np.zeros((2, 16, 16, 3), np.float32)).shape == (2, 8, 8, 1)  # one stride-2 layer at 16 px
    assert build_patch_discriminator((32, 32, 3), 4)(np.zeros((1, 32, 32, 3))).shape == (1, 8, 8, 1)  # two
    with pytest.raises(ValueError, match="multiples of 4"):
        build_resnet_generator((18, 18, 3))


def test_constant_then_linear_decay():
    schedule = ConstantThenLinearDecay(2e-4, constant_steps=10, decay_steps=10)
    assert [float(schedule(step)) for step in (0, 10, 15, 20, 30)] == pytest.approx([2e-4, 2e-4, 1e-4, 0, 0])


def _trainer(identity_weight=0.5, semantic_weight=0.0):
    keras.utils.set_random_seed(0)
    networks = [build_resnet_generator(SHAPE, 4, 1, name="g_ab"), build_resnet_generator(SHAPE, 4, 1, name="g_ba"),
                build_patch_discriminator(SHAPE, 4, name="d_a"), build_patch_discriminator(SHAPE, 4, name="d_b")]
    classifier = keras.Sequential([keras.Input(SHAPE), keras.layers.Conv2D(4, 3, strides=2, activation="relu"),
                                   keras.layers.Flatten(), keras.layers.Dense(3, activation="softmax")],
                                  name="semantic")
    trainer = CycleGAN(*networks, image_shape=SHAPE, pool_size=4, seed=0,
                       semantic_classifier=classifier if semantic_weight else None)
    trainer.compile(identity_weight=identity_weight, semantic_weight=semantic_weight)
    return trainer


def _batches(n=8):
    rng = np.random.default_rng(0)
    a, b = (rng.uniform(-1, 1, (n, *SHAPE)).astype(np.float32) for _ in range(2))
    return tf.data.Dataset.from_tensor_slices((a, b)).batch(4), a


def test_one_step_changes_all_four_networks_with_finite_losses():
    trainer = _trainer()
    data, _ = _batches()
    networks = (trainer.generator_ab, trainer.generator_ba, trainer.discriminator_a, trainer.discriminator_b)
    before = [[w.copy() for w in n.get_weights()] for n in networks]
    history = trainer.fit(data.take(1), epochs=1, verbose=0).history
    assert set(history) == {"g_loss", "adversarial_ab", "adversarial_ba", "cycle_loss", "identity_loss",
                            "d_a_loss", "d_b_loss"}
    assert all(np.isfinite(values[-1]) for values in history.values())
    for network, old in zip(networks, before):
        assert any(not np.allclose(w, o) for w, o in zip(network.get_weights(), old)), network.name
    scores = trainer.evaluate(data, verbose=0, return_dict=True)
    assert np.isfinite(scores["cycle_loss"])
    assert all(m.name != "identity_loss" for m in _trainer(identity_weight=0.0).metrics)


def test_the_semantic_term_moves_g_only_and_leaves_its_classifier_as_it_was(tmp_path):
    data, a = _batches()
    plain, semantic = _trainer(), _trainer(semantic_weight=1.0)
    classifier = [w.copy() for w in semantic.semantic_classifier.get_weights()]
    history = semantic.fit(data.take(1), epochs=1, verbose=0).history
    plain.fit(data.take(1), epochs=1, verbose=0)
    assert np.isfinite(history["semantic_loss"][-1]) and history["semantic_loss"][-1] > 0
    assert any(not np.allclose(w, o) for w, o in zip(semantic.generator_ab.get_weights(),
                                                     plain.generator_ab.get_weights()))
    for w, o in zip(semantic.generator_ba.get_weights(), plain.generator_ba.get_weights()):
        np.testing.assert_allclose(w, o, atol=1e-6)  # F(b) is not in the term
    for w, o in zip(semantic.semantic_classifier.get_weights(), classifier):
        np.testing.assert_array_equal(w, o)
    path = tmp_path / "semantic.keras"
    semantic.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.semantic_weight == 1.0
    np.testing.assert_allclose(loaded.semantic_classifier(a[:2]), semantic.semantic_classifier(a[:2]), atol=1e-6)
    with pytest.raises(ValueError, match="semantic_classifier"):
        _trainer().compile(semantic_weight=1.0)


def test_keras_round_trip_keeps_outputs_optimizers_and_pools(tmp_path):
    trainer = _trainer()
    data, a = _batches()
    trainer.fit(data, epochs=1, verbose=0)
    path = tmp_path / "cyclegan.keras"
    trainer.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded(a[:2]), trainer(a[:2]), atol=1e-6)
    np.testing.assert_allclose(loaded.generator_ba(a[:2]), trainer.generator_ba(a[:2]), atol=1e-6)
    assert int(loaded.d_b_optimizer.iterations.numpy()) == 2
    np.testing.assert_array_equal(loaded.pool_a.images.numpy(), trainer.pool_a.images.numpy())
    assert loaded.cycle_weight == 10.0 and loaded.identity_weight == 0.5
    loaded.fit(data, epochs=1, verbose=0)  # it continues training
    assert int(loaded.g_ab_optimizer.iterations.numpy()) == 4


def test_a_generator_loads_in_a_fresh_process_after_importing_gan_tf(tmp_path):
    generator = build_resnet_generator(SHAPE, 4, 1)
    path = tmp_path / "generator_ab.keras"
    generator.save(path)
    x = np.random.default_rng(1).uniform(-1, 1, (2, *SHAPE)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", np.asarray(generator(x)))
    code = ("import sys, numpy as np, keras, gan_tf; m = keras.models.load_model(sys.argv[1], safe_mode=True); "
            "x = np.load(sys.argv[2]); assert np.allclose(m(x), np.load(sys.argv[3]), atol=1e-5); print('same')")
    result = subprocess.run([sys.executable, "-c", code, str(path), str(tmp_path / "x.npy"), str(tmp_path / "y.npy")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and "same" in result.stdout, result.stderr


TWO_DEVICES = """
import json
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import numpy as np
import keras
from core_tf.distribute import fit, for_replicas, make_strategy
from gan_tf import CycleGAN, build_patch_discriminator, build_resnet_generator

shape = (16, 16, 1)
rng = np.random.default_rng(0)
a, b = (rng.uniform(-1, 1, (40, *shape)).astype("float32") for _ in range(2))
results = []
for strategy in (tf.distribute.get_strategy(), make_strategy("mirrored")):
    keras.utils.set_random_seed(0)
    with strategy.scope():
        networks = [build_resnet_generator(shape, 4, 1), build_resnet_generator(shape, 4, 1),
                    build_patch_discriminator(shape, 4), build_patch_discriminator(shape, 4)]
        trainer = CycleGAN(*map(for_replicas, networks), image_shape=shape, pool_size=12, seed=0)
        # SGD: a loss scaled wrongly over the replicas changes its steps (Adam would normalise it away); at 1e-2 and
        # above, float32 rounding grows through these five steps beyond the tolerance
        trainer.compile(*(keras.optimizers.SGD(1e-3) for _ in range(4)))
    batches = tf.data.Dataset.from_tensor_slices((a, b)).batch(8, drop_remainder=True)
    if strategy.num_replicas_in_sync > 1:
        fit(trainer, batches, epochs=1, verbose=0)
    else:
        trainer.fit(batches, epochs=1, verbose=0, shuffle=False)
    results.append(trainer.get_weights())
    print(json.dumps({"replicas": strategy.num_replicas_in_sync,
                      "stored": int(trainer.pool_a.count.numpy())}))
names = [weight.path for weight in trainer.weights]
print(json.dumps({name: float(np.abs(x - y).max()) for name, x, y in zip(names, *results)}))
"""


def test_the_pools_over_two_devices_hold_and_return_what_one_device_does():
    """The CPU split into two logical devices: five steps of 8 through pools of 12, which fill and then swap."""
    result = subprocess.run([sys.executable, "-c", TWO_DEVICES], capture_output=True, text=True, timeout=300,
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": ROOT})
    assert result.returncode == 0, result.stderr[-3000:]
    one, two, differences = (json.loads(line) for line in result.stdout.strip().splitlines()[-3:])
    assert (one["replicas"], two["replicas"]) == (1, 2) and one["stored"] == two["stored"] == 12
    assert any("pool_a" in name for name in differences)
    worst = max(differences, key=differences.get)
    assert differences[worst] < 1e-5, (worst, differences[worst])
