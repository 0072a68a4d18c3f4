import keras
import numpy as np

from mlp_tf import build_mlp, gradient_flow, layer_activations, layer_gradient_norms


def batch(n=128, features=20, classes=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, features)).astype("float32"), rng.integers(0, classes, n).astype("int32")


def deep(activation, depth=10, seed=0, **kwargs):
    keras.utils.set_random_seed(seed)
    return build_mlp((20,), 4, (32,) * depth, activation, **kwargs)


def test_gradient_norm_of_a_one_layer_net_by_hand():
    # logits = u W + b with u = (x + 1) / 2 (inputs back in [0, 1]) and W = 0: the softmax is
    # uniform, dL/dlogits = p - onehot, dL/dW = u^T (p - onehot) / n
    model = build_mlp((2,), 2, hidden=(), kernel_initializer="zeros")
    x, y = np.array([[1.0, 2.0], [3.0, -1.0]], "float32"), np.array([0, 1])
    residual = np.array([[0.5, 0.5], [0.5, 0.5]]) - np.eye(2)[y]
    expected = np.linalg.norm(((x + 1) / 2).T @ residual / 2)
    np.testing.assert_allclose(layer_gradient_norms(model, x, y), [expected], rtol=1e-6)


def test_sigmoid_gradients_vanish_towards_the_input_at_initialisation():
    norms = layer_gradient_norms(deep("sigmoid"), *batch())
    hidden = norms[:-1]
    assert np.all(np.diff(hidden) > 0)  # every layer closer to the input gets less
    assert hidden[-1] / hidden[0] > 1e3


def test_relu_with_he_init_and_sigmoid_with_batch_norm_keep_gradients_alive():
    for model in (deep("relu", kernel_initializer="he_normal"), deep("sigmoid", batch_norm=True)):
        hidden = layer_gradient_norms(model, *batch())[:-1]
        assert hidden.max() / hidden.min() < 20


def test_measuring_does_not_change_batch_norm_statistics():
    model = deep("relu", depth=2, batch_norm=True)
    before = [v.numpy().copy() for v in model.non_trainable_variables]
    layer_gradient_norms(model, *batch())
    for a, b in zip(before, model.non_trainable_variables):
        np.testing.assert_array_equal(a, b.numpy())


def test_activations_per_layer():
    x, _ = batch()
    activations = layer_activations(deep("sigmoid", depth=3), x)
    assert [a.shape for a in activations] == [(128, 32)] * 3
    assert all(((a > 0) & (a < 1)).all() for a in activations)


def test_gradient_flow_measures_before_and_after_training():
    flow = gradient_flow(batch(256), batch(64, seed=1), "tanh", depth=4, width=16, batch_norm=True, epochs=2,
                         batch_size=64, seed=3)
    assert flow.label == "tanh, batch norm"
    assert flow.init_norms.shape == flow.trained_norms.shape == (5,)
    assert not np.allclose(flow.init_norms, flow.trained_norms)
    assert len(flow.init_activations) == 4 and len(flow.history["loss"]) == 2
    again = gradient_flow(batch(256), batch(64, seed=1), "tanh", depth=4, width=16, batch_norm=True, epochs=2,
                          batch_size=64, seed=3)
    np.testing.assert_allclose(again.trained_norms, flow.trained_norms, rtol=1e-5)
