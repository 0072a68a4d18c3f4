"""Generation speed: seconds for 10,000 images from a saved generator, as samples.py draws them.

    python bench/generation_speed.py --run runs/dcgan-mnist-...      # that run's generator.keras
    python bench/generation_speed.py --precision bfloat16            # a fresh tutorial generator, saved and reloaded

Loads the ``.keras`` file, draws ``--n`` images with ``gan_tf.sampling.generate`` (inference
mode, ``--batch-size`` at a time) once to warm up, then ``--repeats`` more times, and prints
the median seconds, images/s and GFLOP/s counted from the layer shapes.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import core_tf  # noqa: E402, F401  (selects the TensorFlow backend before Keras loads)

# isort: split
import keras  # noqa: E402

from bench.flops import forward_flops  # noqa: E402
from gan_tf import build_tutorial_generator, generate, latent_noise  # noqa: E402
from gan_tf.sampling import latent_dim_of  # noqa: E402
from lab_tf.precision import PRECISIONS, precision_policy  # noqa: E402
from lab_tf.run_dir import GENERATOR  # noqa: E402


def saved_generator(run, precision):
    """``run``'s generator, or a fresh tutorial generator in ``precision`` after a save and reload."""
    if run:
        return keras.models.load_model(os.path.join(run, GENERATOR))
    with precision_policy(precision), tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "generator.keras")
        build_tutorial_generator(100, (28, 28, 1)).save(path)
        return keras.models.load_model(path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", help="a run directory with generator.keras")
    parser.add_argument("--precision", choices=PRECISIONS, default="float32", help="of the fresh generator")
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    generator = saved_generator(args.run, args.precision)
    noise = latent_noise(args.n, latent_dim_of(generator))
    generate(generator, noise, batch_size=args.batch_size)
    seconds = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        generate(generator, noise, batch_size=args.batch_size)
        seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds)
    policy = generator.layers[1].dtype_policy.name
    print(f"{args.n} images ({policy}, batch {args.batch_size}): {median:.2f} s median of {args.repeats} "
          f"({', '.join(f'{s:.2f}' for s in seconds)}), {args.n / median:.0f} images/s, "
          f"{args.n * forward_flops(generator) / median / 1e9:.0f} GFLOP/s")


if __name__ == "__main__":
    main()
