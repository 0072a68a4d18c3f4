"""Train a generative model into a run directory.

    python train.py --model dcgan --dataset digits --epochs 5
    python train.py --model dcgan --data-dir ../datasets            # MNIST from mnist.npz
    python train.py --model vae --dataset digits --latent-dim 2 --epochs 5
    python train.py --model cvae --arch resnet --beta 0.5 --data-dir ../datasets
    python train.py --resume --out-dir runs/dcgan-digits-... --epochs 10
"""

import shutil
import sys

from data import DATASETS, check_source
from experiments.cli import EXIT_INTERRUPTED, ArgumentParser, non_negative_int, positive_int, report_bad_input
from experiments.config import (
    MODELS,
    TRACKED_METRICS,
    Config,
    DataConfig,
    EvalConfig,
    GANConfig,
    TrainingConfig,
    VAEConfig,
)
from experiments.training import finished_epochs, fit_run, prepare_new_run, prepare_resumed_run
from gan_tf import ARCHITECTURES, LOSSES
from vae_tf import DECODERS, ENCODERS, LIKELIHOODS

# Options that --resume may change; the others are fixed by the run's config.json.
RESUMABLE = {"epochs", "out_dir", "resume"}
# Options that only one family of models takes.
FAMILY_OPTIONS = {"gan": ("architecture", "loss"),
                  "vae": ("arch", "encoder", "decoder", "beta", "likelihood", "iw_samples", "iw_images")}


def build_parser():
    parser = ArgumentParser(prog="train.py", description="Train a generative model into a run directory.")
    parser.add_argument("--model", choices=MODELS, help="what to train (default dcgan)")
    data = parser.add_argument_group("data")
    data.add_argument("--dataset", help=f"one of {', '.join(DATASETS)} (default mnist)")
    data.add_argument("--data-dir", help="folder with mnist.npz / cifar10.npz / fashion_mnist.npz")
    data.add_argument("--offline", action="store_true", default=None,
                      help="never download; fail with a message when the dataset file is missing")
    data.add_argument("--image-size", type=positive_int, help="resize images to SIZE x SIZE")
    data.add_argument("--channels", type=int, choices=(1, 3), help="1 = grayscale, 3 = RGB")
    data.add_argument("--limit", type=positive_int, help="use only the first N training images")
    model = parser.add_argument_group("model")
    model.add_argument("--architecture", choices=ARCHITECTURES,
                       help="network pair (default: tutorial for grayscale, dcgan for colour)")
    model.add_argument("--latent-dim", type=positive_int, help="noise / code size (default 100 for dcgan, 16 for "
                                                                "ae, vae, cvae)")
    model.add_argument("--loss", choices=LOSSES, help="GAN loss (default nonsaturating)")
    vae = parser.add_argument_group("autoencoders: --model ae|vae|cvae (see docs/vae.md)")
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
    training = parser.add_argument_group("training")
    training.add_argument("--epochs", type=positive_int, help="total epochs (default 20)")
    training.add_argument("--batch-size", type=positive_int, help="images per step (default 64)")
    training.add_argument("--lr", type=float, help="learning rate (default: the model's, 2e-4 for dcgan)")
    training.add_argument("--beta1", type=float, help="Adam beta_1 (default: the model's, 0.5 for dcgan)")
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
    """A ``Config`` of the defaults overridden by the options given on the command line."""
    def given(**values):
        return {k: v for k, v in values.items() if v is not None}

    check_source(args.dataset or DataConfig.dataset)
    model = args.model or Config.model
    for family, options in FAMILY_OPTIONS.items():
        given_options = [name for name in options if getattr(args, name) is not None]
        if family != MODELS[model] and given_options:
            raise ValueError(f"--{given_options[0].replace('_', '-')} does not apply to --model {model}")
    sections = {
        "gan": lambda: GANConfig(**given(architecture=args.architecture, latent_dim=args.latent_dim, loss=args.loss)),
        "vae": lambda: VAEConfig(**given(encoder=args.encoder or args.arch, decoder=args.decoder or args.arch,
                                         latent_dim=args.latent_dim, beta=args.beta, likelihood=args.likelihood,
                                         iw_samples=args.iw_samples, iw_images=args.iw_images)),
    }
    return Config(
        **given(model=args.model, out_dir=args.out_dir, grid_size=args.grid_size),
        data=DataConfig(**given(dataset=args.dataset, data_dir=args.data_dir, image_size=args.image_size,
                                channels=args.channels, limit=args.limit,
                                download=None if args.offline is None else not args.offline)),
        **{MODELS[model]: sections[MODELS[model]]()},
        training=TrainingConfig(**given(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                                        beta_1=args.beta1, seed=args.seed)),
        evaluation=EvalConfig(**given(every=args.eval_every, n=args.eval_n, metric=args.eval_metric)),
    )


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
    print(f"done: {out_dir} (progress.gif, curves.png, generator.keras, ...); "
          f"draw new images with: python samples.py --run {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
