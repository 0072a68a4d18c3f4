"""Scores of a style-based run: the image-quality metrics, then style mixing, noise and truncation measured.

``samples.py --evaluate`` on a stylegan run writes them all to ``metrics.json`` (under
``style`` and ``truncation``) and draws ``truncation.png``; see ``eval_tf.style``.
"""

import os

from eval_tf import STYLE_DESCRIPTIONS, style_metrics, truncation_curve
from lab_tf.families.stylegan.figures import plot_truncation_curve
from lab_tf.metrics import evaluate_run as evaluate_images_of_run
from lab_tf.metrics import format_table

__all__ = ["STYLE_IMAGES", "TRUNCATION_CURVE", "evaluate_run", "format_style_table"]

TRUNCATION_CURVE = "truncation.png"
STYLE_IMAGES = 2000  # the most codes of the style checks and of each truncation point


def evaluate_run(run_dir, n=10000, seed=0, inception=False):
    """``(results, table)``: ``lab_tf.metrics.evaluate_run`` of ``n`` images plus ``style`` (``style_metrics``) and
    ``truncation`` (``truncation_curve``, psi 1 to 0.5) of up to ``STYLE_IMAGES`` codes; draws ``truncation.png``."""
    checked = min(n, STYLE_IMAGES)

    def style_numbers(generator, reference):
        return {"style": style_metrics(generator, reference.feature_model, checked, seed),
                "truncation": truncation_curve(generator, reference, n=checked, seed=seed)}

    results = evaluate_images_of_run(run_dir, n, seed, inception, more=style_numbers)
    plot_truncation_curve(results["truncation"], os.path.join(run_dir, TRUNCATION_CURVE))
    return results, f"{format_table(results)}\n\n{format_style_table(results)}"


def format_style_table(results):
    """The style checks and the truncation curve as plain text."""
    style = results["style"]
    lines = [f"style checks on {style['n']} codes (crossover at layer {style['crossover']}):"]
    for key, meaning in STYLE_DESCRIPTIONS.items():
        value = style[key]
        text = f"{value:.1f}" if key == "noise_mean_abs_change" else f"{value:.1%}"
        lines.append(f"  {key:<24} {text:>7}  {meaning}")
    lines.append(f"truncation on {style['n']} codes:  psi  precision  recall     fid")
    for row in results["truncation"]:
        lines.append(f"{'':>34}{row['psi']:.2f}  {row['precision']:9.3f}  {row['recall']:6.3f}  {row['fid']:6.2f}")
    return "\n".join(lines)
