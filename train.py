"""Train a model into a run directory.

    python train.py --model dcgan --dataset digits --epochs 5
    python train.py --model dcgan --data-dir ../datasets            # MNIST from mnist.npz
    python train.py --model cgan --dataset digits                   # conditional: digits on request
    python train.py --model wgan-gp --dataset cifar10 --data-dir ../datasets
    python train.py --model gan --dataset ring8 --minibatch-std     # mode collapse and a remedy
    python train.py --model vae --dataset digits --latent-dim 2 --epochs 5
    python train.py --model cvae --arch resnet --beta 0.5 --data-dir ../datasets
    python train.py --resume --out-dir runs/dcgan-digits-... --epochs 10
    python train.py --model mlp --hidden 512,512 --activation relu,sigmoid,tanh   # a comparison
    python train.py --model mlp --gradient-flow --hidden 64x15
    python train.py --model mlp --tune random --max-trials 20
"""

import argparse
import datetime
import os
import shutil
import sys

from data import DATASETS, check_source
from data.loaders import dataset_name
from experiments.cli import EXIT_INTERRUPTED, ArgumentParser, non_negative_int, positive_int, report_bad_input
from experiments.config import (
    LR_DECAYS,
    MODELS,
    TRACKED_METRICS,
    Config,
    DataConfig,
    EvalConfig,
    GANConfig,
    MLPConfig,
    TrainingConfig,
    VAEConfig,
)
from experiments.comparison import compare, variants
from experiments.gradient_flow import run_gradient_flow
from experiments.precision import PRECISIONS
from experiments.training import finished_epochs, fit_run, prepare_new_run, prepare_resumed_run
from experiments.tuning import is_search_dir, parse_space, resume_search, run_search, search_summary
from gan_tf import ARCHITECTURES, LOSSES
from gan_tf.layers import CONDITIONINGS
from mlp_tf import ACTIVATIONS, MLP_LOSSES, OPTIMIZERS, TUNERS
from vae_tf import DECODERS, ENCODERS, LIKELIHOODS

# Options that --resume may change; the others are fixed by the run's config.json (or search.json).
RESUMABLE = {"epochs", "out_dir", "resume", "max_trials"}
# Each family's losses, for --loss.
FAMILY_LOSSES = {"gan": tuple(LOSSES), "mlp": tuple(MLP_LOSSES), "vae": ()}
# Options that only some families take: each family and the argparse destinations it takes.
FAMILY_OPTIONS = {"gan": ("architecture", "latent_dim", "grid_size", "conditioning", "d_steps", "gp_weight", "r1_gamma",
                          "d_lr", "g_lr", "label_smoothing", "instance_noise", "minibatch_std", "pack",
                          "unrolled_steps", "ema_decay", "lr_decay", "precision", "jit"),
                  "mlp": ("hidden", "activation", "optimizer", "batch_norm", "dropout", "init", "validation_split",
                          "gradient_flow"),
                  "vae": ("latent_dim", "grid_size", "arch", "encoder", "decoder", "beta", "likelihood", "iw_samples",
                          "iw_images")}


