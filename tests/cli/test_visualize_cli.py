"""visualize.py end to end on a tiny real run: both subcommands, the judge, and every bad input in one line."""

import numpy as np
import pytest
from PIL import Image

from data import load_digits
from helpers import assert_bad_input, load_script, run_script

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def visualize():
    return load_script("visualize.py")


@pytest.fixture(scope="module")
def mlp_run(tmp_path_factory, keras_home):
    out = tmp_path_factory.mktemp("mlp") / "run"
    result = run_script("train.py", "--model", "mlp", "--dataset", "digits", "--limit", "200", "--hidden", "16",
                        "--epochs", "1", "--out-dir", out, env={"KERAS_HOME": str(keras_home)})
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture
def digit(tmp_path):
    path = tmp_path / "digit.png"
    Image.fromarray(load_digits("test", limit=1).images[0][..., 0]).save(path)
    return path


def test_maximize_a_discriminator_and_a_classifier_judged_by_another(visualize, trained_run, mlp_run, tmp_path,
                                                                      capsys, monkeypatch, keras_home):
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    run, _ = trained_run
    out = tmp_path / "discriminator.png"
    assert visualize.main(["maximize", "--run", str(run), "--samples", "3", "--steps", "5", "--prior", "generator",
                           "--judge", str(mlp_run), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.count("unit 0") == 3 and "the judge's classes:" in printed
    with Image.open(out) as grid:
        assert grid.width > 300 and np.asarray(grid.convert("L")).std() > 10
    out = tmp_path / "classifier.png"
    assert visualize.main(["maximize", "--run", str(mlp_run), "--units", "0,7", "--steps", "30", "--out", str(out),
                           "--seed", "1", "--objective", "log-probability"]) == 0
    printed = capsys.readouterr().out
    assert [float(line.split()[3]) <= 0 for line in printed.splitlines() if line.startswith("unit")] == [True] * 2
    assert visualize.main(["maximize", "--run", str(mlp_run), "--units", "0,7", "--steps", "30", "--out", str(out),
                           "--seed", "1"]) == 0
    printed = capsys.readouterr().out
    assert "unit 7" in printed and "probability" in printed and "units" in printed.splitlines()[-2]
    first = np.asarray(Image.open(out))
    assert visualize.main(["maximize", "--run", str(mlp_run), "--units", "0,7", "--steps", "30", "--out", str(out),
                           "--seed", "1"]) == 0
    np.testing.assert_array_equal(np.asarray(Image.open(out)), first)  # the same seed, the same file


def test_features_through_the_discriminator_in_a_real_process(trained_run, digit, tmp_path, keras_home):
    out = tmp_path / "features.png"
    result = run_script("visualize.py", "features", "--run", trained_run[0], "--image", digit, "--out", out,
                        env={"KERAS_HOME": str(keras_home)})
    assert result.returncode == 0, result.stderr
    assert "14x14x64" in result.stdout and "7x7x128" in result.stdout
    with Image.open(out) as figure:
        assert figure.height > 300


@pytest.mark.parametrize("args, phrases", [
    (("maximize", "--run", "{gan}", "--layer", "conv9"), ("no layer 'conv9'", "valid:")),
    (("maximize", "--run", "{gan}", "--units", "3"), ("unit 3 is out of range", "1 units (0..0)")),
    (("maximize", "--run", "{gan}", "--network", "encoder"), ("--network encoder is not part of a --model dcgan run",
                                                              "valid: discriminator, classifier")),
    (("maximize", "--run", "{mlp}", "--judge", "{mlp}"), ("the judge must be another network",)),
    (("maximize", "--run", "{mlp}", "--prior", "generator"), ("--prior generator needs a generator",)),
    (("maximize", "--run", "{mlp}", "--steps", "0"), ("--steps", "must be at least 1")),
    (("maximize", "--run", "{gan}", "--objective", "log-probability"), ("needs a classifier's class outputs",)),
    (("maximize", "--run", "{mlp}", "--objective", "probability"), ("--objective", "log-probability")),
    (("maximize",), ("name a network",)),
    (("features", "--run", "{mlp}", "--image", "{digit}"), ("has no convolutional layers",)),
    (("features", "--run", "{gan}", "--image", "{gan}/config.json"), ("cannot be read",)),
])
def test_bad_input_is_one_line(visualize, trained_run, mlp_run, digit, tmp_path, capsys, args, phrases):
    names = {"{gan}": str(trained_run[0]), "{mlp}": str(mlp_run), "{digit}": str(digit)}
    args = [names.get(a, a) for a in args]
    args = [a.replace("{gan}", str(trained_run[0])) for a in args]
    out = tmp_path / "never.png"
    try:
        code = visualize.main([*args, "--out", str(out)])
    except SystemExit as stop:
        code = stop.code
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert code == 2 and len(errors) == 1, errors
    for phrase in phrases:
        assert phrase in errors[0], errors[0]
    assert not out.exists()


def test_the_real_cli_gives_one_line(trained_run):
    assert_bad_input(run_script("visualize.py", "maximize", "--run", trained_run[0], "--units", "x", "--out", "a.png"),
                     "--units takes all or indices like 0,3,7")
