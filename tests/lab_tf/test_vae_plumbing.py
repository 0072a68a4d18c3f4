"""The autoencoder family's experiment plumbing without subprocesses: figures, sweeps, class grids."""

import keras
import numpy as np
import pytest
from PIL import Image

from gan_tf.sampling import balanced_labels, class_rows, generate, latent_dim_of, latent_noise, num_classes_of
from lab_tf.compare import variants
from lab_tf.config import Config
from lab_tf.families.vae.figures import plot_comparison, plot_latent, plot_vae_history, save_reconstructions
from lab_tf.families.vae.recipe import VAESettings
from lab_tf.sampling import NoiseToImage, write_samples
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


def test_a_conditional_decoder_is_a_conditional_generator(tmp_path):
    generator = conditional_generator()
    assert latent_dim_of(generator) == 3 and num_classes_of(generator) == 5
    noise = np.repeat(latent_noise(1, 3), 10, axis=0)
    images = generate(generator, noise, balanced_labels(10, 5), batch_size=3)
    assert images.shape == (10, 4, 4, 1)
    assert not np.allclose(images[0], images[1])  # same noise, another class
    write_samples(NoiseToImage(), generator, tmp_path / "rows.png", n=3, scale=1)  # one row of 3 per class
    with Image.open(tmp_path / "rows.png") as grid:
        assert grid.size == (3 * 6 + 2, 5 * 6 + 2)
    assert list(class_rows(5, 3)[:4]) == [0, 0, 0, 1]


def test_sweep_variants():
    config = Config(model="vae", settings=VAESettings(latent_dim=2))
    betas = dict(variants(config, {"beta": ["0.5", "4"]}))
    assert list(betas) == ["beta-0.5", "beta-4"] and betas["beta-4"].settings.beta == 4.0
    assert config.settings.beta == 1.0  # the base config is left alone
    arch = dict(variants(config, {"arch": ["dense", "resnet"]}))
    assert (arch["resnet"].settings.encoder, arch["resnet"].settings.decoder) == ("resnet", "resnet")
    with pytest.raises(ValueError, match="unknown architecture 'vit'"):
        variants(config, {"arch": ["vit"]})
    with pytest.raises(ValueError, match="beta must be at least 0"):
        variants(config, {"beta": ["-1"]})
    with pytest.raises(ValueError, match="--model dcgan cannot sweep 'beta'; valid: variant"):
        variants(Config(model="dcgan"), {"beta": ["1"]})


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
