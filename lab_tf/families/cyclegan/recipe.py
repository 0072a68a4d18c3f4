"""The image-to-image family: ``cyclegan``, unpaired translation between two image domains (Zhu et al. 2017).

``--dataset`` is domain A and ``--target-dataset`` domain B; any sources the loaders know,
drawn from disjoint halves when both come from one source (``data.load_domains``). The
defaults are the paper's (cycle weight 10, identity 0.5 of it, Adam(2e-4, 0.5), a pool of 50,
the learning rate constant for half the epochs, then falling linearly to 0), with smaller
networks (32 filters) so that digit runs fit a laptop CPU; no flips, which would mirror digits.
``--semantic-weight`` adds CyCADA's semantic consistency for ``G``, judged by a classifier of A
trained for it alone (never by the networks that score the run).
"""

from dataclasses import dataclass, replace

import keras
import numpy as np

from core_tf.distribute import for_replicas
from data import ImageData, load_domains, make_domain_dataset, normalize_images, true_translation
from data.loaders import has_test_split
from eval_tf import TRANSLATION_DESCRIPTIONS
from gan_tf import ConstantThenLinearDecay, CycleGAN, build_patch_discriminator, build_resnet_generator
from gan_tf.generator import default_residual_blocks
from lab_tf.callbacks import EpochScores
from lab_tf.cli import data_source, finite_float, int_at_least, non_negative_int
from lab_tf.config import check_at_least
from lab_tf.families.base import Family, Option
from lab_tf.families.cyclegan.callbacks import EpochTranslations
from lab_tf.families.cyclegan.figures import plot_cyclegan_history
from lab_tf.metrics import loss_classifier
from lab_tf.sampling import ImageToImage

__all__ = ["FAMILY", "GENERATORS", "CycleGANFamily", "CycleGANSettings", "Domains", "held_out_domains",
           "load_domain_pair"]

GENERATORS = {"ab": "generator_ab.keras", "ba": "generator_ba.keras"}
DISCRIMINATORS = {"a": "discriminator_a.keras", "b": "discriminator_b.keras"}
DEFAULT_IDENTITY = 0.5
DEFAULTS = {"lr": 2e-4, "beta_1": 0.5, "beta_2": 0.999}
GRID_COLUMNS = 8  # held-out images of each domain in the per-epoch grid


@dataclass(frozen=True)
class Domains:
    """The two unpaired domains of a translation; an epoch is as long as the larger one."""

    a: ImageData
    b: ImageData

    def __len__(self):
        return max(len(self.a), len(self.b))

    @property
    def image_shape(self):
        return self.a.image_shape


@dataclass
class CycleGANSettings:
    """The two generators and discriminators and their objective (``config.json``'s ``cyclegan`` section).

    ``None`` settings are resolved from the data: ``image_shape``, ``residual_blocks`` (6 up to
    128 pixels, else 9), ``identity_weight`` (0.5, or 0 for an inversion pair, where keeping the
    input fights the task) and the learning-rate schedule's ``constant_steps`` and ``decay_steps``
    (half the planned run each).
    """

    target_dataset: str | None = None
    image_shape: tuple[int, ...] | None = None
    filters: int = 32
    residual_blocks: int | None = None
    cycle_weight: float = 10.0
    identity_weight: float | None = None
    semantic_weight: float = 0.0
    pool_size: int = 50
    flip: bool = False
    constant_steps: int | None = None
    decay_steps: int | None = None

    def validate(self):
        """Raises ``ValueError`` naming the first out-of-range setting."""
        for name, value, low in (("filters", self.filters, 1), ("residual blocks", self.residual_blocks, 0),
                                 ("cycle weight", self.cycle_weight, 0), ("identity weight", self.identity_weight, 0),
                                 ("semantic weight", self.semantic_weight, 0),
                                 ("pool size", self.pool_size, 0)):
            check_at_least(name, value, low)


def held_out_domains(config):
    """``(Domains, split)``: the test splits of both domains, or the training splits when a source (an image
    folder) has no test split."""
    split = "test" if all(map(has_test_split, (config.data.dataset, config.settings.target_dataset))) else "train"
    return load_domain_pair(config, split), split


def load_domain_pair(config, split, limit=None):
    """``Domains`` of a config's ``split``: ``--dataset`` and ``--target-dataset``, at most ``limit`` images each."""
    data = config.data
    size = None if data.image_size is None else (data.image_size, data.image_size)
    a, b = load_domains(data.dataset, config.settings.target_dataset, split, data_dir=data.data_dir, image_size=size,
                        channels=data.channels, limit=limit, download=data.download)
    return Domains(a, b)


