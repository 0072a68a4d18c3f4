"""The style-based family: ``stylegan``, a StyleGAN2 generator (Karras et al. 2019, 2020) at 32x32.

Images are brought to 32x32 (``--image-size`` takes another power of two from 8). The
defaults are StyleGAN2-ADA's CIFAR-10 configuration where it fits a laptop CPU: 2 mapping
layers at 0.01 of the learning rate, Adam(2.5e-3, 0, 0.99) on equalised weights, style mixing
0.9, lazy R1 every 16 steps, a moving average of the generator; the networks are narrower
(16 channels at 32x32, doubling per halving up to 128). R1's gamma is 0.01 for CIFAR-10
(StyleGAN2-ADA's tuned value) and StyleGAN2-ADA's heuristic ``0.0002 * size^2 / batch``
elsewhere (0.0032 for 32x32 at batch 64).
"""

from dataclasses import dataclass

import keras

from core_tf.distribute import for_replicas
from data import make_dataset
from data.loaders import dataset_name
from eval_tf import DESCRIPTIONS, STYLE_DESCRIPTIONS
from gan_tf import StyleGAN, build_style_discriminator, build_style_generator
from gan_tf.generator import style_resolutions
from lab_tf import run_dir as rd
from lab_tf.cli import finite_float, int_at_least, latent_dim
from lab_tf.config import check_at_least
from lab_tf.families.base import GRID_SIZE, Family, Option
from lab_tf.families.gan.figures import plot_gan_history
from lab_tf.families.stylegan.callbacks import STYLE_MIX, EpochStyleMix
from lab_tf.sampling import NoiseToImage

__all__ = ["FAMILY", "StyleGANFamily", "StyleGANSettings", "default_r1_gamma"]

IMAGE_SIZE = 32
DEFAULTS = {"lr": 2.5e-3, "beta_1": 0.0, "beta_2": 0.99}
R1_GAMMAS = {"cifar10": 0.01}  # tuned by StyleGAN2-ADA (Karras et al. 2020b, appendix D)


def default_r1_gamma(dataset, image_size, batch_size):
    """R1's gamma: the tuned value of ``R1_GAMMAS``, else StyleGAN2-ADA's heuristic ``0.0002 * size^2 / batch``."""
    name = dataset_name(dataset)
    return R1_GAMMAS[name] if name in R1_GAMMAS else 0.0002 * image_size**2 / batch_size


@dataclass
class StyleGANSettings:
    """The mapping, synthesis and discriminator networks and the training tricks (``config.json``'s ``stylegan``
    section). ``image_shape`` and ``r1_gamma`` (``default_r1_gamma``) are resolved from the data when ``None``."""

    latent_dim: int = 128
    w_dim: int = 128
    mapping_layers: int = 2
    filters: int = 16
    max_filters: int = 128
    style_mixing: float = 0.9
    r1_gamma: float | None = None
    r1_interval: int = 16
    ema_decay: float = 0.998
    image_shape: tuple[int, ...] | None = None

    def validate(self):
        """Raises ``ValueError`` naming the first out-of-range setting."""
        for name, value, low in (("latent dim", self.latent_dim, 1), ("w dim", self.w_dim, 1),
                                 ("mapping layers", self.mapping_layers, 1), ("filters", self.filters, 1),
                                 ("max filters", self.max_filters, 1), ("r1 gamma", self.r1_gamma, 0),
                                 ("r1 interval", self.r1_interval, 1)):
            check_at_least(name, value, low)
        if not 0 <= self.style_mixing <= 1:
            raise ValueError(f"style mixing must be in [0, 1], got {self.style_mixing}")
        if not 0 < self.ema_decay < 1:
            raise ValueError(f"ema decay must be in (0, 1), got {self.ema_decay}")


