"""The family contract: a new family is its folder and one registry line, and the shared code asks it the rest."""

import os
import shutil
from dataclasses import dataclass

import keras
import numpy as np
import pytest
from PIL import Image

from data import ImageData, make_dataset
from eval_tf import RealReference, build_classifier
from gan_tf import GAN, build_gan_networks
from helpers import ROOT, load_script, run_script
from lab_tf import families
from lab_tf import run_dir as rd
from lab_tf.callbacks import EpochMetrics
from lab_tf.cli import positive_int
from lab_tf.config import EvalConfig
from lab_tf.families.base import GRID_SIZE, Family, Option
from lab_tf.families.gan.recipe import FAMILY as GAN_FAMILY
from lab_tf.sampling import NoiseToImage
from vae_tf import VAE, build_dense_decoder, build_dense_encoder


@dataclass
class ToySettings:
    """A dense autoencoder's code size and width, as a family's settings section."""

    latent_dim: int = 2
    width: int = 8
    image_shape: tuple | None = None

    def validate(self):
        if self.width < 1:
            raise ValueError(f"width must be at least 1, got {self.width}")


class ToyFamily(Family):
    """The smallest family: everything it knows sits in this class, none of it in shared code."""

    name = "toy"
    title = "toy autoencoder"
    models = {"toy-ae": "a dense autoencoder with a code of two numbers"}
    settings = ToySettings
    options = (Option(("--width",), "hidden units", type=positive_int), GRID_SIZE)

    def resolve(self, config, data):
        config.settings.image_shape = data.image_shape
        config.training.lr = config.training.lr or 1e-3

    def build_trainer(self, config):
        settings = config.settings
        encoder = build_dense_encoder(settings.latent_dim, settings.image_shape, units=(settings.width,))
        decoder = build_dense_decoder(settings.latent_dim, settings.image_shape, units=(settings.width,))
        vae = VAE(encoder, decoder, seed=config.training.seed)
        vae.compile(optimizer=keras.optimizers.Adam(config.training.lr))
        return vae

    def datasets(self, config, data, seed):
        return make_dataset(data, config.training.batch_size, seed=seed), None

    def saved_models(self, trainer):
        return {rd.GENERATOR: trainer.generator}

    def generator_of(self, trainer):
        return trainer.generator

    def plot_history(self, rows, path, metric=None):
        Image.new("RGB", (64, 48), "white").save(path)

    def describe(self, config, data):
        return f"training a toy autoencoder on {len(data)} images"


@pytest.mark.slow
def test_a_family_added_through_the_registry_alone_trains_samples_and_owns_its_options(tmp_path, monkeypatch,
                                                                                        capsys):
    monkeypatch.setitem(families.FAMILIES, "toy", ToyFamily())
    train, samples = load_script("train.py"), load_script("samples.py")
    out = tmp_path / "toy-run"
    common = ["--dataset", "digits", "--limit", "32", "--batch-size", "16", "--grid-size", "4"]
    assert train.main(["--model", "toy-ae", *common, "--width", "6", "--epochs", "1", "--out-dir", str(out)]) == 0
    assert "training a toy autoencoder on 32 images" in capsys.readouterr().out
    assert rd.load_config(out).settings == ToySettings(width=6, image_shape=(28, 28, 1))
    for name in ("generator.keras", "samples/epoch_001.png", "progress.gif", "curves.png", "history.csv"):
        assert (out / name).is_file(), name
    assert train.main(["--resume", "--out-dir", str(out), "--epochs", "2"]) == 0
    assert [row["epoch"] for row in rd.read_history(out)] == [1, 2]
    assert samples.main(["--run", str(out), "--n", "9"]) == 0
    with Image.open(out / "samples_seed0.png") as grid:
        assert grid.size == (2 * (3 * 30 + 2), 2 * (3 * 30 + 2))
    assert train.main(["--model", "dcgan", "--width", "6", "--out-dir", str(tmp_path / "never")]) == 2
    assert "--width does not apply to --model dcgan" in capsys.readouterr().err
    assert not (tmp_path / "never").exists()


def test_the_best_generator_is_the_one_that_was_scored(tmp_path):
    """With a moving average of the generator's weights, the metrics score it, so it is the one kept."""
    keras.utils.set_random_seed(0)
    generator, discriminator = build_gan_networks("mlp", 4, (8, 8, 1))
    gan = GAN(generator, discriminator, seed=0, ema_decay=0.5)
    gan.compile()
    images = np.random.default_rng(0).uniform(-1, 1, (64, 8, 8, 1)).astype("float32")
    gan.fit(images, batch_size=16, epochs=2, verbose=0, shuffle=False)
    noise = np.random.default_rng(1).standard_normal((5, 4)).astype("float32")
    assert not np.allclose(gan.sampler(noise), gan.generator(noise), atol=1e-4)  # they differ after training
    real = ImageData(((images[:20] + 1) * 127.5).astype(np.uint8), np.arange(20) % 2)
    reference = RealReference(build_classifier((8, 8, 1), 2, width=4), "untrained", real, "test")
    callback = EpochMetrics(reference, NoiseToImage(), GAN_FAMILY.generator_of, EvalConfig(every=1, n=20), tmp_path)
    callback.set_model(gan)
    callback.on_epoch_end(0, {})
    best = keras.models.load_model(tmp_path / rd.BEST_GENERATOR)
    np.testing.assert_allclose(best(noise), gan.sampler(noise), atol=1e-6)


FIXTURE_RUN = os.path.join(ROOT, "tests", "fixtures", "gan-ring8-run")  # written by the version before family folders


@pytest.mark.slow
def test_a_run_directory_of_the_earlier_layout_resumes_and_samples(tmp_path):
    run = tmp_path / "run"
    shutil.copytree(FIXTURE_RUN, run)
    assert rd.load_config(run).settings.latent_dim == 2
    resumed = run_script("train.py", "--resume", "--out-dir", run, "--epochs", "2", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert [row["epoch"] for row in rd.read_history(run)] == [1, 2] and (run / "samples" / "epoch_002.png").is_file()
    drawn = run_script("samples.py", "--run", run, "--n", "200", cwd=tmp_path)
    assert drawn.returncode == 0, drawn.stderr
    assert (run / "samples_seed0.png").stat().st_size > 1000
