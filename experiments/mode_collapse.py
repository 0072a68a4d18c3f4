"""The mode-collapse lab: GAN variants on a 2-D mixture with the same budget and seed, side by side.

Each variant is an ordinary run of ``experiments.training`` (so each has its run directory,
scatter per epoch, GIF and curves); the lab adds a table of the modes each covers and a
figure of their snapshots over training.
"""

import os

from PIL import Image, ImageDraw

from experiments import run_dir as rd
from experiments.comparison import write_results
from experiments.config import Config, DataConfig, GANConfig, TrainingConfig
from experiments.files import atomic_path
from experiments.training import fit_run, prepare_new_run

__all__ = ["VARIANTS", "format_lab_table", "run_lab"]

# name -> (model, GAN settings): the plain GAN and mitigations of mode collapse.
VARIANTS = {
    "gan": ("gan", {}),
    "gan+minibatch-std": ("gan", {"minibatch_std": True}),
    "gan+r1": ("gan", {"r1_gamma": 10.0}),
    "pacgan": ("gan", {"pack": 4}),
    "unrolled-gan": ("gan", {"unrolled_steps": 5}),
    "lsgan": ("gan", {"loss": "least-squares"}),
    "wgan-gp": ("wgan-gp", {}),
    "gan+instance-noise": ("gan", {"instance_noise": 0.1}),
    "gan+label-smoothing": ("gan", {"label_smoothing": 0.1}),
}


def run_lab(dataset, out_dir, variants=("gan", "pacgan", "lsgan", "wgan-gp", "unrolled-gan"), epochs=100,
            batch_size=256, lr=None, ema_decay=None, lr_decay=None, seed=0, snapshots=5):
    """Trains each variant into ``out_dir/<variant>``; writes ``results.csv``/``.md`` and ``snapshots.png``.

    Args:
        dataset: ``ring8`` or ``grid25``.
        out_dir: folder for the runs and the comparison (must not exist yet).
        variants: names in ``VARIANTS``.
        epochs, batch_size, seed: the budget every variant gets.
        lr: every variant's learning rate (``None``: each model's default).
        ema_decay: sample every variant from a moving average of its generator's weights.
        lr_decay: every variant's learning-rate schedule (``None``: constant; ``cosine``).
        snapshots: epochs shown per variant in the figure, evenly spaced, ending at the last.

    Returns:
        One dict per variant: ``variant``, ``modes_covered``, ``modes``, ``high_quality``, ``run``.
    """
    unknown = [name for name in variants if name not in VARIANTS]
    if unknown:
        raise ValueError(f"unknown variant {unknown[0]!r}; valid: {', '.join(VARIANTS)}")
    if os.path.exists(out_dir):
        raise rd.RunDirError(f"{out_dir} already exists; choose another --out-dir")
    results = []
    for name in variants:
        model, settings = VARIANTS[name]
        config = Config(model=model, out_dir=os.path.join(out_dir, name), data=DataConfig(dataset=dataset),
                        training=TrainingConfig(epochs=epochs, batch_size=batch_size, lr=lr, seed=seed),
                        gan=GANConfig(**settings, ema_decay=ema_decay, lr_decay=lr_decay))
        run = prepare_new_run(config)
        print(f"== {name}", flush=True)
        fit_run(run, verbose=0)
        last = rd.read_history(run.config.out_dir)[-1]
        results.append({"variant": name, "modes_covered": int(last["modes_covered"]),
                        "modes": len(run.data.centers), "high_quality": last["high_quality"],
                        "run": run.config.out_dir})
    write_results(results, out_dir)
    picked = sorted({round(epochs * (i + 1) / snapshots) for i in range(snapshots)})
    _tile([[os.path.join(row["run"], rd.SAMPLES, f"epoch_{epoch:03d}.png") for epoch in picked] for row in results],
          [row["variant"] for row in results], os.path.join(out_dir, "snapshots.png"))
    return results


def format_lab_table(results):
    """A Markdown table of the variants' mode coverage."""
    lines = ["| variant | modes covered | high-quality samples |", "|---|---|---|"]
    lines += [f"| {row['variant']} | {row['modes_covered']}/{row['modes']} | {row['high_quality']:.1%} |"
              for row in results]
    return "\n".join(lines)


def _tile(paths, row_titles, path, title_width=150):
    """Tiles the per-epoch scatter PNGs: one row per variant, titled on the left."""
    images = [[Image.open(p).convert("RGB") for p in row] for row in paths]
    width, height = images[0][0].size
    sheet = Image.new("RGB", (title_width + width * len(images[0]), height * len(images)), "white")
    draw = ImageDraw.Draw(sheet)
    for r, (row, title) in enumerate(zip(images, row_titles)):
        draw.text((8, r * height + height // 2), title, fill="black")
        for c, image in enumerate(row):
            sheet.paste(image, (title_width + c * width, r * height))
    with atomic_path(path) as temporary:
        sheet.save(temporary, format="PNG")
