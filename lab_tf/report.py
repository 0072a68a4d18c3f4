"""What ``report.py`` writes: run directories (and a search) turned into the final project's report.

The sections follow the project's steps: data and preprocessing, network, hyperparameters,
training and monitoring, evaluation, final outputs, then the runs side by side and what the
files say went wrong. Every number is read from the run's files (``config.json``,
``history.csv``, ``checkpoint/state.json``, ``metrics.json``, ``metrics/``, a search's
``trials.csv``), never typed; the same inputs give byte-identical files. A family adds its own
figures through ``Family.report_figures`` and its data sources through ``Family.report_sources``.
"""

import csv
import dataclasses
import functools
import hashlib
import math
import os
import shutil

import numpy as np

from core_tf.figures import new_figure, save_figure
from core_tf.files import read_json
from data.domains import base_source
from data.keras_files import KERAS_DATASETS, find_npz
from data.loaders import FOLDER_PREFIX, has_test_split
from data.mixtures import MIXTURES
from lab_tf import run_dir as rd
from lab_tf.config import flatten, load_split
from lab_tf.document import Document, Figure, Heading, Items, Note, Paragraph, Table
from lab_tf.figures import epoch_frames, save_image_grid
from lab_tf.metrics import METRICS
from lab_tf.sampling import write_interpolation
from lab_tf.tuning import EFFECTS, SEARCH, TRIALS, is_search_dir

__all__ = ["SECTIONS", "build_report", "write_report"]

SECTIONS = ("Data and preprocessing", "Network", "Hyperparameters", "Training and monitoring", "Evaluation",
            "Final outputs", "Runs side by side", "Limitations and notes")
IMAGES = "images"
REPORT_FILES = ("report.md", "report.html", IMAGES)
HISTORY_ROWS = 12  # epochs shown in a run's history table at most (evenly spaced, the last always)
PROGRESSION = 4  # per-epoch grids shown at most
RELIABLE_N = 10_000  # below this many images, FID-like numbers are biased upward (compare only at equal n)
# what the evaluation files' companion numbers say, beside each family's ``metric_descriptions``
COMPANIONS = {"kid_std": "standard deviation of kid over its subsets",
              "classifier_score_std": "standard deviation of classifier_score over its splits",
              "class_histogram": "share of each class among the generated images, as the classifier reads them",
              "epoch": "the epoch these numbers are of"}
PROVENANCE = ("n_real", "n_fake", "n", "n_source", "n_target", "split", "extractor", "classifier", "classifiers")


def fmt(value):
    """A number as the report prints it: integers whole, other numbers to 4 significant digits."""
    if isinstance(value, bool) or value is None:
        return "none" if value is None else str(value).lower()
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) < 1e6):
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


@dataclasses.dataclass
class _Run:
    path: str
    label: str
    config: object
    history: list
    state: dict | None
    evaluations: dict  # {where the numbers come from: the results}, read once (``_evaluations``)


def write_report(run_dirs, out_dir, search_dir=None, title=None):
    """Writes ``out_dir/report.md``, ``report.html`` and their ``images/``; returns the two report paths.

    Raises:
        ValueError: a path that is not a run (or search) directory, or an ``out_dir`` that holds other files.
    """
    runs = [_load(path) for path in run_dirs]
    if search_dir is not None and not is_search_dir(search_dir):
        raise ValueError(f"{search_dir} is not a search directory (no {SEARCH}); pass a folder made by "
                         "train.py --tune")
    _check_out_dir(out_dir, run_dirs)
    if os.path.isdir(os.path.join(out_dir, IMAGES)):
        shutil.rmtree(os.path.join(out_dir, IMAGES))  # the previous report's: every image is written again
    os.makedirs(os.path.join(out_dir, IMAGES))
    return build_report(runs, out_dir, search_dir, title).write(out_dir)


