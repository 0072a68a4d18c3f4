"""train.py end to end in subprocesses, on the bundled digits."""

import csv
import json
import os

import keras
import numpy as np
import pytest
from PIL import Image

import gan_tf  # noqa: F401  (registers the GAN trainer for load_model)
from helpers import assert_bad_input, run_script
from lab_tf.precision import detect_precision

pytestmark = pytest.mark.slow


def test_short_run_writes_every_file(trained_run):
    out, result = trained_run
    detected = detect_precision()[0]
    assert f"precision: {detected}, detected for" in result.stdout
    assert (f"training dcgan (tutorial architecture, nonsaturating loss, {detected}) on digits: 96 samples 28x28x1"
            in result.stdout)
    assert "Epoch 2/2" in result.stdout
    config = json.loads((out / "config.json").read_text())
    assert config["gan"]["image_shape"] == [28, 28, 1] and config["training"]["epochs"] == 2
    assert config["gan"]["precision"] == detected
    with open(out / "history.csv") as file:
        rows = list(csv.DictReader(file))
    assert [r["epoch"] for r in rows] == ["1", "2"]
    assert {"d_loss", "g_loss", "d_real_accuracy", "d_fake_accuracy"} <= set(rows[0])
    assert all(np.isfinite(float(v)) for row in rows for v in row.values())
    for epoch in (1, 2):  # 16 images: 4x4 tiles of 28 px + 2 px padding, upscaled 2x
        with Image.open(out / "samples" / f"epoch_{epoch:03d}.png") as grid:
            assert grid.size == (244, 244) and grid.mode == "L"
    with Image.open(out / "progress.gif") as gif:
        assert gif.n_frames == 2
    with Image.open(out / "curves.png") as curves:
        assert curves.width > 500
    generator = keras.models.load_model(out / "generator.keras")
    assert generator.output_shape == (None, 28, 28, 1)
    assert keras.models.load_model(out / "discriminator.keras").output_shape == (None, 1)
    state = json.loads((out / "checkpoint" / "state.json").read_text())
    assert state["epoch"] == 2 and sorted(p.name for p in (out / "checkpoint").iterdir()) == [
        "model-epoch-2.keras", "state.json"]
    assert not [p for p in out.rglob("*") if ".tmp" in p.name]


def test_resume_continues_at_the_next_epoch(tmp_path, keras_home):
    out = tmp_path / "run"
    common = ("--dataset", "digits", "--limit", "64", "--batch-size", "32", "--grid-size", "4")
    first = run_script("train.py", *common, "--epochs", "1", "--out-dir", out, env={"KERAS_HOME": str(keras_home)})
    assert first.returncode == 0, first.stderr
    resumed = run_script("train.py", "--resume", "--out-dir", out, "--epochs", "3", env={"KERAS_HOME": str(keras_home)})
    assert resumed.returncode == 0, resumed.stderr
    assert "epochs 2-3" in resumed.stdout and "Epoch 2/3" in resumed.stdout and "Epoch 1/3" not in resumed.stdout
    with open(out / "history.csv") as file:
        assert [r["epoch"] for r in csv.DictReader(file)] == ["1", "2", "3"]
    state = json.loads((out / "checkpoint" / "state.json").read_text())
    gan = keras.models.load_model(out / state["checkpoint"])
    assert int(gan.g_optimizer.iterations) == 3 * 2  # optimizer state carried over: 2 steps per epoch
    assert json.loads((out / "config.json").read_text())["training"]["epochs"] == 3
    with Image.open(out / "progress.gif") as gif:
        assert gif.n_frames == 3
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    again = run_script("train.py", "--resume", "--out-dir", out, "--epochs", "3", env={"KERAS_HOME": str(keras_home)})
    assert_bad_input(again, "already trained 3 epochs", "--epochs greater than 3")
    changed = run_script("train.py", "--resume", "--out-dir", out, "--epochs", "5", "--lr", "0.1")
    assert_bad_input(changed, "--lr cannot change on --resume")
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before


