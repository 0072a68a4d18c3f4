"""Sanity checks of the image-quality metrics on a dataset's real images.

    python bench/eval_sanity.py --dataset mnist --data-dir DIR [--n 10000]

Prints the metrics of (1) the real test split against real training images, which should be
near the ideal values, and (2) a collapsed "generator" that repeats one training image,
which coverage, recall and the class counts must flag.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

from data import normalize_images  # noqa: E402
from eval_tf import evaluate_images  # noqa: E402
from lab_tf.config import DataConfig, load_split  # noqa: E402
from lab_tf.metrics import build_reference, format_table  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--data-dir")
    parser.add_argument("--n", type=int, default=10000)
    args = parser.parse_args(argv)

    data_config = DataConfig(dataset=args.dataset, data_dir=args.data_dir, download=False)
    reference = build_reference(data_config, limit=args.n)
    train = load_split(data_config, "train")
    picked = np.random.default_rng(0).choice(len(train), min(args.n, len(train)), replace=False)
    print(f"== real training images ({len(picked)}) against the real {reference.split} split")
    print(format_table(evaluate_images(reference, np.asarray(normalize_images(train.images[picked])))))
    print(f"\n== one training image repeated {len(picked)} times (total collapse)")
    collapsed = np.repeat(np.asarray(normalize_images(train.images[:1])), len(picked), axis=0)
    print(format_table(evaluate_images(reference, collapsed)))


if __name__ == "__main__":
    main()