def layer_sizes(text):
    """argparse type: ``256,128`` or ``64x15`` (15 layers of 64) as a tuple of positive ints."""
    try:
        if "x" in text:
            units, _, repeat = text.partition("x")
            sizes = (int(units),) * int(repeat)
        else:
            sizes = tuple(int(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected sizes like 256,128 or 64x15, got {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"layer sizes must be at least 1, got {text!r}")
    return sizes


def names(valid):
    """argparse type: one name or a comma-separated list, each from ``valid``."""
    def parse(text):
        values = tuple(text.split(","))
        unknown = [v for v in values if v not in valid]
        if unknown:
            raise argparse.ArgumentTypeError(f"unknown {unknown[0]!r}; valid: {', '.join(valid)}")
        return values

    return parse


def build_parser():
    parser = ArgumentParser(prog="train.py", description="Train a model into a run directory.")
    parser.add_argument("--model", choices=MODELS, help="what to train (default dcgan)")
    data = parser.add_argument_group("data")
    data.add_argument("--dataset", help=f"one of {', '.join(DATASETS)} (default mnist)")
    data.add_argument("--data-dir", help="folder with mnist.npz / cifar10.npz / fashion_mnist.npz")
    data.add_argument("--offline", action="store_true", default=None,
                      help="never download; fail with a message when the dataset file is missing")
    data.add_argument("--image-size", type=positive_int, help="resize images to SIZE x SIZE")
    data.add_argument("--channels", type=int, choices=(1, 3), help="1 = grayscale, 3 = RGB")
    data.add_argument("--limit", type=positive_int, help="use only the first N training images")
    parser.add_argument("--loss", type=lambda text: tuple(text.split(",")),
                        help="gan models: nonsaturating (default), minimax, hinge, wasserstein (default for "
                             "wgan-gp) or least-squares; mlp: crossentropy (default) or mse, or both "
                             "(crossentropy,mse) to compare them")
    gan = parser.add_argument_group("GAN models (gan, dcgan, cgan, wgan-gp; see docs/gan_family.md)")
    gan.add_argument("--architecture", choices=ARCHITECTURES,
                     help="network pair (default: mlp for gan and 2-D points, else tutorial for grayscale "
                          "and dcgan for colour)")
    gan.add_argument("--latent-dim", type=positive_int, help="noise size (default 100; 16 for ae, vae, cvae)")
    gan.add_argument("--conditioning", choices=CONDITIONINGS,
                     help="cgan: how the discriminator sees the label (default concat; projection: Miyato & Koyama 2018)")
    gan.add_argument("--d-steps", type=positive_int,
                     help="discriminator updates per generator update (default 1; 5 for wgan-gp)")
    gan.add_argument("--gp-weight", type=float, help="gradient-penalty weight (default 0; 10 for wgan-gp)")
    gan.add_argument("--r1-gamma", type=float,
                     help="R1 penalty on the discriminator's gradient at real samples, e.g. 10 for images (default 0)")
    gan.add_argument("--d-lr", type=float, help="discriminator learning rate (default --lr; TTUR: set both)")
    gan.add_argument("--g-lr", type=float, help="generator learning rate (default --lr)")
    gan.add_argument("--label-smoothing", type=float, help="one-sided label smoothing, e.g. 0.1 (default 0)")
    gan.add_argument("--instance-noise", type=float,
                     help="std of noise added to the discriminator's inputs, annealed to 0 (default 0)")
    gan.add_argument("--minibatch-std", action="store_true", default=None,
                     help="give the discriminator the batch's standard deviation (against mode collapse)")
    gan.add_argument("--pack", type=positive_int,
                     help="PacGAN: the discriminator judges this many samples jointly, e.g. 2 or 4 (default 1)")
    gan.add_argument("--unrolled-steps", type=positive_int,
                     help="unrolled GAN: train the generator against the discriminator K Adam steps ahead, e.g. 5")
    gan.add_argument("--ema-decay", type=float,
                     help="sample from a moving average of the generator's weights, e.g. 0.999")
    gan.add_argument("--lr-decay", choices=LR_DECAYS,
                     help="cosine: lower both learning rates to a tenth over --epochs (default: constant)")
    gan.add_argument("--precision", choices=PRECISIONS,
                     help="compute precision (default: detected; bfloat16 on CPUs with bf16 dot products, "
                          "mixed_float16 on a GPU, else float32; see bench/README.md)")
    gan.add_argument("--jit", action=argparse.BooleanOptionalAction,
                     help="compile the training step with XLA (default: Keras' choice, on with a GPU only)")
    vae = parser.add_argument_group("autoencoders (ae, vae, cvae; also --latent-dim; see docs/vae.md)")
    vae.add_argument("--arch", choices=ENCODERS, help="encoder and decoder (default conv)")
    vae.add_argument("--encoder", choices=ENCODERS, help="encoder only, overriding --arch")
    vae.add_argument("--decoder", choices=DECODERS, help="decoder only, overriding --arch")
    vae.add_argument("--beta", type=float, help="weight of the KL term (default 1; a beta-VAE otherwise)")
    vae.add_argument("--likelihood", choices=LIKELIHOODS,
                     help="p(x|z): bernoulli on grey levels, binary on images binarised at 0.5, or gaussian "
                          "(default bernoulli for grayscale, gaussian for colour)")
    vae.add_argument("--iw-samples", type=positive_int,
                     help="after training, estimate the test NLL with K importance samples (e.g. 100 to 1000)")
    vae.add_argument("--iw-images", type=positive_int, help="test images of that estimate (default 1000)")
    mlp = parser.add_argument_group("MLP (--model mlp; see docs/mlp-activations-and-losses.md)")
    mlp.add_argument("--hidden", type=layer_sizes, help="hidden layer sizes, e.g. 512,512 or 64x15 (default 256,128)")
    mlp.add_argument("--activation", type=names(ACTIVATIONS),
                     help=f"hidden activation, or a comma list to compare: {', '.join(ACTIVATIONS)} (default relu)")
    mlp.add_argument("--optimizer", choices=OPTIMIZERS, help="optimizer (default adam; lr default per optimizer)")
    mlp.add_argument("--batch-norm", action="store_true", default=None, help="batch normalisation before activations")
    mlp.add_argument("--dropout", type=float, help="dropout rate after each hidden layer (default 0)")
    mlp.add_argument("--init", help="Keras kernel initializer, e.g. he_normal (default glorot_uniform)")
    mlp.add_argument("--validation-split", type=float, help="share of training images held out (default 0.1)")
    mlp.add_argument("--gradient-flow", action="store_true", default=None,
                     help="instead of one run: gradient norms and activations of deep nets (see docs/mlp-gradient-flow.md)")
    tuning = parser.add_argument_group("hyperparameter search (see docs/mlp-tuning.md)")
    tuning.add_argument("--tune", choices=TUNERS, help="search with this Keras Tuner strategy into --out-dir")
    tuning.add_argument("--max-trials", type=positive_int, help="trials in total, finished ones included (default 10)")
    tuning.add_argument("--space", action="append", metavar="KEY=V1,V2",
                        help="restrict a hyperparameter's values, e.g. units=256,512 or training.lr=1e-4,2e-4")
    training = parser.add_argument_group("training")
    training.add_argument("--epochs", type=positive_int, help="total epochs (default 20)")
    training.add_argument("--batch-size", type=positive_int, help="images per step (default 64)")
    training.add_argument("--lr", type=float, help="learning rate (default: the model's, 2e-4 for dcgan)")
    training.add_argument("--beta1", type=float, help="Adam beta_1 (default: the model's, 0.5 for dcgan)")
    training.add_argument("--beta2", type=float, help="Adam beta_2 (default: the model's, 0.999 for dcgan)")
    training.add_argument("--seed", type=non_negative_int, help="seed of weights, noise and shuffling (default 0)")
    run = parser.add_argument_group("run directory")
    run.add_argument("--out-dir", help="run directory (default runs/<model>-<dataset>-<time>)")
    run.add_argument("--resume", action="store_true", default=None,
                     help="continue the run in --out-dir up to --epochs in total")
    run.add_argument("--grid-size", type=positive_int, help="images in each epoch's grid (default 64)")
    quality = parser.add_argument_group("image-quality metrics during training (see docs/evaluation.md)")
    quality.add_argument("--eval-every", type=positive_int, help="evaluate every K epochs (default: never)")
    quality.add_argument("--eval-n", type=positive_int, help="generated images per evaluation (default 2000)")
    quality.add_argument("--eval-metric", choices=TRACKED_METRICS,
                         help="metric that picks generator_best.keras (default fid)")
    return parser


def config_from_args(args):
    """A ``Config`` of the defaults overridden by the command line; lists (comparisons) keep their first value."""
    def given(**values):
        return {k: v for k, v in values.items() if v is not None}

    model = args.model or Config.model
    family = MODELS[model]
    check_family_options(args, model)
    check_source(args.dataset or DataConfig.dataset)
    loss = args.loss[0] if args.loss else None
    sections = {}
    if family == "gan":
        sections["gan"] = GANConfig(**given(
            architecture=args.architecture, latent_dim=args.latent_dim, loss=loss, conditioning=args.conditioning,
            d_steps=args.d_steps, gp_weight=args.gp_weight, r1_gamma=args.r1_gamma, d_lr=args.d_lr, g_lr=args.g_lr,
            label_smoothing=args.label_smoothing, instance_noise=args.instance_noise, minibatch_std=args.minibatch_std,
            pack=args.pack, unrolled_steps=args.unrolled_steps, ema_decay=args.ema_decay, lr_decay=args.lr_decay,
            precision=args.precision, jit=args.jit))
    elif family == "vae":
        sections["vae"] = VAEConfig(**given(
            encoder=args.encoder or args.arch, decoder=args.decoder or args.arch, latent_dim=args.latent_dim,
            beta=args.beta, likelihood=args.likelihood, iw_samples=args.iw_samples, iw_images=args.iw_images))
    else:
        sections["mlp"] = MLPConfig(**given(
            hidden=args.hidden, activation=args.activation[0] if args.activation else None, loss=loss,
            optimizer=args.optimizer, batch_norm=args.batch_norm, dropout=args.dropout, kernel_initializer=args.init,
            validation_split=args.validation_split))
    return Config(
        **given(model=model, out_dir=args.out_dir, grid_size=args.grid_size),
        data=DataConfig(**given(dataset=args.dataset, data_dir=args.data_dir, image_size=args.image_size,
                                channels=args.channels, limit=args.limit,
                                download=None if args.offline is None else not args.offline)),
        training=TrainingConfig(**given(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                                        beta_1=args.beta1, beta_2=args.beta2, seed=args.seed)),
        evaluation=EvalConfig(**given(every=args.eval_every, n=args.eval_n, metric=args.eval_metric)),
        **sections,
    )


def check_family_options(args, model):
    """Raises ``ValueError`` for an option of another family or a loss the model does not have."""
    family = MODELS[model]
    for options in FAMILY_OPTIONS.values():
        for option in options:
            if option not in FAMILY_OPTIONS[family] and getattr(args, option) is not None:
                raise ValueError(f"--{option.replace('_', '-')} does not apply to --model {model}")
    valid = FAMILY_LOSSES[family]
    if args.loss and not valid:
        raise ValueError(f"--loss does not apply to --model {model}")
    for loss in args.loss or ():
        if loss not in valid:
            raise ValueError(f"unknown loss {loss!r} for --model {model}; valid: {', '.join(valid)}")
    if family != "mlp" and len(args.loss or ()) > 1:
        raise ValueError(f"comparing losses needs --model mlp, got --model {model}")
    if (args.max_trials or args.space) and not args.tune:
        raise ValueError("--max-trials and --space need --tune random|grid|bayesian|hyperband")


def comparison_options(args):
    """``{"mlp.activation": [...], "mlp.loss": [...]}`` for the lists given; empty for a single run."""
    options = {"mlp.activation": args.activation, "mlp.loss": args.loss}
    options = {k: list(dict.fromkeys(v)) for k, v in options.items() if v}
    return options if any(len(v) > 1 for v in options.values()) else {}


def default_out_dir(config, what):
    """``runs/<model>-<what>-<dataset>-<YYYYmmdd-HHMMSS>``."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return os.path.join("runs", f"{config.model}-{what}-{dataset_name(config.data.dataset)}-{stamp}")


def run_lab(args):
    """A comparison, the gradient-flow study or a search, when the command line asks for one; else ``None``.

    Returns:
        The exit code, or ``None`` for an ordinary training run.
    """
    if args.resume and args.out_dir and is_search_dir(args.out_dir):
        result = resume_search(args.out_dir, args.max_trials)
        print(search_summary(args.out_dir, result))
        return 0
    options = comparison_options(args)
    if not (args.tune or args.gradient_flow or options):
        return None
    if args.resume:
        raise ValueError("--resume continues a run or a search; repeat a comparison's command to continue it")
    config = config_from_args(args)
    if args.tune:
        out_dir = args.out_dir or default_out_dir(config, f"tune-{args.tune}")
        result = run_search(config, args.tune, args.max_trials or 10, out_dir, parse_space(config.family, args.space))
        print(search_summary(out_dir, result))
    elif args.gradient_flow:
        if args.hidden is None:
            config.mlp.hidden = (64,) * 15
        if args.optimizer is None:
            config.mlp.optimizer = "sgd"
        if args.epochs is None:
            config.training.epochs = 1
        config.validate()
        out_dir = args.out_dir or default_out_dir(config, "gradient-flow")
        run_gradient_flow(config, out_dir)
        print(f"done: {out_dir} (gradient_norms.png, activations_init.png, activations_trained.png)")
    else:
        out_dir = args.out_dir or default_out_dir(config, "compare")
        rows = compare(variants(config, options), out_dir, title=" vs ".join(
            f"{k.split('.')[1]}" for k, v in options.items() if len(v) > 1))
        print(f"done: {out_dir} (comparison.png, results.csv, results.md); best test accuracy "
              f"{max(row.get('test_accuracy', 0) for row in rows):.4f}")
    return 0


def prepare(args):
    """The run to fit: a resumed one, or a new one built from the command line."""
    if not args.resume:
        return prepare_new_run(config_from_args(args))
    fixed = sorted(k for k, v in vars(args).items() if v is not None and k not in RESUMABLE)
    if fixed:
        raise ValueError(f"--{fixed[0].replace('_', '-')} cannot change on --resume; "
                         "the run's config.json fixes it (only --epochs may change)")
    if not args.out_dir:
        raise ValueError("--resume needs --out-dir RUN_DIR, the run to continue")
    return prepare_resumed_run(args.out_dir, epochs=args.epochs)


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        code = run_lab(args)
    except (ValueError, OSError) as error:
        return report_bad_input(error)
    except KeyboardInterrupt:
        print("\ninterrupted; what finished is kept: repeat the command (or --resume a search) to continue",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    if code is not None:
        return code
    try:
        run = prepare(args)
    except (ValueError, OSError) as error:
        return report_bad_input(error)
    except KeyboardInterrupt:
        print("\ninterrupted before training started; nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    out_dir = run.config.out_dir
    try:
        fit_run(run)
    except KeyboardInterrupt:
        done = finished_epochs(out_dir)
        if done == 0:  # a new run with nothing worth keeping
            shutil.rmtree(out_dir)
            print(f"\ninterrupted before the first epoch finished; removed {out_dir}", file=sys.stderr)
        else:
            print(f"\ninterrupted; {done} finished epoch(s) are saved in {out_dir}. Continue with:\n"
                  f"  python train.py --resume --out-dir {out_dir} --epochs {run.config.training.epochs}",
                  file=sys.stderr)
        return EXIT_INTERRUPTED
    if run.config.family == "mlp":
        print(f"done: {out_dir} (curves.png, confusion_matrix.png, metrics.json, model.keras)")
    else:
        print(f"done: {out_dir} (progress.gif, curves.png, generator.keras); "
              f"draw new images with: python samples.py --run {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
