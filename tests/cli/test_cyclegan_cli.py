"""``train.py --model cyclegan`` and ``samples.py`` on a translation run, end to end on tiny data."""

import json

import numpy as np
import pytest
from PIL import Image

from helpers import assert_bad_input, file_hashes, run_script

pytestmark = pytest.mark.slow

TINY = ("--filters", "4", "--residual-blocks", "1", "--batch-size", "8")


@pytest.fixture(scope="module")
def translation_run(tiny_data, tmp_path_factory, keras_home):
    """One epoch of mnist <-> mnist-inverted (20 training images per domain) with the semantic term, then resumed
    to two."""
    out = tmp_path_factory.mktemp("cyclegan") / "run"
    command = ("train.py", "--model", "cyclegan", "--dataset", "mnist", "--target-dataset", "mnist-inverted",
               "--data-dir", tiny_data, *TINY, "--semantic-weight", "1", "--out-dir", out)
    env = {"KERAS_HOME": str(keras_home)}
    first = run_script(*command, "--epochs", "1", env=env)
    assert first.returncode == 0, first.stderr
    resumed = run_script(*command, "--epochs", "2", "--resume", env=env)
    assert resumed.returncode == 0, resumed.stderr
    return out, first, resumed


def test_a_run_holds_both_generators_grids_curves_and_resumes(translation_run):
    out, first, resumed = translation_run
    assert "mnist (20 images) <-> mnist-inverted (20 images), 28x28x1" in first.stdout
    assert "identity 0, semantic 1)" in first.stdout  # an inversion pair trains without the identity loss
    assert f"python samples.py --run {out} --input" in first.stdout
    for name in ("generator_ab.keras", "generator_ba.keras", "discriminator_a.keras", "curves.png", "progress.gif",
                 "samples/epoch_001.png", "samples/epoch_002.png"):
        assert (out / name).is_file(), name
    rows = (out / "history.csv").read_text().splitlines()
    assert len(rows) == 3 and {"cycle_loss", "adversarial_ab", "semantic_loss", "d_b_loss"} <= set(rows[0].split(","))
    assert "training the mnist-semantic feature extractor" in first.stderr  # its own classifier, not the scorer's
    assert "feature extractor" not in resumed.stderr  # resumed with the classifier saved in the checkpoint
    assert "epochs 2-2" in resumed.stdout
    with Image.open(out / "samples" / "epoch_001.png") as grid:  # six rows of the 8 fixed held-out images
        assert grid.size == (2 * (8 * 30 + 2), 2 * (6 * 30 + 2))
    config = json.loads((out / "config.json").read_text())
    assert config["cyclegan"]["identity_weight"] == 0.0 and config["cyclegan"]["target_dataset"] == "mnist-inverted"
    assert config["cyclegan"]["semantic_weight"] == 1.0


def test_samples_translates_held_out_images_and_the_users_own(translation_run, tmp_path, keras_home):
    out, _, _ = translation_run
    env = {"KERAS_HOME": str(keras_home)}
    result = run_script("samples.py", "--run", out, "--direction", "ba", "--n", "5", env=env)
    assert result.returncode == 0, result.stderr
    with Image.open(out / "translations_ba_seed0.png") as grid:  # five inputs over their translations
        assert grid.size == (2 * (5 * 30 + 2), 2 * (2 * 30 + 2))
    inputs = tmp_path / "mine"
    (inputs / "deeper").mkdir(parents=True)
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (40, 50), dtype=np.uint8)).save(inputs / "one.png")
    Image.fromarray(rng.integers(0, 256, (20, 20, 3), dtype=np.uint8)).save(inputs / "deeper" / "two.jpg")
    folder = tmp_path / "translated"
    result = run_script("samples.py", "--run", out, "--input", inputs, "--out", folder, env=env)
    assert result.returncode == 0, result.stderr
    for name in ("one.png", "deeper/two.png"):
        with Image.open(folder / name) as image:
            assert image.size == (28, 28) and image.mode == "L"
    result = run_script("samples.py", "--run", out, "--input", inputs / "one.png", "--out", tmp_path / "one.png",
                        env=env)
    assert result.returncode == 0 and (tmp_path / "one.png").is_file(), result.stderr
    result = run_script("samples.py", "--model", out / "generator_ab.keras", "--input", inputs / "one.png", "--out",
                        tmp_path / "bare.png", env=env)  # a generator file alone: translated at the image's own size
    assert result.returncode == 0, result.stderr
    with Image.open(tmp_path / "bare.png") as grid:
        assert grid.size == (2 * (48 + 4), 2 * (2 * 42 + 2))  # 40x50 translated at 40x48, multiples of 4
    assert_bad_input(run_script("samples.py", "--model", out / "generator_ab.keras", env=env), "needs --input")
    before = file_hashes(folder)
    result = run_script("samples.py", "--run", out, "--input", inputs, "--out", folder, env=env)
    assert_bad_input(result, "already exists", "another --out folder")
    assert file_hashes(folder) == before


