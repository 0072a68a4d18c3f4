"""Several runs that differ in one or two settings, trained one after another, then compared.

    <out_dir>/<label>/        one ordinary run directory per variant (e.g. ``relu-crossentropy``)
    <out_dir>/comparison.png  their curves overlaid
    <out_dir>/results.csv     one row per variant: final training and validation numbers, test accuracy
    <out_dir>/results.md      the same as a Markdown table

Running the same command again skips finished variants and resumes an interrupted one.
"""

import copy
import csv
import itertools
import os
import shutil

from experiments import run_dir as rd
from experiments.files import atomic_path
from experiments.run_metrics import METRICS
from experiments.training import fit_run, prepare_new_run, prepare_resumed_run
from mlp_tf import plot_comparison

__all__ = ["compare", "variants", "write_results"]

COMPARISON = "comparison.png"
RESULTS = "results"


def variants(config, options):
    """One config per combination of ``options``.

    Args:
        config: the base ``Config``.
        options: ``{"section.field": [values]}``, e.g. ``{"mlp.activation": ["relu", "tanh"]}``.

    Returns:
        ``[(label, config)]``; a label joins the combination's values with ``-``.
    """
    names = list(options)
    result = []
    for values in itertools.product(*(options[name] for name in names)):
        variant = copy.deepcopy(config)
        for name, value in zip(names, values):
            section, field = name.split(".")
            setattr(getattr(variant, section), field, value)
        result.append(("-".join(map(str, values)), variant.validate()))
    return result


def compare(labelled_configs, out_dir, title=None):
    """Trains every ``(label, config)`` into ``out_dir/label`` and writes the comparison files.

    Returns:
        The results rows, one per variant.
    """
    models = {config.model for _, config in labelled_configs}
    if models != {"mlp"}:
        raise ValueError(f"comparisons support --model mlp only, got {', '.join(sorted(models))}")
    os.makedirs(out_dir, exist_ok=True)
    histories, rows = {}, []
    for label, config in labelled_configs:
        run_dir = os.path.join(out_dir, label)
        if not os.path.isfile(os.path.join(run_dir, METRICS)):
            fit_run(_prepare(config, run_dir))
        history = rd.read_history(run_dir)
        histories[label] = history
        rows.append({"variant": label, **{k: v for k, v in history[-1].items()},
                     **{k: v for k, v in (rd.read_json(os.path.join(run_dir, METRICS)) or {}).items()
                        if k in ("test_accuracy", "test_loss")}})
    plot_comparison(histories, os.path.join(out_dir, COMPARISON), title=title)
    write_results(rows, out_dir)
    return rows


def _prepare(config, run_dir):
    if os.path.isfile(os.path.join(run_dir, rd.STATE)):
        return prepare_resumed_run(run_dir, config.training.epochs)
    if os.path.exists(run_dir):  # interrupted before its first epoch finished
        shutil.rmtree(run_dir)
    config = copy.deepcopy(config)
    config.out_dir = run_dir
    return prepare_new_run(config)


def write_results(rows, out_dir):
    """``results.csv`` and ``results.md`` in ``out_dir``: one row per variant, columns in first-seen order."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    with atomic_path(os.path.join(out_dir, f"{RESULTS}.csv")) as temporary, open(temporary, "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(rows)
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(_format(row.get(c, "")) for c in columns) + " |")
    with atomic_path(os.path.join(out_dir, f"{RESULTS}.md")) as temporary, open(temporary, "w") as file:
        file.write("\n".join(lines) + "\n")


def _format(value):
    return f"{value:.4f}" if isinstance(value, float) else str(value)
