"""train.py --model mlp end to end in subprocesses: a run, a comparison, gradient flow, searches."""

import csv
import json

import keras
import numpy as np
import pytest
from PIL import Image

import mlp_tf  # noqa: F401  (registers the MLP losses for load_model)
from helpers import assert_bad_input, run_script

pytestmark = pytest.mark.slow

DIGITS = ("--model", "mlp", "--dataset", "digits", "--limit", "200", "--batch-size", "32")


def train(*args, keras_home):
    return run_script("train.py", *args, env={"KERAS_HOME": str(keras_home)})


def rows(path):
    with open(path, newline="") as file:
        return list(csv.DictReader(file))


def test_run_writes_curves_test_accuracy_confusion_matrix_and_model(tmp_path, keras_home):
    out = tmp_path / "run"
    result = train(*DIGITS, "--hidden", "32,16", "--activation", "tanh", "--loss", "mse", "--optimizer", "sgd",
                   "--epochs", "2", "--out-dir", out, keras_home=keras_home)
    assert result.returncode == 0, result.stderr
    assert "training mlp 784-32-16-10 (tanh, mse, sgd lr 0.05) on digits" in result.stdout
    history = rows(out / "history.csv")
    assert [r["epoch"] for r in history] == ["1", "2"]
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(history[0])
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["split"] == "test" and metrics["n"] == 5000 and 0 <= metrics["test_accuracy"] <= 1
    for figure in ("curves.png", "confusion_matrix.png"):
        with Image.open(out / figure) as image:
            assert image.width > 400
    model = keras.models.load_model(out / "model.keras")
    assert model.output_shape == (None, 10)
    assert [layer.name for layer in model.layers if layer.name.startswith("dense_")] == ["dense_1", "dense_2"]
    config = json.loads((out / "config.json").read_text())
    assert "gan" not in config and config["mlp"]["num_classes"] == 10 and config["training"]["lr"] == 0.05


def test_comparison_in_one_command_and_again_without_retraining(tmp_path, keras_home):
    out = tmp_path / "compare"
    command = (*DIGITS, "--hidden", "16", "--activation", "relu,sigmoid", "--epochs", "1", "--out-dir", out)
    result = train(*command, keras_home=keras_home)
    assert result.returncode == 0, result.stderr
    table = rows(out / "results.csv")
    assert [r["variant"] for r in table] == ["relu", "sigmoid"]
    assert all(0 <= float(r["test_accuracy"]) <= 1 for r in table)
    assert "| variant |" in (out / "results.md").read_text()
    with Image.open(out / "comparison.png") as image:
        assert image.width > 600
    again = train(*command, keras_home=keras_home)
    assert again.returncode == 0 and "training mlp" not in again.stdout


def test_gradient_flow_in_one_command(tmp_path, keras_home):
    out = tmp_path / "flow"
    result = train(*DIGITS, "--gradient-flow", "--hidden", "8x6", "--out-dir", out, keras_home=keras_home)
    assert result.returncode == 0, result.stderr
    for name in ("activation_functions.png", "gradient_norms.png", "activations_init.png", "activations_trained.png"):
        assert (out / name).stat().st_size > 10_000
    norms = rows(out / "gradient_norms.csv")
    assert [r["network"] for r in norms][::2] == ["sigmoid", "tanh", "relu", "relu, he_normal", "sigmoid, batch norm"]
    sigmoid = [float(norms[0][f"layer_{i}"]) for i in range(1, 7)]
    assert sigmoid[0] < sigmoid[5] / 10  # vanishing towards the input


