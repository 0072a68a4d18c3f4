"""train.py, samples.py and compare.py end to end on the autoencoder family, on the bundled digits."""

import csv
import json

import keras
import numpy as np
import pytest
from PIL import Image

import vae_tf  # noqa: F401  (registers the VAE trainer for load_model)
from helpers import assert_bad_input, run_script

pytestmark = pytest.mark.slow
TINY = ("--dataset", "digits", "--limit", "64", "--batch-size", "32")


def size(path):
    with Image.open(path) as image:
        return image.size


def train(tmp_path, keras_home, name, *args):
    out = tmp_path / name
    result = run_script("train.py", *TINY, "--out-dir", out, *args, cwd=tmp_path, env={"KERAS_HOME": str(keras_home)})
    assert result.returncode == 0, result.stderr
    return out, result


@pytest.fixture(scope="module")
def vae_run(tmp_path_factory, keras_home):
    """A 2-D conv VAE, 2 epochs, with the importance-weighted estimate at the end."""
    return train(tmp_path_factory.mktemp("vae"), keras_home, "run", "--model", "vae", "--latent-dim", "2",
                 "--epochs", "2", "--grid-size", "16", "--iw-samples", "5", "--iw-images", "8")


@pytest.fixture(scope="module")
def cvae_run(tmp_path_factory, keras_home):
    return train(tmp_path_factory.mktemp("cvae"), keras_home, "run", "--model", "cvae", "--arch", "dense",
                 "--epochs", "1", "--likelihood", "binary")


def test_vae_run_writes_every_file(vae_run):
    out, result = vae_run
    assert ("training vae (conv encoder, conv decoder, latent 2, beta 1, bernoulli likelihood) on digits"
            in result.stdout)
    assert "importance-weighted NLL (5 samples, 8 test images)" in result.stdout
    config = json.loads((out / "config.json").read_text())
    assert config["vae"]["image_shape"] == [28, 28, 1] and config["vae"]["likelihood"] == "bernoulli"
    assert "gan" not in config and config["training"]["lr"] == 1e-3
    with open(out / "history.csv") as file:
        rows = list(csv.DictReader(file))
    assert [r["epoch"] for r in rows] == ["1", "2"]
    assert ({"loss", "reconstruction_loss", "kl_loss", "negative_elbo", "val_negative_elbo", "active_units"}
            <= set(rows[0]))
    assert all(np.isfinite(float(v)) for row in rows for v in row.values())
    numbers = json.loads((out / "likelihood.json").read_text())
    assert numbers["test_negative_elbo"] == pytest.approx(float(rows[1]["val_negative_elbo"]))
    assert numbers["n_test"] == 64 and numbers["iw_samples"] == 5 and numbers["iw_images"] == 8
    assert 0 < numbers["iw_nll"] < 28 * 28 * np.log(2) * 2
    assert "iw_negative_elbo" in numbers
    for epoch in (1, 2):  # two pairs of rows (inputs above reconstructions) of 8 images, 30 px tiles, 2x
        assert size(out / "reconstructions" / f"epoch_{epoch:03d}.png") == ((8 * 30 + 2) * 2, (4 * 30 + 2) * 2)
        assert size(out / "samples" / f"epoch_{epoch:03d}.png") == ((4 * 30 + 2) * 2,) * 2
    assert size(out / "manifold.png") == (15 * 28 * 2,) * 2
    assert size(out / "interpolation.png") == ((12 * 30 + 2) * 2, (6 * 30 + 2) * 2)
    assert size(out / "latent.png")[0] > 800 and size(out / "curves.png")[0] > 800
    assert keras.models.load_model(out / "generator.keras").output_shape == (None, 28, 28, 1)
    assert keras.models.load_model(out / "encoder.keras").output_shape == [(None, 2), (None, 2)]
    assert sorted(p.name for p in (out / "checkpoint").iterdir()) == ["model-epoch-2.keras", "state.json"]


def test_samples_py_draws_from_a_vae_run(vae_run, tmp_path):
    out, _ = vae_run
    result = run_script("samples.py", "--run", out, "--n", "4", "--out", tmp_path / "grid.png")
    assert result.returncode == 0, result.stderr
    assert size(tmp_path / "grid.png") == ((2 * 30 + 2) * 2,) * 2
    assert_bad_input(run_script("samples.py", "--run", out, "--label", "3"), "--label needs a conditional generator")


