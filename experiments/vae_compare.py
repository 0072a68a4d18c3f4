"""Comparing autoencoder runs that differ in one setting: same data, same budget, one table, one figure.

Each variant is a complete run directory under the comparison's folder (so ``samples.py --run``
works on it), trained through ``experiments.training`` like ``train.py`` trains it. The
comparison writes ``comparison.csv``, ``comparison.md`` (parameters, test negative ELBO and its
terms, active units, seconds) and ``comparison.png``.
"""

import copy
import csv
import os
import time

from experiments import run_dir as rd
from experiments.figures import image_grid
from experiments.files import atomic_path
from experiments.training import fit_run, prepare_new_run
from experiments.vae_callbacks import LIKELIHOOD
from experiments.vae_figures import plot_comparison
from gan_tf.sampling import balanced_labels, generate, latent_dim_of, latent_noise, num_classes_of
from vae_tf import ENCODERS

__all__ = ["COLUMNS", "SWEEPS", "compare", "sweep_variants"]

SWEEPS = ("arch", "beta")
COLUMNS = ("name", "parameters", "test_negative_elbo", "test_reconstruction_loss", "test_kl_loss", "active_units",
           "seconds")
GRID_IMAGES = 16


def sweep_variants(config, sweep, values):
    """``{name: config}``, one copy of ``config`` per value of ``sweep`` (``arch`` or ``beta``)."""
    if config.family != "vae":
        raise ValueError(f"comparisons are for --model ae, vae or cvae, got {config.model}")
    if sweep not in SWEEPS:
        raise ValueError(f"unknown sweep {sweep!r}; valid: {', '.join(SWEEPS)}")
    if not values:
        raise ValueError("--values needs at least one value")
    variants = {}
    for value in values:
        variant = copy.deepcopy(config)
        if sweep == "arch":
            if value not in ENCODERS:
                raise ValueError(f"unknown architecture {value!r}; valid: {', '.join(ENCODERS)}")
            variant.vae.encoder = variant.vae.decoder = value
            variants[value] = variant
        else:
            try:
                variant.vae.beta = float(value)
            except ValueError:
                raise ValueError(f"beta values must be numbers, got {value!r}") from None
            variants[f"beta-{variant.vae.beta:g}"] = variant
    for variant in variants.values():
        variant.validate()
    return variants


def compare(variants, out_dir, sweep, verbose=2):
    """Trains every variant into ``out_dir/<name>``, then writes the table and the figure.

    Returns:
        One dict per variant with the ``COLUMNS`` (and ``beta``).
    """
    if os.path.exists(out_dir):
        raise rd.RunDirError(f"{out_dir} already exists; choose another --out-dir")
    results, grids = [], []
    for name, config in variants.items():
        config = copy.deepcopy(config)
        config.out_dir = os.path.join(out_dir, name)
        run = prepare_new_run(config)
        start = time.perf_counter()
        fit_run(run, verbose=verbose)
        seconds = time.perf_counter() - start
        numbers = rd.read_json(os.path.join(config.out_dir, LIKELIHOOD))
        results.append({"name": name, "parameters": run.trainer.count_params(), "seconds": round(seconds, 1),
                        "beta": run.config.vae.beta,
                        **{key: numbers.get(key) for key in COLUMNS if key in numbers}})
        grids.append(image_grid(_samples(run.trainer.generator, run.config.training.seed), columns=4))
    write_table(results, out_dir)
    figure_results = [{**r, "reconstruction_loss": r.get("test_reconstruction_loss"),
                       "kl_loss": r.get("test_kl_loss") or 0.0} for r in results]
    plot_comparison(figure_results, grids, os.path.join(out_dir, "comparison.png"), sweep)
    return results


def write_table(results, out_dir):
    """``comparison.csv`` and a Markdown ``comparison.md`` of ``results``."""
    with atomic_path(os.path.join(out_dir, "comparison.csv")) as temporary, open(temporary, "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS, extrasaction="ignore", restval="")
        writer.writeheader()
        writer.writerows(results)
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in results:
        cells = [_cell(r.get(key)) for key in COLUMNS]
        lines.append("| " + " | ".join(cells) + " |")
    with atomic_path(os.path.join(out_dir, "comparison.md")) as temporary, open(temporary, "w") as file:
        file.write("\n".join(lines) + "\n")


def _cell(value):
    if value is None:
        return ""
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def _samples(generator, seed):
    """16 images from fixed noise; a conditional generator draws the classes in turn."""
    num_classes = num_classes_of(generator)
    labels = None if num_classes is None else balanced_labels(GRID_IMAGES, num_classes)
    return generate(generator, latent_noise(GRID_IMAGES, latent_dim_of(generator), seed=seed), labels)
