"""Whole-process epochs, and where their time goes: ``train.py --model dcgan`` against the tutorial's loop.

    python bench/epoch_time.py --data-dir DIR [--rounds 3] [--epochs 1] [--batch-size 256] [--package=OPTION ...]

Each round starts two fresh processes, one after the other and alternating which goes first:
the TensorFlow DCGAN tutorial's loop (``bench/reference_loops.TutorialLoop``: its networks,
Adam(1e-4), the given batch, every batch of every epoch, the last smaller one included) and
``train.py --model dcgan --data-dir DIR --epochs E --batch-size B`` (with its defaults, its
run directory, per-epoch grids, checkpoints and GIF, and any ``--package`` options). Both
train on real MNIST for the same epochs. The time of a side is its process's whole wall time,
from start to exit, as a student running the command waits for it.

Inside each process the phases are timed from the process's start: imports done, data and
networks ready, the first step done (tracing included), the last step done, the epoch's
pictures and checkpoints written, and the exit. The table prints every round's phases and the
median whole-process ratio.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

START = time.time()  # before any import that takes time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

PHASES = ("imported", "ready", "first_step", "last_step", "epoch_written", "done")


class Phases:
    """Seconds since the process started, at each named moment."""

    def __init__(self, start):
        self.start, self.marks, self.steps = start, {}, 0

    def mark(self, name):
        self.marks[name] = round(time.time() - self.start, 3)

    def step(self):
        self.steps += 1
        self.mark("first_step" if self.steps == 1 else "last_step")


def run_reference(args, phases):
    import numpy as np

    import core_tf  # noqa: F401  (selects the TensorFlow backend before Keras loads)
    from bench.reference_loops import TutorialLoop
    from data import load_images, normalize_images
    from gan_tf import build_tutorial_discriminator, build_tutorial_generator
    phases.mark("imported")
    images = np.asarray(normalize_images(load_images("mnist", data_dir=args.data_dir, download=False).images))
    loop = TutorialLoop(build_tutorial_generator(100, (28, 28, 1)), build_tutorial_discriminator((28, 28, 1)), images,
                        batch_size=args.batch_size)
    phases.mark("ready")
    for _ in range(args.epochs):
        loop.train_epoch(phases.step)
    phases.mark("epoch_written")


def run_package(args, phases):
    import core_tf  # noqa: F401, I001  (selects the TensorFlow backend before Keras loads)
    import keras

    import train
    from lab_tf.training import fit_run
    phases.mark("imported")

    class Timer(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            phases.mark("ready")

        def on_train_batch_end(self, batch, logs=None):
            phases.step()

    train.fit_run = lambda run: fit_run(run, callbacks=[Timer()])
    with tempfile.TemporaryDirectory() as folder:
        code = train.main(["--model", "dcgan", "--data-dir", args.data_dir, "--epochs", str(args.epochs),
                           "--batch-size", str(args.batch_size), "--out-dir", os.path.join(folder, "run"),
                           *args.package])
        phases.mark("epoch_written")
    if code != 0:
        raise SystemExit(code)


def side_main(args):
    phases = Phases(args.start)
    (run_reference if args.side == "reference" else run_package)(args, phases)
    phases.mark("done")
    print(json.dumps({"marks": phases.marks, "steps": phases.steps}))


def measure(args, side):
    """A side's phases and whole wall time, from a fresh process."""
    command = [sys.executable, os.path.abspath(__file__), "--side", side, "--data-dir", args.data_dir,
               "--epochs", str(args.epochs), "--batch-size", str(args.batch_size),
               *[f"--package={option}" for option in args.package]]
    start = time.time()
    result = subprocess.run([*command, "--start", repr(start)], capture_output=True, text=True)
    wall = time.time() - start
    if result.returncode != 0:
        raise SystemExit(f"the {side} side failed:\n{result.stderr[-3000:]}")
    row = json.loads(result.stdout.strip().splitlines()[-1])
    row["marks"]["exit"] = round(wall, 3)
    marks = row["marks"]
    row["ms_per_step"] = round(1000 * (marks["last_step"] - marks["first_step"]) / max(1, row["steps"] - 1), 1)
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True, help="the folder holding mnist.npz")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--package", action="append", default=[], metavar="OPTION",
                        help="a train.py option for the package side, e.g. --package=--precision=float32")
    parser.add_argument("--json", help="also write every round's phases here")
    parser.add_argument("--side", choices=("reference", "package"), help=argparse.SUPPRESS)
    parser.add_argument("--start", type=float, default=START, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.side:
        return side_main(args)
    rows = []
    print(f"{'round':>5} {'side':9s} " + " ".join(f"{name:>13s}" for name in (*PHASES, "exit")) + "  ms/step")
    for round_ in range(args.rounds):
        for side in ("reference", "package") if round_ % 2 == 0 else ("package", "reference"):
            row = measure(args, side)
            rows.append({"round": round_ + 1, "side": side, **row})
            print(f"{round_ + 1:>5} {side:9s} " + " ".join(f"{row['marks'].get(n, float('nan')):13.1f}"
                                                          for n in (*PHASES, "exit")) + f"  {row['ms_per_step']:7.1f}",
                  flush=True)
    ratios = []
    for round_ in range(1, args.rounds + 1):
        walls = {row["side"]: row["marks"]["exit"] for row in rows if row["round"] == round_}
        ratios.append(walls["reference"] / walls["package"])
    print(f"whole-process ratio (reference seconds / package seconds) per round: "
          f"{', '.join(f'{r:.2f}' for r in ratios)}; median {statistics.median(ratios):.2f}")
    if args.json:
        with open(args.json, "w") as file:
            json.dump({"command": " ".join(sys.argv), "rows": rows, "ratios": ratios}, file, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
