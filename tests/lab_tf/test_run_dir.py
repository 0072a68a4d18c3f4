import datetime
import os

import pytest

from experiments import run_dir as rd
from experiments.config import Config, DataConfig
from experiments.files import atomic_path


def test_default_run_dir_names_model_dataset_and_time():
    now = datetime.datetime(2026, 1, 2, 3, 4, 5)
    assert rd.default_run_dir(Config(data=DataConfig(dataset="digits")), now) == os.path.join(
        "runs", "dcgan-digits-20260102-030405")
    folder = Config(data=DataConfig(dataset="folder:/data/my photos/"))
    assert rd.default_run_dir(folder, now).endswith("dcgan-folder-my photos-20260102-030405")


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


def test_atomic_path_keeps_the_old_file_when_writing_fails(tmp_path):
    path = tmp_path / "grid.png"
    path.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(path) as temporary:
            assert temporary.endswith(".png") and os.path.basename(temporary).startswith(".")
            with open(temporary, "w") as file:
                file.write("half")
            raise RuntimeError("interrupted")
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["grid.png"]
    with atomic_path(path) as temporary, open(temporary, "w") as file:
        file.write("new")
    assert path.read_text() == "new" and os.listdir(tmp_path) == ["grid.png"]
