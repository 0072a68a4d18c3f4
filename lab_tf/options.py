"""``train.py``'s options: the common ones here, each family's from its ``Family.options``, and the config they make."""

import argparse

from core_tf.distribute import STRATEGIES
from data import DATASETS, check_source
from lab_tf.cli import ArgumentParser, finite_float, image_count, image_size, non_negative_int, positive_int
from lab_tf.config import TRACKED_METRICS, Config, DataConfig
from lab_tf.families import FAMILIES, family_of, models
from mlp_tf import TUNERS

__all__ = ["COMMON_PATHS", "build_train_parser", "config_from_args", "family_dests", "given_values", "listed_values"]


def build_train_parser(prog="train.py", description="Train a model into a run directory.", model_default=None):
    """The parser of every option ``train.py`` takes; ``compare.py`` adds its own to it.

    An option several families declare (``--latent-dim``, ``--loss``, ``--architecture``) is
    added once, in the first family's group, its help joining each family's; its valid values
    are then checked per family (``Family.check_args``), not by argparse. ``model_default`` is what
    ``--help`` says ``--model`` defaults to (``train.py``'s default model when not given).
    """
    examples = [line for family in FAMILIES.values() for line in family.examples]
    parser = ArgumentParser(prog=prog, description=description, formatter_class=argparse.RawDescriptionHelpFormatter,
                            epilog="examples:\n  " + "\n  ".join(examples) + f"\n  python {prog} --resume --out-dir "
                            "RUN_DIR --epochs 10")
    parser.add_argument("--model", choices=list(models()), metavar="MODEL",
                        help=f"what to train (default {model_default or Config.model}): " + "; ".join(
                            f"{name}, {description}" for family in FAMILIES.values()
                            for name, description in family.models.items()))
    data = parser.add_argument_group("data")
    data.add_argument("--dataset", help=f"one of {', '.join(DATASETS)} (default mnist)")
    data.add_argument("--data-dir", help="folder with mnist.npz / cifar10.npz / fashion_mnist.npz")
    data.add_argument("--offline", action="store_true", default=None,
                      help="never download; fail with a message when the dataset file is missing")
    data.add_argument("--image-size", type=image_size, help="resize images to SIZE x SIZE")
    data.add_argument("--channels", type=int, choices=(1, 3), help="1 = grayscale, 3 = RGB")
    data.add_argument("--limit", type=positive_int, help="use only the first N training images")
    _add_family_options(parser)
    tuning = parser.add_argument_group("hyperparameter search (see docs/mlp-tuning.md)")
    tuning.add_argument("--tune", choices=TUNERS, help="search with this Keras Tuner strategy into --out-dir")
    tuning.add_argument("--max-trials", type=positive_int, help="trials in total, finished ones included (default 10)")
    tuning.add_argument("--space", action="append", metavar="KEY=V1,V2",
                        help="restrict a hyperparameter's values, e.g. units=256,512 or training.lr=1e-4,2e-4")
    training = parser.add_argument_group("training")
    training.add_argument("--epochs", type=positive_int, help="total epochs (default 20)")
    training.add_argument("--batch-size", type=image_count, help="images per step (default 64)")
    training.add_argument("--lr", type=finite_float, help="learning rate (default: the model's own)")
    training.add_argument("--beta1", type=finite_float, help="Adam beta_1 (default: the model's own)")
    training.add_argument("--beta2", type=finite_float, help="Adam beta_2 (default: the model's own)")
    training.add_argument("--seed", type=non_negative_int, help="seed of weights, noise and shuffling (default 0)")
    training.add_argument("--distribute", choices=STRATEGIES,
                          help="train on several devices: mirrored (every local GPU, else every logical CPU) or "
                          "multiworker (the cluster in TF_CONFIG); --batch-size stays the global batch "
                          "(see docs/distributed.md)")
    run = parser.add_argument_group("run directory")
    run.add_argument("--out-dir", help="run directory (default runs/<model>-<dataset>-<time>)")
    run.add_argument("--resume", action="store_true", default=None,
                     help="continue the run in --out-dir up to --epochs in total")
    run.add_argument("--tensorboard", action="store_true", default=None,
                     help="also log scalars, sample grids and settings for TensorBoard into RUN_DIR/tensorboard")
    run.add_argument("--tensorboard-every", type=positive_int, metavar="N",
                     help="with --tensorboard, also log the training scalars every N steps (default: per epoch)")
    quality = parser.add_argument_group("image-quality metrics during training (see docs/evaluation.md)")
    quality.add_argument("--eval-every", type=positive_int, help="evaluate every K epochs (default: never)")
    quality.add_argument("--eval-n", type=image_count, help="generated images per evaluation (default 2000)")
    quality.add_argument("--eval-metric", choices=TRACKED_METRICS,
                         help="metric that picks generator_best.keras (default fid)")
    return parser


