"""Training speed side by side: the package's GAN trainer against a reference loop, same networks, batch and data.

    python bench/train_speed.py --pair tutorial [--rounds 3] [--steps 40] [--precision bfloat16] [--jit]
                                [--steps-per-execution N]
    python bench/train_speed.py --pair cifar [--rounds 3] [--steps 20]
    python bench/train_speed.py --peak

``tutorial``: the TensorFlow DCGAN tutorial's networks at batch 256 on MNIST-shaped data,
``GAN.fit`` against the tutorial's loop. ``cifar``: the CIFAR-10 GAN project's networks at
batch 128, ``GAN.fit`` against its ``train_on_batch`` loop (images/s counts the loop's batch
per iteration, as its epochs do). See ``bench/reference_loops.py``.

Every measurement runs in a fresh process, alternating package and reference (A B A B ...),
so drift of the machine hits both; it drops ``--warmup`` steps and reports the median
images/s over three windows of the rest, GFLOP/s counted from the layer shapes, and the
process's peak resident memory. The summary prints each round's ratio and their median.
``--peak`` measures the machine's matmul peak in float32 and bfloat16.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import core_tf  # noqa: E402, F401  (selects the TensorFlow backend before Keras loads)

# isort: split
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from bench.dcgan_throughput import StepTimer  # noqa: E402
from bench.flops import forward_flops, gan_step_flops  # noqa: E402
from bench.reference_loops import TrainOnBatchLoop, TutorialLoop, cifar_project_networks  # noqa: E402
from data import ImageData, load_images, make_dataset, normalize_images  # noqa: E402
from gan_tf import GAN, build_tutorial_discriminator, build_tutorial_generator  # noqa: E402
from lab_tf.precision import PRECISIONS  # noqa: E402

PAIRS = {"tutorial": {"batch_size": 256, "shape": (28, 28, 1), "dataset": "mnist"},
         "cifar": {"batch_size": 128, "shape": (32, 32, 3), "dataset": "cifar10"}}


def load_data(pair, n, data_dir=None):
    """``n`` uint8 images of the pair's shape: real ones (repeated as needed) from ``data_dir``, else random."""
    settings = PAIRS[pair]
    if data_dir:
        images = load_images(settings["dataset"], data_dir=data_dir, download=False).images
        return ImageData(np.resize(images, (n, *settings["shape"])))
    return ImageData(np.random.default_rng(0).integers(0, 256, (n, *settings["shape"]), dtype=np.uint8))


def networks(pair, logits=True):
    if pair == "tutorial":
        return build_tutorial_generator(100, (28, 28, 1)), build_tutorial_discriminator((28, 28, 1))
    return cifar_project_networks(sigmoid=not logits)


def measure_package(pair, steps, warmup, data_dir=None, jit=False, steps_per_execution=1):
    batch_size = PAIRS[pair]["batch_size"]
    data = load_data(pair, batch_size * (steps + warmup), data_dir)
    generator, discriminator = networks(pair)
    gan = GAN(generator, discriminator, seed=0)
    gan.compile(jit_compile=jit, steps_per_execution=steps_per_execution)
    timer = StepTimer()
    gan.fit(make_dataset(data, batch_size, drop_remainder=True), epochs=1, verbose=0, shuffle=False,
            callbacks=[timer])
    return timer.times, gan_step_flops(generator, discriminator, batch_size)


def measure_reference(pair, steps, warmup, data_dir=None):
    batch_size = PAIRS[pair]["batch_size"]
    data = load_data(pair, batch_size * (steps + warmup), data_dir)
    images = np.asarray(normalize_images(data.images))
    if pair == "tutorial":
        generator, discriminator = networks(pair)
        loop = TutorialLoop(generator, discriminator, images, batch_size)
        flops = gan_step_flops(generator, discriminator, batch_size)
    else:
        generator, discriminator = networks(pair, logits=False)
        loop = TrainOnBatchLoop(generator, discriminator, images, batch_size)
        g, d = forward_flops(generator), forward_flops(discriminator)
        # D on B/2 real and B/2 generated, G forward on B/2 (predict), then G and D through the combined model on B
        flops = 3 * batch_size * d + batch_size // 2 * g + 3 * batch_size * (g + d)
        loop.check_updates()
    return loop.run(steps + warmup), flops