def test_search_resumes_and_best_model_reloads_with_the_same_score(tmp_path, keras_home):
    out = tmp_path / "search"
    command = (*DIGITS, "--tune", "random", "--space", "units=16,32", "--space", "depth=1", "--space", "epochs=1",
               "--space", "batch_size=32,64", "--out-dir", out)
    first = train(*command, "--max-trials", "2", keras_home=keras_home)
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("Running Trial") == 2
    more = train("--resume", "--out-dir", out, "--max-trials", "3", keras_home=keras_home)
    assert more.returncode == 0, more.stderr
    assert more.stdout.count("Running Trial") == 1 and "Running Trial #3" in more.stdout
    trials = rows(out / "trials.csv")
    assert len(trials) == 3 and {"units", "lr", "batch_size", "val_accuracy", "val_loss"} <= set(trials[0])
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["test_accuracy"] == pytest.approx(metrics["reloaded_test_accuracy"], abs=1e-6)
    assert (out / "effects.png").stat().st_size > 10_000
    changed = train(*command, "--max-trials", "3", "--activation", "tanh", keras_home=keras_home)
    assert_bad_input(changed, "holds a different search")


@pytest.fixture
def labelled_folder(tmp_path):
    root = tmp_path / "shapes"
    rng = np.random.default_rng(0)
    for label in ("a", "b"):
        (root / label).mkdir(parents=True)
        for i in range(16):
            Image.fromarray(rng.integers(0, 256, (16, 16), dtype=np.uint8)).save(root / label / f"{i}.png")
    return root


def test_gan_search_scores_trials_with_the_evaluation_metric(tmp_path, labelled_folder, keras_home):
    out = tmp_path / "gan-search"
    result = train("--model", "dcgan", "--dataset", f"folder:{labelled_folder}", "--channels", "1",
                   "--image-size", "16", "--epochs", "1", "--eval-n", "16", "--eval-metric", "kid",
                   "--tune", "random", "--max-trials", "2",
                   "--space", "training.batch_size=16", "--out-dir", out, keras_home=keras_home)
    assert result.returncode == 0, result.stderr
    trials = rows(out / "trials.csv")
    assert len(trials) == 2 and all(r["kid"] != "" for r in trials)
    assert keras.models.load_model(out / "best_generator.keras").output_shape == (None, 16, 16, 1)
    assert json.loads((out / "metrics.json").read_text())["objective"] == "kid"


@pytest.mark.parametrize("args, phrases", [
    (("--model", "mlp", "--loss", "minimax"), ("unknown loss 'minimax' for --model mlp; valid: crossentropy, mse",)),
    (("--model", "dcgan", "--loss", "mse"), ("unknown loss 'mse' for --model dcgan; valid: minimax, nonsaturating",)),
    (("--model", "dcgan", "--hidden", "8"), ("--hidden does not apply to --model dcgan",)),
    (("--model", "mlp", "--latent-dim", "8"), ("--latent-dim does not apply to --model mlp",)),
    (("--model", "mlp", "--activation", "rleu"), ("unknown activation 'rleu' for --model mlp; valid: relu, sigmoid",)),
    (("--model", "dcgan", "--loss", "hinge,minimax"), ("--loss takes one value for --model dcgan",)),
    (("--model", "mlp", "--hidden", "8,0"), ("layer sizes must be at least 1",)),
    (("--model", "mlp", "--max-trials", "3"), ("--max-trials and --space need --tune",)),
    (("--model", "mlp", "--tune", "random", "--space", "width=3"), ("bad search space entry 'width=3'", "units")),
    (("--model", "mlp", "--dropout", "1.5"), ("dropout must be in [0, 1), got 1.5",)),
    (("--model", "mlp", "--dataset", "folder:{folder}"), ("needs labelled data",)),
])
def test_bad_input_is_one_line_and_writes_nothing(args, phrases, tmp_path, keras_home):
    folder = tmp_path / "unlabelled"
    folder.mkdir()
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(folder / "x.png")
    out = tmp_path / "out"
    result = train(*(a.format(folder=folder) for a in args), "--limit", "50", "--out-dir", out, keras_home=keras_home)
    assert_bad_input(result, *phrases)
    assert not out.exists()
