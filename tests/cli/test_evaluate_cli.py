"""Image-quality metrics from the command line: during training and with samples.py --evaluate."""

import json

import numpy as np
import pytest
from PIL import Image

from helpers import run_script

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stripes(tmp_path_factory):
    """A labelled folder: 30 horizontal- and 30 vertical-stripe images, 16x16 grayscale."""
    root = tmp_path_factory.mktemp("stripes")
    rng = np.random.default_rng(0)
    for label, axis in (("horizontal", 0), ("vertical", 1)):
        (root / label).mkdir()
        for i in range(30):
            phase = rng.integers(4)
            bands = ((np.arange(16) + phase) // 2 % 2 * 200).astype(np.uint8)
            image = np.repeat(bands[:, None] if axis == 0 else bands[None, :], 16, axis=1 - axis)
            noisy = np.clip(image + rng.integers(0, 40, image.shape), 0, 255).astype(np.uint8)
            Image.fromarray(noisy).save(root / label / f"{i}.png")
    return root


@pytest.fixture(scope="module")
def evaluated_run(stripes, tmp_path_factory, keras_home):
    out = tmp_path_factory.mktemp("eval") / "run"
    result = run_script("train.py", "--dataset", f"folder:{stripes}", "--channels", "1", "--image-size", "16",
                        "--epochs", "2", "--batch-size", "16", "--grid-size", "4", "--eval-every", "1",
                        "--eval-n", "40", "--out-dir", out, env={"KERAS_HOME": str(keras_home)})
    assert result.returncode == 0, result.stderr
    return out, result


def stripes_name(run_dir):
    config = json.loads((run_dir / "config.json").read_text())
    return config["data"]["dataset"].rstrip("/").split("/")[-1]


def test_training_logs_metrics_and_keeps_the_best_generator(evaluated_run):
    out, result = evaluated_run
    assert f"training the folder-{stripes_name(out)} feature extractor on 60 images" in result.stderr
    header = (out / "history.csv").read_text().splitlines()[0].split(",")
    assert {"fid", "kid", "recall", "coverage", "class_kl"} <= set(header)
    for epoch in (1, 2):
        numbers = json.loads((out / "metrics" / f"epoch_{epoch:03d}.json").read_text())
        assert numbers["n_fake"] == 40 and numbers["n_real"] == 60 and numbers["split"] == "train"
        assert len(numbers["extractor"]) == 12 and np.isfinite(numbers["fid"])
    best = json.loads((out / "metrics" / "best.json").read_text())
    fids = [json.loads((out / "metrics" / f"epoch_{e:03d}.json").read_text())["fid"] for e in (1, 2)]
    assert best["fid"] == min(fids) and best["epoch"] == 1 + fids.index(min(fids))
    assert (out / "generator_best.keras").is_file()
    with Image.open(out / "curves.png") as curves:
        assert curves.width == 1500  # the third panel: sample quality


def test_samples_evaluate_writes_metrics_json_and_a_table(evaluated_run, keras_home):
    out, _ = evaluated_run
    result = run_script("samples.py", "--evaluate", "--run", out, "--n", "50", env={"KERAS_HOME": str(keras_home)})
    assert result.returncode == 0, result.stderr
    assert "training the" not in result.stderr  # the cached extractor is reused
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["n_fake"] == 50 and metrics["n_real"] == 60
    for key in ("fid", "kid", "precision", "recall", "density", "coverage", "classifier_score",
                "classes_covered", "class_kl"):
        assert key in result.stdout and key in metrics
    assert f"extractor {metrics['extractor']}" in result.stdout


def test_evaluate_needs_a_run_not_a_model_file(evaluated_run, tmp_path):
    from helpers import assert_bad_input

    out, _ = evaluated_run
    result = run_script("samples.py", "--evaluate", "--model", out / "generator.keras", cwd=tmp_path)
    assert_bad_input(result, "--evaluate needs a run directory")


def test_inception_without_its_weights_is_one_line(evaluated_run, tmp_path):
    from helpers import assert_bad_input

    out, _ = evaluated_run
    result = run_script("samples.py", "--evaluate", "--inception", "--run", out, env={"KERAS_HOME": str(tmp_path)})
    assert_bad_input(result, "Inception-v3 weights not found",
                     "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5")
    assert "training the" not in result.stderr  # it failed before any long work


def test_metrics_on_an_unlabelled_folder_is_one_line_and_writes_nothing(tmp_path):
    from helpers import assert_bad_input

    pictures = tmp_path / "pictures"
    pictures.mkdir()
    for i in range(8):
        Image.new("L", (8, 8), 30 * i).save(pictures / f"{i}.png")
    out = tmp_path / "run"
    result = run_script("train.py", "--dataset", f"folder:{pictures}", "--image-size", "8", "--eval-every", "1",
                        "--out-dir", out, env={"KERAS_HOME": str(tmp_path / "keras")})
    assert_bad_input(result, "need a labelled dataset", "class subfolders")
    assert not out.exists()


@pytest.mark.parametrize("args, phrases", [
    (("--evaluate", "--n", "5"), ("--n must be at least 10",)),
    (("--inception",), ("--inception only works with --evaluate",)),
])
def test_evaluate_bad_input(evaluated_run, keras_home, args, phrases):
    from helpers import assert_bad_input

    out, _ = evaluated_run
    result = run_script("samples.py", "--run", out, *args, env={"KERAS_HOME": str(keras_home)})
    assert_bad_input(result, *phrases)
