"""Draw images from a trained generator, or translate or upscale images with an image-to-image run's.

    python samples.py                              # newest run under runs/
    python samples.py --run runs/dcgan-digits-... --n 100 --seed 3 --out grid.png
    python samples.py --model generator.keras --interpolate
    python samples.py --run runs/cgan-mnist-... --label 7     # a conditional run: only sevens
    python samples.py --run runs/cyclegan-... --input photos/ --direction ba --out translated/
    python samples.py --run runs/srgan-... --input small.png --out large/
    python samples.py --run runs/stylegan-... --style-mix     # coarse styles of a row, fine ones of a column
    python samples.py --run runs/stylegan-... --noise-only    # the same styles, the noise redrawn
    python samples.py --run runs/stylegan-... --truncation 0.7
"""

import os
import sys

import core_tf  # noqa: F401  (selects the TensorFlow backend before Keras loads)

# isort: split

from lab_tf import run_dir as rd
from lab_tf.cli import ArgumentParser, image_count, int_at_least, non_negative_int, report_bad_input, unit_interval
from lab_tf.metrics import METRICS
from lab_tf.sampling import (
    ImageToImage,
    NoiseToImage,
    read_input_images,
    write_interpolation,
    write_noise_variation,
    write_samples,
    write_style_mix,
    write_translations,
)


def build_parser():
    parser = ArgumentParser(prog="samples.py", description="Write a grid of generated images, or translate or "
                            "upscale images with an image-to-image run's generator.")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--run", help="run directory (default: the newest under runs/)")
    source.add_argument("--model", help="a generator .keras file")
    parser.add_argument("--n", type=image_count,
                        help="number of images (default 64; 10 with --interpolate; 10000 with --evaluate); "
                             "for a conditional generator without --label, images per class (default 10)")
    parser.add_argument("--input", help="image-to-image runs: an image file or a folder of images to translate or "
                                        "upscale (default: held-out images)")
    parser.add_argument("--direction", choices=("ab", "ba"),
                        help="translation runs: ab translates --dataset's domain into --target-dataset's (default), "
                             "ba the other way")
    parser.add_argument("--label", type=non_negative_int,
                        help="class to draw from a conditional generator (default: one row per class)")
    parser.add_argument("--seed", type=non_negative_int, default=0,
                        help="noise seed; the same seed gives the same images")
    parser.add_argument("--out", help="image file to write, format from its extension (default: "
                                      "samples_seed<S>.png, interpolation_seed<S>.png, translations_<DIRECTION>_seed"
                                      "<S>.png or upscaled_seed<S>.png in the run, or in the current folder with "
                                      "--model); image-to-image runs: a folder gets one file per image")
    parser.add_argument("--scale", type=int_at_least(1, 16, "larger pixels only make the file bigger"), default=2,
                        help="pixel upscaling of the grid (default 2)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--interpolate", action="store_true",
                      help="write one row interpolating between two noise vectors instead of a grid")
    mode.add_argument("--evaluate", action="store_true",
                      help="measure image quality against the run's real test images; writes metrics.json")
    mode.add_argument("--style-mix", action="store_true",
                      help="style-based runs: the style-mixing grid, a row of codes giving the coarse styles and a "
                           "column giving the fine ones (--n codes each, default 6)")
    mode.add_argument("--noise-only", action="store_true",
                      help="style-based runs: --n codes (default 8), each drawn with its noise redrawn 6 times, and "
                           "the per-pixel standard deviation")
    parser.add_argument("--truncation", type=unit_interval, metavar="PSI",
                        help="style-based runs: pull the styles towards the average w, 1 (default) not at all, 0 to "
                             "the average image; more fidelity, less variety")
    parser.add_argument("--inception", action="store_true",
                        help="with --evaluate: also Inception-v3 FID/KID (needs its ImageNet weights in the Keras "
                             "cache)")
    return parser


def load_generator(args):
    """``(generator, sampler, default output folder, run config or None, direction or None)`` of ``--model``,
    ``--run`` or the newest run.

    A bare ``--model`` file is drawn as what its inputs say: images (a translation) or noise.
    """
    if args.model:
        if args.direction:
            raise ValueError("--direction picks one generator of a translation run; pass --run RUN_DIR")
        generator = rd.load_model(args.model)
        sampler = ImageToImage() if ImageToImage.accepts(generator) else NoiseToImage()
        sampler.check(generator)
        return generator, sampler, ".", None, None
    run_dir = chosen_run_dir(args)
    config = rd.load_config(run_dir)
    family = config.family
    if family.sampler is None:
        raise ValueError(f"{run_dir} is a --model {config.model} run, which has no generator to draw from")
    if not family.directions:
        if args.direction:
            raise ValueError(f"--direction is for translation runs; {run_dir} is a --model {config.model} run with "
                             "one generator")
        return rd.load_run(run_dir).generator, family.sampler, run_dir, config, None
    direction = args.direction or next(iter(family.directions))
    generator = rd.load_model(os.path.join(run_dir, family.directions[direction]))
    return generator, family.sampler, run_dir, config, direction


