"""Several runs that differ in one or two settings, trained one after another on the same data, budget and
seed, then compared: the one engine behind ``compare.py`` and ``train.py``'s comma lists.

    <out_dir>/comparison.json   what is compared (a later call must match it) and each run's seconds
    <out_dir>/<label>/          one ordinary run directory per variant (``samples.py --run`` works on it)
    <out_dir>/results.csv       one row per variant: the family's numbers (``Family.comparison_row``)
    <out_dir>/results.md        the same as a Markdown table
    <out_dir>/comparison.png    the family's figure (``Family.plot_comparison``)

Running the same command again skips finished variants and resumes an interrupted one.
"""

import copy
import itertools
import os
import time

from core_tf.files import read_json, write_csv, write_json, write_markdown_table
from lab_tf import run_dir as rd
from lab_tf.training import finished_epochs, fit_run, prepare_new_run, prepare_resumed_run

__all__ = ["COMPARISON", "RESULTS", "compare", "variants", "write_results"]

COMPARISON = "comparison.png"
RESULTS = "results"  # results.csv and results.md
STATE = "comparison.json"


def variants(config, sweeps):
    """One config per combination of the sweeps' values.

    Args:
        config: the base ``Config``.
        sweeps: ``{sweep name: [values]}``, names from ``config.family.sweeps``
            (e.g. ``{"activation": ["relu", "tanh"], "loss": ["crossentropy", "mse"]}``).

    Returns:
        ``[(label, config)]``; a label joins the combination's labels with ``-``.

    Raises:
        ValueError: an unknown sweep or value.
    """
    family = config.family
    for name, values in sweeps.items():
        if name not in family.sweeps:
            raise ValueError(f"--model {config.model} cannot sweep {name!r}; valid: {', '.join(family.sweeps)}")
        if not values:
            raise ValueError(f"--sweep {name} needs at least one value")
    result = []
    for values in itertools.product(*sweeps.values()):
        variant = copy.deepcopy(config)
        labels = [family.sweeps[name].apply(variant, value) for name, value in zip(sweeps, values)]
        result.append(("-".join(map(str, labels)), variant.validate()))
    return result


def compare(labelled_configs, out_dir, title=None, verbose=None):
    """Trains every ``(label, config)`` into ``out_dir/label`` and writes the comparison's files.

    Returns:
        The results rows, one per variant: ``variant``, the family's numbers, ``seconds``.

    Raises:
        ValueError: ``out_dir`` holds a different comparison, or bad settings.
    """
    family = labelled_configs[0][1].family
    described = {label: config.described() for label, config in labelled_configs}
    state = read_json(os.path.join(out_dir, STATE))
    if state is not None and state["variants"] != described:
        raise ValueError(f"{out_dir} holds a different comparison; repeat its command or choose another --out-dir")
    if state is None and os.path.exists(out_dir):
        raise rd.RunDirError(f"{out_dir} already exists; choose another --out-dir")
    os.makedirs(out_dir, exist_ok=True)
    state = state or {"variants": described, "seconds": {}}
    write_json(state, os.path.join(out_dir, STATE))
    run_dirs = [os.path.join(out_dir, label) for label, _ in labelled_configs]
    for (label, config), run_dir in zip(labelled_configs, run_dirs):
        if finished_epochs(run_dir) >= config.training.epochs:
            continue
        print(f"== {label}", flush=True)
        run = _prepare(config, run_dir)
        start = time.perf_counter()
        fit_run(run, verbose=verbose)
        state["seconds"][label] = round(state["seconds"].get(label, 0.0) + time.perf_counter() - start, 1)
        write_json(state, os.path.join(out_dir, STATE))
    rows = [{"variant": label, **family.comparison_row(run_dir), "seconds": state["seconds"].get(label)}
            for (label, _), run_dir in zip(labelled_configs, run_dirs)]
    write_results(rows, out_dir)
    family.plot_comparison(rows, run_dirs, os.path.join(out_dir, COMPARISON), title)
    return rows


def write_results(rows, out_dir):
    """``results.csv`` and ``results.md`` in ``out_dir``: one row per variant, columns in first-seen order."""
    write_csv(rows, os.path.join(out_dir, f"{RESULTS}.csv"))
    write_markdown_table(rows, os.path.join(out_dir, f"{RESULTS}.md"))


def _prepare(config, run_dir):
    if os.path.isfile(os.path.join(run_dir, rd.STATE)):
        return prepare_resumed_run(run_dir, config.training.epochs)
    config = copy.deepcopy(config)  # a variant stopped in its first epoch is started over by prepare_new_run
    config.out_dir = run_dir
    return prepare_new_run(config)
