"""samples.py end to end in subprocesses, on a run trained by train.py."""

import os
import shutil

import keras
import numpy as np
import pytest
from PIL import Image

from helpers import assert_bad_input, run_script

pytestmark = pytest.mark.slow


def pixels(path):
    with Image.open(path) as image:
        return np.asarray(image)


def test_grid_has_the_expected_size_and_is_deterministic(trained_run, tmp_path):
    out, _ = trained_run
    paths = [tmp_path / f"{name}.png" for name in ("a", "b", "c")]
    for path, seed in zip(paths, (5, 5, 6)):
        result = run_script("samples.py", "--run", out, "--n", "9", "--seed", seed, "--scale", "1", "--out", path)
        assert result.returncode == 0, result.stderr
    a, b, c = map(pixels, paths)
    assert a.shape == (3 * 30 + 2, 3 * 30 + 2)  # 3x3 tiles of 28 px with 2 px padding
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert a[2:30, 2:30].std() > 0  # a real image, not a blank tile


def test_newest_run_is_the_default(trained_run, tmp_path):
    out, _ = trained_run
    workdir = tmp_path / "work"
    for name, mtime in (("b-older", 1000), ("a-newer", 2000)):
        shutil.copytree(out, workdir / "runs" / name)
        os.utime(workdir / "runs" / name / "generator.keras", (mtime, mtime))
    result = run_script("samples.py", "--n", "4", cwd=workdir)
    assert result.returncode == 0, result.stderr
    written = workdir / "runs" / "a-newer" / "samples_seed0.png"
    assert pixels(written).shape == ((2 * 30 + 2) * 2,) * 2
    assert not (workdir / "runs" / "b-older" / "samples_seed0.png").exists()


def test_model_file_and_interpolation(trained_run, tmp_path):
    out, _ = trained_run
    path = tmp_path / "strip.png"
    result = run_script("samples.py", "--model", out / "generator.keras", "--interpolate", "--n", "6",
                        "--scale", "1", "--out", path)
    assert result.returncode == 0, result.stderr
    strip = pixels(path)
    assert strip.shape == (30 + 2, 6 * 30 + 2)
    tiles = [strip[2:30, 2 + 30 * i : 30 + 30 * i].astype(float) for i in range(6)]
    steps = [np.abs(tiles[i + 1] - tiles[i]).mean() for i in range(5)]
    assert np.abs(tiles[5] - tiles[0]).mean() > max(steps)  # neighbours closer than the ends


def test_matches_the_generator_in_python(trained_run, tmp_path):
    from gan_tf import generate, latent_noise
    from lab_tf.figures import image_grid

    out, _ = trained_run
    path = tmp_path / "s.png"
    assert run_script("samples.py", "--run", out, "--n", "4", "--seed", "2", "--out", path).returncode == 0
    generator = keras.models.load_model(out / "generator.keras")
    expected = image_grid(generate(generator, latent_noise(4, 100, seed=2)), scale=2)[..., 0]
    assert np.abs(pixels(path).astype(int) - expected).max() <= 1


@pytest.mark.parametrize("make_args, phrases", [
    (lambda run, tmp: ("--run", tmp / "nope"), ("does not exist",)),
    (lambda run, tmp: ("--model", run / "discriminator.keras"), ("is not a generator", "latent_dim")),
    (lambda run, tmp: ("--model", run / "config.json"), ("config.json could not be loaded as a Keras model",)),
    (lambda run, tmp: ("--run", tmp), ("is not a run directory",)),
    (lambda run, tmp: ("--n", "0"), ("--n", "must be at least 1")),
    (lambda run, tmp: ("--seed", "-1"), ("--seed", "must be at least 0")),
    (lambda run, tmp: ("--run", run, "--out", tmp / "missing" / "x.png"), ("missing/x.png: the folder",
                                                                           "does not exist")),
])
def test_bad_input_is_one_line_exit_2(trained_run, tmp_path, make_args, phrases):
    out, _ = trained_run
    result = run_script("samples.py", *make_args(out, tmp_path), cwd=tmp_path)
    assert_bad_input(result, *phrases)


def test_no_runs_yet(tmp_path):
    assert_bad_input(run_script("samples.py", cwd=tmp_path), "no trained run found", "train.py")
