"""Figures of the style-based family: the truncation trade-off (the training curves are the GAN family's)."""

from core_tf.figures import new_figure, save_figure

__all__ = ["plot_truncation_curve"]


def plot_truncation_curve(rows, path):
    """Precision and recall, and FID, against the truncation psi (``eval_tf.truncation_curve`` rows), psi falling
    from left to right as the samples are pulled towards the average."""
    psis = [row["psi"] for row in rows]
    figure, (trade, fid) = new_figure(1, 2, figsize=(10, 3.6))
    for key, label in (("precision", "precision (fidelity)"), ("recall", "recall (variety)")):
        trade.plot(psis, [row[key] for row in rows], marker="o", label=label)
    trade.set(title="Truncation trades variety for fidelity", xlabel="truncation psi", ylim=(-0.02, 1.02))
    fid.plot(psis, [row["fid"] for row in rows], marker="o", color="tab:green")
    fid.set(title="FID (lower is better)", xlabel="truncation psi")
    for panel in (trade, fid):
        panel.invert_xaxis()
        panel.grid(alpha=0.3)
    trade.legend()
    save_figure(figure, path)