def test_evaluate_scores_both_directions(translation_run, keras_home):
    out, _, _ = translation_run
    result = run_script("samples.py", "--run", out, "--evaluate", "--n", "10", env={"KERAS_HOME": str(keras_home)})
    assert result.returncode == 0, result.stderr
    assert "mnist -> mnist-inverted" in result.stdout and "label_accuracy_untranslated" in result.stdout
    metrics = json.loads((out / "metrics.json").read_text())
    for direction in ("ab", "ba"):
        numbers = metrics[direction]
        assert numbers["n_source"] == 10 and 0 <= numbers["label_accuracy"] <= 1
        assert np.isfinite(numbers["fid"]) and numbers["cycle_error"] > 0 and np.isfinite(numbers["psnr"])
    assert metrics["split"] == "test" and len(metrics["classifiers"]["a"]) == 12


@pytest.mark.parametrize(("args", "phrases"), [
    (("--model", "cyclegan", "--dataset", "digits"), ("pass --target-dataset",)),
    (("--model", "dcgan", "--dataset", "digits", "--target-dataset", "digits-m"), ("--target-dataset does not apply",)),
    (("--model", "cyclegan", "--dataset", "digits", "--target-dataset", "nowhere"), ("unknown dataset 'nowhere'",)),
    (("--model", "cyclegan", "--dataset", "mnist", "--target-dataset", "cifar10"),
     ("domains differ", "mnist is 28x28x3 and cifar10 is 32x32x3", "--image-size")),
])
def test_bad_training_input_is_one_line(args, phrases, tiny_data, tmp_path):
    result = run_script("train.py", *args, "--data-dir", tiny_data, "--out-dir", tmp_path / "run", *TINY)
    assert_bad_input(result, *phrases)
    assert not (tmp_path / "run").exists()


def test_the_semantic_term_refuses_an_unlabelled_source(tmp_path):
    flat = tmp_path / "flat"
    flat.mkdir()
    for i in range(8):
        Image.fromarray(np.full((16, 16), 30 * i, np.uint8)).save(flat / f"{i}.png")
    result = run_script("train.py", "--model", "cyclegan", "--dataset", f"folder:{flat}", "--target-dataset",
                        f"folder:{flat}", "--semantic-weight", "1", "--out-dir", tmp_path / "run", *TINY)
    assert_bad_input(result, "the semantic loss reads a classifier of folder:", "which has no labels",
                     "class subfolders, or drop --semantic-weight")
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize(("args", "phrases"), [
    (("--label", "3"), ("--label is for generators that draw from noise", "--input")),
    (("--interpolate",), ("--interpolate is for generators that draw from noise",)),
    (("--input", "README.md"), ("README.md is not an image",)),
    (("--input", "nowhere.png"), ("--input nowhere.png does not exist",)),
])
def test_bad_samples_input_is_one_line(args, phrases, translation_run, keras_home):
    out, _, _ = translation_run
    before = file_hashes(out)
    result = run_script("samples.py", "--run", out, *args, env={"KERAS_HOME": str(keras_home)})
    assert_bad_input(result, *phrases)
    assert file_hashes(out) == before


def test_noise_runs_refuse_input_and_direction(trained_run):
    out, _ = trained_run
    assert_bad_input(run_script("samples.py", "--run", out, "--input", "README.md"), "--input is for translation runs")
    assert_bad_input(run_script("samples.py", "--run", out, "--direction", "ba"), "--direction is for translation runs")
