"""Shared fixtures: small datasets written in the formats users have, and one real training run."""

import os

import numpy as np
import pytest
from PIL import Image

from helpers import run_script, write_keras_npz


def write_small_datasets(folder):
    """A small mnist.npz (28x28) and cifar10.npz (32x32x3, labels (n, 1)) in ``folder``."""
    folder.mkdir(exist_ok=True)
    write_keras_npz(folder / "mnist.npz", (28, 28))
    write_keras_npz(folder / "cifar10.npz", (32, 32, 3), label_shape=(1,))
    return folder


@pytest.fixture
def data_dir(tmp_path):
    """A --data-dir of ``write_small_datasets`` for one test."""
    return write_small_datasets(tmp_path / "datasets")


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory):
    """The same, shared by a test module's runs."""
    return write_small_datasets(tmp_path_factory.mktemp("datasets"))


@pytest.fixture
def image_folder(tmp_path):
    """Two classes in nested subfolders, four formats, one corrupt file and one non-image file."""
    root = tmp_path / "pictures"
    rng = np.random.default_rng(0)
    files = {
        "cats/a.png": (40, 30), "cats/deeper/b.jpg": (20, 50), "cats/c.bmp": (32, 32),
        "dogs/d.gif": (64, 48), "dogs/x/y/e.PNG": (33, 33),
    }
    for name, (h, w) in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)).save(path)
    (root / "dogs" / "broken.jpg").write_bytes(b"this is not a jpeg")
    (root / "dogs" / "notes.txt").write_text("ignored")
    return root






@pytest.fixture(scope="session")
def keras_home(tmp_path_factory):
    """An empty KERAS_HOME, so subprocesses never see or fill the user's Keras cache; shared by the parallel
    workers of one test session, so each evaluation classifier trains once (cache files are written atomically)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # pytest-xdist gives each worker a folder under one session folder
    path = root / "keras_home"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory, keras_home):
    """One short real training run on bundled digits (2 epochs), shared by the CLI tests."""
    workdir = tmp_path_factory.mktemp("work")
    out = workdir / "runs" / "digits-run"
    result = run_script("train.py", "--model", "dcgan", "--dataset", "digits", "--limit", "96",
                        "--epochs", "2", "--batch-size", "32", "--grid-size", "16", "--out-dir", out,
                        cwd=workdir, env={"KERAS_HOME": str(keras_home)})
    assert result.returncode == 0, result.stderr
    return out, result
