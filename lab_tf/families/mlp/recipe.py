"""The MLP family: ``build_mlp`` classifiers with chosen activations, losses and optimizers.

A fixed, seeded share of the training images (``MLPSettings.validation_split``) is held out for
validation; at the end of training the model is scored on the test split (the validation
images for sources without one): ``metrics.json`` and ``confusion_matrix.png``. Comma lists of
``--activation`` or ``--loss`` compare one run per combination; ``--gradient-flow`` runs the
vanishing-gradient study instead of a run.
"""

import os
from dataclasses import asdict, dataclass

import numpy as np

from core_tf.distribute import for_replicas
from core_tf.files import read_json
from data import ImageData, make_dataset, normalize_images
from data.loaders import has_test_split
from lab_tf import run_dir as rd
from lab_tf.cli import finite_float, layer_sizes
from lab_tf.config import load_split
from lab_tf.families.base import Family, Option, Sweep, parse_space_items
from lab_tf.families.mlp.callbacks import CONFUSION_MATRIX, TestEvaluation
from lab_tf.families.mlp.figures import plot_classifier_history, plot_comparison
from lab_tf.families.mlp.gradient_flow import run_gradient_flow
from lab_tf.metrics import METRICS
from mlp_tf import (
    ACTIVATIONS,
    DEFAULT_LEARNING_RATES,
    MLP_LOSSES,
    OPTIMIZERS,
    MLPHyperModel,
    SearchSpace,
    build_mlp,
    compile_mlp,
)

__all__ = ["FAMILY", "MLPFamily", "MLPSettings"]

MODEL = "model.keras"
# The gradient-flow study's defaults: 15 equal layers, plain SGD, one epoch.
GRADIENT_FLOW_DEFAULTS = {"hidden": (64,) * 15, "optimizer": "sgd", "epochs": 1}


@dataclass
class MLPSettings:
    """A ``build_mlp`` classifier and its loss (``config.json``'s ``mlp`` section).

    ``input_shape`` and ``num_classes`` are resolved from the data. ``validation_split`` of the
    training images (a fixed, seeded choice) is held out for the validation curves; the test
    split measures the final accuracy.
    """

    hidden: tuple[int, ...] = (256, 128)
    activation: str = "relu"
    loss: str = "crossentropy"
    optimizer: str = "adam"
    batch_norm: bool = False
    dropout: float = 0.0
    kernel_initializer: str = "glorot_uniform"
    validation_split: float = 0.1
    input_shape: tuple[int, int, int] | None = None
    num_classes: int | None = None

    def validate(self):
        """Raises ``ValueError`` naming the first bad setting and the valid ones."""
        for name, value, valid in (("activation", self.activation, ACTIVATIONS), ("loss", self.loss, MLP_LOSSES),
                                   ("optimizer", self.optimizer, OPTIMIZERS)):
            if value not in valid:
                raise ValueError(f"unknown {name} {value!r} for --model mlp; valid: {', '.join(valid)}")
        if not self.hidden or min(self.hidden) < 1:
            raise ValueError(f"hidden must be one or more layer sizes of at least 1, got {self.hidden}")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        if not 0 < self.validation_split < 1:
            raise ValueError(f"validation split must be in (0, 1), got {self.validation_split}")


def _setter(field):
    def apply(config, value):
        setattr(config.settings, field, value)
        return value

    return apply


