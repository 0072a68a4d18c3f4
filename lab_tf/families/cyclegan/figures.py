"""Figures of the translation family: the four players and the round trips over epochs."""

from core_tf.figures import new_figure, save_figure

__all__ = ["plot_cyclegan_history"]

PANELS = (
    ("Discriminators (least squares)", (("d_a_loss", "D_A: real A vs F(B)"), ("d_b_loss", "D_B: real B vs G(A)"))),
    ("Generators' adversarial terms", (("adversarial_ab", "G: A -> B"), ("adversarial_ba", "F: B -> A"))),
    ("Round trips", (("cycle_loss", "cycle |F(G(a)) - a| + |G(F(b)) - b|"),
                     ("identity_loss", "identity |G(b) - b| + |F(a) - a|"))),
)
SCORES = ("Label preservation (held out)", (("label_accuracy_ab", "A -> B"), ("label_accuracy_ba", "B -> A")))


def plot_cyclegan_history(rows, path):
    """One panel per pair of curves in ``PANELS``, and label preservation when ``--eval-every`` scored it."""
    panels = [panel for panel in (*PANELS, SCORES) if any(key in row for row in rows for key, _ in panel[1])]
    figure, axes = new_figure(1, len(panels), figsize=(4.6 * len(panels), 3.6), squeeze=False)
    for axis, (title, curves) in zip(axes[0], panels):
        for key, label in curves:
            points = [(row["epoch"], row[key]) for row in rows if key in row]
            if points:
                axis.plot(*zip(*points), marker="o", label=label)
        axis.set(title=title, xlabel="epoch")
        if title == SCORES[0]:
            axis.set(ylim=(-0.02, 1.02), ylabel="accuracy")
        axis.legend(fontsize=8)
        axis.grid(alpha=0.3)
        axis.xaxis.get_major_locator().set_params(integer=True)
    save_figure(figure, path)
