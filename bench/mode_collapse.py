"""The mode-collapse lab: GAN variants on a 2-D mixture, same budget and seed, side by side.

    python bench/mode_collapse.py --dataset ring8 --lr 1e-3 --ema-decay 0.999 --out-dir runs/lab-ring8
    python bench/mode_collapse.py --dataset grid25 --epochs 60 --variants gan pacgan wgan-gp

Writes one run directory per variant, results.csv, results.md and snapshots.png into --out-dir, and
prints a Markdown table of the modes each variant covers.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from data import MIXTURES  # noqa: E402
from experiments.config import LR_DECAYS  # noqa: E402
from experiments.mode_collapse import VARIANTS, format_lab_table, run_lab  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=MIXTURES, default="ring8")
    parser.add_argument("--out-dir", required=True)
    parser.add_argument("--variants", nargs="+", choices=VARIANTS,
                        default=["gan", "pacgan", "lsgan", "wgan-gp", "unrolled-gan"])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--lr", type=float, help="every variant's learning rate (default: each model's own)")
    parser.add_argument("--ema-decay", type=float, help="sample every variant from a moving average of its weights")
    parser.add_argument("--lr-decay", choices=LR_DECAYS, help="every variant's learning-rate schedule")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    results = run_lab(args.dataset, args.out_dir, args.variants, epochs=args.epochs, batch_size=args.batch_size,
                      lr=args.lr, ema_decay=args.ema_decay, lr_decay=args.lr_decay, seed=args.seed)
    print(format_lab_table(results))
    print(f"wrote {os.path.join(args.out_dir, 'results.csv')} and {os.path.join(args.out_dir, 'snapshots.png')}")


if __name__ == "__main__":
    main()
