"""Time to a good sample: a plain reference loop and the package's default, on the same wall clock.

    python bench/time_to_quality.py --dataset mnist --data-dir DIR [--every 60] [--n 10000] [--out runs/ttq-mnist]
    python bench/time_to_quality.py --dataset cifar10 --data-dir DIR --seconds 1800 --every 300
    python bench/time_to_quality.py --dataset mnist --data-dir DIR --package=--ema-decay=0.999   # a lever

The reference on MNIST is the TensorFlow DCGAN tutorial's loop (its networks, batch 256,
Adam(1e-4)); on CIFAR-10 the same plain loop with the DCGAN paper's settings (batch 128,
Adam(2e-4, beta_1=0.5)) on the package's CIFAR-10 networks. The package side is
``train.py --model dcgan`` with its defaults and any ``--package`` options, run through the
code train.py runs (run directory, per-epoch grids and checkpoints included). It is planned for
1,000 epochs and stopped at the budget; give ``--package=--epochs=N`` for options whose schedule
spans the planned epochs (``--lr-decay``, ``--instance-noise``).

Each side trains in a fresh process, one after the other: the reference first, then the
package (``--rounds 2`` adds a round in the other order). A side's clock starts when its
process is started, so imports, data loading and tracing count; it pauses while the side
saves a snapshot of the generator it would sample from (the moving average, when one is
kept), every ``--every`` seconds and when the budget is spent. The budget is ``--seconds``,
or else what the first reference run needs for ``--reference-epochs`` epochs (5: what the
tutorial trains first). Then every snapshot is scored in inference mode, as
``samples.py --evaluate`` scores a run: ``--n`` samples against the test split, through the
package's extractor. FID and classes covered against seconds are printed, written to
``results.json`` with the machine, and plotted in ``time_to_quality.png``. The same command
run again after an interruption trains only the sides that had not finished.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import core_tf  # noqa: E402, F401  (selects the TensorFlow backend before Keras loads)

REFERENCES = {  # the plain loop each dataset is measured against
    "mnist": {"name": "TensorFlow DCGAN tutorial loop", "batch_size": 256, "lr": 1e-4, "beta_1": 0.9},
    "cifar10": {"name": "plain loop, DCGAN paper settings", "batch_size": 128, "lr": 2e-4, "beta_1": 0.5},
}
SIDES = ("reference", "package")
RESULTS, PLOT, TIMELINE = "results.json", "time_to_quality.png", "timeline.json"


class Clock:
    """Seconds since the process started, less the time spent saving snapshots; saves one every
    ``every`` seconds and once ``budget`` is spent."""

    def __init__(self, start, every, budget, folder):
        self.start, self.every, self.budget, self.folder = start, every, budget, folder
        self.paused, self.due, self.snapshots, self.epoch_ends = 0.0, every, [], []
        os.makedirs(folder, exist_ok=True)

    def elapsed(self):
        return time.time() - self.start - self.paused

    def tick(self, generator, steps, epochs):
        """Saves a snapshot when one is due; True once the budget is spent (the last snapshot taken)."""
        seconds = self.elapsed()
        spent = self.budget is not None and seconds >= self.budget
        if seconds >= self.due or spent:
            self.save(generator, seconds, steps, epochs)
            while self.due <= seconds:
                self.due += self.every
        return spent

    def save(self, generator, seconds, steps, epochs):
        began = time.time()
        name = f"{len(self.snapshots):03d}.keras"
        generator.save(os.path.join(self.folder, name))
        self.snapshots.append({"seconds": round(seconds, 2), "steps": steps, "epochs": round(epochs, 3),
                               "snapshot": name})
        self.paused += time.time() - began
        print(f"{seconds:7.1f} s  epoch {epochs:6.2f}  snapshot {name}", flush=True)

    def write(self, **more):
        with open(os.path.join(self.folder, TIMELINE), "w") as file:
            json.dump({"snapshots": self.snapshots, "epoch_ends": self.epoch_ends, **more}, file, indent=1)


def train_reference(args, clock):
    """The plain loop for ``--reference-epochs`` epochs, or until the clock's budget is spent."""
    import numpy as np

    from bench.reference_loops import TutorialLoop
    from data import load_images, normalize_images
    from gan_tf import build_gan_networks, default_architecture

    settings = REFERENCES[args.dataset]
    images = np.asarray(normalize_images(load_images(args.dataset, data_dir=args.data_dir, download=False).images))
    shape = images.shape[1:]
    generator, discriminator = build_gan_networks(default_architecture(shape), 100, shape)
    loop = TutorialLoop(generator, discriminator, images, batch_size=settings["batch_size"], lr=settings["lr"],
                        beta_1=settings["beta_1"])
    per_epoch = -(-len(images) // settings["batch_size"])
    steps, spent = 0, False

    def after_step():
        nonlocal steps, spent
        steps += 1
        spent = clock.tick(generator, steps, steps / per_epoch)
        return spent

    while not spent and (clock.budget is not None or len(clock.epoch_ends) < args.reference_epochs):
        loop.train_epoch(after_step)
        if not spent:
            clock.epoch_ends.append(round(clock.elapsed(), 2))
    if clock.budget is None:  # this run sets the budget: its last snapshot is taken at its end
        if clock.snapshots and clock.snapshots[-1]["steps"] == steps:  # the same weights, taken just before
            clock.snapshots[-1]["seconds"] = round(clock.elapsed(), 2)
        else:
            clock.save(generator, clock.elapsed(), steps, steps / per_epoch)
    return settings["name"]


def train_package(args, clock):
    """``train.py --model dcgan`` with its defaults and ``--package`` options, until the budget is spent."""
    import keras

    from lab_tf.options import build_train_parser, config_from_args
    from lab_tf.training import fit_run, prepare_new_run

    argv = ["--model", "dcgan", "--dataset", args.dataset, "--data-dir", args.data_dir, "--epochs", "1000",
            "--out-dir", os.path.join(clock.folder, "run"), *args.package]
    run = prepare_new_run(config_from_args(build_train_parser().parse_args(argv)))
    sampler = run.config.family.generator_of(run.trainer)
    per_epoch = -(-len(run.data) // run.config.training.batch_size)

    class Snapshots(keras.callbacks.Callback):
        steps = 0

        def on_train_batch_end(self, batch, logs=None):
            self.steps += 1
            if clock.tick(sampler, self.steps, self.steps / per_epoch):
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            if not self.model.stop_training:
                clock.epoch_ends.append(round(clock.elapsed(), 2))

    snapshots = Snapshots()
    fit_run(run, verbose=0, callbacks=[snapshots])
    if not clock.snapshots or clock.snapshots[-1]["steps"] != snapshots.steps:  # --epochs ended it before the budget
        clock.save(sampler, clock.elapsed(), snapshots.steps, snapshots.steps / per_epoch)
    return " ".join(["train.py --model dcgan", *args.package])


def side_main(args):
    """One side's training, in its own process; writes its timeline."""
    clock = Clock(args.start, args.every, args.seconds, args.folder)
    name = (train_reference if args.side == "reference" else train_package)(args, clock)
    clock.write(side=args.side, name=name)


def machine():
    """What the numbers were measured on."""
    import tensorflow as tf

    from lab_tf.precision import BF16_CPU_FLAGS, cpu_flags
    info = {}
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as file:
            for line in file:
                key, _, value = line.partition(":")
                info.setdefault(key.strip(), value.strip())
    model = info.get("model name", platform.processor())
    if "cpu family" in info:  # one marketing name covers several generations
        model += f" (family {info['cpu family']}, model {info.get('model', '?')})"
    return {"cpu": model, "cores": os.cpu_count(), "bf16": bool(cpu_flags() & set(BF16_CPU_FLAGS)),
            "gpus": len(tf.config.list_physical_devices("GPU")), "tensorflow": tf.__version__,
            "python": platform.python_version()}


def train_side(args, side, folder, budget):
    """Starts a side's process and waits for it; its timeline. A side whose folder holds a finished timeline (a run
    stopped after it, started again) is not trained again."""
    path = os.path.join(folder, TIMELINE)
    if os.path.exists(path):
        print(f"{side}: already trained into {folder} (remove the folder to train it again)", flush=True)
        with open(path) as file:
            return json.load(file)
    command = [sys.executable, os.path.abspath(__file__), "--side", side, "--folder", folder, "--start",
               repr(time.time()), "--dataset", args.dataset, "--data-dir", args.data_dir, "--every", str(args.every),
               "--reference-epochs", str(args.reference_epochs), *([f"--package={o}" for o in args.package])]
    if budget is not None:
        command += ["--seconds", str(budget)]
    print(f"training {side} into {folder}", flush=True)
    subprocess.run(command, check=True)
    with open(path) as file:
        return json.load(file)


def evaluate(args, timelines):
    """Scores every snapshot; adds ``fid`` and ``classes_covered`` to the timelines' rows."""
    import keras

    import gan_tf  # noqa: F401  (registers the generators' layers for loading)
    from eval_tf import evaluate_generator
    from lab_tf.config import DataConfig
    from lab_tf.metrics import build_reference

    reference = build_reference(DataConfig(dataset=args.dataset, data_dir=args.data_dir, download=False))
    for timeline in timelines:
        for row in timeline["snapshots"]:
            generator = keras.models.load_model(os.path.join(timeline["folder"], row["snapshot"]))
            scores = evaluate_generator(generator, reference, n=args.n, seed=0)
            row.update(fid=round(scores["fid"], 3), classes_covered=scores["classes_covered"])
            print(f"  {timeline['side']:9s} {row['seconds']:8.1f} s  epoch {row['epochs']:6.2f}  "
                  f"FID {row['fid']:8.2f}  classes {row['classes_covered']}", flush=True)
    return reference.extractor_id, reference.split, len(reference.features)


def plot(timelines, budget, path, title, target_fid=None):
    """FID (log scale) and classes covered against seconds, one line per side and round."""
    from matplotlib.ticker import LogFormatter

    from core_tf.figures import new_figure, save_figure

    figure, (fid, classes) = new_figure(1, 2, figsize=(12, 4.5))
    references = {timeline["name"] for timeline in timelines if timeline["side"] == "reference"}
    package_colours = iter(["tab:orange", "tab:red", "tab:purple", "tab:brown", "tab:pink", "tab:olive", "tab:cyan"])
    colours = {name: "tab:blue" if name in references else next(package_colours, "tab:grey")
               for name in dict.fromkeys(timeline["name"] for timeline in timelines)}
    rounds = len({timeline["round"] for timeline in timelines}) > 1
    for timeline in timelines:
        rows = timeline["snapshots"]
        seconds = [row["seconds"] for row in rows]
        label = timeline["name"] + (f" (round {timeline['round'] + 1})" if rounds else "")
        style = dict(marker="o", color=colours[timeline["name"]], linestyle="-" if timeline["round"] == 0 else "--")
        fid.plot(seconds, [row["fid"] for row in rows], label=label, **style)
        classes.plot(seconds, [row["classes_covered"] for row in rows], label=label, **style)
    if target_fid:
        fid.axhline(target_fid, color="tab:green", linestyle="--", linewidth=1, label=f"target FID {target_fid:g}")
    for panel in (fid, classes):
        panel.axvline(budget, color="grey", linestyle=":", linewidth=1, label="budget")
        panel.set_xlabel("wall-clock seconds since the process started (snapshots excluded)")
        panel.grid(alpha=0.3)
    fid.set(yscale="log", ylabel="FID (package extractor, lower is better)", title="Sample quality")
    # plain numbers ("30", not "3x10^1") on the log axis, minor ticks labelled when the range is narrow
    fid.yaxis.set_major_formatter(LogFormatter(labelOnlyBase=False))
    fid.yaxis.set_minor_formatter(LogFormatter(labelOnlyBase=False, minor_thresholds=(2, 0.5)))
    classes.set(ylabel="classes covered", title="Classes the samples cover", ylim=(0, 10.5))
    fid.legend(fontsize=8)
    figure.suptitle(title)
    save_figure(figure, path)


def combine(parser, args, out):
    """Earlier runs' timelines in one plot and one results.json: a lever trained with ``--sides package``
    beside the run whose budget it was given. The runs must share dataset, scoring and machine."""
    runs = []
    for folder in args.combine:
        path = os.path.join(folder, RESULTS)
        if not os.path.isfile(path):
            parser.exit(2, f"error: {folder} has no {RESULTS}; pass folders that time_to_quality.py wrote (--out)\n")
        with open(path) as file:
            runs.append(json.load(file))
    for key in ("dataset", "extractor", "split", "n", "machine"):
        if len({json.dumps(run.get(key), sort_keys=True) for run in runs}) > 1:
            parser.exit(2, f"error: the runs differ in {key}; combine only runs scored alike on one machine\n")
    timelines = [timeline for run in runs for timeline in run["timelines"]]
    first = runs[0]
    plot(timelines, first["budget_seconds"], os.path.join(out, PLOT), plot_title(first["dataset"]), args.target_fid)
    results = {"command": " ".join(sys.argv), "combined": args.combine,
               **{key: first[key] for key in ("dataset", "machine", "budget_seconds", "n", "extractor", "split",
                                               "n_real")}, "timelines": timelines}
    with open(os.path.join(out, RESULTS), "w") as file:
        json.dump(results, file, indent=1)
    print(f"done: {out} ({RESULTS}, {PLOT}) from {len(runs)} runs")
    return 0


def plot_title(dataset):
    """The plot's heading."""
    return f"{dataset}: time to a good sample on {os.cpu_count()} cores"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", choices=sorted(REFERENCES), default="mnist")
    parser.add_argument("--data-dir", help="the folder holding mnist.npz / cifar10.npz (needed to train)")
    parser.add_argument("--seconds", type=float, help="each side's budget (default: the reference's epochs' time)")
    parser.add_argument("--reference-epochs", type=int, default=5)
    parser.add_argument("--every", type=float, default=60.0, help="seconds between snapshots")
    parser.add_argument("--n", type=int, default=10000, help="samples per evaluation")
    parser.add_argument("--target-fid", type=float, help="a target drawn on the plot, e.g. 10")
    parser.add_argument("--rounds", type=int, default=1, choices=(1, 2))
    parser.add_argument("--sides", choices=("both", "package"), default="both",
                        help="package: the package side alone, e.g. a lever (needs --seconds)")
    parser.add_argument("--package", action="append", default=[], metavar="OPTION",
                        help="a train.py option for the package side, e.g. --package=--ema-decay=0.999")
    parser.add_argument("--combine", nargs="+", metavar="RUN",
                        help="no training: earlier runs' --out folders drawn in one plot, written to --out")
    parser.add_argument("--out", default=None, help="default runs/time-to-quality-DATASET")
    parser.add_argument("--side", choices=SIDES, help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--start", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.side:
        return side_main(args)
    out = args.out or os.path.join("runs", f"time-to-quality-{args.dataset}")
    if os.path.exists(os.path.join(out, RESULTS)):
        parser.exit(2, f"error: {out} holds results already; pass another --out\n")
    if args.combine:
        os.makedirs(out, exist_ok=True)
        return combine(parser, args, out)
    if args.data_dir is None:
        parser.exit(2, "error: training needs --data-dir, the folder holding mnist.npz / cifar10.npz\n")
    if args.sides == "package" and args.seconds is None:
        parser.exit(2, "error: --sides package needs --seconds, the budget (e.g. an earlier reference's)\n")
    sides = SIDES if args.sides == "both" else ("package",)
    budget, timelines = args.seconds, []
    for round_ in range(args.rounds):
        for side in sides if round_ == 0 else sides[::-1]:
            timeline = train_side(args, side, os.path.join(out, f"{side}-{round_ + 1}"), budget)
            timeline.update(folder=os.path.join(out, f"{side}-{round_ + 1}"), round=round_)
            budget = budget or timeline["snapshots"][-1]["seconds"]
            timelines.append(timeline)
    extractor, split, n_real = evaluate(args, timelines)
    plot(timelines, budget, os.path.join(out, PLOT), plot_title(args.dataset), args.target_fid)
    results = {"command": " ".join(sys.argv), "dataset": args.dataset, "machine": machine(),
               "budget_seconds": budget, "n": args.n,
               "extractor": extractor, "split": split, "n_real": n_real, "timelines": timelines}
    with open(os.path.join(out, RESULTS), "w") as file:
        json.dump(results, file, indent=1)
    print(f"done: {out} ({RESULTS}, {PLOT}); budget {budget:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
