"""What a trained network learned: activation maximisation and feature maps (see docs/visualization.md).

    python visualize.py maximize --run RUN_DIR [--network discriminator|classifier] [--layer NAME]
                                 [--units LIST|all] [--prior none|regularized|generator]
                                 [--objective logit|log-probability] [--steps N] --out PNG
    python visualize.py maximize --network classifier --dataset mnist --data-dir DIR --judge RUN_DIR --out PNG
    python visualize.py features --run RUN_DIR --image IMAGE --out PNG
"""

import sys
from collections import Counter

from lab_tf.cli import ArgumentParser, int_at_least, non_negative_int, report_bad_input
from lab_tf.visualize import OBJECTIVES, PRIORS, load_network, maximize, show_features


def build_parser():
    parser = ArgumentParser(prog="visualize.py", description="Show what a trained network learned.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (("maximize", "the input that drives each unit highest: a labelled grid"),
                       ("features", "an image's maps through each convolutional layer")):
        command = commands.add_parser(name, help=text, description=text)
        command.error = parser.error  # one line and exit 2 for the subcommands too
        command.add_argument("--run", help="run directory: a GAN's discriminator, an MLP's classifier, an "
                                           "autoencoder's encoder")
        command.add_argument("--network", help="which network of the run (default: the family's first), or "
                                               "classifier: the evaluation classifier of the run's or --dataset's data")
        command.add_argument("--dataset", help="with --network classifier and no --run: the dataset")
        command.add_argument("--data-dir", help="folder with the dataset's .npz file")
        command.add_argument("--out", required=True, help="the PNG to write")
        if name == "maximize":
            command.add_argument("--layer", help="a layer's channels (default: the output units)")
            command.add_argument("--units", help="all (default) or indices like 0,3,7")
            command.add_argument("--prior", choices=PRIORS, default="regularized",
                                 help="none: plain gradient ascent; regularized: L2, total variation, jitter, blur "
                                      "(default); generator: ascend in a generator's latent space")
            command.add_argument("--generator", help="with --prior generator: the run whose generator to use "
                                                     "(default: --run)")
            command.add_argument("--objective", choices=OBJECTIVES, default="logit",
                                 help="what to raise: the unit (default) or, for a classifier's classes, the "
                                      "class's log-probability, which also lowers the other classes")
            command.add_argument("--steps", type=int_at_least(1, 10_000, "more steps change nothing"), default=200,
                                 help="ascent steps (default 200)")
            command.add_argument("--seed", type=non_negative_int, default=0, help="seed (the same seed, the same "
                                                                                  "images)")
            command.add_argument("--samples", type=int_at_least(1, 100, "a grid that large is unreadable"),
                                 default=1, help="images per unit, from different starting points (default 1)")
            command.add_argument("--judge", help="a run directory whose classifier (or 'classifier': the "
                                                 "evaluation classifier) names what each image shows")
        else:
            command.add_argument("--image", required=True, help="the image to pass through the network")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        network = load_network(args.run, args.network, args.dataset, args.data_dir)
        if args.command == "features":
            for name, shape in show_features(network, args.image, args.out):
                print(f"{name:<24} {'x'.join(map(str, shape))}")
        else:
            judge = None
            if args.judge == "classifier":
                judge = load_network(None, "classifier", network.data.dataset, network.data.data_dir)
            elif args.judge:
                judge = load_network(args.judge, "classifier")
            rows = maximize(network, args.out, args.layer, args.units, args.prior, args.steps, args.seed,
                            args.generator, judge, args.samples, args.objective)
            for row in rows:
                print("  ".join(f"{key} {value:.4f}" if isinstance(value, float) else f"{key} {value}"
                                for key, value in row.items()))
            summarize(rows)
    except (ValueError, OSError) as error:
        return report_bad_input(error)
    print(f"wrote {args.out}")
    return 0


def summarize(rows):
    """Prints how many units reached a class probability of 0.99, and the judge's accuracy, when known."""
    if "probability" in rows[0]:
        reached = sum(row["probability"] >= 0.99 for row in rows)
        print(f"target probability >= 0.99 for {reached} of {len(rows)} units")
    if "judged" in rows[0] and "probability" in rows[0]:
        agree = sum(row["judged"] == row["unit"] for row in rows)
        print(f"the judge reads the target class in {agree} of {len(rows)} images ({agree / len(rows):.0%})")
    elif "judged" in rows[0]:
        counts = Counter(row["judged"] for row in rows)
        print("the judge's classes: " + ", ".join(f"{label}: {counts[label]}" for label in sorted(counts)))


if __name__ == "__main__":
    sys.exit(main())