def _load(path):
    config = rd.load_config(path)
    state = read_json(os.path.join(path, rd.STATE))
    return _Run(path, _label(path), config, rd.read_history(path), state, _evaluations(path, config.family))


def _check_out_dir(out_dir, run_dirs):
    if any(os.path.abspath(out_dir) == os.path.abspath(path) for path in run_dirs):
        raise ValueError(f"--out {out_dir} is a run directory; write the report to a folder of its own")
    if os.path.isdir(out_dir):
        others = sorted(set(os.listdir(out_dir)) - set(REPORT_FILES))
        if others:
            raise ValueError(f"--out {out_dir} holds other files ({', '.join(others[:3])}); choose an empty or "
                             "new folder, or one that holds only a report")


def build_report(runs, out_dir, search_dir=None, title=None):
    """The ``Document`` of ``runs`` (loaded run directories); its figures are written under ``out_dir/images``."""
    names = ", ".join(f"`{run.label}`" for run in runs)
    document = Document(title or f"Report: {names}")
    document.add(Paragraph(f"Made by `report.py` from the run director{'ies' if len(runs) > 1 else 'y'} {names}"
                           + (f" and the search `{_label(search_dir)}`" if search_dir else "")
                           + ". Every number below is read from their files."))
    images = _Images(out_dir)
    data = functools.partial(_data, described={})  # data already described: {DataConfig: the run that did}
    for section, add in zip(SECTIONS, (data, _network, _hyperparameters, _training, _evaluation, _outputs)):
        document.add(Heading(section))
        if section == "Hyperparameters" and search_dir:
            _search(document, search_dir, images)
        for index, run in enumerate(runs):
            if len(runs) > 1:
                document.add(Heading(f"{run.label} ({run.config.model})", 3))
            add(document, run, images.prefixed(index))
    if len(runs) > 1:
        document.add(Heading(SECTIONS[6]))
        _side_by_side(document, runs, images)
    document.add(Heading(SECTIONS[7]))
    notes = [note for run in runs for note in _limitations(run, len(runs) > 1)]
    document.add(*(Note(note) for note in notes) if notes else (Paragraph("The files record no problem."),))
    return document


class _Images:
    """Image files of the report: ``images/<prefix><name>.png``, written or copied once each."""

    def __init__(self, out_dir, prefix=""):
        self.out_dir = out_dir
        self.prefix = prefix

    def prefixed(self, index):
        return _Images(self.out_dir, f"run{index + 1}-")

    def path(self, name):
        relative = f"{IMAGES}/{self.prefix}{name}"
        return relative, os.path.join(self.out_dir, relative)

    def copy(self, source, name, caption):
        relative, target = self.path(name)
        shutil.copyfile(source, target)
        return Figure(relative, caption)


def _label(path):
    return os.path.basename(os.path.normpath(path))


# -- data and preprocessing ------------------------------------------------------------------------
def _data(document, run, images, described):
    for label, data in run.config.family.report_sources(run.config).items():
        key = repr(data)
        if key in described:
            document.add(Paragraph(f"**{label}**: `{data.dataset}`, the same data as `{described[key]}`."))
            continue
        described[key] = run.label
        document.add(Paragraph(f"**{label}**: `{data.dataset}`, {_source_file(data)}."))
        if data.dataset in MIXTURES:
            document.add(Paragraph("Two-dimensional points, not images: no grid, no resizing."))
            continue
        try:
            splits = {"train": load_split(dataclasses.replace(data, download=False), "train", data.limit)}
            if has_test_split(data.dataset):
                splits["test"] = load_split(dataclasses.replace(data, download=False), "test")
        except (ValueError, OSError) as error:
            document.add(Note(f"The data could not be read again ({' '.join(str(error).split())}): counts, "
                              "class histogram and real images are left out."))
            continue
        train = splits["train"]
        height, width, channels = train.image_shape
        document.add(Items((
            "counts: " + ", ".join(f"{split} {len(part)}" for split, part in splits.items())
            + (f" (the first {data.limit} training images, `--limit`)" if data.limit else ""),
            f"preprocessing: images brought to {height}x{width} with {channels} channel(s)"
            + (f" (`--image-size {data.image_size}`)" if data.image_size else " (the source's size)")
            + ", pixels scaled from [0, 255] to [-1, 1] (`data.normalize_images`)",
        )))
        if train.labels is not None and train.class_names:
            columns = {split: np.bincount(part.labels, minlength=len(train.class_names))
                       for split, part in splits.items() if part.labels is not None}
            document.add(Table(("class", *columns), tuple(
                (name, *(int(counts[k]) for counts in columns.values())) for k, name in enumerate(train.class_names)),
                caption="Class histogram"))
        name = f"real-{_slug(label)}.png"
        relative, path = images.path(name)
        save_image_grid(train.images[:64], path, scale=2)
        document.add(Figure(relative, f"The first {min(64, len(train))} images of the {label} (training split), as "
                                      "the networks see them"))