def _add_family_options(parser):
    declared = {}
    for family in FAMILIES.values():
        for option in family.options:
            declared.setdefault(option.dest, []).append((family, option))
    groups = {}
    for owners in declared.values():
        family, option = owners[0]
        if family.name not in groups:
            groups[family.name] = parser.add_argument_group(family.title)
        kwargs = option.argparse_kwargs()
        if len(owners) > 1:
            kwargs.pop("choices", None)  # each family checks its own
            kwargs["help"] = "; ".join(f"{owner.name}: {declaration.help}" for owner, declaration in owners)
        else:
            kwargs["help"] = option.help
        groups[family.name].add_argument(*option.flags, **kwargs)


# Where each common option lands in the config.
COMMON_PATHS = {"model": "model", "out_dir": "out_dir", "dataset": "data.dataset", "data_dir": "data.data_dir",
                "image_size": "data.image_size", "channels": "data.channels", "limit": "data.limit",
                "epochs": "training.epochs", "batch_size": "training.batch_size", "lr": "training.lr",
                "beta1": "training.beta_1", "beta2": "training.beta_2", "seed": "training.seed",
                "distribute": "training.distribute", "tensorboard": "tensorboard",
                "tensorboard_every": "tensorboard_every", "eval_every": "evaluation.every", "eval_n": "evaluation.n",
                "eval_metric": "evaluation.metric"}


def family_dests(family):
    """The ``train.py`` destinations ``family`` takes beyond the common ones."""
    return {option.dest for option in family.options}


def listed_values(args, family):
    """``{destination: values}`` of the comma lists given with more than one value (a comparison)."""
    values = {}
    for option in family.options:
        given = getattr(args, option.dest)
        if option.listed and given and len(dict.fromkeys(given)) > 1:
            values[option.dest] = list(dict.fromkeys(given))
    return values


def given_values(args, family):
    """``[(option, config path, value)]`` of every option given on the command line, as the config holds it.

    Comma lists give their first value; ``--offline`` is ``data.download`` inverted; an option
    that sets several fields (``--architecture`` of the autoencoders) gives one row per field.
    """
    rows = [(f"--{dest.replace('_', '-')}", path, getattr(args, dest)) for dest, path in COMMON_PATHS.items()
            if getattr(args, dest, None) is not None]
    if args.offline is not None:
        rows.append(("--offline", "data.download", not args.offline))
    for option in family.options:
        value = getattr(args, option.dest)
        if value is None or option.target is None:
            continue
        targets = option.target if isinstance(option.target, tuple) else (option.target,)
        for target in targets:
            path = target if option.section == "config" else f"settings.{target}"
            rows.append((option.flags[0], path, value[0] if option.listed else value))
    return rows


def config_from_args(args):
    """A ``Config`` of the defaults overridden by the command line; comma lists keep their first value.

    Raises:
        ValueError: an option of another family, a value the family does not take, an unknown dataset.
    """
    model = args.model or Config.model
    family = family_of(model)
    own = family_dests(family)
    for other in FAMILIES.values():
        for option in other.options:
            if option.dest not in own and getattr(args, option.dest) is not None:
                raise ValueError(f"{option.flags[0]} does not apply to --model {model}")
    family.check_args(args, model)
    if (args.max_trials or args.space) and not args.tune:
        raise ValueError("--max-trials and --space need --tune random|grid|bayesian|hyperband")
    if args.tune and args.distribute:
        raise ValueError("--tune trains its trials on one device; drop --distribute, or train the best trial's "
                         "settings with it")
    check_source(args.dataset or DataConfig.dataset)
    config = Config(model=model)
    for _, path, value in given_values(args, family):
        config.set(path, value)
    return config
