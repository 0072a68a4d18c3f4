"""Train several autoencoders that differ in one setting and compare them in one table and one figure.

    python compare.py --sweep arch --values dense conv resnet --model vae --dataset digits --epochs 3
    python compare.py --sweep beta --values 0.5 1 4 --model vae --dataset digits --latent-dim 2

Every train.py option sets what the variants share; ``--sweep`` and ``--values`` say what
differs. Writes ``OUT/<variant>/`` (complete run directories), ``OUT/comparison.csv``,
``OUT/comparison.md`` and ``OUT/comparison.png``.
"""

import datetime
import os
import sys

from data.loaders import dataset_name
from experiments.cli import EXIT_INTERRUPTED, report_bad_input
from experiments.vae_compare import SWEEPS, compare, sweep_variants
from train import build_parser as build_train_parser
from train import config_from_args


def build_parser():
    parser = build_train_parser()
    parser.prog = "compare.py"
    parser.description = "Train autoencoder variants on the same data and budget; write a table and a figure."
    sweep = parser.add_argument_group("comparison")
    sweep.add_argument("--sweep", choices=SWEEPS, required=True,
                       help="what differs: the encoder/decoder pair (arch) or the KL weight (beta)")
    sweep.add_argument("--values", nargs="+", required=True, help="architectures or betas, one run each")
    parser.set_defaults(model="vae")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        if args.resume:
            raise ValueError("compare.py starts new runs; --resume continues a single train.py run")
        for option in ("arch", "encoder", "decoder") if args.sweep == "arch" else ("beta",):
            if getattr(args, option) is not None:
                raise ValueError(f"--{option} is what --sweep {args.sweep} varies; give it in --values")
        config = config_from_args(args)
        variants = sweep_variants(config, args.sweep, args.values)
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        out_dir = args.out_dir or os.path.join(
            "runs", f"compare-{args.sweep}-{config.model}-{dataset_name(config.data.dataset)}-{stamp}")
        results = compare(variants, out_dir, args.sweep)
    except (ValueError, OSError) as error:
        return report_bad_input(error)
    except KeyboardInterrupt:
        print("\ninterrupted; finished variants are complete run directories", file=sys.stderr)
        return EXIT_INTERRUPTED
    with open(os.path.join(out_dir, "comparison.md")) as table:
        print(table.read(), end="")
    print(f"wrote {out_dir}/comparison.md, comparison.csv, comparison.png ({len(results)} runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
