"""Nothing lost, nothing confusing: bad input and damaged files answered in one line, the natural resume,
divergence stopped, and kill -9 at any moment leaving a run that loads and resumes."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest
from PIL import Image

from core_tf.files import TEMPORARY
from helpers import ROOT, file_hashes, load_script, write_keras_npz
from lab_tf import run_dir as rd
from lab_tf.callbacks import Diverged
from lab_tf.training import fit_run, prepare_resumed_run

TINY = ("--dataset", "digits", "--limit", "64", "--batch-size", "32", "--grid-size", "4")
FIXTURE_RUN = os.path.join(ROOT, "tests", "fixtures", "gan-ring8-run")


@pytest.fixture(scope="module")
def scripts():
    return {name: load_script(f"{name}.py") for name in ("train", "samples", "compare")}


@pytest.fixture(autouse=True)
def isolated_keras_home(keras_home, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(keras_home))


def call(scripts, capsys, script, *args):
    """``(exit code, the error: lines)`` of ``script.main(args)`` in this process; a traceback fails the test."""
    capsys.readouterr()
    try:
        code = scripts[script].main([str(a) for a in args])
    except SystemExit as stop:  # argparse's own errors
        code = stop.code
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    return code, errors


def assert_one_line(code, errors, *phrases):
    assert code == 2 and len(errors) == 1, errors
    for phrase in phrases:
        assert phrase in errors[0], errors[0]


def damaged_npz(folder, kind):
    """A data dir whose mnist.npz (or cifar10.npz) is damaged in one way."""
    folder.mkdir()
    if kind == "text":
        (folder / "mnist.npz").write_text("not an archive")
    elif kind == "empty":
        (folder / "mnist.npz").write_bytes(b"")
    elif kind == "truncated":
        write_keras_npz(folder / "whole.npz", (28, 28))
        (folder / "mnist.npz").write_bytes((folder / "whole.npz").read_bytes()[:300])
    elif kind == "random":
        (folder / "mnist.npz").write_bytes(np.random.default_rng(0).bytes(4096))
    elif kind == "no-images":
        np.savez(folder / "mnist.npz", x_train=np.zeros((0, 28, 28), np.uint8), y_train=np.zeros(0, np.uint8),
                 x_test=np.zeros((2, 28, 28), np.uint8), y_test=np.zeros(2, np.uint8))
    elif kind == "five-channels":
        write_keras_npz(folder / "cifar10.npz", (32, 32, 5), label_shape=(1,))
    return folder


@pytest.mark.parametrize("args, phrases", [
    (("--lr", "inf"), ("--lr", "must be a finite number")),
    (("--model", "vae", "--beta", "nan"), ("--beta", "must be a finite number")),
    (("--model", "wgan-gp", "--gp-weight=-inf"), ("--gp-weight", "must be a finite number")),
    (("--image-size", "100000"), ("--image-size", "must be at most 1024")),
    (("--latent-dim", "100000000"), ("--latent-dim", "must be at most 4096")),
    (("--grid-size", "100000000"), ("--grid-size", "must be at most 4096")),
    (("--batch-size", "100000000"), ("--batch-size", "must be at most 100000")),
    (("--model", "mlp", "--hidden", "100000000"), ("at most 1000 layers of at most 65536 units",)),
    (("--model", "gan", "--dataset", "ring8", "--eval-every", "1"), ("image-quality metrics need images", "ring8")),
    (("--model", "mlp", "--dataset", "ring8"), ("--model mlp classifies images", "ring8 holds 2-D points")),
    (("--model", "vae", "--dataset", "ring8"), ("--model vae encodes images", "ring8 holds 2-D points")),
    (("--data-dir", "{text}"), ("mnist.npz cannot be read: it is not an .npz archive", "fresh copy")),
    (("--data-dir", "{empty}"), ("mnist.npz cannot be read: it is empty",)),
    (("--data-dir", "{truncated}"), ("mnist.npz cannot be read: it is truncated or damaged",)),
    (("--data-dir", "{random}"), ("mnist.npz cannot be read",)),
    (("--data-dir", "{no-images}"), ("mnist.npz is not a usable mnist file", "(0 of them")),
    (("--dataset", "cifar10", "--data-dir", "{five-channels}"), ("cifar10.npz is not a usable cifar10 file",
                                                                   "(32, 32, 5)")),
])
def test_bad_input_is_one_line_and_writes_nothing(scripts, capsys, tmp_path, args, phrases):
    folders = {}
    for kind in ("text", "empty", "truncated", "random", "no-images", "five-channels"):
        if any(a == "{" + kind + "}" for a in args):
            folders[kind] = damaged_npz(tmp_path / kind, kind)
    args = [str(folders[a[1:-1]]) if a.startswith("{") else a for a in args]
    before = file_hashes(tmp_path)
    out = tmp_path / "out"
    assert_one_line(*call(scripts, capsys, "train", *args, "--epochs", "1", "--out-dir", out), *phrases)
    assert not out.exists() and file_hashes(tmp_path) == before


@pytest.mark.parametrize("damage, phrases", [
    (lambda run: (run / "config.json").write_text("[1, 2]"), ("config.json is damaged", "got a list")),
    (lambda run: (run / "config.json").write_text('{"model": "dcgan", "training": {"epochs": "x"}}'),
     ("config.json is damaged", "config.training.epochs must be an integer")),
    (lambda run: (run / "checkpoint" / "state.json").write_text("{}"), ("state.json is damaged",)),
    (lambda run: (run / "history.csv").write_text("epoch,d_loss\n1,abc\n"), ("history.csv is damaged",)),
    (lambda run: flip_bytes(run / json.loads((run / "checkpoint" / "state.json").read_text())["checkpoint"]),
     ("model-epoch-2.keras could not be loaded as a Keras model",)),
])
def test_a_damaged_run_directory_is_named_on_resume_and_left_alone(scripts, capsys, tmp_path, trained_run, damage,
                                                                  phrases):
    run = tmp_path / "run"
    shutil.copytree(trained_run[0], run)
    damage(run)
    before = file_hashes(run)
    assert_one_line(*call(scripts, capsys, "train", "--resume", "--out-dir", run, "--epochs", "3"), *phrases)
    assert file_hashes(run) == before


def flip_bytes(path):
    data = bytearray(path.read_bytes())
    middle = slice(len(data) // 3, 2 * len(data) // 3)
    data[middle] = bytes(b ^ 0xFF for b in data[middle])
    path.write_bytes(bytes(data))


def test_samples_names_damaged_files_and_unfit_requests(scripts, capsys, tmp_path, trained_run):
    run = tmp_path / "run"
    shutil.copytree(trained_run[0], run)
    flip_bytes(run / "generator.keras")
    before = file_hashes(run)
    assert_one_line(*call(scripts, capsys, "samples", "--run", run), "generator.keras could not be loaded")
    assert_one_line(*call(scripts, capsys, "samples", "--model", run / "generator.keras"), "could not be loaded")
    assert file_hashes(run) == before
    assert_one_line(*call(scripts, capsys, "samples", "--run", trained_run[0], "--out", tmp_path / "no" / "x.png"),
                    f"cannot write {tmp_path / 'no' / 'x.png'}: the folder", "does not exist")
    assert_one_line(*call(scripts, capsys, "samples", "--run", trained_run[0], "--n", "100000000"),
                    "--n", "must be at most 100000")
    points = tmp_path / "points"
    shutil.copytree(FIXTURE_RUN, points)
    assert_one_line(*call(scripts, capsys, "samples", "--run", points, "--evaluate"),
                    "image-quality metrics need images", "modes_covered")


def test_the_natural_resume_and_a_real_change(scripts, capsys, tmp_path, trained_run):
    """The command that started the run, with --resume and more epochs, continues it; a real change is named."""
    run = tmp_path / "run"
    shutil.copytree(trained_run[0], run)
    started = ("--model", "dcgan", "--dataset", "digits", "--limit", "96", "--batch-size", "32", "--grid-size", "16",
               "--out-dir", run)
    code, errors = call(scripts, capsys, "train", *started, "--epochs", "3", "--resume")
    assert code == 0, errors
    assert [row["epoch"] for row in rd.read_history(run)] == [1, 2, 3]
    before = file_hashes(run)
    assert_one_line(*call(scripts, capsys, "train", *started, "--epochs", "4", "--resume", "--batch-size", "64"),
                    "--batch-size cannot change on --resume: the run has 32, the command gives 64")
    assert_one_line(*call(scripts, capsys, "train", *started, "--epochs", "4", "--resume", "--tune", "random"),
                    "--tune cannot be given on --resume")
    assert file_hashes(run) == before


def test_a_run_that_died_in_its_first_epoch_starts_over_with_the_same_command(scripts, capsys, tmp_path):
    out = tmp_path / "run"
    command = ("--model", "gan", "--dataset", "ring8", "--limit", "256", "--batch-size", "128", "--out-dir", out)
    out.mkdir()
    (out / "config.json").write_text("{}")  # what a kill during the first epoch leaves
    assert_one_line(*call(scripts, capsys, "train", *command, "--epochs", "1", "--resume"),
                    "has no finished epoch to resume; run the command that started it without --resume")
    assert call(scripts, capsys, "train", *command, "--epochs", "1") == (0, [])
    assert [row["epoch"] for row in rd.read_history(out)] == [1]


@pytest.mark.slow
@pytest.mark.parametrize("model", ["dcgan", "vae"])
def test_divergence_stops_at_once_and_keeps_the_last_good_epoch(scripts, capsys, tmp_path, model):
    run = tmp_path / "run"
    assert call(scripts, capsys, "train", "--model", model, *TINY, "--epochs", "1", "--out-dir", run) == (0, [])
    before = file_hashes(run)
    resumed = prepare_resumed_run(str(run), epochs=3)
    for optimizer in (resumed.trainer.optimizer,) if model == "vae" else (resumed.trainer.d_optimizer,
                                                                            resumed.trainer.g_optimizer):
        optimizer.learning_rate.assign(1e6)  # a learning rate far too high, from the second epoch on
    with pytest.raises(Diverged, match="training diverged: .* of epoch 2; the finished epochs are kept"):
        fit_run(resumed, verbose=0)
    after = file_hashes(run)
    assert after.pop("config.json") != before.pop("config.json")  # --epochs 3 was recorded, as on any resume
    assert after == before  # epoch 1's files, checkpoint and history untouched
    new = tmp_path / "new"
    assert_one_line(*call(scripts, capsys, "train", "--model", model, *TINY, "--lr", "1e6", "--epochs", "2",
                          "--out-dir", new), "training diverged", "of epoch 1", "Try a lower learning rate",
                    f"removed {new}")
    assert not new.exists()


def check_run_files(run, temporaries_allowed=False):
    """Every file of a run directory loads: JSON parses, .keras loads in safe mode, PNGs decode.

    A killed process may leave the hidden temporary of a write it had not finished (never a real
    file half written); the next run of the command removes them.
    """
    for root, _, names in os.walk(run):
        for name in names:
            path = os.path.join(root, name)
            if TEMPORARY.fullmatch(name):
                assert temporaries_allowed, f"a temporary file was left: {path}"
                continue
            if name.endswith(".json"):
                with open(path) as file:
                    json.load(file)
            elif name.endswith(".keras"):
                keras.models.load_model(path, safe_mode=True)
            elif name.endswith((".png", ".gif")):
                with Image.open(path) as image:
                    image.load()
    if os.path.isfile(os.path.join(run, rd.STATE)):
        finished = rd.read_state(run)["epoch"]
        epochs = [row["epoch"] for row in rd.read_history(run)]
        # the row of an epoch killed while its checkpoint was written may precede it; --resume drops it
        assert epochs in (list(range(1, finished + 1)), list(range(1, finished + 2))), (epochs, finished)


@pytest.mark.slow
def test_kill_at_any_moment_leaves_a_run_that_loads_and_resumes(tmp_path):
    """SIGKILL a real training process at several moments; every file loads and the command finishes the run."""
    command = [sys.executable, os.path.join(ROOT, "train.py"), "--model", "gan", "--dataset", "ring8", "--limit",
               "1024", "--batch-size", "128", "--epochs", "5"]
    for trial, delay in enumerate((0.0, 0.15, 0.5, 0.85)):
        run = tmp_path / f"run{trial}"
        process = subprocess.Popen([*command, "--out-dir", str(run)], cwd=tmp_path, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:  # kill in epoch trial + 1, or at start-up
            if (rd.read_state(run)["epoch"] if (run / rd.STATE).is_file() else 0) >= trial:
                break
            time.sleep(0.02)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        check_run_files(run, temporaries_allowed=True)
        resume = ["--resume"] if (run / rd.STATE).is_file() else []  # else the same command starts it over
        resumed = subprocess.run([*command, "--out-dir", str(run), *resume], cwd=tmp_path, capture_output=True,
                                 text=True, timeout=300)
        assert resumed.returncode == 0, resumed.stderr
        check_run_files(run)
        assert [row["epoch"] for row in rd.read_history(run)] == [1, 2, 3, 4, 5]