def _source_file(data):
    if data.dataset.startswith(FOLDER_PREFIX):
        return "a folder of your images"
    source = base_source(data.dataset)
    if source in KERAS_DATASETS:
        path = find_npz(source, data.data_dir)
        derived = "" if source == data.dataset else f", derived from `{source}`"
        if path is None:
            return f"file `{source}.npz` not found where the run read it{derived}"
        digest = hashlib.sha256()
        with open(path, "rb") as file:
            for chunk in iter(lambda: file.read(1 << 20), b""):
                digest.update(chunk)
        digest = digest.hexdigest()
        return f"file `{source}.npz`, SHA-256 `{digest}`{derived}"
    return "generated by the package, no file"


# -- network ---------------------------------------------------------------------------------------
def _network(document, run, images):
    files = sorted(name for name in os.listdir(run.path) if name.endswith(".keras") and "_best" not in name)
    if not files:
        document.add(Note("No saved network: no epoch finished."))
        return
    for name in files:
        model = rd.load_model(os.path.join(run.path, name))
        rows = tuple((layer.name, type(layer).__name__, _output_shape(layer), layer.count_params())
                     for layer in model.layers)
        trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
        total = model.count_params()
        document.add(Table(("layer", "type", "output shape", "parameters"), rows,
                           caption=f"`{name}`: {total:,} parameters ({trainable:,} trainable)"))


def _output_shape(layer):
    try:
        return str(tuple(layer.output.shape)).replace("None", "batch")
    except (AttributeError, ValueError):  # a layer called more than once has no single output shape
        return "several"


# -- hyperparameters -------------------------------------------------------------------------------
def _hyperparameters(document, run, images):
    values = run.config.to_dict()
    values.pop("out_dir")
    values["data"].pop("data_dir")  # where the files were, not how the model was trained
    rows = tuple((key, _value(value)) for key, value in flatten(values))
    document.add(Table(("setting", "value"), rows, caption=f"The resolved configuration of `{run.label}` "
                                                           "(`config.json`)"))


def _search(document, search_dir, images):
    search = read_json(os.path.join(search_dir, SEARCH))
    best = read_json(os.path.join(search_dir, METRICS))
    document.add(Paragraph(f"A {search['kind']} search (`{_label(search_dir)}`) over "
                           + ", ".join(f"`{key}` in {{{_value(values)}}}" if isinstance(values, list)
                                       else f"`{key}` = {_value(values)}" for key, values in search["space"].items())
                           + "."))
    path = os.path.join(search_dir, TRIALS)
    if os.path.isfile(path):
        with open(path, newline="") as file:
            rows = list(csv.DictReader(file))
        columns = [key for key in rows[0] if any(row[key] != "" for row in rows)] if rows else []
        if rows:  # a column no trial filled (a metric of the other kind of search) is left out
            document.add(Table(tuple(columns), tuple(tuple(_value(_number(row[key])) for key in columns)
                                                     for row in rows), caption="Trials (`trials.csv`)"))
    else:
        document.add(Note(f"The search has no {TRIALS}: no trial finished."))
    if best:
        document.add(Paragraph(f"Best: trial #{int(best['best_trial']) + 1} of {best['trials']}, "
                               f"{best['objective']} {fmt(best['score'])}, with "
                               + ", ".join(f"`{k}` = {fmt(v)}" for k, v in best["hyperparameters"].items()) + "."))
    if os.path.isfile(os.path.join(search_dir, EFFECTS)):
        document.add(images.copy(os.path.join(search_dir, EFFECTS), "search-effects.png",
                                 "Each hyperparameter's effect on the objective, trial by trial"))


