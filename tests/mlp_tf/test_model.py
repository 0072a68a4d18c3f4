"""The model harness for build_mlp: shapes, layer names, a real fit step, evaluate, .keras round trip."""

import os

import keras
import numpy as np
import pytest

from mlp_tf import build_mlp, compile_mlp, confusion_matrix, make_optimizer, predict_classes


def data(n=64, shape=(6, 6, 1), classes=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (n, *shape)).astype("float32"), rng.integers(0, classes, n).astype("int32")


def test_shapes_names_and_parameter_count():
    model = build_mlp((6, 6, 1), 3, hidden=(8, 4), activation="tanh")
    assert model.name == "mlp" and model.output_shape == (None, 3)
    names = [layer.name for layer in model.layers]
    assert names == ["inputs", "flatten", "to_unit_range", "dense_1", "activation_1", "dense_2", "activation_2",
                     "logits"]
    assert model.count_params() == (36 * 8 + 8) + (8 * 4 + 4) + (4 * 3 + 3)


def test_batch_norm_and_dropout_layers():
    model = build_mlp((5,), 2, hidden=(4,), batch_norm=True, dropout=0.5)
    names = [layer.name for layer in model.layers]
    assert names == ["inputs", "flatten", "to_unit_range", "dense_1", "batch_norm_1", "activation_1", "dropout_1",
                     "logits"]
    assert model.get_layer("dense_1").bias is None  # batch norm's shift replaces it


@pytest.mark.parametrize("kwargs, message", [
    (dict(activation="rleu"), "unknown activation"),
    (dict(num_classes=1), "num_classes must be at least 2"),
    (dict(hidden=(8, 0)), "hidden units must be at least 1"),
    (dict(dropout=1.0), "dropout must be in"),
])
def test_bad_arguments_are_named(kwargs, message):
    arguments = {"input_shape": (4,), "num_classes": 3, **kwargs}
    with pytest.raises(ValueError, match=message):
        build_mlp(**arguments)


def test_optimizer_registry():
    assert float(make_optimizer("sgd").learning_rate) == pytest.approx(0.05)
    assert float(make_optimizer("adam", 0.01).learning_rate) == pytest.approx(0.01)
    with pytest.raises(ValueError, match="unknown optimizer 'adamm'; valid: adam"):
        make_optimizer("adamm")
    with pytest.raises(ValueError, match="lr must be positive"):
        make_optimizer("adam", 0.0)


@pytest.mark.parametrize("loss", ["crossentropy", "mse"])
def test_fit_evaluate_save_load(loss, tmp_path):
    keras.utils.set_random_seed(0)
    x, y = data()
    model = compile_mlp(build_mlp(x.shape[1:], 3, hidden=(16,), batch_norm=True), loss, "adam", 0.01)
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(x, y, batch_size=32, epochs=2, validation_data=data(seed=1), verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(np.isfinite(v).all() for v in history.history.values())
    assert any(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))
    loss_value, accuracy = model.evaluate(x, y, verbose=0)
    path = os.path.join(tmp_path, "mlp.keras")
    model.save(path)
    again = keras.models.load_model(path)
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(again.evaluate(x, y, verbose=0), [loss_value, accuracy], rtol=1e-5)
    predicted = predict_classes(again, x)
    assert np.trace(confusion_matrix(y, predicted, 3)) / len(y) == pytest.approx(accuracy, abs=1e-6)


def test_learns_a_separable_problem():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 256)
    x = (rng.normal(size=(256, 2)) * 0.3 + np.where(y[:, None] == 1, 1.0, -1.0)).astype("float32")
    model = compile_mlp(build_mlp((2,), 2, hidden=(8,)), "crossentropy", "adam", 0.05)
    model.fit(x, y, batch_size=32, epochs=10, verbose=0)
    assert model.evaluate(x, y, verbose=0)[1] > 0.95


def test_confusion_matrix_by_hand():
    matrix = confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 3)
    np.testing.assert_array_equal(matrix, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\)"):
        confusion_matrix([3], [0], 3)
    with pytest.raises(ValueError, match="differ in length"):
        confusion_matrix([0, 1], [0], 3)
