"""The mode-collapse lab on a tiny budget: every variant's run, the table and the snapshot figure."""

import csv
import json

import pytest
from PIL import Image

from experiments.mode_collapse import format_lab_table, run_lab

pytestmark = pytest.mark.slow


def test_lab_trains_each_variant_and_writes_table_and_figure(tmp_path):
    out = tmp_path / "lab"
    results = run_lab("ring8", str(out), ("gan", "pacgan"), epochs=2, batch_size=512, lr=1e-3, ema_decay=0.9,
                      lr_decay="cosine", snapshots=2)
    assert [row["variant"] for row in results] == ["gan", "pacgan"]
    config = json.loads((out / "pacgan" / "config.json").read_text())
    gan = config["gan"]
    assert (gan["pack"], gan["ema_decay"], gan["lr_decay"], config["training"]["lr"]) == (4, 0.9, "cosine", 1e-3)
    with open(out / "results.csv") as file:
        rows = list(csv.DictReader(file))
    assert [int(row["modes_covered"]) for row in rows] == [row["modes_covered"] for row in results]
    assert all(row["modes"] == "8" for row in rows)
    with Image.open(out / "snapshots.png") as sheet, Image.open(out / "gan" / "samples" / "epoch_001.png") as one:
        assert sheet.height == 2 * one.height and sheet.width > 2 * one.width
    assert format_lab_table(results).count("/8 |") == 2
    with pytest.raises(ValueError, match="already exists"):
        run_lab("ring8", str(out), ("gan",), epochs=1)
    with pytest.raises(ValueError, match="unknown variant 'veegan'"):
        run_lab("ring8", str(tmp_path / "other"), ("veegan",), epochs=1)