# -- training and monitoring -----------------------------------------------------------------------
def _training(document, run, images):
    history = run.history
    if not history:
        document.add(Note("No finished epoch: `history.csv` is empty or missing."))
        return
    if os.path.isfile(os.path.join(run.path, rd.CURVES)):
        document.add(images.copy(os.path.join(run.path, rd.CURVES), "curves.png", "Training curves (`curves.png`)"))
    else:
        document.add(Note(f"`{rd.CURVES}` is missing: the figure is left out; the history table below has its "
                          "numbers."))
    seconds = [row["seconds"] for row in history if "seconds" in row]
    facts = [f"epochs finished: {history[-1]['epoch']} of {run.config.training.epochs} planned, batch "
             f"{run.config.training.batch_size}"]
    if seconds:
        facts.append(f"seconds per epoch: mean {fmt(float(np.mean(seconds)))}, total {fmt(float(np.sum(seconds)))} "
                     f"over {len(seconds)} epochs (each epoch's steps, grids and evaluations)")
    resumed = (run.state or {}).get("resumed_at")
    if resumed is not None:
        facts.append("resumed after epoch(s) " + ", ".join(map(str, resumed)) if resumed else
                     "trained in one go, never resumed")
    last = history[-1]
    if "d_real_accuracy" in last and "d_fake_accuracy" in last:
        facts.append(f"balance of the two players at the last epoch: the discriminator is right on "
                     f"{last['d_real_accuracy']:.1%} of real and {last['d_fake_accuracy']:.1%} of generated images "
                     f"(50 % is a discriminator the generator fools half the time); losses D {fmt(last['d_loss'])}, "
                     f"G {fmt(last['g_loss'])}")
    document.add(Items(tuple(facts)))
    shown = _spaced(history, HISTORY_ROWS)
    columns = list(dict.fromkeys(key for row in history for key in row))
    document.add(Table(tuple(columns), tuple(tuple(fmt(row.get(key)) if key in row else "" for key in columns)
                                             for row in shown),
                       caption="History (`history.csv`)" + (f", {len(shown)} of {len(history)} epochs"
                                                             if len(shown) < len(history) else "")))
    for epoch, path in _spaced(_frames(os.path.join(run.path, rd.SAMPLES)), PROGRESSION):
        document.add(images.copy(path, f"epoch_{epoch:03d}.png", f"Samples after epoch {epoch} (fixed inputs, "
                                                                 "the same every epoch)"))


def _frames(folder):
    """``epoch_frames`` of ``folder``, none when the run has no such folder."""
    return epoch_frames(folder) if os.path.isdir(folder) else []


def _spaced(items, count):
    """At most ``count`` items, evenly spaced, the first and the last included."""
    if len(items) <= count:
        return list(items)
    picked = sorted({round(i * (len(items) - 1) / (count - 1)) for i in range(count)})
    return [items[i] for i in picked]


