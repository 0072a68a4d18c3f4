"""Activation maximisation and feature maps on tiny models whose answers are known."""

import keras
import numpy as np
import pytest

from eval_tf.visualization import (
    Regularizers,
    class_probabilities,
    feature_maps,
    first_layer_filters,
    maximize_activation,
    total_variation,
    unit_objective,
)


def linear_model(seed=0):
    """Two output units, each a fixed weighting of the pixels: the maximum in [-1, 1] is sign(weights)."""
    rng = np.random.default_rng(seed)
    inputs = keras.Input((6, 6, 1))
    dense = keras.layers.Dense(2, use_bias=False, name="units")
    model = keras.Model(inputs, dense(keras.layers.Flatten()(inputs)))
    dense.set_weights([rng.standard_normal((36, 2)).astype("float32")])
    return model, dense.get_weights()[0]


def test_ascent_finds_the_known_optimum_and_the_score_rises():
    model, weights = linear_model()
    result = maximize_activation(unit_objective(model), (6, 6, 1), [0, 1], steps=150, learning_rate=0.1)
    for unit in (0, 1):
        np.testing.assert_array_equal(np.sign(result.images[unit].ravel()), np.sign(weights[:, unit]))
        assert result.scores[unit] == pytest.approx(np.abs(weights[:, unit]).sum(), rel=1e-3)
    assert (result.history[-1] > result.history[0] + 1).all()
    assert result.images.min() >= -1 and result.images.max() <= 1


def test_the_same_seed_gives_the_same_images_and_another_seed_others():
    model, _ = linear_model()
    settings = dict(steps=20, regularizers=Regularizers.readable())
    first = maximize_activation(unit_objective(model), (6, 6, 1), [0], seed=3, **settings)
    again = maximize_activation(unit_objective(model), (6, 6, 1), [0], seed=3, **settings)
    other = maximize_activation(unit_objective(model), (6, 6, 1), [0], seed=4, **settings)
    np.testing.assert_array_equal(first.images, again.images)
    assert not np.array_equal(first.images, other.images)


@pytest.mark.parametrize("regularizers, measure", [
    # the linear units' gradient is about 1 per pixel; penalties that are means over the image need large weights
    (Regularizers(tv=100.0), lambda images: total_variation(images).numpy()),
    (Regularizers(l2=100.0), lambda images: np.mean(images**2, axis=(1, 2, 3))),
    (Regularizers(blur_every=2, blur_sigma=1.0), lambda images: total_variation(images).numpy()),
])
def test_each_regulariser_moves_the_image_its_way(regularizers, measure):
    model, _ = linear_model(seed=1)
    plain = maximize_activation(unit_objective(model), (6, 6, 1), [0, 1], steps=60)
    regular = maximize_activation(unit_objective(model), (6, 6, 1), [0, 1], steps=60, regularizers=regularizers)
    assert (measure(regular.images.astype("float32")) < 0.8 * measure(plain.images.astype("float32"))).all()


def test_jitter_shifts_the_image_between_steps():
    model, _ = linear_model(seed=2)
    still = maximize_activation(unit_objective(model), (6, 6, 1), [0], steps=30)
    jittered = maximize_activation(unit_objective(model), (6, 6, 1), [0], steps=30, regularizers=Regularizers(jitter=2))
    assert not np.allclose(still.images, jittered.images)


def test_networks_run_in_inference_mode_and_keep_their_state():
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Conv2D(4, 3, name="conv")(inputs)
    x = keras.layers.BatchNormalization(name="norm")(x)
    x = keras.layers.Dropout(0.9)(x)
    model = keras.Model(inputs, keras.layers.Dense(3)(keras.layers.Flatten()(x)))
    before = [w.copy() for w in model.get_weights()]
    first = maximize_activation(unit_objective(model, "norm"), (8, 8, 1), [0, 3], steps=10)
    again = maximize_activation(unit_objective(model, "norm"), (8, 8, 1), [0, 3], steps=10)
    np.testing.assert_array_equal(first.images, again.images)  # dropout at 0.9 would make them differ
    for old, new in zip(before, model.get_weights()):  # moving statistics included
        np.testing.assert_array_equal(old, new)


