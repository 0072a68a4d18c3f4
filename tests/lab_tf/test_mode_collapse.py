"""The mode-collapse lab through the comparison engine on a tiny budget: each variant's run, the table, the figure."""

import csv
import json

import pytest
from PIL import Image

from lab_tf.compare import compare, variants
from lab_tf.config import Config, DataConfig, TrainingConfig
from lab_tf.families.gan.recipe import GANSettings

pytestmark = pytest.mark.slow


def test_lab_trains_each_variant_and_writes_table_and_figure(tmp_path):
    out = tmp_path / "lab"
    base = Config(model="gan", data=DataConfig(dataset="ring8"),
                  training=TrainingConfig(epochs=2, batch_size=512, lr=1e-3),
                  settings=GANSettings(ema_decay=0.9, lr_decay="cosine"))
    labelled = variants(base, {"variant": ["gan", "pacgan", "wgan-gp"]})
    assert [config.model for _, config in labelled] == ["gan", "gan", "wgan-gp"]
    results = compare(labelled, str(out), verbose=0)
    assert [row["variant"] for row in results] == ["gan", "pacgan", "wgan-gp"]
    config = json.loads((out / "pacgan" / "config.json").read_text())
    gan = config["gan"]
    assert (gan["pack"], gan["ema_decay"], gan["lr_decay"], config["training"]["lr"]) == (4, 0.9, "cosine", 1e-3)
    with open(out / "results.csv") as file:
        rows = list(csv.DictReader(file))
    assert [int(row["modes_covered"]) for row in rows] == [row["modes_covered"] for row in results]
    assert all(row["modes"] == "8" and float(row["seconds"]) > 0 for row in rows)
    assert "| pacgan |" in (out / "results.md").read_text()
    with Image.open(out / "comparison.png") as sheet, Image.open(out / "gan" / "samples" / "epoch_001.png") as one:
        assert 3 * one.height < sheet.height < 4 * one.height and sheet.width > 2 * one.width  # 3 rows, headed
    mtime = (out / "gan" / "generator.keras").stat().st_mtime_ns
    assert compare(labelled, str(out), verbose=0) == results  # repeated: nothing retrained
    assert (out / "gan" / "generator.keras").stat().st_mtime_ns == mtime
    with pytest.raises(ValueError, match="holds a different comparison"):
        compare(labelled[:1], str(out), verbose=0)
    with pytest.raises(ValueError, match="unknown variant 'veegan'"):
        variants(base, {"variant": ["veegan"]})
