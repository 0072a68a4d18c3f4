"""Callbacks of the autoencoder family: reconstructions and the latent space after every epoch."""

import os

import keras
import numpy as np

from lab_tf import run_dir as rd
from lab_tf.families.vae.figures import plot_latent, save_reconstructions
from lab_tf.figures import save_image_grid
from vae_tf import active_units, encode_images, importance_weighted_nll, latent_grid, project_2d

__all__ = ["LIKELIHOOD", "EpochReconstructions", "LatentReport"]

RECONSTRUCTIONS = "reconstructions"  # folder of reconstructions/epoch_NNN.png
LATENT = "latent.png"
MANIFOLD = "manifold.png"
INTERPOLATION = "interpolation.png"
LIKELIHOOD = "likelihood.json"
MANIFOLD_SIZE = 15
INTERPOLATION_ROWS, INTERPOLATION_STEPS = 6, 10


class EpochReconstructions(keras.callbacks.Callback):
    """After each epoch, fixed images (as the model sees them) above their reconstructions.

    Args:
        images: ``(n, h, w, c)`` in [-1, 1], ``n`` a multiple of ``columns``.
        run_dir: run directory; grids go to ``reconstructions/epoch_NNN.png``.
        labels: int ``(n,)`` for a conditional model.
        columns: images per row.
    """

    def __init__(self, images, run_dir, labels=None, columns=8):
        super().__init__()
        self.images, self.labels, self.columns = images, labels, columns
        self.folder = os.path.join(run_dir, RECONSTRUCTIONS)
        os.makedirs(self.folder, exist_ok=True)

    def on_epoch_end(self, epoch, logs=None):
        vae = self.model
        save_reconstructions(vae.observe(self.images), vae.reconstruct(self.images, self.labels),
                             os.path.join(self.folder, f"epoch_{epoch + 1:03d}.png"), columns=self.columns)


class LatentReport(keras.callbacks.Callback):
    """After each epoch, the latent space of held-out images, and the run's likelihood numbers.

    Writes ``latent.png`` (codes coloured by label, principal components beyond 2-D, and
    each dimension's activity), ``manifold.png`` (2-D unconditional models: decoded codes on a
    grid of normal quantiles), ``interpolation.png`` (rows from one image to another: the
    real pair at the ends, decoded straight-line steps between their codes) and
    ``likelihood.json`` (test negative ELBO and its terms from the validation logs, active
    units; with ``iw_samples``, the importance-weighted NLL at the end of training, and the
    one-sample bound, a negative ELBO, on the same images). Adds
    ``active_units`` to the epoch's logs, so put it before ``RunRecorder``.

    Args:
        images: held-out ``(n, h, w, c)`` in [-1, 1].
        labels: int ``(n,)`` or ``None``.
        run_dir: the run directory.
        config: the run's ``VAEConfig``.
        class_names: a name per label, or ``None``.
        seed: seed of the importance samples.
    """

    def __init__(self, images, labels, run_dir, config, class_names=None, seed=0):
        super().__init__()
        self.images, self.labels, self.run_dir = images, labels, run_dir
        self.config, self.class_names, self.seed = config, class_names, seed

    def _path(self, name):
        return os.path.join(self.run_dir, name)

    def on_epoch_end(self, epoch, logs=None):
        vae = self.model
        labels = self.labels if vae.conditional else None
        codes = encode_images(vae, self.images, labels)
        variances = None
        results = {"epoch": epoch + 1, "likelihood": vae.likelihood, "n_test": len(self.images)}
        if vae.variational:
            count, variances = active_units(codes)
            results["active_units"] = count
            if logs is not None:
                logs["active_units"] = count
        for key in ("negative_elbo", "reconstruction_loss", "kl_loss"):
            if logs and f"val_{key}" in logs:
                results[f"test_{key}"] = float(logs[f"val_{key}"])
        points, explained = project_2d(codes)
        plot_latent(points, self.labels, self._path(LATENT), variances, explained, self.class_names)
        if vae.latent_dim == 2 and not vae.conditional:
            save_image_grid(vae.decode(latent_grid(MANIFOLD_SIZE)), self._path(MANIFOLD), columns=MANIFOLD_SIZE,
                            padding=0, scale=2)
        self._write_interpolation(vae, codes, labels)
        previous = rd.read_json(self._path(LIKELIHOOD)) or {}
        rd.write_json({**{k: v for k, v in previous.items() if k.startswith("iw_")}, **results},
                      self._path(LIKELIHOOD))

    def on_train_end(self, logs=None):
        vae, k = self.model, self.config.iw_samples
        if k is None:
            return
        n = min(self.config.iw_images, len(self.images))
        labels = self.labels[:n] if vae.conditional else None
        nll = importance_weighted_nll(vae, self.images[:n], labels, k=k, seed=self.seed)
        # the same bound with one sample is a negative ELBO on the same images, to compare with
        elbo = importance_weighted_nll(vae, self.images[:n], labels, k=1, seed=self.seed)
        results = rd.read_json(self._path(LIKELIHOOD)) or {}
        results.update({"iw_nll": float(nll.mean()), "iw_nll_sem": float(nll.std(ddof=1) / np.sqrt(n)) if n > 1
                        else None, "iw_negative_elbo": float(elbo.mean()), "iw_samples": k, "iw_images": n})
        rd.write_json(results, self._path(LIKELIHOOD))
        print(f"importance-weighted NLL ({k} samples, {n} test images): {results['iw_nll']:.2f} nats per image "
              f"(negative ELBO on the same images: {results['iw_negative_elbo']:.2f})", flush=True)

    def _write_interpolation(self, vae, codes, labels):
        """Rows from test image ``2i`` to ``2i + 1``: the images at the ends, decoded codes between."""
        pairs = min(INTERPOLATION_ROWS, len(codes) // 2)
        if pairs == 0:
            return
        t = np.linspace(0.0, 1.0, INTERPOLATION_STEPS)[None, :, None]
        start, end = codes[0 : 2 * pairs : 2, None], codes[1 : 2 * pairs : 2, None]
        path = ((1 - t) * start + t * end).reshape(-1, vae.latent_dim).astype(np.float32)
        path_labels = None if labels is None else np.repeat(labels[0 : 2 * pairs : 2], INTERPOLATION_STEPS)
        decoded = np.asarray(vae.decode(path, path_labels)).reshape(pairs, INTERPOLATION_STEPS, *vae.image_shape)
        observed = np.asarray(vae.observe(self.images[: 2 * pairs]))
        rows = np.concatenate([observed[0::2, None], decoded, observed[1::2, None]], axis=1)
        save_image_grid(rows.reshape(-1, *vae.image_shape), self._path(INTERPOLATION),
                        columns=INTERPOLATION_STEPS + 2, scale=2)