# -- evaluation ------------------------------------------------------------------------------------
def _evaluations(path, family):
    """``{title: results}`` of the evaluation files of the run in ``path`` that exist (``family.evaluation_files``,
    else the last ``--eval-every`` result)."""
    found = {}
    for name, source in family.evaluation_files.items():
        values = read_json(os.path.join(path, name))
        if values:
            found[f"{source} (`{name}`)"] = values
    folder = os.path.join(path, rd.METRICS_DIR)
    if not found and os.path.isdir(folder):
        epochs = sorted(name for name in os.listdir(folder) if name.startswith("epoch_") and name.endswith(".json"))
        if epochs:
            found[f"the last `--eval-every` evaluation (`{rd.METRICS_DIR}/{epochs[-1]}`)"] = \
                read_json(os.path.join(folder, epochs[-1]))
    return found


def _evaluation(document, run, images):
    found = run.evaluations
    if not found:
        files = ", ".join(f"`{name}`" for name in run.config.family.evaluation_files)
        document.add(Note(f"No evaluation file ({files}): run "
                          f"`python samples.py --run {run.label} --evaluate` or train with `--eval-every`."))
        return
    described = {**COMPANIONS, **run.config.family.metric_descriptions}
    for title, values in found.items():
        provenance = [(key, values[key]) for key in PROVENANCE if key in values]
        curves = {key: value for key, value in values.items() if _is_records(value)}
        rows = tuple((key, _value(value), described.get(key.rsplit(".", 1)[-1], ""))
                     for key, value in flatten({k: v for k, v in values.items()
                                                 if k not in PROVENANCE and k not in curves}))
        document.add(Table(("metric", "value", "what it says"), rows, caption=f"From {title}"))
        for key, records in curves.items():
            columns = list(dict.fromkeys(field for record in records for field in record))
            document.add(Table(tuple(columns), tuple(tuple(_value(record.get(field)) for field in columns)
                                                     for record in records), caption=f"`{key}`, point by point"))
        document.add(Paragraph("Computed on: " + ", ".join(f"{key} {_value(value)}" for key, value in provenance)
                               + "." if provenance else "The file does not say what it was computed on."))
        for key, n in _sample_sizes(values):
            document.add(Note(f"{key} = {n} is below {RELIABLE_N:,}: FID and KID are biased upward at small n; "
                              "compare such numbers only at the same n."))


def _sample_sizes(values):
    return [(key, values[key]) for key in ("n_real", "n_fake", "n")
            if isinstance(values.get(key), int) and values[key] < RELIABLE_N]


# -- final outputs ---------------------------------------------------------------------------------
def _outputs(document, run, images):
    frames = _frames(os.path.join(run.path, rd.SAMPLES))
    shown = False
    if frames:
        epoch, path = frames[-1]
        document.add(images.copy(path, "last.png", f"The last grid, epoch {epoch}"))
        shown = True
    sampler = run.config.family.sampler
    has_generator = os.path.isfile(os.path.join(run.path, rd.GENERATOR))
    if has_generator and hasattr(sampler, "interpolation") and run.config.data.dataset not in MIXTURES \
            and "interpolation.png" not in run.config.family.report_figures:
        relative, path = images.path("interpolation.png")
        write_interpolation(sampler, rd.load_model(os.path.join(run.path, rd.GENERATOR)), path, seed=0)
        document.add(Figure(relative, "Interpolation between two latent codes (seed 0) through the final generator"))
        shown = True
    for name, caption in run.config.family.report_figures.items():
        path = os.path.join(run.path, name)
        if name.endswith("/"):
            frames = _frames(path)
            path = frames[-1][1] if frames else None
        if path and os.path.isfile(path):
            document.add(images.copy(path, _slug(os.path.splitext(name)[0]) + ".png", f"{caption} (`{name}`)"))
            shown = True
    if not shown:
        document.add(Note("No final output images in the run directory."))


