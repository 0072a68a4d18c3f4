"""The GAN family through train.py and samples.py: cgan, wgan-gp, the dense gan, 2-D mixtures."""

import csv
import json

import keras
import numpy as np
import pytest
from PIL import Image

import gan_tf  # noqa: F401  (registers the GAN layers for load_model)
from helpers import assert_bad_input, run_script

pytestmark = pytest.mark.slow

TINY = ("--dataset", "digits", "--limit", "96", "--epochs", "1", "--batch-size", "32")


def history(run):
    with open(run / "history.csv") as file:
        return list(csv.DictReader(file))


@pytest.fixture(scope="module")
def cgan_run(tmp_path_factory, keras_home):
    out = tmp_path_factory.mktemp("cgan") / "run"
    result = run_script("train.py", "--model", "cgan", *TINY, "--grid-size", "20", "--out-dir", out,
                        env={"KERAS_HOME": str(keras_home)})
    assert result.returncode == 0, result.stderr
    return out


def test_cgan_run_is_conditional_with_one_grid_row_per_class(cgan_run):
    config = json.loads((cgan_run / "config.json").read_text())
    assert config["model"] == "cgan" and config["gan"]["num_classes"] == 10
    with Image.open(cgan_run / "samples" / "epoch_001.png") as grid:
        assert grid.size == ((2 * 30 + 2) * 2, (10 * 30 + 2) * 2)  # 10 rows of 2, 28-px tiles, scale 2


def test_samples_label_draws_the_requested_class(cgan_run, tmp_path):
    path = tmp_path / "threes.png"
    result = run_script("samples.py", "--run", cgan_run, "--label", "3", "--n", "4", "--scale", "1", "--out", path)
    assert result.returncode == 0, result.stderr
    with Image.open(path) as image:
        assert image.size == (2 * 30 + 2, 2 * 30 + 2)
    default = run_script("samples.py", "--run", cgan_run, "--n", "3", "--scale", "1")
    assert default.returncode == 0, default.stderr
    with Image.open(cgan_run / "samples_seed0.png") as image:
        assert image.size == (3 * 30 + 2, 10 * 30 + 2)  # one row of 3 per class


def test_samples_label_errors(cgan_run, trained_run):
    assert_bad_input(run_script("samples.py", "--run", cgan_run, "--label", "10"), "--label must be in 0..9")
    assert_bad_input(run_script("samples.py", "--run", trained_run[0], "--label", "1"),
                     "--label needs a conditional generator")


def test_wgan_gp_uses_the_papers_settings_and_logs_the_critic(tmp_path, keras_home):
    out = tmp_path / "wgan"
    result = run_script("train.py", "--model", "wgan-gp", *TINY, "--out-dir", out, env={"KERAS_HOME": str(keras_home)})
    assert result.returncode == 0, result.stderr
    gan = json.loads((out / "config.json").read_text())
    assert (gan["gan"]["loss"], gan["gan"]["d_steps"], gan["gan"]["gp_weight"]) == ("wasserstein", 5, 10.0)
    assert (gan["training"]["lr"], gan["training"]["beta_1"], gan["training"]["beta_2"]) == (1e-4, 0.0, 0.9)
    row = history(out)[0]
    assert float(row["gradient_penalty"]) > 0 and "critic_gap" in row and "d_real_accuracy" not in row


def test_dense_gan_on_a_ring_counts_modes_and_draws_scatters(tmp_path, keras_home):
    out = tmp_path / "ring"
    result = run_script("train.py", "--model", "gan", "--dataset", "ring8", "--limit", "1024", "--epochs", "2",
                        "--batch-size", "128", "--minibatch-std", "--pack", "2", "--unrolled-steps", "2",
                        "--ema-decay", "0.9", "--lr-decay", "cosine", "--r1-gamma", "1", "--out-dir", out,
                        env={"KERAS_HOME": str(keras_home)})
    assert result.returncode == 0, result.stderr
    assert "training gan (mlp architecture, nonsaturating loss, float32) on ring8: 1024 samples 2" in result.stdout
    assert "detected" not in result.stdout  # 2-D mixtures always train in float32
    gan = json.loads((out / "config.json").read_text())["gan"]
    assert (gan["pack"], gan["unrolled_steps"], gan["ema_decay"], gan["r1_gamma"]) == (2, 2, 0.9, 1.0)
    assert (gan["lr_decay"], gan["lr_decay_steps"]) == ("cosine", 16)  # 2 epochs of 8 batches
    assert keras.models.load_model(out / "discriminator.keras").output_shape == (None, 1)
    rows = history(out)
    assert [r["epoch"] for r in rows] == ["1", "2"]
    assert all(0 <= int(float(r["modes_covered"])) <= 8 and 0 <= float(r["high_quality"]) <= 1 for r in rows)
    assert all(float(r["r1_penalty"]) > 0 for r in rows)
    for name in ("samples/epoch_002.png", "progress.gif", "curves.png", "generator.keras"):
        assert (out / name).is_file(), name
    with Image.open(out / "samples" / "epoch_002.png") as scatter:
        assert np.asarray(scatter.convert("L")).std() > 0
    drawn = run_script("samples.py", "--run", out, "--n", "500")
    assert drawn.returncode == 0, drawn.stderr
    with Image.open(out / "samples_seed0.png") as scatter:
        assert np.asarray(scatter.convert("L")).std() > 0


@pytest.mark.parametrize("args, phrase", [
    (("--model", "gan", "--dataset", "ring8", "--architecture", "dcgan"), "need --architecture mlp"),
    (("--model", "dcgan", "--dataset", "digits", "--loss", "hinge", "--label-smoothing", "0.1"),
     "label smoothing needs a loss with a real target"),
    (("--model", "wgan-gp", "--dataset", "digits", "--ema-decay", "1.5"), "ema decay must be in [0, 1)"),
    (("--model", "cgan", "--dataset", "digits", "--pack", "2"), "--pack (PacGAN) is for unconditional models"),
    (("--model", "gan", "--dataset", "ring8", "--lr-decay", "linear"), "invalid choice: 'linear'"),
    (("--model", "gan", "--dataset", "ring8", "--r1-gamma", "-1"), "r1 gamma must be at least 0"),
])
def test_bad_gan_settings_are_one_line_errors(tmp_path, args, phrase):
    out = tmp_path / "never"
    assert_bad_input(run_script("train.py", *args, "--epochs", "1", "--out-dir", out), phrase)
    assert not out.exists()


def test_precision_is_recorded_and_the_saved_generator_keeps_it(tmp_path):
    out = tmp_path / "bf16"
    result = run_script("train.py", "--model", "dcgan", *TINY, "--precision", "bfloat16", "--out-dir", out)
    assert result.returncode == 0, result.stderr
    assert "bfloat16" in result.stdout and "detected" not in result.stdout
    assert json.loads((out / "config.json").read_text())["gan"]["precision"] == "bfloat16"
    generator = keras.models.load_model(out / "generator.keras")
    assert {layer.dtype_policy.name for layer in generator.layers[1:-1]} == {"mixed_bfloat16"}
    assert generator.output.dtype == "float32"


def test_precision_and_jit_are_for_gan_models_only():
    assert_bad_input(run_script("train.py", "--model", "mlp", "--precision", "bfloat16"),
                     "--precision does not apply to --model mlp")
    assert_bad_input(run_script("train.py", "--model", "vae", "--jit"), "--jit does not apply to --model vae")
