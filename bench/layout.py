"""Tensor layout side by side: the tutorial DCGAN step with channels-last (the package's) and channels-first tensors.

    python bench/layout.py [--rounds 3] [--steps 40] [--precision bfloat16]

Both sides run the tutorial's loop (``bench/reference_loops.TutorialLoop``) on the tutorial's
networks at batch 256 on MNIST-shaped random images, in a fresh process each, alternating
(A B A B ...); the channels-first side builds the same layers with ``data_format=
"channels_first"`` (batch norm over axis 1) and feeds ``(batch, 1, 28, 28)`` images. Prints
the median images/s of each round and the ratio channels-first / channels-last.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import core_tf  # noqa: E402, F401  (selects the TensorFlow backend before Keras loads)

# isort: split
import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

from bench.flops import gan_step_flops  # noqa: E402
from bench.reference_loops import TutorialLoop  # noqa: E402
from bench.train_speed import summarise  # noqa: E402
from lab_tf.precision import PRECISIONS  # noqa: E402

BATCH_SIZE = 256
LAYOUTS = ("channels_last", "channels_first")


def tutorial_networks(data_format, latent_dim=100):
    """The tutorial's generator and discriminator for 28x28x1 images in ``data_format``."""
    first = data_format == "channels_first"
    axis = 1 if first else -1
    generator = keras.Sequential([keras.Input((latent_dim,)), layers.Dense(7 * 7 * 256, use_bias=False),
                                  layers.BatchNormalization(), layers.LeakyReLU(),
                                  layers.Reshape((256, 7, 7) if first else (7, 7, 256))], name="generator")
    for filters, strides in ((128, 1), (64, 2)):
        generator.add(layers.Conv2DTranspose(filters, 5, strides=strides, padding="same", use_bias=False,
                                             data_format=data_format))
        generator.add(layers.BatchNormalization(axis=axis))
        generator.add(layers.LeakyReLU())
    generator.add(layers.Conv2DTranspose(1, 5, strides=2, padding="same", use_bias=False, activation="tanh",
                                         data_format=data_format, dtype="float32"))
    discriminator = keras.Sequential([keras.Input((1, 28, 28) if first else (28, 28, 1))], name="discriminator")
    for filters in (64, 128):
        discriminator.add(layers.Conv2D(filters, 5, strides=2, padding="same", data_format=data_format))
        discriminator.add(layers.LeakyReLU())
        discriminator.add(layers.Dropout(0.3))
    discriminator.add(layers.Flatten())
    discriminator.add(layers.Dense(1, dtype="float32"))
    return generator, discriminator


def measure(layout, steps, warmup, precision):
    keras.config.set_dtype_policy(PRECISIONS[precision])
    images = np.random.default_rng(0).uniform(-1, 1, (BATCH_SIZE * (steps + warmup), 28, 28, 1)).astype("float32")
    if layout == "channels_first":
        images = np.ascontiguousarray(images.transpose(0, 3, 1, 2))
    generator, discriminator = tutorial_networks(layout)
    loop = TutorialLoop(generator, discriminator, images, BATCH_SIZE)
    # the same layers either way; the FLOP count reads channels from the last axis, so count channels-last
    flops = gan_step_flops(*tutorial_networks("channels_last"), BATCH_SIZE)
    return summarise(loop.run(steps + warmup), warmup, BATCH_SIZE, flops)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layout", choices=LAYOUTS, help="measure one layout in this process")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=40, help="timed steps, after the warm-up")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--precision", choices=PRECISIONS, default="bfloat16")
    args = parser.parse_args(argv)
    if args.layout:
        print(json.dumps(measure(args.layout, args.steps, args.warmup, args.precision)))
        return
    rates = {layout: [] for layout in LAYOUTS}
    for round_ in range(args.rounds):
        for layout in LAYOUTS:
            command = [sys.executable, os.path.abspath(__file__), "--layout", layout, "--steps", str(args.steps),
                       "--warmup", str(args.warmup), "--precision", args.precision]
            completed = subprocess.run(command, capture_output=True, text=True, check=True)
            row = json.loads(completed.stdout.splitlines()[-1])
            rates[layout].append(row["images_per_s"])
            print(f"round {round_ + 1} {layout:14s} {row['images_per_s']:7.1f} images/s (windows {row['windows']}), "
                  f"{row['gflops_per_s']:5.0f} GFLOP/s", flush=True)
    ratios = [f / last for f, last in zip(rates["channels_first"], rates["channels_last"])]
    print(f"\n{args.precision}: channels_last {statistics.median(rates['channels_last']):.1f} images/s, "
          f"channels_first {statistics.median(rates['channels_first']):.1f}; ratio first/last per round "
          f"{', '.join(f'{r:.2f}' for r in ratios)}; median {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
