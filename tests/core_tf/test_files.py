"""The ground floor's files: atomic writes, JSON, and the one table writer."""

import csv
import os

import pytest

from core_tf.files import atomic_path, read_json, write_csv, write_json, write_markdown_table


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


def test_json_and_tables_round_trip(tmp_path):
    write_json({"a": [1, 2]}, tmp_path / "x.json")
    assert read_json(tmp_path / "x.json") == {"a": [1, 2]} and read_json(tmp_path / "none.json") is None
    rows = [{"variant": "relu", "loss": 0.5}, {"variant": "tanh", "accuracy": 0.25, "note": None}]
    write_csv(rows, tmp_path / "t.csv")
    with open(tmp_path / "t.csv", newline="") as file:
        assert list(csv.DictReader(file)) == [{"variant": "relu", "loss": "0.5", "accuracy": "", "note": ""},
                                              {"variant": "tanh", "loss": "", "accuracy": "0.25", "note": ""}]
    write_markdown_table(rows, tmp_path / "t.md", digits=2)
    assert (tmp_path / "t.md").read_text().splitlines() == [
        "| variant | loss | accuracy | note |", "|---|---|---|---|", "| relu | 0.50 |  |  |", "| tanh |  | 0.25 |  |"]