class CycleGANFamily(Family):
    """Unpaired image-to-image translation (``gan_tf.CycleGAN``)."""

    name = "cyclegan"
    title = "image-to-image translation (cyclegan; see docs/cyclegan.md)"
    distributable = True
    models = {"cyclegan": "unpaired image-to-image translation, A <-> B (Zhu et al. 2017)"}
    settings = CycleGANSettings
    options = (
        Option(("--target-dataset",), "the domain to translate into (B); --dataset is the domain translated from "
               "(A). Any source --dataset takes, e.g. mnist-m, mnist-inverted, folder:PATH", type=data_source),
        Option(("--filters",), "channels of the first layer of every network (default 32; the paper's 64)",
               type=int_at_least(1, 256, "wider networks do not fit in memory at useful sizes")),
        Option(("--residual-blocks",), "residual blocks of each generator (default 6 up to 128 pixels, else 9)",
               type=int_at_least(0, 32, "the paper uses 6 or 9")),
        Option(("--cycle-weight",), "weight of the cycle-consistency losses (default 10)", type=finite_float),
        Option(("--identity-weight",), "weight of the identity losses, as a fraction of --cycle-weight (default 0.5; "
               "0 for an inversion pair)", type=finite_float),
        Option(("--semantic-weight",), "weight of CyCADA's semantic consistency: a classifier of --dataset, trained "
               "on its labels for this alone, must read G(a) as it reads a (default 0: off; CyCADA's 1)",
               type=finite_float),
        Option(("--pool-size",), "earlier translations each discriminator also sees (default 50; 0: none)",
               type=non_negative_int),
        Option(("--flip",), "mirror training images at random (for photos; never for digits or text)", type=bool),
    )
    examples = (
        "python train.py --model cyclegan --dataset digits --target-dataset digits-m --epochs 5",
        "python train.py --model cyclegan --dataset mnist --target-dataset mnist-m --data-dir DIR",
        "python train.py --model cyclegan --dataset folder:HORSES --target-dataset folder:ZEBRAS --image-size 64 "
        "--flip",
    )
    sampler = ImageToImage()
    outputs = ("progress.gif", "curves.png", *GENERATORS.values())
    directions = GENERATORS
    metric_descriptions = TRANSLATION_DESCRIPTIONS

    def load_data(self, config):
        """Both domains' training splits (``Domains``), at most ``data.limit`` images each."""
        if not config.settings.target_dataset:
            raise ValueError("--model cyclegan translates between two domains: pass --target-dataset, e.g. "
                             "--dataset mnist --target-dataset mnist-m")
        return load_domain_pair(config, "train", config.data.limit)

    def resolve(self, config, data):
        """Image shape from the data; the identity weight from the pair; the schedule from the planned run."""
        settings, training = config.settings, config.training
        settings.image_shape = data.image_shape
        if settings.residual_blocks is None:
            settings.residual_blocks = default_residual_blocks(data.image_shape)
        if settings.identity_weight is None:
            inversion = true_translation(config.data.dataset, settings.target_dataset) is not None
            settings.identity_weight = 0.0 if inversion else DEFAULT_IDENTITY
        if settings.constant_steps is None:
            steps = training.epochs * (len(data) // training.batch_size)
            settings.constant_steps = steps // 2
            settings.decay_steps = max(1, steps - settings.constant_steps)
        training.fill_defaults(DEFAULTS)

    def build_trainer(self, config):
        """A compiled ``CycleGAN`` of two ResNet generators and two PatchGAN discriminators."""
        settings, training = config.settings, config.training
        shape = settings.image_shape
        networks = [build_resnet_generator(shape, settings.filters, settings.residual_blocks, name=name[:-6])
                    for name in GENERATORS.values()]
        networks += [build_patch_discriminator(shape, settings.filters, name=name[:-6])
                     for name in DISCRIMINATORS.values()]
        trainer = CycleGAN(*map(for_replicas, networks), image_shape=shape, pool_size=settings.pool_size,
                           seed=training.seed, semantic_classifier=semantic_classifier(config))

        def adam():
            schedule = ConstantThenLinearDecay(training.lr, settings.constant_steps, settings.decay_steps)
            return keras.optimizers.Adam(schedule, beta_1=training.beta_1, beta_2=training.beta_2)

        trainer.compile(adam(), adam(), adam(), adam(), cycle_weight=settings.cycle_weight,
                        identity_weight=settings.identity_weight, semantic_weight=settings.semantic_weight)
        return trainer

    def datasets(self, config, data, seed):
        """Unpaired batches of both domains; no validation set (``--eval-every`` scores the translations)."""
        return make_domain_dataset(data.a, data.b, config.training.batch_size, seed=seed,
                                   flip=config.settings.flip), None

    def callbacks(self, config, run):
        """The per-epoch grid of fixed held-out images of both domains, their translations and round trips."""
        held_out, _ = held_out_domains(config)
        return [EpochTranslations(held_out.a.images[:GRID_COLUMNS], held_out.b.images[:GRID_COLUMNS],
                                  config.out_dir)]

    def metrics_reference(self, config, data):
        """Both domains' held-out images and evaluation classifiers (``evaluation.TranslationReference``)."""
        from lab_tf.families.cyclegan.evaluation import TranslationReference

        return TranslationReference.build(config, config.evaluation.n, data if config.data.limit is None else None)

    def metrics_callback(self, config, reference):
        """Scores both directions every ``--eval-every`` epochs into the epoch's logs and ``metrics/``."""
        from lab_tf.families.cyclegan.evaluation import logged_values

        def score(trainer, seed):
            return reference.score(trainer.generator_ab, trainer.generator_ba, seed=seed)

        return EpochScores(score, logged_values, config.evaluation.every, config.out_dir, seed=config.training.seed)

    def evaluate(self, run_dir, n, seed=0, inception=False):
        """Label preservation, distances to the target, cycle errors (and PSNR where the mapping is known)."""
        from lab_tf.families.cyclegan.evaluation import evaluate_run

        if inception:
            raise ValueError("--inception scores generated images against ImageNet features; a translation run is "
                             "scored by classifiers of its two domains: drop --inception")
        return evaluate_run(run_dir, n, seed)

    def source_images(self, config, direction, n, seed=0):
        """``n`` held-out images of the direction's source domain, chosen with ``seed``."""
        held_out, _ = held_out_domains(config)
        source = held_out.a if direction == "ab" else held_out.b
        chosen = np.random.default_rng(seed).choice(len(source), min(n, len(source)), replace=False)
        return np.asarray(normalize_images(source.images[np.sort(chosen)])), None

    def saved_models(self, trainer):
        """Both generators (what users translate with) and both discriminators."""
        networks = (trainer.generator_ab, trainer.generator_ba, trainer.discriminator_a, trainer.discriminator_b)
        return dict(zip((*GENERATORS.values(), *DISCRIMINATORS.values()), networks))

    def generator_of(self, trainer):
        """``G: A -> B``."""
        return trainer.generator_ab

    def plot_history(self, rows, path, metric=None):
        """Both discriminators, both adversarial terms, cycle and identity, and label preservation when scored."""
        plot_cyclegan_history(rows, path)

    def report_sources(self, config):
        """Domain A (``--dataset``) and domain B (``--target-dataset``)."""
        return {"domain A": config.data, "domain B": replace(config.data, dataset=config.settings.target_dataset)}

    def describe(self, config, data):
        """``training cyclegan (32 filters, 6 residual blocks, cycle 10, identity 0.5) mnist -> mnist-m: ...``."""
        settings = config.settings
        shape = "x".join(str(d) for d in data.image_shape)
        semantic = f", semantic {settings.semantic_weight:g}" if settings.semantic_weight else ""
        return (f"training cyclegan ({settings.filters} filters, {settings.residual_blocks} residual blocks, cycle "
                f"{settings.cycle_weight:g}, identity {settings.identity_weight:g}{semantic}) {config.data.dataset} "
                f"({len(data.a)} images) <-> {settings.target_dataset} ({len(data.b)} images), {shape}")

    def hypermodel(self, config, data, space, reference):
        raise ValueError("--tune is not available for --model cyclegan: each trial would be a long translation run; "
                         "compare settings with separate runs and samples.py --evaluate")


def semantic_classifier(config):
    """The fixed classifier of domain A for ``--semantic-weight`` (``None`` when off), trained on the run's A images
    (``lab_tf.metrics.loss_classifier``): never the network that scores the run."""
    if not config.settings.semantic_weight:
        return None
    a = load_domain_pair(config, "train", config.data.limit).a
    return loss_classifier(config.data.dataset, a, "semantic", "drop --semantic-weight")[0]


FAMILY = CycleGANFamily()