def test_cvae_grids_have_one_row_per_class(cvae_run, tmp_path):
    out, result = cvae_run
    assert "training cvae (dense encoder, dense decoder, latent 16, beta 1, binary likelihood)" in result.stdout
    assert json.loads((out / "config.json").read_text())["vae"]["num_classes"] == 10
    assert size(out / "samples" / "epoch_001.png") == ((6 * 30 + 2) * 2, (10 * 30 + 2) * 2)  # 64 // 10 per class
    generator = keras.models.load_model(out / "generator.keras")
    assert [tuple(t.shape) for t in generator.inputs] == [(None, 16), (None,)]
    rows = run_script("samples.py", "--run", out, "--scale", "1")
    assert rows.returncode == 0, rows.stderr
    assert size(out / "samples_seed0.png") == (10 * 30 + 2, 10 * 30 + 2)  # 10 per class by default
    digit = run_script("samples.py", "--run", out, "--label", "7", "--n", "6", "--scale", "1")
    assert digit.returncode == 0, digit.stderr
    assert size(out / "samples_label7_seed0.png") == (3 * 30 + 2, 2 * 30 + 2)
    assert_bad_input(run_script("samples.py", "--run", out, "--label", "10"), "--label must be in 0..9")


def test_ae_resumes_with_its_optimizer_state(tmp_path, keras_home):
    out, result = train(tmp_path, keras_home, "ae", "--model", "ae", "--arch", "dense", "--epochs", "1",
                        "--grid-size", "4")
    assert "training ae (dense encoder, dense decoder, latent 16, bernoulli likelihood)" in result.stdout
    resumed = run_script("train.py", "--resume", "--out-dir", out, "--epochs", "2", env={"KERAS_HOME": str(keras_home)})
    assert resumed.returncode == 0, resumed.stderr
    with open(out / "history.csv") as file:
        rows = list(csv.DictReader(file))
    assert [r["epoch"] for r in rows] == ["1", "2"]
    assert set(rows[0]) == {"epoch", "loss", "reconstruction_loss", "val_loss", "val_reconstruction_loss", "seconds"}
    state = json.loads((out / "checkpoint" / "state.json").read_text())
    assert int(keras.models.load_model(out / state["checkpoint"]).optimizer.iterations) == 2 * 2
    assert not (out / "manifold.png").exists()  # 16-D codes: a projection in latent.png instead


def test_compare_writes_table_figure_and_runs(tmp_path, keras_home):
    out = tmp_path / "sweep"
    result = run_script("compare.py", "--sweep", "beta", "--values", "0.5", "4", *TINY, "--limit", "32",
                        "--arch", "dense", "--epochs", "1", "--out-dir", out, cwd=tmp_path,
                        env={"KERAS_HOME": str(keras_home)})
    assert result.returncode == 0, result.stderr
    with open(out / "results.csv") as file:
        rows = list(csv.DictReader(file))
    assert [r["variant"] for r in rows] == ["beta-0.5", "beta-4"]
    assert all(float(r["test_negative_elbo"]) > 0 and int(r["parameters"]) > 0 for r in rows)
    assert "| beta-0.5 |" in (out / "results.md").read_text()
    assert size(out / "comparison.png")[0] > 800
    assert json.loads((out / "beta-4" / "config.json").read_text())["vae"]["beta"] == 4.0


def test_layer_sizes_of_encoder_and_decoder_come_from_the_command_line(tmp_path, keras_home):
    """Task 7: units and filters per layer, per network, as the saved networks and config.json show."""
    out = tmp_path / "sized"
    result = run_script("train.py", "--model", "vae", *TINY, "--epochs", "1", "--encoder-filters", "8,16",
                        "--encoder-units", "24", "--decoder", "dense", "--decoder-units", "40,48", "--out-dir", out)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "conv encoder filters 8,16 units 24, dense decoder units 40,48" in result.stdout
    encoder = keras.models.load_model(out / "encoder.keras")
    convolutions = [layer.filters for layer in encoder.layers if isinstance(layer, keras.layers.Conv2D)]
    dense = [layer.units for layer in encoder.layers if isinstance(layer, keras.layers.Dense)]
    assert convolutions == [8, 16] and dense[0] == 24
    decoder = keras.models.load_model(out / "generator.keras")
    widths = [layer.units for layer in decoder.layers if isinstance(layer, keras.layers.Dense)]
    assert widths[:2] == [40, 48]
    settings = json.loads((out / "config.json").read_text())["vae"]
    assert settings["encoder_filters"] == [8, 16] and settings["decoder_units"] == [40, 48]


