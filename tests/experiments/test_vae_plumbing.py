"""The autoencoder family's experiment plumbing without subprocesses: figures, sweeps, class grids."""

import keras
import numpy as np
import pytest
from PIL import Image

from experiments.config import Config, VAEConfig
from experiments.sample_images import check_label, class_grid_inputs, write_class_grid, write_sample_grid
from experiments.vae_compare import sweep_variants
from experiments.vae_figures import plot_comparison, plot_latent, plot_vae_history, save_reconstructions
from gan_tf import class_labels, generate, latent_dim_of, num_classes_of
from vae_tf import build_vae_networks


def conditional_generator():
    keras.utils.set_random_seed(0)
    _, decoder = build_vae_networks("dense", "dense", 3, (4, 4, 1), num_classes=5)
    return decoder


def test_reconstructions_put_inputs_above_outputs(tmp_path):
    images = np.full((4, 3, 3, 1), -1.0, np.float32)
    save_reconstructions(images, -images, tmp_path / "r.png", columns=2, scale=1)
    with Image.open(tmp_path / "r.png") as grid:
        pixels = np.asarray(grid)
    assert pixels.shape == (4 * 5 + 2, 2 * 5 + 2)
    assert [pixels[2 + 5 * row, 2] for row in range(4)] == [0, 255, 0, 255]  # input, output, input, output


def test_conditional_generator_convention():
    generator = conditional_generator()
    assert latent_dim_of(generator) == 3 and num_classes_of(generator) == 5
    assert num_classes_of(keras.Sequential([keras.Input((3,)), keras.layers.Dense(16),
                                            keras.layers.Reshape((4, 4, 1))])) is None
    np.testing.assert_array_equal(class_labels(7, 3), [0, 1, 2, 0, 1, 2, 0])
    noise, labels = class_grid_inputs(3, 5, per_class=2, seed=1)
    assert noise.shape == (10, 3) and np.array_equal(noise[0], noise[2]) and list(labels[:4]) == [0, 0, 1, 1]
    images = generate(generator, noise, labels, batch_size=3)
    assert images.shape == (10, 4, 4, 1)
    assert not np.allclose(images[0], images[2])  # same noise, another class


def test_class_grid_and_label_checks(tmp_path):
    generator = conditional_generator()
    write_class_grid(generator, tmp_path / "rows.png", per_class=3, scale=1)
    with Image.open(tmp_path / "rows.png") as grid:
        assert grid.size == (3 * 6 + 2, 5 * 6 + 2)
    write_sample_grid(generator, tmp_path / "four.png", n=4, label=4, scale=1)
    assert check_label(generator, None) is None and check_label(generator, 4) == 4
    with pytest.raises(ValueError, match="--label must be in 0..4"):
        check_label(generator, 5)


def test_sweep_variants():
    config = Config(model="vae", vae=VAEConfig(latent_dim=2))
    variants = sweep_variants(config, "beta", ["0.5", "4"])
    assert list(variants) == ["beta-0.5", "beta-4"] and variants["beta-4"].vae.beta == 4.0
    assert config.vae.beta == 1.0  # the base config is left alone
    arch = sweep_variants(config, "arch", ["dense", "resnet"])
    assert (arch["resnet"].vae.encoder, arch["resnet"].vae.decoder) == ("resnet", "resnet")
    with pytest.raises(ValueError, match="unknown architecture 'vit'"):
        sweep_variants(config, "arch", ["vit"])
    with pytest.raises(ValueError, match="beta must be at least 0"):
        sweep_variants(config, "beta", ["-1"])
    with pytest.raises(ValueError, match="comparisons are for --model ae, vae or cvae"):
        sweep_variants(Config(model="dcgan"), "beta", ["1"])


def test_figures_are_written(tmp_path):
    rng = np.random.default_rng(0)
    plot_latent(rng.standard_normal((50, 2)), np.arange(50) % 10, tmp_path / "latent.png",
                variances=np.array([1.0, 0.001, 0.5]), explained=np.array([0.6, 0.3]))
    rows = [{"epoch": e, "loss": 3.0 - e, "negative_elbo": 3.0 - e, "reconstruction_loss": 2.0, "kl_loss": 1.0,
             "val_loss": 3.5 - e, "val_negative_elbo": 3.5 - e} for e in (1, 2)]
    plot_vae_history(rows, tmp_path / "curves.png")
    results = [{"name": f"beta-{b}", "beta": b, "reconstruction_loss": 10 / b, "kl_loss": b} for b in (1, 2)]
    plot_comparison(results, [np.zeros((8, 8, 1), np.uint8)] * 2, tmp_path / "comparison.png", "beta")
    for name in ("latent.png", "curves.png", "comparison.png"):
        with Image.open(tmp_path / name) as image:
            assert image.width > 500


def test_conditional_accuracy_is_reported_for_requested_labels(monkeypatch):
    from evaluation import report

    def fake_features(model, images):  # the "classifier" sees class i % 3 in image i
        n = len(images)
        return np.random.default_rng(0).standard_normal((n, 4)) + np.arange(n)[:, None] % 3, np.eye(3)[np.arange(n) % 3]

    monkeypatch.setattr(report, "features_and_probabilities", fake_features)

    class Reference:  # the parts of RealReference that evaluate_images reads
        feature_model, extractor_id, split = None, "test", "test"
        features = np.random.default_rng(1).standard_normal((12, 4))
        histogram = np.full(3, 1 / 3)

    assert report.requested_labels(conditional_generator(), 4).tolist() == [0, 1, 2, 3]
    images = np.zeros((12, 4, 4, 1), np.float32)
    requested = np.array([0, 1, 2] * 3 + [1, 1, 1])
    results = report.evaluate_images(Reference, images, requested=requested)
    assert results["conditional_accuracy"] == pytest.approx(10 / 12)
    assert results["conditional_accuracy_per_class"] == [1.0, pytest.approx(4 / 6, abs=1e-5), 1.0]
    assert "conditional_accuracy" not in report.evaluate_images(Reference, images)