def chosen_run_dir(args):
    """``--run``, or the newest run under runs/; ``RunDirError`` when it does not exist."""
    run_dir = args.run or rd.latest_run()
    if not os.path.isdir(run_dir):
        raise rd.RunDirError(f"run directory {run_dir} does not exist; pass a folder made by train.py")
    return run_dir


def evaluate(args):
    """``--evaluate``: metrics of the run's generator, printed and written to the run's metrics.json."""
    if args.model:
        raise ValueError("--evaluate needs a run directory (--run), which says what data to compare with")
    run_dir = chosen_run_dir(args)
    family = rd.load_config(run_dir).family
    _, table = family.evaluate(run_dir, n=args.n or 10000, seed=args.seed, inception=args.inception)
    print(table)
    print(f"wrote {os.path.join(run_dir, METRICS)}")
    return 0


def translate(args, generator, sampler, folder, config, direction):
    """Translations of ``--input`` (or of held-out images of the run's source domain); returns what was written."""
    given = [flag for flag, value in (("--label", args.label is not None), ("--interpolate", args.interpolate),
                                      ("--style-mix", args.style_mix), ("--noise-only", args.noise_only),
                                      ("--truncation", args.truncation is not None)) if value]
    if given:
        raise ValueError(f"{given[0]} is for generators that draw from noise; a translation generator takes images: "
                         "pass --input IMAGE_OR_FOLDER")
    names, truth = None, None
    if args.input:
        images, names = read_input_images(args.input, sampler.input_shape(generator, config), sampler.size_multiple,
                                          sampler.converts_channels)
    elif config is None:
        raise ValueError(f"an image-to-image generator given by --model needs --input IMAGE_OR_FOLDER; a run (--run) "
                         f"{sampler.verb}s its held-out images without it")
    else:
        n = args.n or sampler.default_count(generator)
        images, truth = config.family.source_images(config, direction, n, args.seed)
    kind = f"translations_{direction or 'model'}" if sampler.verb == "translate" else "upscaled"
    out = args.out or os.path.join(folder, f"{kind}_seed{args.seed}.png")
    return write_translations(sampler, generator, images, out, names, scale=args.scale, truth=truth)


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.inception and not args.evaluate:
        parser.error("--inception only works with --evaluate")
    if args.label is not None and args.evaluate:
        parser.error("--label does not work with --evaluate, which asks a conditional generator for every class")
    if args.truncation is not None and (args.evaluate or args.interpolate or args.noise_only):
        parser.error("--truncation works with a grid of samples or --style-mix; --evaluate measures a range of psi "
                     "itself")
    if (args.input or args.direction) and args.evaluate:
        parser.error("--input and --direction do not work with --evaluate, which scores both directions on "
                     "held-out images")
    try:
        if args.evaluate:
            return evaluate(args)
        generator, sampler, folder, config, direction = load_generator(args)
        if sampler.takes_images:
            print(f"wrote {translate(args, generator, sampler, folder, config, direction)}")
            return 0
        if args.input:
            raise ValueError("--input is for translation runs; this generator draws from noise")
        kind = ("interpolation" if args.interpolate else "style_mix" if args.style_mix
                else "noise_only" if args.noise_only else "samples")
        if args.label is not None:
            kind += f"_label{args.label}"
        if args.truncation is not None:
            kind += f"_psi{args.truncation:g}"
        out = args.out or os.path.join(folder, f"{kind}_seed{args.seed}.png")
        if args.style_mix:
            write_style_mix(generator, out, n=args.n or 6, seed=args.seed, scale=args.scale,
                            truncation=1.0 if args.truncation is None else args.truncation)
        elif args.noise_only:
            write_noise_variation(generator, out, n=args.n or 8, seed=args.seed, scale=args.scale)
        elif args.interpolate:
            write_interpolation(sampler, generator, out, steps=args.n or 10, seed=args.seed, scale=args.scale,
                                label=args.label)
        else:
            n = args.n or sampler.default_count(generator, args.label)
            write_samples(sampler, generator, out, n=n, seed=args.seed, scale=args.scale, label=args.label,
                          truncation=args.truncation)
    except (ValueError, OSError) as error:  # also Pillow's "unknown file extension"
        return report_bad_input(error)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
