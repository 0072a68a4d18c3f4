"""bench/fma_probe.py: the C probe compiles, runs on every core, and reports what the CPU has."""

import json

from helpers import assert_bad_input, run_script
from lab_tf.precision import cpu_flags


def test_probe_reports_float32_and_bfloat16_peaks_and_the_bound(tmp_path):
    result = run_script("bench/fma_probe.py", "--seconds", "0.05", "--repeats", "1", "--against", "100",
                        "--json", tmp_path / "peaks.json")
    assert result.returncode == 0, result.stderr
    peaks = json.loads((tmp_path / "peaks.json").read_text())
    assert peaks["float32"]["one_core"] > 1 and peaks["float32"]["all_cores"] > 1
    assert (peaks["bfloat16"] is not None) == ("avx512_bf16" in cpu_flags())
    fastest = (peaks["bfloat16"] or peaks["float32"])["all_cores"]
    assert abs(peaks["bound"] - fastest / 100) < 0.01
    assert "GFLOP/s on 1 core" in result.stdout


def test_probe_without_a_compiler_says_so(tmp_path):
    result = run_script("bench/fma_probe.py", "--seconds", "0.05", env={"CC": str(tmp_path / "no-such-cc")})
    assert_bad_input(result, "no C compiler found", "CC")