def test_a_copied_run_resumes_in_its_new_place(trained_run, tmp_path, keras_home):
    import shutil

    original, _ = trained_run
    before = {p: p.stat().st_mtime_ns for p in original.rglob("*")}
    copy = tmp_path / "copy"
    shutil.copytree(original, copy)
    result = run_script("train.py", "--resume", "--out-dir", copy, "--epochs", "3", cwd=tmp_path,
                        env={"KERAS_HOME": str(keras_home)})
    assert result.returncode == 0, result.stderr
    assert (copy / "samples" / "epoch_003.png").is_file()
    assert {p: p.stat().st_mtime_ns for p in original.rglob("*")} == before


@pytest.mark.parametrize("args, phrases", [
    (("--model", "vqgan"), ("invalid choice: 'vqgan'", "dcgan")),
    (("--dataset", "imagenet"), ("unknown dataset 'imagenet'", "digits", "folder:PATH")),
    (("--epochs", "0"), ("--epochs", "must be at least 1")),
    (("--batch-size", "-4"), ("--batch-size", "must be at least 1")),
    (("--dataset", "mnist", "--offline"), ("mnist.npz not found", "put mnist.npz there", "--dataset digits")),
    (("--dataset", "mnist", "--data-dir", "nowhere"), ("nowhere is not a folder",)),
    (("--seed", "-1"), ("--seed", "must be at least 0")),
    (("--lr", "nan"), ("--lr", "must be a finite number")),
    (("--resume",), ("--resume needs --out-dir",)),
])
def test_bad_input_is_one_line_exit_2(args, phrases, tmp_path):
    result = run_script("train.py", *args, cwd=tmp_path, env={"KERAS_HOME": str(tmp_path / "keras")})
    assert_bad_input(result, *phrases)
    assert not (tmp_path / "runs").exists()


def test_empty_image_folder(tmp_path):
    (tmp_path / "photos").mkdir()
    result = run_script("train.py", "--dataset", f"folder:{tmp_path / 'photos'}", cwd=tmp_path)
    assert_bad_input(result, "no images", "photos")


def test_existing_run_directory_is_left_untouched(trained_run):
    out, _ = trained_run
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    result = run_script("train.py", "--dataset", "digits", "--out-dir", out)
    assert_bad_input(result, "already exists", "--resume")
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before


def test_custom_folder_trains_in_colour(image_folder, tmp_path, keras_home):
    out = tmp_path / "run"
    result = run_script("train.py", "--dataset", f"folder:{image_folder}", "--image-size", "16",
                        "--epochs", "1", "--batch-size", "4", "--grid-size", "4", "--out-dir", out,
                        env={"KERAS_HOME": str(keras_home)})
    assert result.returncode == 0, result.stderr
    assert "skipped 1 unreadable image file(s)" in result.stderr
    for phrase in ("(dcgan architecture, nonsaturating loss, ", ") on folder:", "5 samples 16x16x3"):
        assert phrase in result.stdout
    with Image.open(out / "samples" / "epoch_001.png") as grid:
        assert grid.mode == "RGB" and grid.size == ((2 * 18 + 2) * 2,) * 2
    assert os.path.isfile(out / "generator.keras")


def test_ctrl_c_leaves_a_resumable_run(tmp_path, keras_home):
    import signal
    import subprocess
    import sys
    import time

    from helpers import ROOT

    out = tmp_path / "run"
    process = subprocess.Popen(
        [sys.executable, os.path.join(ROOT, "train.py"), "--dataset", "digits", "--limit", "64", "--batch-size", "32",
         "--grid-size", "4", "--epochs", "500", "--out-dir", str(out)],
        env={**os.environ, "KERAS_HOME": str(keras_home)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    state = out / "checkpoint" / "state.json"
    deadline = time.time() + 180
    while not state.exists() and time.time() < deadline and process.poll() is None:
        time.sleep(0.2)
    assert state.exists(), "no epoch finished in time"
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and f"--resume --out-dir {out}" in stderr
    finished = json.loads(state.read_text())["epoch"]
    assert 1 <= finished < 500
    assert keras.models.load_model(out / "generator.keras").output_shape == (None, 28, 28, 1)
    resumed = run_script("train.py", "--resume", "--out-dir", out, "--epochs", finished + 1,
                         env={"KERAS_HOME": str(keras_home)})
    assert resumed.returncode == 0, resumed.stderr
    with open(out / "history.csv") as file:
        assert [int(r["epoch"]) for r in csv.DictReader(file)] == list(range(1, finished + 2))
