"""``train.py --model stylegan`` and ``samples.py``'s style tools on a style-based run, end to end on tiny data."""

import json

import numpy as np
import pytest
from PIL import Image

from helpers import assert_bad_input, file_hashes, run_script

pytestmark = pytest.mark.slow

TINY = ("--latent-dim", "8", "--w-dim", "8", "--filters", "4", "--max-filters", "8", "--batch-size", "8",
        "--grid-size", "16")


@pytest.fixture(scope="module")
def run(tiny_data, tmp_path_factory, keras_home):
    """A stylegan run on tiny MNIST at 16x16: one epoch, resumed to two."""
    out = tmp_path_factory.mktemp("stylegan") / "run"
    command = ("train.py", "--model", "stylegan", "--dataset", "mnist", "--data-dir", tiny_data, "--image-size", "16",
               *TINY, "--out-dir", out)
    env = {"KERAS_HOME": str(keras_home)}
    first = run_script(*command, "--epochs", "1", env=env)
    assert first.returncode == 0, first.stderr
    resumed = run_script(*command, "--epochs", "2", "--resume", env=env)
    assert resumed.returncode == 0, resumed.stderr
    return out, first, resumed, env


def test_trains_resumes_and_writes_a_gan_run_directory(run):
    out, first, resumed, _ = run
    assert "training stylegan (3 resolutions to 16x16, 4-8 channels, R1 gamma 0.0064) on mnist: 40 images" in (
        first.stdout)
    assert "epochs 2-2" in resumed.stdout
    header, *rows = (out / "history.csv").read_text().splitlines()
    assert len(rows) == 2 and {"d_loss", "g_loss", "r1_penalty"} <= set(header.split(","))
    config = json.loads((out / "config.json").read_text())
    assert config["data"]["image_size"] == 16 and config["stylegan"]["image_shape"] == [16, 16, 1]
    assert config["training"]["lr"] == 2.5e-3 and config["training"]["beta_1"] == 0.0
    for name in ("generator.keras", "discriminator.keras", "curves.png", "progress.gif", "samples/epoch_002.png",
                 "samples/style_mix.png"):
        assert (out / name).is_file(), name
    with Image.open(out / "samples" / "style_mix.png") as grid:  # 7 x 7 cells of 16 px, 2 px apart, 2x
        assert grid.size == (2 * (7 * 18 + 2),) * 2


def test_samples_draws_style_mixing_noise_variation_and_truncation(run, tmp_path):
    out, _, _, env = run
    for flags, name, size in ((("--style-mix", "--n", "3"), "style_mix_seed0.png", 4 * 18 + 2),
                              (("--noise-only", "--n", "2"), "noise_only_seed0.png", (7 * 18 + 2, 2 * 18 + 2)),
                              (("--truncation", "0", "--n", "4"), "samples_psi0_seed0.png", 2 * 18 + 2)):
        result = run_script("samples.py", "--run", out, *flags, env=env)
        assert result.returncode == 0, result.stderr
        assert f"wrote {out / name}" in result.stdout
        with Image.open(out / name) as image:
            width, height = size if isinstance(size, tuple) else (size, size)
            assert image.size == (2 * width, 2 * height)
    with Image.open(out / "samples_psi0_seed0.png") as image:  # psi 0: every code gives the average image
        pixels = np.asarray(image).astype(int)
        cells = [pixels[4 + 36 * row : 36 + 36 * row, 4 + 36 * column : 36 + 36 * column]
                 for row in (0, 1) for column in (0, 1)]
        assert all(np.abs(cell - cells[0]).max() <= 1 for cell in cells[1:]) and cells[0].max() > cells[0].min()
    with Image.open(out / "noise_only_seed0.png") as image:  # the spread column is a real map: not all one value
        spread = np.asarray(image)[4:36, 6 * 36 + 4 : 7 * 36]
        assert spread.max() > spread.min()


def test_evaluate_measures_mixing_noise_and_truncation_with_the_evaluation_classifier(run):
    out, _, _, env = run
    result = run_script("samples.py", "--run", out, "--evaluate", "--n", "40", env=env)
    assert result.returncode == 0, result.stderr
    assert "mix_keeps_coarse_label" in result.stdout and "noise_keeps_label" in result.stdout
    metrics = json.loads((out / "metrics.json").read_text())
    style = metrics["style"]
    assert style["n"] == 40 and style["crossover"] == 3
    for key in ("mix_keeps_coarse_label", "mix_takes_fine_label", "noise_keeps_label"):
        assert 0 <= style[key] <= 1
    assert style["noise_mean_abs_change"] >= 0
    assert [row["psi"] for row in metrics["truncation"]] == [1.0, 0.9, 0.8, 0.7, 0.6, 0.5]
    assert all(0 <= row["precision"] <= 1 and 0 <= row["recall"] <= 1 for row in metrics["truncation"])
    assert metrics["extractor"] and (out / "truncation.png").is_file()


def test_style_options_refuse_bad_values_and_runs_that_are_not_style_based(run, trained_run, tmp_path):
    out, _, _, env = run
    before = file_hashes(out)
    assert_bad_input(run_script("samples.py", "--run", out, "--truncation", "1.5", env=env), "--truncation",
                     "must be in [0, 1], got 1.5")
    assert_bad_input(run_script("samples.py", "--run", out, "--truncation", "-0.1", env=env), "--truncation")
    assert_bad_input(run_script("samples.py", "--run", out, "--truncation", "0.5", "--evaluate", env=env),
                     "--truncation works with a grid")
    assert file_hashes(out) == before
    dcgan, _ = trained_run
    for flag in ("--style-mix", "--noise-only"):
        assert_bad_input(run_script("samples.py", "--run", dcgan, flag, env=env),
                         f"{flag} needs a style-based generator", "not a style-based generator")
    assert_bad_input(run_script("samples.py", "--run", dcgan, "--truncation", "0.7", env=env),
                     "--truncation needs a style-based generator")
    assert_bad_input(run_script("train.py", "--model", "stylegan", "--dataset", "digits", "--image-size", "28",
                                "--out-dir", tmp_path / "bad", env=env), "--image-size 28", "pass 8, 16, 32 or 64")
    assert not (tmp_path / "bad").exists()
