import datetime
import os

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
    with pytest.raises(rd.RunDirError, match="no checkpoint to resume"):
        rd.read_state(tmp_path)
