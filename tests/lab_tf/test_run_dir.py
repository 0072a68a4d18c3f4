import datetime
import os
import re

import keras
import pytest

from lab_tf import run_dir as rd
from lab_tf.config import Config, DataConfig


def test_default_run_dir_names_model_dataset_and_time():
    now = datetime.datetime(2026, 1, 2, 3, 4, 5)
    assert rd.default_run_dir(Config(data=DataConfig(dataset="digits")), now=now) == os.path.join(
        "runs", "dcgan-digits-20260102-030405")
    folder = Config(data=DataConfig(dataset="folder:/data/my photos/"))
    assert rd.default_run_dir(folder, now=now).endswith("dcgan-folder-my photos-20260102-030405")
    assert rd.default_run_dir(folder, "compare-beta", now=now).endswith(
        "dcgan-compare-beta-folder-my photos-20260102-030405")


def test_latest_run_is_the_newest_with_a_generator(tmp_path):
    for name, mtime in (("old", 1000), ("new", 2000)):
        (tmp_path / name).mkdir()
        (tmp_path / name / rd.GENERATOR).write_bytes(b"")
        os.utime(tmp_path / name / rd.GENERATOR, (mtime, mtime))
    (tmp_path / "unfinished").mkdir()  # no generator yet: never chosen
    assert rd.latest_run(tmp_path) == str(tmp_path / "new")
    with pytest.raises(rd.RunDirError, match="no trained run found"):
        rd.latest_run(tmp_path / "unfinished")


def test_config_and_history_round_trip(tmp_path):
    config = Config(out_dir=str(tmp_path))
    rd.save_config(config, tmp_path)
    assert rd.load_config(tmp_path) == config
    rows = [{"epoch": 1, "d_loss": 1.5, "g_loss": 0.5}, {"epoch": 2, "d_loss": 1.25, "g_loss": 0.75}]
    rd.write_history(rows, tmp_path)
    assert rd.read_history(tmp_path) == rows
    assert rd.read_history(tmp_path / "elsewhere") == []


def test_not_a_run_directory(tmp_path):
    with pytest.raises(rd.RunDirError, match="is not a run directory"):
        rd.load_config(tmp_path)
    with pytest.raises(rd.RunDirError, match="has no finished epoch to resume; run the command that started it"):
        rd.read_state(tmp_path)


@pytest.mark.parametrize("file, content, phrase", [
    ("config.json", "[1, 2]", "expected a JSON object, got a list"),
    ("config.json", "{not json", "not valid JSON"),
    ("config.json", '{"model": "dcgan", "training": {"epochs": "many"}}', "config.training.epochs must be an integer"),
    ("config.json", '{"model": "dcgan", "gan": {"latent_dim": 1.5}}', "config.gan.latent_dim must be an integer"),
    ("checkpoint/state.json", "{}", "it needs the finished epoch and the checkpoint's file name"),
    ("checkpoint/state.json", '{"epoch": "2", "checkpoint": 3}', "it needs the finished epoch"),
])
def test_a_damaged_run_file_is_named_in_one_error(tmp_path, file, content, phrase):
    rd.save_config(Config(), tmp_path)
    (tmp_path / "checkpoint").mkdir()
    rd.write_state({"epoch": 1, "checkpoint": "checkpoint/model-epoch-1.keras"}, tmp_path)
    (tmp_path / file).write_text(content)
    with pytest.raises(rd.RunDirError, match=re.escape(phrase)) as raised:
        rd.read_state(tmp_path) if "state" in file else rd.load_config(tmp_path)
    assert str(tmp_path / file) in str(raised.value)


def test_a_damaged_or_unsafe_keras_file_is_refused_naming_it(tmp_path):
    inputs = keras.Input((2,))
    model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    model.save(tmp_path / "good.keras")
    data = bytearray((tmp_path / "good.keras").read_bytes())
    middle = slice(len(data) // 3, 2 * len(data) // 3)
    data[middle] = bytes(b ^ 0xFF for b in data[middle])  # flipped bytes in the middle of the archive
    (tmp_path / "flipped.keras").write_bytes(bytes(data))
    with pytest.raises(rd.RunDirError, match="flipped.keras could not be loaded as a Keras model"):
        rd.load_model(tmp_path / "flipped.keras")
    unsafe = keras.Model(inputs, keras.layers.Lambda(lambda x: x * 2)(inputs))
    unsafe.save(tmp_path / "lambda.keras")
    with pytest.raises(rd.RunDirError, match="lambda.keras could not be loaded.*safe mode"):
        rd.load_model(tmp_path / "lambda.keras")
    assert rd.load_model(tmp_path / "good.keras").output_shape == (None, 1)
