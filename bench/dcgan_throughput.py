"""DCGAN training throughput on the TensorFlow tutorial's architecture.

    python bench/dcgan_throughput.py [--batch-size 256] [--steps 40] [--data-dir ../shared/datasets]

Times ``GAN.fit`` over ``--steps`` steps after a warm-up epoch (tracing excluded), and
prints images/s and the achieved GFLOP/s counted from the layer shapes.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

from bench.flops import forward_flops, gan_step_flops  # noqa: E402
from data import ImageData, load_images, make_dataset  # noqa: E402
from gan_tf import GAN, build_gan_networks  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--data-dir", help="use real MNIST from this folder instead of random images")
    args = parser.parse_args(argv)

    n = args.batch_size * args.steps
    if args.data_dir:
        data = load_images("mnist", data_dir=args.data_dir, limit=n, download=False)
    else:
        rng = np.random.default_rng(0)
        data = ImageData(rng.integers(0, 256, (n, 28, 28, 1), dtype=np.uint8))
    dataset = make_dataset(data, args.batch_size, drop_remainder=True)
    generator, discriminator = build_gan_networks("tutorial", 100, (28, 28, 1))
    gan = GAN(generator, discriminator, seed=0)
    gan.compile()
    gan.fit(dataset.take(3), epochs=1, verbose=0, shuffle=False)  # trace and warm up

    rates = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        gan.fit(dataset, epochs=1, verbose=0, shuffle=False)
        rates.append(n / (time.perf_counter() - start))
    rate = float(np.median(rates))
    step_flops = gan_step_flops(generator, discriminator, args.batch_size)
    print(f"generator forward {forward_flops(generator) / 1e6:.1f} MFLOP/image, "
          f"discriminator forward {forward_flops(discriminator) / 1e6:.1f} MFLOP/image")
    print(f"step at batch {args.batch_size}: {step_flops / 1e9:.1f} GFLOP")
    print(f"throughput: {rate:.0f} images/s (median of {args.repeats} x {args.steps} steps: "
          f"{', '.join(f'{r:.0f}' for r in rates)}), {rate / args.batch_size * step_flops / 1e9:.0f} GFLOP/s")


if __name__ == "__main__":
    main()
