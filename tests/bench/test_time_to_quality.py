"""bench/time_to_quality.py on tiny data: both sides train on one clock, every snapshot is scored."""

import json
import math
import shutil

import pytest

from helpers import assert_bad_input, run_script


@pytest.mark.slow
def test_time_to_quality_trains_both_sides_and_scores_every_snapshot(tmp_path, tiny_data, keras_home):
    out = tmp_path / "ttq"
    args = ("bench/time_to_quality.py", "--data-dir", tiny_data, "--every", "2", "--reference-epochs", "2",
            "--n", "20", "--target-fid", "10", "--package=--batch-size=16", "--out", out)
    result = run_script(*args, env={"KERAS_HOME": str(keras_home)})
    assert result.returncode == 0, result.stderr
    results = json.loads((out / "results.json").read_text())
    reference, package = results["timelines"]
    assert (reference["side"], package["side"]) == ("reference", "package")
    assert reference["name"] == "TensorFlow DCGAN tutorial loop"
    assert package["name"] == "train.py --model dcgan --batch-size=16"
    assert len(reference["epoch_ends"]) == 2  # the budget is the reference's 2 epochs
    assert results["budget_seconds"] == reference["snapshots"][-1]["seconds"] >= reference["epoch_ends"][-1]
    assert package["snapshots"][-1]["seconds"] >= results["budget_seconds"]  # trained until the budget was spent
    assert package["snapshots"][-1]["steps"] > 2 * 3  # batch 16 over 40 images: 3 steps an epoch
    for timeline in (reference, package):
        rows = timeline["snapshots"]
        assert [row["seconds"] for row in rows] == sorted(row["seconds"] for row in rows)
        assert all(math.isfinite(row["fid"]) and 0 <= row["classes_covered"] <= 10 for row in rows)
        assert all((out / f"{timeline['side']}-1" / row["snapshot"]).is_file() for row in rows)
    assert (out / "package-1" / "run" / "config.json").is_file()  # the package side ran train.py's code
    assert results["n"] == 20 and results["machine"]["cores"] >= 1
    assert (out / "time_to_quality.png").stat().st_size > 10_000

    again = run_script(*args, env={"KERAS_HOME": str(keras_home)})
    assert again.returncode == 2 and "holds results already" in again.stderr
    assert json.loads((out / "results.json").read_text()) == results

    stopped = tmp_path / "stopped"  # interrupted while scoring: the same command scores what was trained
    shutil.copytree(out, stopped)
    (stopped / "results.json").unlink()
    result = run_script(*args[:-1], stopped, env={"KERAS_HOME": str(keras_home)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("already trained") == 2 and "training reference" not in result.stdout
    scored = json.loads((stopped / "results.json").read_text())
    assert [t["snapshots"] for t in scored["timelines"]] == [t["snapshots"] for t in results["timelines"]]

    lever = tmp_path / "lever"
    result = run_script("bench/time_to_quality.py", "--data-dir", tiny_data, "--sides", "package", "--every", "2",
                        "--seconds", str(results["budget_seconds"]), "--n", "20", "--package=--batch-size=16",
                        "--package=--ema-decay=0.9", "--out", lever, env={"KERAS_HOME": str(keras_home)})
    assert result.returncode == 0, result.stderr
    (alone,) = json.loads((lever / "results.json").read_text())["timelines"]
    assert alone["name"] == "train.py --model dcgan --batch-size=16 --ema-decay=0.9"
    assert alone["snapshots"][-1]["seconds"] >= results["budget_seconds"]

    both = tmp_path / "both"
    result = run_script("bench/time_to_quality.py", "--combine", out, lever, "--target-fid", "10", "--out", both)
    assert result.returncode == 0, result.stderr
    combined = json.loads((both / "results.json").read_text())
    assert [t["name"] for t in combined["timelines"]] == [reference["name"], package["name"], alone["name"]]
    assert combined["budget_seconds"] == results["budget_seconds"] and combined["dataset"] == "mnist"
    assert (both / "time_to_quality.png").stat().st_size > 10_000

    missing = run_script("bench/time_to_quality.py", "--combine", out, tmp_path, "--out", tmp_path / "none")
    assert_bad_input(missing, "has no results.json", "--out")
    no_data = run_script("bench/time_to_quality.py", "--out", tmp_path / "none")
    assert_bad_input(no_data, "needs --data-dir")
