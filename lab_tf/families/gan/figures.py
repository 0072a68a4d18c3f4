"""Figures of the GAN family: the players' balance over epochs, and the comparison of variants."""

import os

from PIL import Image, ImageDraw, ImageFont

from core_tf.figures import new_figure, save_figure
from core_tf.files import atomic_path
from lab_tf import run_dir as rd
from lab_tf.figures import epoch_frames

__all__ = ["plot_gan_history", "plot_variant_snapshots"]


def plot_gan_history(rows, path, metric=None):
    """The balance of the two players over epochs, and ``metric`` if logged.

    Panels: both losses; the discriminator's accuracy on real and generated samples (for a
    Wasserstein critic, its distance estimate ``critic_gap`` instead); ``metric``.
    """
    epochs = [row["epoch"] for row in rows]
    scored = [row for row in rows if metric in row]
    figure, axes = new_figure(1, 3 if scored else 2, figsize=(15 if scored else 10, 3.6))
    losses, balance = axes[:2]
    for key, label in (("d_loss", "discriminator"), ("g_loss", "generator")):
        losses.plot(epochs, [row[key] for row in rows], marker="o", label=label)
    losses.set(title="Losses", xlabel="epoch", ylabel="loss")
    if rows and "critic_gap" in rows[0]:
        balance.plot(epochs, [row["critic_gap"] for row in rows], marker="o", color="tab:purple")
        balance.set(title="Critic's Wasserstein estimate E[D(real)] - E[D(fake)]", xlabel="epoch")
    else:
        for key, label in (("d_real_accuracy", "on real samples"), ("d_fake_accuracy", "on generated samples")):
            balance.plot(epochs, [row[key] for row in rows], marker="o", label=label)
        balance.axhline(0.5, color="grey", linestyle=":", linewidth=1)
        balance.set(title="Discriminator accuracy (0.5 = fooled half the time)", xlabel="epoch", ylim=(-0.02, 1.02))
    if scored:
        axes[2].plot([row["epoch"] for row in scored], [row[metric] for row in scored], marker="o", color="tab:green")
        axes[2].set(title=f"Sample quality: {metric}", xlabel="epoch")
    for panel in axes:
        if panel.get_legend_handles_labels()[0]:
            panel.legend()
        panel.grid(alpha=0.3)
        panel.xaxis.get_major_locator().set_params(integer=True)
    save_figure(figure, path)




def plot_variant_snapshots(run_dirs, titles, path, snapshots=5, title_width=260, font_size=28, gap=8):
    """Tiles each run's per-epoch grids or scatters: one row per run, titled on the left, ``snapshots``
    epochs evenly spaced and ending at the last, each column headed by its epoch."""
    rows, epochs = [], []
    for run_dir in run_dirs:
        frames = epoch_frames(os.path.join(run_dir, rd.SAMPLES))
        picked = sorted({round(len(frames) * (i + 1) / snapshots) - 1 for i in range(snapshots)})
        rows.append([Image.open(frames[i][1]).convert("RGB") for i in picked if i >= 0])
        epochs = epochs or [frames[i][0] for i in picked if i >= 0]
    width, height = rows[0][0].size
    header, width, height = 2 * font_size, width + gap, height + gap  # cells with a white gap
    sheet = Image.new("RGB", (title_width + width * max(map(len, rows)), header + height * len(rows)), "white")
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=font_size)
    for c, epoch in enumerate(epochs):
        draw.text((title_width + c * width + width // 2, header // 2), f"epoch {epoch}", fill="black", font=font,
                  anchor="mm")
    for r, (row, title) in enumerate(zip(rows, titles)):
        draw.multiline_text((12, header + r * height + height // 2), "\n".join(title.split(" ", 1)), fill="black",
                            font=font, anchor="lm")
        for c, image in enumerate(row):
            sheet.paste(image, (title_width + c * width, header + r * height))
    with atomic_path(path) as temporary:
        sheet.save(temporary, format="PNG")
