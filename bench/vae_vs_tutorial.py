"""Test negative ELBO on statically binarised MNIST: the package's conv VAE beside the TensorFlow
CVAE tutorial's model (https://www.tensorflow.org/tutorials/generative/cvae), same data, same epochs.

    python bench/vae_vs_tutorial.py --data-dir /path/to/folder/with/mnist.npz --epochs 5
    python bench/vae_vs_tutorial.py --data-dir ... --epochs 5 --package-lr 1e-4 --package-batch-size 32 --skip-tutorial

The tutorial's model is re-implemented here as the tutorial writes it: two stride-2 3x3
convolutions (32, 64) and one dense layer to the Gaussian's parameters; a dense layer to a
7x7x32 map and three transposed convolutions back; the one-sample Monte-Carlo ELBO
``log p(x|z) + log p(z) - log q(z|x)``; Adam(1e-4), batch 32, images binarised at 0.5. The
package's VAE is ``vae_tf.VAE`` with the ``conv`` encoder and decoder and the ``binary``
likelihood, trained as ``train.py --model vae --likelihood binary`` trains it (Adam(1e-3),
batch 64, analytic KL). Both are scored on the whole test split by the same one-sample
ELBO with the analytic KL, in nats per image; the tutorial's own Monte-Carlo estimate is
printed beside it.
"""

import argparse
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import core_tf  # noqa: E402, F401  (selects the TensorFlow backend before Keras loads)

# isort: split
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from data import load_images  # noqa: E402
from vae_tf import VAE, build_vae_networks, gaussian_kl_divergence  # noqa: E402

LOG_2PI = math.log(2.0 * math.pi)


class TutorialCVAE(keras.Model):
    """The tutorial's ``CVAE`` class (its encoder, decoder, ``encode``, ``reparameterize``, ``decode``)."""

    def __init__(self, latent_dim):
        super().__init__()
        self.latent_dim = latent_dim
        self.encoder = keras.Sequential([
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(32, 3, strides=(2, 2), activation="relu"),
            keras.layers.Conv2D(64, 3, strides=(2, 2), activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(latent_dim + latent_dim),
        ])
        self.decoder = keras.Sequential([
            keras.Input((latent_dim,)),
            keras.layers.Dense(7 * 7 * 32, activation="relu"),
            keras.layers.Reshape((7, 7, 32)),
            keras.layers.Conv2DTranspose(64, 3, strides=2, padding="same", activation="relu"),
            keras.layers.Conv2DTranspose(32, 3, strides=2, padding="same", activation="relu"),
            keras.layers.Conv2DTranspose(1, 3, strides=1, padding="same"),
        ])

    def encode(self, x):
        mean, logvar = tf.split(self.encoder(x), num_or_size_splits=2, axis=1)
        return mean, logvar


def log_normal_pdf(sample, mean, logvar):
    return tf.reduce_sum(-0.5 * ((sample - mean) ** 2.0 * tf.exp(-logvar) + logvar + LOG_2PI), axis=1)


@tf.function
def tutorial_terms(model, x):
    """Per image: the tutorial's Monte-Carlo negative ELBO and the analytic-KL one, from one z."""
    mean, logvar = model.encode(x)
    z = mean + tf.exp(logvar * 0.5) * tf.random.normal(tf.shape(mean))
    logits = model.decoder(z)
    logpx_z = -tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(logits=logits, labels=x), axis=[1, 2, 3])
    monte_carlo = -(logpx_z + log_normal_pdf(z, 0.0, 0.0) - log_normal_pdf(z, mean, logvar))
    return monte_carlo, -logpx_z + gaussian_kl_divergence(mean, logvar)