def summarise(times, warmup, batch_size, step_flops, steps_per_time=1):
    """Median images/s over three windows of the times after ``warmup`` (one time per ``steps_per_time`` steps)."""
    times = np.asarray(times[warmup - 1:])
    windows = np.array_split(np.arange(len(times)), 3)
    rates = [batch_size * steps_per_time * (len(w) - 1) / (times[w[-1]] - times[w[0]]) for w in windows]
    rate = float(np.median(rates))
    return {"images_per_s": rate, "windows": [round(r, 1) for r in rates],
            "gflops_per_s": rate / batch_size * step_flops / 1e9,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def matmul_peak(dtype, n=4096, repeats=10):
    """GFLOP/s of an ``n`` x ``n`` matmul in ``dtype`` (best of ``repeats``)."""
    a = tf.random.normal((n, n), dtype=tf.float32)
    a = tf.cast(a, dtype)
    matmul = tf.function(lambda x: tf.matmul(x, x))
    matmul(a).numpy()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        matmul(a).numpy()
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best / 1e9


def run_side(args):
    keras.config.set_dtype_policy(PRECISIONS[args.precision])
    steps_per_time = 1
    if args.side == "package":
        # Keras calls the step callbacks once per execution of steps_per_execution steps
        steps_per_time = args.steps_per_execution
        times, flops = measure_package(args.pair, args.steps, args.warmup * steps_per_time, args.data_dir, args.jit,
                                       steps_per_time)
    else:
        times, flops = measure_reference(args.pair, args.steps, args.warmup, args.data_dir)
    print(json.dumps(summarise(times, args.warmup, PAIRS[args.pair]["batch_size"], flops, steps_per_time)))


def side_command(args, side):
    command = [sys.executable, os.path.abspath(__file__), "--pair", args.pair, "--side", side,
               "--steps", str(args.steps), "--warmup", str(args.warmup)]
    if side == "package":
        command += ["--precision", args.precision, "--steps-per-execution", str(args.steps_per_execution)]
        command += ["--jit"] if args.jit else []
    if args.data_dir:
        command += ["--data-dir", args.data_dir]
    return command


def run_pairs(args):
    results = {"package": [], "reference": []}
    for round_ in range(args.rounds):
        for side in ("package", "reference"):
            output = subprocess.run(side_command(args, side), capture_output=True, text=True, check=True).stdout
            results[side].append(json.loads(output.strip().splitlines()[-1]))
            row = results[side][-1]
            print(f"round {round_ + 1} {side:9s} {row['images_per_s']:7.1f} images/s (windows {row['windows']}), "
                  f"{row['gflops_per_s']:5.0f} GFLOP/s, peak RSS {row['peak_rss_mib']:.0f} MiB", flush=True)
    ratios = [p["images_per_s"] / r["images_per_s"] for p, r in zip(results["package"], results["reference"])]
    median = {side: statistics.median(row["images_per_s"] for row in rows) for side, rows in results.items()}
    print(f"\n{args.pair}: package {median['package']:.1f} images/s ({args.precision}{', XLA' if args.jit else ''}), "
          f"reference {median['reference']:.1f}; ratio per round {', '.join(f'{r:.2f}' for r in ratios)}; "
          f"median ratio {statistics.median(ratios):.2f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pair", choices=PAIRS, default="tutorial")
    parser.add_argument("--side", choices=("package", "reference"), help="measure one side in this process")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=40, help="timed steps, after the warm-up")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--precision", choices=PRECISIONS, default="float32",
                        help="the package side's precision, as train.py's --precision")
    parser.add_argument("--jit", action="store_true", help="compile the package's step with XLA")
    parser.add_argument("--steps-per-execution", type=int, default=1,
                        help="the package's steps per compiled call (Keras' steps_per_execution)")
    parser.add_argument("--data-dir", help="real images from this folder instead of random ones")
    parser.add_argument("--peak", action="store_true", help="measure the matmul peak in float32 and bfloat16")
    args = parser.parse_args(argv)
    if args.peak:
        for dtype in (tf.float32, tf.bfloat16):
            print(f"{dtype.name} matmul 4096x4096: {matmul_peak(dtype):.0f} GFLOP/s", flush=True)
    elif args.side:
        run_side(args)
    else:
        run_pairs(args)


if __name__ == "__main__":
    main()