@pytest.mark.parametrize("script, args, phrases", [
    ("train.py", ("--model", "vae", "--loss", "minimax"), ("--loss does not apply to --model vae",)),
    ("train.py", ("--model", "dcgan", "--beta", "2"), ("--beta does not apply to --model dcgan",)),
    ("train.py", ("--model", "vae", "--beta", "-1"), ("beta must be at least 0",)),
    ("train.py", ("--model", "ae", "--iw-samples", "5"), ("--iw-samples needs a variational model",)),
    ("train.py", ("--model", "vae", "--image-size", "30"), ("does not suit the conv architecture",)),
    ("train.py", ("--model", "vae", "--encoder", "dense", "--encoder-filters", "8,16"),
     ("the dense encoder has none", "--encoder-units")),
    ("train.py", ("--model", "vae", "--decoder-filters", "8,16,32"), ("give --decoder-filters two widths",)),
    ("train.py", ("--model", "vae", "--encoder-units", "32,32"), ("conv encoder has one dense layer",)),
    ("train.py", ("--model", "vae", "--decoder-units", "0"), ("layer sizes must be at least 1",)),
    ("compare.py", ("--sweep", "beta", "--values", "big"), ("beta values must be numbers",)),
    ("compare.py", ("--sweep", "arch", "--values", "conv", "--arch", "dense"),
     ("--architecture is what --sweep arch varies",)),
])
def test_bad_input_is_one_line_exit_2(script, args, phrases, tmp_path):
    result = run_script(script, *args, *TINY, cwd=tmp_path, env={"KERAS_HOME": str(tmp_path / "keras")})
    assert_bad_input(result, *phrases)
    assert not (tmp_path / "runs").exists()


def test_cvae_on_a_colour_image_folder(image_folder, tmp_path, keras_home):
    out = tmp_path / "folder-run"
    result = run_script("train.py", "--model", "cvae", "--dataset", f"folder:{image_folder}", "--arch", "resnet",
                        "--epochs", "1", "--batch-size", "2", "--latent-dim", "3", "--out-dir", out, cwd=tmp_path,
                        env={"KERAS_HOME": str(keras_home)})
    assert result.returncode == 0, result.stderr
    assert "gaussian likelihood" in result.stdout
    with open(out / "history.csv") as file:
        row = next(csv.DictReader(file))
    assert "val_loss" not in row and np.isfinite(float(row["negative_elbo"]))  # a folder has no test split
    numbers = json.loads((out / "likelihood.json").read_text())
    assert numbers["n_test"] == 5 and "test_negative_elbo" not in numbers
    assert keras.models.load_model(out / "generator.keras").output_shape == (None, 32, 32, 3)
    assert (out / "latent.png").is_file() and (out / "reconstructions" / "epoch_001.png").is_file()


def test_vae_search_scores_trials_by_validation_loss_and_saves_the_best(tmp_path, keras_home):
    out, result = train(tmp_path, keras_home, "search", "--model", "vae", "--arch", "dense", "--latent-dim", "2",
                        "--epochs", "1", "--tune", "random", "--max-trials", "2",
                        "--space", "training.lr=1e-3,3e-3", "--space", "training.batch_size=32")
    with open(out / "trials.csv") as file:
        trials = list(csv.DictReader(file))
    assert len(trials) == 2 and all(np.isfinite(float(r["val_loss"])) for r in trials)
    metrics = json.loads((out / "metrics.json").read_text())
    assert (metrics["objective"] == "val_loss"
            and metrics["score"] == pytest.approx(min(float(r["val_loss"]) for r in trials)))
    assert "best val_loss" in result.stdout and (out / "effects.png").is_file()
    assert keras.models.load_model(out / "best_generator.keras").output_shape == (None, 28, 28, 1)


def test_vae_search_on_data_without_a_test_split_is_refused(image_folder, tmp_path):
    out = tmp_path / "search"
    result = run_script("train.py", "--model", "vae", "--dataset", f"folder:{image_folder}", "--tune", "random",
                        "--out-dir", out, cwd=tmp_path, env={"KERAS_HOME": str(tmp_path / "keras")})
    assert_bad_input(result, "has no test split", "search on a dataset that has one")
    assert not out.exists()
