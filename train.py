"""Train a model into a run directory; ``python train.py --help`` lists the models, options and examples.

    python train.py --model MODEL [options]                  # one run into runs/<model>-<dataset>-<time>/
    python train.py --resume --out-dir RUN_DIR --epochs 10   # continue a run (or a search) to 10 epochs
    python train.py --model MODEL --tune random              # a Keras Tuner search
    python train.py --model MODEL --OPTION a,b               # a comparison, for options that take lists
"""

import dataclasses
import os
import shutil
import sys

from lab_tf.callbacks import Diverged
from lab_tf.cli import EXIT_INTERRUPTED, report_bad_input
from lab_tf.compare import RESULTS, compare, variants
from lab_tf.config import DataConfig
from lab_tf.options import COMMON_PATHS, build_train_parser, config_from_args, given_values, listed_values
from lab_tf.run_dir import default_run_dir, load_config, read_state
from lab_tf.training import finished_epochs, fit_run, prepare_new_run, prepare_resumed_run
from lab_tf.tuning import is_search_dir, resume_search, run_search, search_summary

# Options that --resume may change; the others are fixed by the run's config.json (or search.json).
RESUMABLE = {"epochs", "out_dir", "resume", "max_trials"}
LOGGING = {"tensorboard", "tensorboard_every"}  # may be turned on when resuming


def check_unchanged(args, config):
    """Raises ``ValueError`` for an option whose value differs from the run's ``config.json``.

    Repeating the command that started a run, with ``--resume`` and more ``--epochs``, is accepted.
    """
    rows = given_values(args, config.family)
    compared = {*COMMON_PATHS, "offline", *(option.dest for option in config.family.options if option.target)}
    others = sorted(k for k, v in vars(args).items() if v is not None and k not in RESUMABLE | compared)
    if others:
        raise ValueError(f"--{others[0].replace('_', '-')} cannot be given on --resume of a --model {config.model} "
                         "run; repeat the command that started it, with --resume and more --epochs")
    for flag, path, value in rows:
        if path in ("training.epochs", "out_dir", *LOGGING):
            continue
        saved, value = _comparable(path, config.get(path)), _comparable(path, value)
        if value != saved:
            raise ValueError(f"{flag} cannot change on --resume: the run has {saved}, the command gives {value}; "
                             "train a new run (another --out-dir) to change it")


def _comparable(path, value):
    """``value`` as ``config.json`` stores it: data paths absolute, lists as tuples."""
    section, _, field = path.partition(".")
    if section == "data":
        return getattr(dataclasses.replace(DataConfig(), **{field: value}).absolute(), field)
    return tuple(value) if isinstance(value, list) else value


def start(args):
    """What the command line asks for: ``(run to fit, None)``, or ``(None, closing line)`` once a search,
    a study or a comparison has finished."""
    if args.resume:
        if args.out_dir and is_search_dir(args.out_dir):
            return None, search_summary(args.out_dir, resume_search(args.out_dir, args.max_trials))
        if not args.out_dir:
            raise ValueError("--resume needs --out-dir RUN_DIR, the run to continue")
        config = load_config(args.out_dir)
        read_state(args.out_dir)  # a run with no finished epoch says so before anything else
        check_unchanged(args, config)
        logging = {name: getattr(args, name) for name in LOGGING if getattr(args, name) is not None}
        return prepare_resumed_run(args.out_dir, epochs=args.epochs, **logging), None
    config = config_from_args(args)
    if args.tune:
        out_dir = args.out_dir or default_run_dir(config, f"tune-{args.tune}")
        result = run_search(config, args.tune, args.max_trials or 10, out_dir, config.family.parse_space(args.space))
        return None, search_summary(out_dir, result)
    line = config.family.study(args, config)
    if line is not None:
        return None, line
    sweeps = listed_values(args, config.family)
    if sweeps:
        out_dir = args.out_dir or default_run_dir(config, "compare")
        compare(variants(config, sweeps), out_dir, title=" vs ".join(sweeps))
        with open(os.path.join(out_dir, f"{RESULTS}.md")) as table:
            return None, table.read() + f"done: {out_dir} (comparison.png, {RESULTS}.csv, {RESULTS}.md)"
    return prepare_new_run(config), None


def main(argv=None):
    args = build_train_parser().parse_args(argv)
    try:
        run, line = start(args)
    except (ValueError, OSError) as error:
        return report_bad_input(error)
    except KeyboardInterrupt:
        print("\ninterrupted; what finished is kept: repeat the command (or --resume a search or run) to continue",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    if line is not None:
        print(line)
        return 0
    out_dir, family = run.config.out_dir, run.config.family
    try:
        fit_run(run)
    except KeyboardInterrupt:
        done = finished_epochs(out_dir)
        if done == 0:  # a new run with nothing worth keeping
            shutil.rmtree(out_dir)
            print(f"\ninterrupted before the first epoch finished; removed {out_dir}", file=sys.stderr)
        else:
            print(f"\ninterrupted; {done} finished epoch(s) are saved in {out_dir}. Continue with:\n"
                  f"  python train.py --resume --out-dir {out_dir} --epochs {run.config.training.epochs}",
                  file=sys.stderr)
        return EXIT_INTERRUPTED
    except Diverged as error:
        if finished_epochs(out_dir) == 0:  # nothing worth keeping: the same command may start again
            shutil.rmtree(out_dir)
            return report_bad_input(f"{error}; removed {out_dir}, which had no finished epoch")
        return report_bad_input(f"{error} in {out_dir}")
    if not run.chief:
        print(f"done: worker {run.strategy.cluster_resolver.task_id} of the cluster; the chief wrote the run")
        return 0
    line = f"done: {out_dir} ({', '.join(family.outputs)})"
    if family.sampler is not None and family.sampler.takes_images:
        line += f"; {family.sampler.verb} images with: python samples.py --run {out_dir} --input IMAGE_OR_FOLDER"
    elif family.sampler is not None:
        line += f"; draw new images with: python samples.py --run {out_dir}"
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