def test_a_generator_prior_returns_images_the_generator_can_make():
    """This generator can only draw flat images: the prior keeps the result flat, pixel space does not."""
    model, _ = linear_model()
    z = keras.Input((3,))
    level = keras.layers.Dense(1, activation="tanh")(z)
    flat = keras.layers.Reshape((6, 6, 1))(keras.layers.RepeatVector(36)(level))
    generator = keras.Model(z, flat)
    result = maximize_activation(unit_objective(model), (6, 6, 1), [0, 1], steps=50, generator=generator)
    assert np.ptp(result.images, axis=(1, 2, 3)).max() < 1e-6
    pixels = maximize_activation(unit_objective(model), (6, 6, 1), [0, 1], steps=50)
    assert np.ptp(pixels.images, axis=(1, 2, 3)).min() > 1


def test_a_softmax_output_is_maximised_as_logits_and_read_as_probabilities():
    inputs = keras.Input((4, 4, 1))
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(keras.layers.Flatten()(inputs)))
    logits = unit_objective(model)(np.zeros((2, 4, 4, 1), np.float32)).numpy()
    np.testing.assert_allclose(logits, 0.0, atol=1e-6)  # a zero image: the bias, 0, not 1/3
    result = maximize_activation(unit_objective(model), (4, 4, 1), [0, 1, 2], steps=100, learning_rate=0.1)
    probabilities = class_probabilities(model, result.images)
    np.testing.assert_allclose(probabilities.sum(1), 1.0, rtol=1e-5)
    assert (probabilities.argmax(1) == [0, 1, 2]).all()


def test_the_log_probability_objective_wins_where_another_class_climbs_faster():
    # class 1's logit is twice class 0's plus a direction of its own: raising class 0's logit raises
    # class 1's faster, so only the log-probability (which lowers the others) makes class 0 certain
    rng = np.random.default_rng(0)
    w, u = rng.standard_normal(16), rng.standard_normal(16)
    inputs = keras.Input((4, 4, 1))
    dense = keras.layers.Dense(2, use_bias=False, activation="softmax")
    model = keras.Model(inputs, dense(keras.layers.Flatten()(inputs)))
    dense.set_weights([np.stack([w, 2 * w + u], 1).astype("float32")])
    p = {}
    for log_probability in (False, True):
        result = maximize_activation(unit_objective(model, log_probability=log_probability), (4, 4, 1), [0],
                                     steps=100, learning_rate=0.1)
        p[log_probability] = class_probabilities(model, result.images)[0, 0]
    assert p[False] < 0.5 < 0.99 < p[True], p
    assert (unit_objective(model, log_probability=True)(result.images).numpy() <= 0).all()
    with pytest.raises(ValueError, match="needs a classifier's class outputs"):
        unit_objective(linear_model()[0], "units", log_probability=True)
    score = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Flatten()(inputs)))
    with pytest.raises(ValueError, match="needs a classifier's class outputs"):
        unit_objective(score, log_probability=True)


def test_unknown_layers_and_layers_without_maps_are_named():
    model, _ = linear_model()
    with pytest.raises(ValueError, match="no layer 'conv9' in .*; valid: flatten.*, units"):
        unit_objective(model, "conv9")
    with pytest.raises(ValueError, match="layer 'units' has no spatial maps"):
        feature_maps(model, np.zeros((6, 6, 1)), ["units"])
    with pytest.raises(ValueError, match="has no convolutional layers"):
        feature_maps(model, np.zeros((6, 6, 1)))


def test_feature_maps_and_first_layer_filters():
    inputs = keras.Input((8, 8, 1))
    first = keras.layers.Conv2D(3, 3, padding="same", name="first")
    second = keras.layers.Conv2D(5, 3, strides=2, padding="same", name="second")
    model = keras.Model(inputs, second(first(inputs)))
    maps = feature_maps(model, np.ones((8, 8, 1)))
    assert [(name, values.shape) for name, values in maps] == [("first", (8, 8, 3)), ("second", (4, 4, 5))]
    kernel, bias = first.get_weights()
    np.testing.assert_allclose(maps[0][1][4, 4], kernel.sum(axis=(0, 1, 2)) + bias, rtol=1e-5)
    filters = first_layer_filters(model)
    assert filters.shape == (3, 3, 3, 1) and np.abs(filters).max(axis=(1, 2, 3)) == pytest.approx(1.0)