class StyleGANFamily(Family):
    """A style-based generator against a residual discriminator (``gan_tf.StyleGAN``)."""

    name = "stylegan"
    title = "style-based GAN (stylegan; see docs/stylegan.md)"
    distributable = True
    models = {"stylegan": "style-based generator: mapping network, modulated convolutions, noise inputs "
                          "(StyleGAN2, Karras et al. 2020)"}
    settings = StyleGANSettings
    options = (
        Option(("--latent-dim",), "size of z (default 128)", type=latent_dim),
        Option(("--w-dim",), "size of w, the style (default 128)", type=latent_dim),
        Option(("--mapping-layers",), "layers of the mapping network z -> w (default 2; the paper's 8)",
               type=int_at_least(1, 16, "the paper's has 8")),
        Option(("--filters",), "channels at the image size, doubling per halving up to --max-filters (default 16)",
               type=int_at_least(1, 512, "wider networks do not fit in memory at useful sizes")),
        Option(("--max-filters",), "the most channels of any resolution (default 128)",
               type=int_at_least(1, 512, "wider networks do not fit in memory at useful sizes")),
        Option(("--style-mixing",), "probability of mixing two codes' styles in training (default 0.9)",
               type=finite_float),
        Option(("--r1-gamma",), "R1 penalty's gamma (default: 0.01 for cifar10, else 0.0002 * size^2 / batch)",
               type=finite_float),
        Option(("--ema-decay",), "decay of the generator's moving average, which is sampled (default 0.998)",
               type=finite_float),
        GRID_SIZE,
    )
    examples = (
        "python train.py --model stylegan --dataset digits --epochs 10",
        "python train.py --model stylegan --data-dir DIR --epochs 4          # MNIST at 32x32",
        "python train.py --model stylegan --dataset cifar10 --data-dir DIR --eval-every 1",
        "python samples.py --style-mix        # then --truncation 0.7, --noise-only",
    )
    sampler = NoiseToImage()
    report_figures = {f"{rd.SAMPLES}/{STYLE_MIX}": "Style mixing: coarse styles of rows, fine styles of columns",
                      "truncation.png": "The truncation trade-off (`samples.py --evaluate`)"}
    metric_descriptions = {**DESCRIPTIONS, **STYLE_DESCRIPTIONS}

    def load_data(self, config):
        """The training split brought to 32x32 unless ``--image-size`` says otherwise."""
        if config.data.image_size is None:
            config.data.image_size = IMAGE_SIZE
        try:
            style_resolutions(config.data.image_size)
        except ValueError as error:
            raise ValueError(f"--image-size {config.data.image_size}: {error}; pass 8, 16, 32 or 64") from None
        return super().load_data(config)

    def resolve(self, config, data):
        """Image shape from the data; R1's gamma from the dataset (``default_r1_gamma``); StyleGAN2's Adam."""
        settings, training = config.settings, config.training
        settings.image_shape = data.image_shape
        if settings.r1_gamma is None:
            settings.r1_gamma = default_r1_gamma(config.data.dataset, data.image_shape[0], training.batch_size)
        training.fill_defaults(DEFAULTS)

    def build_trainer(self, config):
        """A compiled ``StyleGAN`` of a style-based generator and StyleGAN2's residual discriminator."""
        settings, training = config.settings, config.training
        shape = tuple(settings.image_shape)
        generator = build_style_generator(settings.latent_dim, shape, settings.w_dim, settings.mapping_layers,
                                          settings.filters, settings.max_filters)
        discriminator = build_style_discriminator(shape, settings.filters, settings.max_filters)
        trainer = StyleGAN(for_replicas(generator), for_replicas(discriminator), seed=training.seed,
                           ema_decay=settings.ema_decay, style_mixing=settings.style_mixing)

        def adam():
            return keras.optimizers.Adam(training.lr, beta_1=training.beta_1, beta_2=training.beta_2, epsilon=1e-8)

        trainer.compile(adam(), adam(), r1_gamma=settings.r1_gamma, r1_interval=settings.r1_interval)
        return trainer

    def datasets(self, config, data, seed):
        """Shuffled training images; no validation set."""
        return make_dataset(data, config.training.batch_size, seed=seed,
                            drop_remainder=config.training.whole_batches), None

    def callbacks(self, config, run):
        """The per-epoch grid of fixed codes, and the style-mixing grid of fixed codes (``samples/style_mix.png``)."""
        return [*super().callbacks(config, run), EpochStyleMix(config.out_dir, seed=config.training.seed)]

    def saved_models(self, trainer):
        """The generator to sample from (the moving average) and the discriminator."""
        return {rd.GENERATOR: trainer.sampler, rd.DISCRIMINATOR: trainer.discriminator}

    def generator_of(self, trainer):
        """The moving average of the generator's weights, which carries the tracked average w."""
        return trainer.sampler

    def plot_history(self, rows, path, metric=None):
        """The players' losses and balance per epoch, and the tracked metric (``plot_gan_history``)."""
        plot_gan_history(rows, path, metric)

    def evaluate(self, run_dir, n, seed=0, inception=False):
        """The image-quality metrics, and what each idea of the architecture does (``evaluation.evaluate_run``)."""
        from lab_tf.families.stylegan.evaluation import evaluate_run

        return evaluate_run(run_dir, n, seed, inception)

    def describe(self, config, data):
        """``training stylegan (4 resolutions to 32x32, 16-128 channels, R1 gamma 0.0032) on mnist: 60000 images``."""
        settings = config.settings
        size = settings.image_shape[0]
        return (f"training stylegan ({len(style_resolutions(size))} resolutions to {size}x{size}, "
                f"{settings.filters}-{settings.max_filters} channels, R1 gamma {settings.r1_gamma:g}) on "
                f"{config.data.dataset}: {len(data)} images")


FAMILY = StyleGANFamily()