class MLPFamily(Family):
    """Classifiers that teach activations, losses, initialisation and tuning (``mlp_tf``)."""

    name = "mlp"
    title = "MLP (--model mlp; see docs/mlp-activations-and-losses.md)"
    distributable = True
    models = {"mlp": "a multilayer perceptron classifier"}
    settings = MLPSettings
    options = (
        Option(("--hidden",), "hidden layer sizes, e.g. 512,512 or 64x15 (default 256,128)", type=layer_sizes),
        Option(("--activation",), f"hidden activation, or a comma list to compare: {', '.join(ACTIVATIONS)} "
               "(default relu)", choices=tuple(ACTIVATIONS), listed=True),
        Option(("--loss",), "crossentropy (default) or mse, or both (crossentropy,mse) to compare them",
               choices=tuple(MLP_LOSSES), listed=True),
        Option(("--optimizer",), "optimizer (default adam; lr default per optimizer)", choices=tuple(OPTIMIZERS)),
        Option(("--batch-norm",), "batch normalisation before activations", type=bool),
        Option(("--dropout",), "dropout rate after each hidden layer (default 0)", type=finite_float),
        Option(("--init",), "Keras kernel initializer, e.g. he_normal (default glorot_uniform)",
               field="kernel_initializer"),
        Option(("--validation-split",), "share of training images held out (default 0.1)", type=finite_float),
        Option(("--gradient-flow",), "instead of one run: gradient norms and activations of deep nets "
               "(see docs/mlp-gradient-flow.md)", field=None, type=bool),
    )
    examples = (
        "python train.py --model mlp --hidden 512,512 --activation relu,sigmoid,tanh   # a comparison",
        "python train.py --model mlp --gradient-flow --hidden 64x15",
        "python train.py --model mlp --tune random --max-trials 20",
    )
    sweeps = {"activation": Sweep(_setter("activation"), "the hidden activation", options=("activation",)),
              "loss": Sweep(_setter("loss"), "the loss", options=("loss",))}
    sampler = None
    networks = {"classifier": MODEL}
    outputs = ("curves.png", CONFUSION_MATRIX, METRICS, MODEL)
    report_figures = {CONFUSION_MATRIX: "Confusion matrix on the held-out split"}
    metric_descriptions = {"test_loss": "the loss on the held-out split", "test_accuracy": "accuracy on it"}
    evaluation_files = {METRICS: "the held-out evaluation at the end of training"}

    def study(self, args, config):
        """``--gradient-flow``: the vanishing-gradient study of deep MLPs instead of a run."""
        if not args.gradient_flow:
            return None
        given = {"hidden": args.hidden, "optimizer": args.optimizer, "epochs": args.epochs}
        config.settings.hidden = given["hidden"] or GRADIENT_FLOW_DEFAULTS["hidden"]
        config.settings.optimizer = given["optimizer"] or GRADIENT_FLOW_DEFAULTS["optimizer"]
        config.training.epochs = given["epochs"] or GRADIENT_FLOW_DEFAULTS["epochs"]
        config.validate()
        out_dir = args.out_dir or rd.default_run_dir(config, "gradient-flow")
        run_gradient_flow(config, out_dir)
        return f"done: {out_dir} (gradient_norms.png, activations_init.png, activations_trained.png)"

    def resolve(self, config, data):
        """Input shape and classes from the data; the optimizer's default learning rate."""
        if not isinstance(data, ImageData):
            raise ValueError(f"--model mlp classifies images; {config.data.dataset} holds 2-D points (a dataset "
                             "for the GAN models' mode-collapse lab)")
        if data.labels is None:
            raise ValueError(f"--model mlp needs labelled data; {config.data.dataset} has no labels "
                             "(put the images of each class in its own subfolder)")
        config.settings.input_shape = data.image_shape
        config.settings.num_classes = len(data.class_names) if data.class_names else int(data.labels.max()) + 1
        config.training.lr = config.training.lr or DEFAULT_LEARNING_RATES[config.settings.optimizer]

    def build_trainer(self, config):
        """The compiled ``build_mlp`` classifier."""
        mlp = config.settings
        model = build_mlp(mlp.input_shape, mlp.num_classes, mlp.hidden, mlp.activation, batch_norm=mlp.batch_norm,
                          dropout=mlp.dropout, kernel_initializer=mlp.kernel_initializer)
        return compile_mlp(for_replicas(model), mlp.loss, mlp.optimizer, config.training.lr)

    def datasets(self, config, data, seed):
        """Shuffled labelled training batches and the fixed validation batches."""
        train, validation = split_validation(config, data)
        batch_size, whole = config.training.batch_size, config.training.whole_batches
        return (make_dataset(train, batch_size, seed=seed, with_labels=True, drop_remainder=whole),
                make_dataset(validation, batch_size, shuffle=False, with_labels=True, drop_remainder=whole))

    def callbacks(self, config, run):
        """The held-out evaluation at the end of training."""
        split, data = evaluation_split(config, run.data)
        return [TestEvaluation(split, data, config.out_dir, MLP_LOSSES[config.settings.loss])]

    def saved_models(self, model):
        """The classifier itself, a plain Keras model."""
        return {MODEL: model}

    def plot_history(self, rows, path, metric=None):
        """Loss and accuracy, training and validation."""
        plot_classifier_history(rows, path, metric)

    def describe(self, config, data):
        """``training mlp 784-256-128-10 (relu, crossentropy, adam lr 0.001) on mnist: 60000 images 28x28x1``."""
        mlp = config.settings
        layers = "-".join(map(str, (int(np.prod(mlp.input_shape)), *mlp.hidden, mlp.num_classes)))
        height, width, channels = mlp.input_shape
        return (f"training {config.model} {layers} ({mlp.activation}, {mlp.loss}, {mlp.optimizer} lr "
                f"{config.training.lr:g}) on {config.data.dataset}: {len(data)} images {height}x{width}x{channels}")

    def comparison_row(self, run_dir):
        """The last epoch's training and validation numbers, and the held-out test loss and accuracy."""
        scores = read_json(os.path.join(run_dir, METRICS)) or {}
        return {**super().comparison_row(run_dir),
                **{key: scores[key] for key in ("test_accuracy", "test_loss") if key in scores}}

    def plot_comparison(self, rows, run_dirs, path, title):
        """The runs' curves overlaid."""
        plot_comparison({row["variant"]: rd.read_history(run_dir) for row, run_dir in zip(rows, run_dirs)}, path,
                        title=title, losses={row["variant"]: rd.load_config(run_dir).settings.loss
                                             for row, run_dir in zip(rows, run_dirs)})

    def parse_space(self, items):
        """A ``mlp_tf.SearchSpace`` from ``KEY=V1,V2`` strings (``units=256,512``)."""
        defaults = asdict(SearchSpace())
        defaults.pop("continuous_lr")
        return SearchSpace(**parse_space_items(items, defaults))

    def space_for(self, kind, space):
        """A grid needs the listed learning rates, not a continuous range."""
        return SearchSpace(**{**asdict(space), "continuous_lr": False}) if kind == "grid" else space

    def space_values(self, space):
        return asdict(space)

    def load_space(self, values):
        return SearchSpace(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})

    def varied(self, space):
        return space.names()

    def hypermodel(self, config, data, space, reference):
        """``mlp_tf.MLPHyperModel`` on the held-out split of the training images, for the best validation accuracy."""
        mlp = config.settings
        hypermodel = MLPHyperModel(mlp.input_shape, mlp.num_classes, space, mlp.loss, mlp.optimizer)
        train, validation = split_validation(config, data)
        arrays = [(normalize_images(part.images).numpy(), part.labels) for part in (train, validation)]
        return hypermodel, "val_accuracy", arrays[0], {"validation_data": arrays[1]}, max(space.epochs)

    def search_report(self, best, config, data, out_dir):
        """``best_model.keras``, and its held-out accuracy, before and after reloading it."""
        from lab_tf.tuning import load_quietly

        path = os.path.join(out_dir, "best_model.keras")
        rd.save_model(best, path)
        split, held_out = evaluation_split(config, data)
        x, y = normalize_images(held_out.images).numpy(), held_out.labels
        return {"split": split, "n": len(held_out), "test_accuracy": float(best.evaluate(x, y, verbose=0)[1]),
                "reloaded_test_accuracy": float(load_quietly(path).evaluate(x, y, verbose=0)[1])}


def split_validation(config, data):
    """``(training, validation)`` ``ImageData``: a seeded random ``validation_split`` share held out.

    The split depends only on the run's seed, so a resumed run validates on the same images.
    """
    order = np.random.default_rng(config.training.seed).permutation(len(data))
    n_validation = max(1, round(len(data) * config.settings.validation_split))
    if n_validation >= len(data):
        raise ValueError(f"{len(data)} training images leave none to train on after a validation split of "
                         f"{config.settings.validation_split}; use more images")

    def subset(indices):
        indices = np.sort(indices)
        return ImageData(data.images[indices], data.labels[indices], data.class_names)

    return subset(order[n_validation:]), subset(order[:n_validation])


def evaluation_split(config, data):
    """``(name, ImageData)`` on which a finished model is scored: the test split, or the validation images."""
    if not has_test_split(config.data.dataset):
        return "validation", split_validation(config, data)[1]
    return "test", load_split(config.data, "test")


FAMILY = MLPFamily()
