"""The model harness for the autoencoder family: config round trip, shapes, fit, evaluate, save/load."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from gan_tf import latent_noise
from vae_tf import VAE, build_vae_networks

SHAPE = (8, 8, 1)
KINDS = {"ae": {"variational": False}, "vae": {}, "cvae": {"num_classes": 4}}
LOG_KEYS = {"ae": {"loss", "reconstruction_loss"}}
VARIATIONAL_KEYS = {"loss", "reconstruction_loss", "kl_loss", "negative_elbo"}


def make_vae(kind="vae", architecture="conv", shape=SHAPE, seed=0, **kwargs):
    keras.utils.set_random_seed(seed)
    encoder, decoder = build_vae_networks(architecture, architecture, 3, shape, **KINDS[kind])
    vae = VAE(encoder, decoder, seed=seed, **kwargs)
    vae.compile(optimizer=keras.optimizers.Adam(1e-3))
    return vae


def batch(kind, n=32, shape=SHAPE):
    images = np.random.default_rng(1).uniform(-1, 1, (n, *shape)).astype("float32")
    return (images, np.arange(n) % 4) if kind == "cvae" else images


@pytest.fixture(params=sorted(KINDS))
def kind(request):
    return request.param


def test_call_returns_codes_and_logits(kind):
    vae = make_vae(kind)
    out = vae(batch(kind, 5))
    assert out["z"].shape == (5, 3) and out["logits"].shape == (5, *SHAPE)
    assert ("z_mean" in out) == (kind != "ae")
    assert vae.variational == (kind != "ae") and vae.conditional == (kind == "cvae")


def test_single_tensor_methods(kind):
    vae = make_vae(kind)
    data = batch(kind, 6)
    labels = data[1] if kind == "cvae" else None
    images = data[0] if kind == "cvae" else data
    codes = np.asarray(vae.encode(images, labels))
    assert codes.shape == (6, 3)
    decoded = np.asarray(vae.decode(codes, labels))
    assert decoded.shape == (6, *SHAPE) and decoded.min() >= -1 and decoded.max() <= 1
    np.testing.assert_allclose(np.asarray(vae.reconstruct(images, labels)), decoded, atol=1e-6)
    generated = np.asarray(vae.generate(6, labels=None if labels is None else 2, seed=3))
    assert generated.shape == (6, *SHAPE)
    np.testing.assert_allclose(np.asarray(vae.generate(6, labels=None if labels is None else 2, seed=3)), generated)


def test_config_round_trip(kind):
    vae = make_vae(kind, seed=7, beta=4.0, likelihood="gaussian")
    clone = VAE.from_config(vae.get_config())
    assert (clone.seed, clone.beta, clone.likelihood, clone.latent_dim) == (7, 4.0, "gaussian", 3)
    assert clone.num_classes == (4 if kind == "cvae" else None)
    assert [layer.__class__ for layer in clone.decoder.layers] == [layer.__class__ for layer in vae.decoder.layers]


@pytest.mark.parametrize("kind, architecture", [
    ("ae", "conv"), ("vae", "dense"), ("vae", "conv"), ("vae", "resnet"), ("cvae", "resnet"),
])
def test_fit_updates_both_networks_with_finite_logs(kind, architecture):
    vae = make_vae(kind, architecture)
    before = [w.copy() for w in vae.encoder.get_weights() + vae.decoder.get_weights()]
    history = vae.fit(batch(kind), batch_size=16, epochs=1, verbose=0, shuffle=False)
    assert set(history.history) == LOG_KEYS.get(kind, VARIATIONAL_KEYS)
    assert all(np.isfinite(v[0]) for v in history.history.values())
    after = vae.encoder.get_weights() + vae.decoder.get_weights()
    assert all(not np.allclose(a, b) for a, b in zip(before[:1] + before[-1:], after[:1] + after[-1:]))
    assert int(vae.optimizer.iterations) == 2


def test_loss_is_reconstruction_plus_beta_kl():
    vae = make_vae("vae", beta=4.0)
    logs = vae.evaluate(batch("vae"), batch_size=16, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(logs["reconstruction_loss"] + 4.0 * logs["kl_loss"], rel=1e-5)
    assert logs["negative_elbo"] == pytest.approx(logs["reconstruction_loss"] + logs["kl_loss"], rel=1e-5)
    assert logs["kl_loss"] > 0
    # an 8x8 image under sigmoid(0) = 0.5 everywhere costs at most 64 log 2 nats; the untrained net is near it
    assert 0.5 * 64 * np.log(2) < logs["reconstruction_loss"] < 2 * 64 * np.log(2)


def test_fit_accepts_labelled_batches_for_unconditional_models():
    vae = make_vae("vae")
    images = batch("vae")
    history = vae.fit(images, np.zeros(32, "int32"), batch_size=16, epochs=1, verbose=0)
    assert set(history.history) == VARIATIONAL_KEYS


def test_evaluate_does_not_train_or_move_the_training_noise(kind):
    vae = make_vae(kind)
    weights = [w.copy() for w in vae.get_weights()]
    state = np.asarray(vae.seed_generator.state).copy()
    logs = vae.evaluate(batch(kind), batch_size=16, verbose=0, return_dict=True)
    assert set(logs) == LOG_KEYS.get(kind, VARIATIONAL_KEYS) and all(np.isfinite(list(logs.values())))
    assert all(np.array_equal(a, b) for a, b in zip(weights, vae.get_weights()))
    assert np.array_equal(np.asarray(vae.seed_generator.state), state)


def test_binary_likelihood_encodes_binarised_images():
    vae = make_vae("vae", likelihood="binary")
    images = batch("vae", 4)
    binarised = np.where(images > 0, 1.0, -1.0).astype("float32")
    np.testing.assert_allclose(np.asarray(vae.encode(images)), np.asarray(vae.encode(binarised)), atol=1e-6)
    grey = make_vae("vae", likelihood="bernoulli")
    assert not np.allclose(np.asarray(grey.encode(images)), np.asarray(grey.encode(binarised)))


def test_same_seed_same_training():
    weights = []
    for _ in range(2):
        vae = make_vae("vae", seed=3)
        vae.fit(batch("vae"), batch_size=16, epochs=1, verbose=0, shuffle=False)
        weights.append(vae.get_weights())
    assert all(np.allclose(a, b, atol=1e-6) for a, b in zip(*weights))


@pytest.mark.parametrize("kwargs, message", [
    ({"beta": -1.0}, "beta must be at least 0"),
    ({"beta": float("nan")}, "beta must be at least 0"),
    ({"likelihood": "poisson"}, "unknown likelihood 'poisson'"),
])
def test_bad_settings_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_vae("vae", **kwargs)


def test_conditional_networks_must_match_and_need_labels():
    encoder, _ = build_vae_networks("dense", "dense", 3, SHAPE)
    _, decoder = build_vae_networks("dense", "dense", 3, SHAPE, num_classes=4)
    with pytest.raises(ValueError, match="both take labels or both not"):
        VAE(encoder, decoder)
    with pytest.raises(ValueError, match="needs labels"):
        make_vae("cvae").generate(2)


def test_keras_file_round_trip_keeps_outputs_and_optimizer_state(kind, tmp_path):
    vae = make_vae(kind, likelihood="gaussian", beta=0.5)
    vae.fit(batch(kind), batch_size=16, epochs=1, verbose=0)
    path = tmp_path / "vae.keras"
    vae.save(path)
    loaded = keras.models.load_model(path)
    data = batch(kind, 4)
    images, labels = data if kind == "cvae" else (data, None)
    np.testing.assert_allclose(np.asarray(loaded.reconstruct(images, labels)),
                               np.asarray(vae.reconstruct(images, labels)), atol=1e-6)
    np.testing.assert_allclose(np.asarray(loaded.log_scale), np.asarray(vae.log_scale))
    assert (loaded.beta, loaded.likelihood) == (0.5, "gaussian")
    assert int(loaded.optimizer.iterations) == 2
    loaded.fit(batch(kind), batch_size=16, epochs=1, verbose=0)
    assert int(loaded.optimizer.iterations) == 4


def test_generator_is_the_decoder_in_minus_one_to_one():
    vae = make_vae("cvae")
    noise, labels = latent_noise(4, 3), np.array([0, 1, 2, 3])
    images = np.asarray(vae.generator([noise, labels]))
    np.testing.assert_allclose(images, np.asarray(vae.decode(noise, labels)), atol=1e-6)
    assert [t.name for t in vae.generator.inputs] == ["noise", "label"]
    embeddings = [layer for layer in vae.generator.layers if isinstance(layer, keras.layers.Embedding)]
    assert [layer.input_dim for layer in embeddings] == [4]


def test_generator_file_loads_in_plain_keras_without_this_package(tmp_path):
    vae = make_vae("vae")
    vae.fit(batch("vae"), batch_size=16, epochs=1, verbose=0)
    vae.generator.save(tmp_path / "generator.keras")
    noise = latent_noise(3, 3)
    np.save(tmp_path / "noise.npy", noise)
    script = (
        "import os, sys, numpy as np; os.environ['KERAS_BACKEND'] = 'tensorflow'; import keras; "
        f"m = keras.models.load_model({str(tmp_path / 'generator.keras')!r}); "
        f"np.save({str(tmp_path / 'out.npy')!r}, np.asarray(m(np.load({str(tmp_path / 'noise.npy')!r})))); "
        "assert not any(name.split('.')[0] in ('vae_tf', 'gan_tf', 'lab_tf', 'core_tf', 'data') "
        "for name in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": ""})
    assert result.returncode == 0, result.stderr
    np.testing.assert_allclose(np.load(tmp_path / "out.npy"), np.asarray(vae.decode(noise)), atol=1e-6)
