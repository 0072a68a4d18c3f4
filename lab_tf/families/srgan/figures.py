"""Figures of the super-resolution family: fidelity, the losses, and the held-out scores over epochs."""

from core_tf.figures import new_figure, save_figure

__all__ = ["plot_superres_history"]

PANELS = (
    ("Fidelity (PSNR, dB; higher is closer)", (("psnr", "training batches"), ("val_psnr", "held-out images"))),
    ("Generator's losses", (("pixel_loss", "pixel loss"), ("content_loss", "content loss"))),
    ("Adversarial game (after pretraining)", (("d_loss", "D: real vs upscaled"),
                                              ("adversarial_loss", "G: -log D(G(low))"))),
    ("Held-out scores", (("fid", "FID (lower looks more real)"),)),
)


def plot_superres_history(rows, path):
    """One panel per group of ``PANELS`` that the history holds; pretraining epochs are shaded."""
    panels = [panel for panel in PANELS if any(key in row for row in rows for key, _ in panel[1])]
    figure, axes = new_figure(1, len(panels), figsize=(4.6 * len(panels), 3.6), squeeze=False)
    pretraining = [row["epoch"] for row in rows if row.get("adversarial_loss") == 0]
    for axis, (title, curves) in zip(axes[0], panels):
        for key, label in curves:
            points = [(row["epoch"], row[key]) for row in rows if key in row]
            if points:
                axis.plot(*zip(*points), marker="o", label=label)
        if pretraining:
            axis.axvspan(0.5, max(pretraining) + 0.5, color="grey", alpha=0.15, label="pixel-loss pretraining")
        axis.set(title=title, xlabel="epoch")
        axis.legend(fontsize=8)
        axis.grid(alpha=0.3)
        axis.xaxis.get_major_locator().set_params(integer=True)
    save_figure(figure, path)
