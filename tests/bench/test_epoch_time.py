"""bench/epoch_time.py on tiny data: both whole processes timed, their phases in order."""

import json

import pytest

from helpers import run_script


@pytest.mark.slow
def test_epoch_time_times_both_processes_phase_by_phase(tmp_path, tiny_data, keras_home):
    result = run_script("bench/epoch_time.py", "--data-dir", tiny_data, "--rounds", "1", "--batch-size", "16",
                        "--json", tmp_path / "phases.json", env={"KERAS_HOME": str(keras_home)})
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "phases.json").read_text())
    assert [row["side"] for row in report["rows"]] == ["reference", "package"]
    order = ("imported", "ready", "first_step", "last_step", "epoch_written", "done", "exit")
    for row in report["rows"]:
        assert row["steps"] == 3  # 40 images in batches of 16, the last smaller one included
        times = [row["marks"][name] for name in order]
        assert times == sorted(times) and times[0] > 0, row
    walls = {row["side"]: row["marks"]["exit"] for row in report["rows"]}
    assert report["ratios"] == [pytest.approx(walls["reference"] / walls["package"])]
    assert "median" in result.stdout
