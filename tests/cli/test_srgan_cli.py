"""``train.py --model srresnet|srgan`` and ``samples.py`` on a super-resolution run, end to end on tiny data."""

import json

import numpy as np
import pytest
from PIL import Image

from helpers import assert_bad_input, file_hashes, load_script, run_script

pytestmark = pytest.mark.slow

TINY = ("--filters", "4", "--residual-blocks", "1", "--batch-size", "8")


@pytest.fixture(scope="module")
def runs(tiny_data, tmp_path_factory, keras_home):
    """An srresnet run (one epoch, resumed to two), and an srgan run started from it."""
    root = tmp_path_factory.mktemp("superres")
    env = {"KERAS_HOME": str(keras_home)}
    resnet = ("train.py", "--model", "srresnet", "--dataset", "mnist", "--data-dir", tiny_data, "--scale", "4", *TINY,
              "--out-dir", root / "srresnet")
    first = run_script(*resnet, "--epochs", "1", env=env)
    assert first.returncode == 0, first.stderr
    resumed = run_script(*resnet, "--epochs", "2", "--resume", env=env)
    assert resumed.returncode == 0, resumed.stderr
    gan = run_script("train.py", "--model", "srgan", "--dataset", "mnist", "--data-dir", tiny_data, "--epochs", "1",
                     "--batch-size", "8", "--init-from", root / "srresnet", "--out-dir", root / "srgan", env=env)
    assert gan.returncode == 0, gan.stderr
    return root, first, resumed, gan


def test_srresnet_then_srgan_from_it(runs):
    root, first, resumed, gan = runs
    assert "training srresnet x4 (4 filters, 1 residual blocks; mse loss) on mnist (40 images), 7x7 -> 28x28" in (
        first.stdout)
    assert f"python samples.py --run {root / 'srresnet'} --input" in first.stdout and "upscale images" in first.stdout
    assert "epochs 2-2" in resumed.stdout
    rows = (root / "srresnet" / "history.csv").read_text().splitlines()
    assert len(rows) == 3 and {"pixel_loss", "psnr", "val_psnr"} <= set(rows[0].split(","))
    with Image.open(root / "srresnet" / "samples" / "epoch_002.png") as grid:  # pixels, bicubic, model, original
        assert grid.size == (2 * (8 * 30 + 2), 2 * (4 * 30 + 2))
    # srgan takes the srresnet's architecture and weights, and trains adversarially from the first epoch
    assert f"from {root / 'srresnet'}" in gan.stdout and "(4 filters, 1 residual blocks;" in gan.stdout
    header, row = (root / "srgan" / "history.csv").read_text().splitlines()
    values = dict(zip(header.split(","), row.split(",")))
    assert float(values["d_loss"]) > 0 and float(values["adversarial_loss"]) > 0
    config = json.loads((root / "srgan" / "config.json").read_text())["srgan"]
    assert config["pretrain_steps"] == 0 and config["feature_scale"] > 0
    for name in ("generator.keras", "discriminator.keras", "curves.png", "progress.gif"):
        assert (root / "srgan" / name).is_file(), name


def test_samples_upscales_images_of_any_size_and_the_held_out_grid(runs, tmp_path, keras_home):
    root, *_ = runs
    env = {"KERAS_HOME": str(keras_home)}
    mine = tmp_path / "mine"
    mine.mkdir()
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (13, 10), dtype=np.uint8)).save(mine / "odd.png")
    result = run_script("samples.py", "--run", root / "srgan", "--input", mine, "--out", tmp_path / "up", env=env)
    assert result.returncode == 0, result.stderr
    with Image.open(tmp_path / "up" / "odd.png") as image:
        assert image.size == (40, 52) and image.mode == "L"  # 4x of 10x13, at its own size
    result = run_script("samples.py", "--run", root / "srgan", "--n", "5", env=env)
    assert result.returncode == 0, result.stderr
    with Image.open(root / "srgan" / "upscaled_seed0.png") as grid:  # pixels, bicubic, model, original
        assert grid.size == (2 * (5 * 30 + 2), 2 * (4 * 30 + 2))
    Image.fromarray(rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)).save(tmp_path / "colour.png")
    assert_bad_input(run_script("samples.py", "--run", root / "srgan", "--input", tmp_path / "colour.png", env=env),
                     "colour image", "takes greyscale ones")


def test_evaluate_scores_bicubic_the_model_and_the_originals_with_another_classifier(runs, keras_home):
    root, *_ = runs
    result = run_script("samples.py", "--run", root / "srgan", "--evaluate", "--n", "10",
                        env={"KERAS_HOME": str(keras_home)})
    assert result.returncode == 0, result.stderr
    assert "bicubic" in result.stdout and "srgan" in result.stdout and "x4 on 10 held-out images" in result.stdout
    metrics = json.loads((root / "srgan" / "metrics.json").read_text())
    assert set(metrics["bicubic"]) == {"psnr", "ssim", "fid", "kid", "precision", "recall", "accuracy"}
    assert "psnr" not in metrics["hr"] and metrics["n"] == 10 and metrics["n_real"] == 10
    assert metrics["model"]["psnr"] > 0
    perceptual = json.loads((root / "srgan" / "config.json").read_text())["srgan"]["perceptual_id"]
    assert perceptual and metrics["classifier"] != perceptual  # the loss's network never scores the result


def test_bad_settings_are_refused_before_anything_is_written(runs, tiny_data, trained_run, tmp_path, keras_home):
    root, *_ = runs
    env = {"KERAS_HOME": str(keras_home)}
    before = file_hashes(root)
    base = ("train.py", "--dataset", "mnist", "--data-dir", tiny_data, *TINY, "--epochs", "1", "--out-dir",
            tmp_path / "new")
    cases = [
        (("--model", "srresnet", "--scale", "3"), ("invalid choice: 3",)),
        (("--model", "srresnet", "--image-size", "30"), ("30x30 pixels cannot be downscaled 4 times",)),
        (("--model", "srgan", "--init-from", trained_run[0]), ("is a --model dcgan run",)),
        (("--model", "srgan", "--init-from", root / "srresnet", "--scale", "2"), ("pass a run of the same --scale",)),
        (("--model", "srresnet", "--init-from", root / "srresnet"), ("--init-from is for --model srgan",)),
    ]
    for args, phrases in cases:
        assert_bad_input(run_script(*base, *args, env=env), *phrases)
        assert not (tmp_path / "new").exists()
    assert file_hashes(root) == before


def test_srgan_pretrains_itself_for_the_stated_epochs(tiny_data, tmp_path, keras_home, monkeypatch, capsys):
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    out = tmp_path / "run"
    code = load_script("train.py").main(["--model", "srgan", "--dataset", "mnist", "--data-dir", str(tiny_data),
                                         *TINY, "--epochs", "2", "--pretrain-epochs", "1", "--out-dir", str(out)])
    assert code == 0
    assert "perceptual content loss + 0.001 adversarial, 1 pretraining epoch(s)" in capsys.readouterr().out
    header, *rows = (out / "history.csv").read_text().splitlines()
    d_loss = [float(dict(zip(header.split(","), row.split(",")))["d_loss"]) for row in rows]
    assert d_loss[0] == 0 and d_loss[1] > 0  # the discriminator waits for the pixel-loss epoch