# -- several runs ----------------------------------------------------------------------------------
def _side_by_side(document, runs, images):
    metrics = [next(iter(run.evaluations.values()), {}) for run in runs]
    last = [run.history[-1] if run.history else {} for run in runs]
    shared = [key for key in last[0] if key not in ("epoch", "seconds") and all(key in row for row in last[1:])]
    quality = [key for key in runs[0].config.family.metric_descriptions
               if key not in shared and any(key in m for m in metrics)]
    headers = ("run", "model", "dataset", "epochs", *shared, *quality, "seconds")
    rows = []
    for run, row, values in zip(runs, last, metrics):
        timed = [r["seconds"] for r in run.history if "seconds" in r]
        seconds = sum(timed) if timed else "not recorded"
        rows.append((run.label, run.config.model, run.config.data.dataset, row.get("epoch", 0),
                     *(fmt(row[key]) for key in shared), *(fmt(values.get(key)) if key in values else ""
                                                           for key in quality), fmt(seconds)))
    document.add(Table(headers, tuple(rows), caption="The last epoch of each run and its evaluation"))
    for key in ("extractor", "split"):
        seen = {m.get(key) for m in metrics if key in m}
        if len(seen) > 1:
            document.add(Note(f"The runs were evaluated with different {key}s ({', '.join(sorted(map(str, seen)))}):"
                              " their image-quality numbers are not comparable."))
    sizes = {(m.get("n_real"), m.get("n_fake")) for m in metrics if "n_fake" in m}
    if len(sizes) > 1:
        document.add(Note("The runs were evaluated on different numbers of images: FID and KID depend on n."))
    if shared:  # empty when a run has no finished epoch
        relative, path = images.path("side-by-side.png")
        _plot_overlaid(runs, shared[:6], path)
        document.add(Figure(relative, "Each shared history column, the runs overlaid"))


def _plot_overlaid(runs, keys, path):
    columns = min(3, len(keys))
    figure, axes = new_figure(math.ceil(len(keys) / columns), columns, figsize=(5 * columns, 3.4 *
                                                                                 math.ceil(len(keys) / columns)),
                              squeeze=False)
    for panel, key in zip(axes.flat, keys):
        for run in runs:
            rows = [row for row in run.history if key in row]
            panel.plot([row["epoch"] for row in rows], [row[key] for row in rows], marker="o", label=run.label)
        panel.set(title=key, xlabel="epoch")
        panel.grid(alpha=0.3)
        panel.legend(fontsize=8)
    for panel in list(axes.flat)[len(keys):]:
        panel.set_visible(False)
    save_figure(figure, path)


# -- limitations -----------------------------------------------------------------------------------
def _limitations(run, named):
    who = f"`{run.label}`: " if named else ""
    notes = []
    if not run.history:
        notes.append(f"{who}no epoch finished (no history); the run was stopped or crashed in its first epoch.")
    else:
        finished, planned = run.history[-1]["epoch"], run.config.training.epochs
        if finished < planned:
            notes.append(f"{who}stopped after {finished} of {planned} planned epochs (interrupted, diverged, or "
                         "still running); `--resume` continues it.")
        broken = [row["epoch"] for row in run.history if any(isinstance(v, float) and not math.isfinite(v)
                                                             for v in row.values())]
        if broken:
            notes.append(f"{who}non-finite values (NaN or infinity) in epoch(s) {', '.join(map(str, broken))}.")
    if not run.evaluations:
        notes.append(f"{who}no image-quality or test metrics were computed.")
    if (run.state or {}).get("resumed_at"):
        notes.append(f"{who}resumed after epoch(s) {', '.join(map(str, run.state['resumed_at']))}: data order "
                     "after a resume follows the seed and the finished epochs, not the uninterrupted run's.")
    return notes


# -- helpers ---------------------------------------------------------------------------------------
def _is_records(value):
    """A list of dicts: a curve of several numbers per point (a truncation curve), shown as its own table."""
    return isinstance(value, list) and bool(value) and all(isinstance(item, dict) for item in value)


def _value(value):
    if isinstance(value, dict):
        return ", ".join(f"{key} {_value(item)}" for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(fmt(item) for item in value)
    return fmt(value)


def _number(text):
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def _slug(text):
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")
