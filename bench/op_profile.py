"""Where a training step's time goes: TensorFlow op time by op type for the package's GAN trainer.

    python bench/op_profile.py --pair tutorial [--precision bfloat16] [--steps 10] [--top 15] [--by-op]

Trains the pair's networks (see ``bench/train_speed.py``) with ``GAN.fit``, traces
``--steps`` steps after a warm-up with the TensorFlow profiler, and prints the summed
time of each op type (with ``--by-op``: each op, named by its layer) on the CPU threads, its
share of all op time, and the wall time per step.
"""

import argparse
import collections
import glob
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import core_tf  # noqa: E402, F401  (selects the TensorFlow backend before Keras loads)

# isort: split
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow.tsl.profiler.protobuf import xplane_pb2  # noqa: E402

from bench.train_speed import PAIRS, load_data, networks  # noqa: E402
from data import make_dataset  # noqa: E402
from gan_tf import GAN  # noqa: E402
from lab_tf.precision import PRECISIONS  # noqa: E402


class TraceSteps(keras.callbacks.Callback):
    """Starts the profiler after ``warmup`` steps and stops it ``steps`` steps later."""

    def __init__(self, logdir, warmup, steps):
        super().__init__()
        self.logdir, self.warmup, self.steps = logdir, warmup, steps
        self.wall = None

    def on_train_batch_end(self, batch, logs=None):
        if batch == self.warmup - 1:
            tf.profiler.experimental.start(self.logdir)
            self.wall = time.perf_counter()
        elif batch == self.warmup + self.steps - 1:
            self.wall = (time.perf_counter() - self.wall) / self.steps
            tf.profiler.experimental.stop()


def op_times(logdir, by_op=False):
    """Summed duration in seconds of each TensorFlow op type (or op) over the trace's CPU threads."""
    path = glob.glob(os.path.join(logdir, "**", "*.xplane.pb"), recursive=True)[0]
    space = xplane_pb2.XSpace()
    with open(path, "rb") as f:
        space.ParseFromString(f.read())
    totals = collections.Counter()
    for plane in space.planes:
        if plane.name != "/host:CPU":
            continue
        names = {key: metadata.name for key, metadata in plane.event_metadata.items()}
        for line in plane.lines:
            if "tf_Compute" not in line.name and "tf_data" not in line.name and "Eigen" not in line.name:
                continue
            for event in line.events:
                name = names.get(event.metadata_id, "")
                if ":" in name and "::" not in name:  # "layer/op_name:OpType", not the executor's own events
                    totals[name if by_op else name.rsplit(":", 1)[1]] += event.duration_ps * 1e-12
    return totals


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pair", choices=PAIRS, default="tutorial")
    parser.add_argument("--precision", choices=PRECISIONS, default="float32")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--by-op", action="store_true", help="each op instead of each op type")
    args = parser.parse_args(argv)
    keras.config.set_dtype_policy(PRECISIONS[args.precision])
    batch_size = PAIRS[args.pair]["batch_size"]
    data = load_data(args.pair, batch_size * (args.warmup + args.steps + 1))
    generator, discriminator = networks(args.pair)
    gan = GAN(generator, discriminator, seed=0)
    gan.compile()
    with tempfile.TemporaryDirectory() as logdir:
        tracer = TraceSteps(logdir, args.warmup, args.steps)
        gan.fit(make_dataset(data, batch_size, drop_remainder=True), epochs=1, verbose=0, shuffle=False,
                callbacks=[tracer])
        totals = op_times(logdir, args.by_op)
    total = sum(totals.values())
    print(f"{args.pair}, {args.precision}, batch {batch_size}: {tracer.wall * 1e3:.0f} ms per step (traced), "
          f"{total / args.steps * 1e3:.0f} ms of op time per step over both cores")
    for name, seconds in totals.most_common(args.top):
        print(f"{name[-100:]:40s} {seconds / args.steps * 1e3:8.1f} ms/step {100 * seconds / total:5.1f} %")


if __name__ == "__main__":
    main()
