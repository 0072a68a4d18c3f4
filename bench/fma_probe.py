"""The CPU's float32 and bfloat16 arithmetic peaks, from fused multiply-adds on every core at once.

    python bench/fma_probe.py [--seconds 1] [--repeats 3] [--against GFLOPS] [--json PATH]

Compiles ``bench/fma_probe.c`` with the system's C compiler (``cc``) into a temporary folder and
runs it on one thread and on one thread per core, best of ``--repeats``. ``--against G`` states the
bound these peaks put on a speed ratio at equal FLOPs: a bfloat16 step running at the whole
bfloat16 peak, against a float32 loop that reaches G GFLOP/s (``bench/train_speed.py`` prints a
loop's GFLOP/s), is at most peak / G times as fast.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fma_probe.c")
PRECISIONS = {"float32": "fp32", "bfloat16": "bf16"}
LACKS_INSTRUCTIONS = 3  # the probe's exit code on a CPU without them


def compile_probe(folder):
    """The probe's executable in ``folder``; ``RuntimeError`` without a C compiler."""
    compiler = shutil.which(os.environ.get("CC", "cc"))
    if compiler is None:
        raise RuntimeError("no C compiler found (cc); install one (Debian: apt-get install gcc) or set CC")
    path = os.path.join(folder, "fma_probe")
    subprocess.run([compiler, "-O2", "-pthread", SOURCE, "-o", path], check=True)
    return path


def run_probe(probe, kind, threads, iterations):
    """``(GFLOP/s, seconds)`` of one run, or ``None`` where the CPU lacks the instructions."""
    result = subprocess.run([probe, kind, str(threads), str(iterations)], capture_output=True, text=True)
    if result.returncode == LACKS_INSTRUCTIONS:
        return None
    if result.returncode != 0:
        raise RuntimeError(f"the probe failed: {result.stderr.strip()}")
    gflops, seconds = map(float, result.stdout.split())
    return gflops, seconds


def measure(probe, kind, threads, seconds, repeats):
    """The best GFLOP/s of ``repeats`` runs of about ``seconds`` each, or ``None``."""
    trial = run_probe(probe, kind, 1, 2_000_000)
    if trial is None:
        return None
    iterations = max(1, int(2_000_000 * seconds / max(trial[1], 1e-6)))
    return max(run_probe(probe, kind, threads, iterations)[0] for _ in range(repeats))


def peaks(seconds=1.0, repeats=3):
    """``{precision: {"one_core": GFLOP/s, "all_cores": GFLOP/s}}`` (``None`` where unsupported)."""
    cores = os.cpu_count()
    with tempfile.TemporaryDirectory() as folder:
        probe = compile_probe(folder)
        results = {}
        for precision, kind in PRECISIONS.items():
            one = measure(probe, kind, 1, seconds, repeats)
            results[precision] = None if one is None else {
                "one_core": round(one, 1), "all_cores": round(measure(probe, kind, cores, seconds, repeats), 1)}
    return {"cores": cores, **results}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="length of each run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--against", type=float, metavar="GFLOPS",
                        help="a float32 loop's GFLOP/s: prints the bound on a bfloat16 step's speed ratio to it")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args(argv)
    try:
        results = peaks(args.seconds, args.repeats)
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for precision in PRECISIONS:
        peak = results[precision]
        if peak is None:
            print(f"{precision:9s} not available: the CPU lacks its dot-product instructions")
        else:
            print(f"{precision:9s} {peak['one_core']:8.1f} GFLOP/s on 1 core, {peak['all_cores']:8.1f} on "
                  f"{results['cores']} cores")
    fast = results["bfloat16"] or results["float32"]
    if results["bfloat16"]:
        results["bfloat16_over_float32"] = round(fast["all_cores"] / results["float32"]["all_cores"], 2)
        print(f"bfloat16 / float32: {results['bfloat16_over_float32']:.2f}x")
    if args.against:
        results["bound"] = round(fast["all_cores"] / args.against, 2)
        print(f"a step at the whole {'bfloat16' if results['bfloat16'] else 'float32'} peak is at most "
              f"{results['bound']:.2f}x a float32 loop at {args.against:g} GFLOP/s")
    if args.json:
        with open(args.json, "w") as file:
            json.dump(results, file, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