def train_tutorial(train, test, latent_dim, epochs, seed):
    keras.utils.set_random_seed(seed)
    model = TutorialCVAE(latent_dim)
    optimizer = keras.optimizers.Adam(1e-4)

    @tf.function
    def train_step(x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tutorial_terms(model, x)[0])
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))

    data = tf.data.Dataset.from_tensor_slices(train).shuffle(len(train), seed=seed).batch(32)
    start = time.perf_counter()
    for _ in range(epochs):
        for batch in data:
            train_step(batch)
    seconds = time.perf_counter() - start
    terms = [tutorial_terms(model, batch) for batch in tf.data.Dataset.from_tensor_slices(test).batch(500)]
    return {
        "model": f"TF tutorial CVAE, latent {latent_dim}",
        "parameters": model.encoder.count_params() + model.decoder.count_params(),
        "test_negative_elbo": float(np.mean(np.concatenate([t[1] for t in terms]))),
        "tutorial_monte_carlo_estimate": float(np.mean(np.concatenate([t[0] for t in terms]))),
        "seconds": seconds,
    }


def train_package(train, test, latent_dim, epochs, seed, lr=1e-3, batch_size=64):
    keras.utils.set_random_seed(seed)
    encoder, decoder = build_vae_networks("conv", "conv", latent_dim, (28, 28, 1))
    vae = VAE(encoder, decoder, likelihood="binary", seed=seed)
    vae.compile(optimizer=keras.optimizers.Adam(lr))
    images = lambda x: 2.0 * x - 1.0  # noqa: E731  (the package's models see [-1, 1])
    data = tf.data.Dataset.from_tensor_slices(images(train)).shuffle(len(train), seed=seed).batch(batch_size)
    start = time.perf_counter()
    vae.fit(data, epochs=epochs, verbose=2, shuffle=False)  # the dataset shuffles, seeded
    seconds = time.perf_counter() - start
    logs = vae.evaluate(images(test), batch_size=500, verbose=0, return_dict=True)
    return {
        "model": f"vae_tf conv VAE, latent {latent_dim}, Adam({lr:g}), batch {batch_size}",
        "parameters": vae.count_params(),
        "test_negative_elbo": logs["negative_elbo"],
        "seconds": seconds,
    }


def binarised(data_dir, split):
    images = load_images("mnist", split, data_dir=data_dir, download=False).images
    return (images / 255.0 > 0.5).astype(np.float32)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True, help="folder with mnist.npz")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--latent-dim", type=int, default=32, help="the package's VAE (default 32)")
    parser.add_argument("--tutorial-latent-dim", type=int, default=50, help="the tutorial's model (default 50)")
    parser.add_argument("--package-lr", type=float, default=1e-3, help="the package's VAE (default 1e-3)")
    parser.add_argument("--package-batch-size", type=int, default=64, help="the package's VAE (default 64)")
    parser.add_argument("--skip-tutorial", action="store_true", help="train the package's VAE only")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="JSON file for the results")
    args = parser.parse_args(argv)
    train, test = binarised(args.data_dir, "train"), binarised(args.data_dir, "test")
    results = [train_package(train, test, args.latent_dim, args.epochs, args.seed, args.package_lr,
                             args.package_batch_size)]
    if not args.skip_tutorial:
        results.append(train_tutorial(train, test, args.tutorial_latent_dim, args.epochs, args.seed))
    print(f"{args.epochs} epochs on binarised MNIST ({len(train)} train, {len(test)} test images)")
    print(f"{'model':<52} {'parameters':>10} {'test -ELBO (nats)':>18} {'seconds':>8}")
    for r in results:
        print(f"{r['model']:<52} {r['parameters']:>10} {r['test_negative_elbo']:>18.2f} {r['seconds']:>8.0f}")
        if "tutorial_monte_carlo_estimate" in r:
            print("  (the tutorial's own Monte-Carlo estimate for its model: "
                  f"{r['tutorial_monte_carlo_estimate']:.2f})")
    if args.out:
        with open(args.out, "w") as file:
            json.dump({"epochs": args.epochs, "results": results}, file, indent=2)


if __name__ == "__main__":
    main()
