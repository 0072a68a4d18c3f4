import numpy as np
import pytest
from PIL import Image

from mlp_tf import (
    ACTIVATIONS,
    GradientFlow,
    plot_activation_functions,
    plot_activation_histograms,
    plot_classifier_history,
    plot_comparison,
    plot_confusion_matrix,
    plot_gradient_norms,
)

ROWS = [{"epoch": e, "loss": 1 / e, "accuracy": 0.5 + e / 10, "val_loss": 1.2 / e, "val_accuracy": 0.4 + e / 10}
        for e in (1, 2, 3)]


def flow(label, seed):
    rng = np.random.default_rng(seed)
    return GradientFlow(label, rng.uniform(1e-6, 1, 6), rng.uniform(1e-6, 1, 6),
                        [rng.normal(size=(32, 8)) for _ in range(5)], [rng.normal(size=(32, 8)) for _ in range(5)],
                        {"loss": [1.0, 0.5], "accuracy": [0.3, 0.6]})


@pytest.mark.parametrize("draw", [
    lambda path: plot_activation_functions(ACTIVATIONS, path),
    lambda path: plot_classifier_history(ROWS, path),
    lambda path: plot_comparison({"relu": ROWS, "sigmoid": ROWS[:2]}, path, title="activation"),
    lambda path: plot_confusion_matrix(np.array([[5, 1], [0, 4]]), path, ["cat", "dog"]),
    lambda path: plot_gradient_norms([flow("sigmoid", 0), flow("relu", 1)], path),
    lambda path: plot_activation_histograms([flow("sigmoid", 0), flow("relu", 1)], path, trained=True),
])
def test_figures_are_written_as_png(draw, tmp_path):
    path = tmp_path / "figure.png"
    draw(path)
    with Image.open(path) as image:
        assert image.format == "PNG" and image.width > 300
    assert [p.name for p in tmp_path.iterdir()] == ["figure.png"]  # no temporary file left


def test_runs_with_different_losses_get_a_loss_panel_each(tmp_path):
    histories = {"relu-crossentropy": ROWS, "relu-mse": ROWS}
    plot_comparison(histories, tmp_path / "one.png")
    plot_comparison(histories, tmp_path / "two.png", losses={"relu-crossentropy": "crossentropy", "relu-mse": "mse"})
    with Image.open(tmp_path / "one.png") as one, Image.open(tmp_path / "two.png") as two:
        assert two.width > one.width * 1.4  # accuracy, cross-entropy and MSE: three panels instead of two
