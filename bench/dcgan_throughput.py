"""DCGAN training throughput on the TensorFlow tutorial's architecture.

    python bench/dcgan_throughput.py [--batch-size 256] [--steps 60] [--warmup 5] [--data-dir DIR]

Runs one ``GAN.fit`` call, times every step with a callback, drops the first ``--warmup``
steps (tracing and warm-up), and prints the median images/s over three windows of the
rest, with the achieved GFLOP/s counted from the layer shapes. One ``fit`` call is timed,
as train.py runs one: on a 2-core machine, starting a second ``fit`` in the same process
can leave the first one's data threads competing for the cores.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import core_tf  # noqa: E402, F401  (selects the TensorFlow backend before Keras loads)

# isort: split
import keras  # noqa: E402
import numpy as np  # noqa: E402

from bench.flops import forward_flops, gan_step_flops  # noqa: E402
from data import ImageData, load_images, make_dataset  # noqa: E402
from gan_tf import GAN, build_gan_networks  # noqa: E402


class StepTimer(keras.callbacks.Callback):
    """Records the wall-clock time at the end of every training step."""

    def __init__(self):
        super().__init__()
        self.times = []

    def on_train_batch_end(self, batch, logs=None):
        self.times.append(time.perf_counter())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--steps", type=int, default=60, help="timed steps, after the warm-up")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--data-dir", help="use real MNIST from this folder instead of random images")
    args = parser.parse_args(argv)

    n = args.batch_size * (args.steps + args.warmup)
    if args.data_dir:
        data = load_images("mnist", data_dir=args.data_dir, download=False)
        data = ImageData(np.resize(data.images, (n, 28, 28, 1)))
    else:
        data = ImageData(np.random.default_rng(0).integers(0, 256, (n, 28, 28, 1), dtype=np.uint8))
    dataset = make_dataset(data, args.batch_size, drop_remainder=True)
    generator, discriminator = build_gan_networks("tutorial", 100, (28, 28, 1))
    gan = GAN(generator, discriminator, seed=0)
    gan.compile()
    timer = StepTimer()
    gan.fit(dataset, epochs=1, verbose=0, shuffle=False, callbacks=[timer])

    times = np.array(timer.times[args.warmup - 1 :])
    windows = np.array_split(np.arange(len(times)), 3)
    rates = [args.batch_size * (len(w) - 1) / (times[w[-1]] - times[w[0]]) for w in windows]
    rate = float(np.median(rates))
    step_flops = gan_step_flops(generator, discriminator, args.batch_size)
    print(f"generator forward {forward_flops(generator) / 1e6:.1f} MFLOP/image, "
          f"discriminator forward {forward_flops(discriminator) / 1e6:.1f} MFLOP/image")
    print(f"step at batch {args.batch_size}: {step_flops / 1e9:.1f} GFLOP")
    print(f"throughput: {rate:.0f} images/s (median of 3 windows over {args.steps} steps: "
          f"{', '.join(f'{r:.0f}' for r in rates)}), {rate / args.batch_size * step_flops / 1e9:.0f} GFLOP/s")


if __name__ == "__main__":
    main()
