"""Helpers shared by the tests: small files in users' formats, and the CLI in a subprocess."""

import hashlib
import importlib.util
import os
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write_keras_npz(path, image_shape, n_train=40, n_test=20, label_shape=(), seed=0):
    """An npz in Keras' layout: x_train, y_train, x_test, y_test, uint8."""
    rng = np.random.default_rng(seed)
    arrays = {}
    for split, n in (("train", n_train), ("test", n_test)):
        arrays[f"x_{split}"] = rng.integers(0, 256, (n, *image_shape), dtype=np.uint8)
        arrays[f"y_{split}"] = (np.arange(n) % 10).astype(np.uint8).reshape(n, *label_shape)
    np.savez_compressed(path, **arrays)
    return arrays


def run_script(script, *args, cwd=None, env=None, timeout=600):
    """Runs ``python script args`` from the project root; returns the CompletedProcess."""
    environment = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, os.path.join(ROOT, script), *map(str, args)],
        cwd=cwd or ROOT, env=environment, capture_output=True, text=True, timeout=timeout,
    )


def assert_bad_input(result, *phrases):
    """Exit code 2, no traceback, and one stderr line that contains every phrase."""
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert len(lines) == 1, result.stderr
    for phrase in phrases:
        assert phrase in lines[0], lines[0]


def load_script(name):
    """``train.py``, ``samples.py`` or ``compare.py`` as a module, to call its ``main`` in this process."""
    spec = importlib.util.spec_from_file_location(name.removesuffix(".py"), os.path.join(ROOT, name))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def file_hashes(folder):
    """``{relative path: sha256}`` of every file under ``folder``: to show that nothing in it changed."""
    hashes = {}
    for root, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            with open(path, "rb") as file:
                hashes[os.path.relpath(path, folder)] = hashlib.sha256(file.read()).hexdigest()
    return hashes
