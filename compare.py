"""Train variants of a model that differ in one setting, with the same data, budget and seed; compare them.

    python compare.py --sweep arch --values dense conv resnet --model vae --dataset digits --epochs 3
    python compare.py --sweep beta --values 0.5 1 4 --model vae --dataset digits --latent-dim 2
    python compare.py --sweep activation --values relu sigmoid tanh --model mlp --dataset digits --epochs 5
    python compare.py --sweep variant --values gan pacgan wgan-gp --dataset ring8 --epochs 100 --batch-size 256

Every train.py option sets what the variants share; ``--sweep`` and ``--values`` say what differs
(``--help`` lists each family's sweeps). Writes ``OUT/<variant>/`` (complete run directories),
``OUT/results.csv``, ``OUT/results.md`` and ``OUT/comparison.png``; repeating the command
continues an interrupted comparison.
"""

import os
import sys

from lab_tf.cli import EXIT_INTERRUPTED, report_bad_input
from lab_tf.compare import COMPARISON, RESULTS, compare, variants
from lab_tf.families import FAMILIES
from lab_tf.options import build_train_parser, config_from_args
from lab_tf.run_dir import default_run_dir


def sweep_families():
    """``{sweep name: family}`` over every family; a name two families share belongs to the first."""
    found = {}
    for family in FAMILIES.values():
        for name in family.sweeps:
            found.setdefault(name, family)
    return found


def build_parser():
    defaults = ", ".join(f"{family.default_model} for --sweep {name}" for name, family in sweep_families().items())
    parser = build_train_parser(prog="compare.py", description="Train variants of a model on the same data and "
                                "budget; write a table and a figure.", model_default=defaults)
    sweeps = [f"{name} ({family.name}: {family.sweeps[name].help})" for name, family in sweep_families().items()]
    group = parser.add_argument_group("comparison")
    group.add_argument("--sweep", choices=list(sweep_families()), required=True,
                       help="what differs: " + "; ".join(sweeps) + " (default --model: the sweep's family's)")
    group.add_argument("--values", nargs="+", required=True, help="one run for each value")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        if args.resume:
            raise ValueError("compare.py continues a comparison when its command is repeated; drop --resume")
        if args.tune:
            raise ValueError("--tune searches with train.py; compare.py trains the --values given")
        family = sweep_families()[args.sweep]
        args.model = args.model or family.default_model
        for option in family.sweeps[args.sweep].options:
            if getattr(args, option, None) is not None:
                raise ValueError(f"--{option.replace('_', '-')} is what --sweep {args.sweep} varies; "
                                 "give it in --values")
        config = config_from_args(args)
        out_dir = args.out_dir or default_run_dir(config, f"compare-{args.sweep}")
        results = compare(variants(config, {args.sweep: args.values}), out_dir, title=args.sweep)
    except (ValueError, OSError) as error:
        return report_bad_input(error)
    except KeyboardInterrupt:
        print("\ninterrupted; finished variants are complete run directories: repeat the command to continue",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    with open(os.path.join(out_dir, f"{RESULTS}.md")) as table:
        print(table.read(), end="")
    print(f"wrote {out_dir}/{RESULTS}.md, {RESULTS}.csv, {COMPARISON} ({len(results)} runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
