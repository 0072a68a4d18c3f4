"""Sample-quality metrics as pure NumPy functions on feature vectors or class probabilities.

Features are arrays ``(n, dim)``; probabilities are softmax outputs ``(n, classes)``. Which
network made the features (a dataset classifier, Inception) is the caller's business; these
functions only do the maths, each citing where it comes from.
"""

import numpy as np

__all__ = [
    "class_histogram",
    "class_kl_divergence",
    "classes_covered",
    "classifier_score",
    "conditional_accuracy",
    "density_coverage",
    "frechet_distance",
    "frechet_distance_from_moments",
    "kernel_distance",
    "mixture_modes",
    "precision_recall",
]


def frechet_distance_from_moments(mu1, cov1, mu2, cov2):
    """``|mu1 - mu2|^2 + tr(C1 + C2 - 2 (C1 C2)^(1/2))``, the Fréchet distance of two Gaussians.

    Dowson & Landau 1982; used as FID by Heusel et al. 2017. ``tr((C1 C2)^(1/2))`` is computed
    as the trace of ``(A C2 A)^(1/2)`` with ``A = C1^(1/2)``, a symmetric matrix, so only
    symmetric eigendecompositions are needed.
    """
    mu1, mu2 = np.asarray(mu1, np.float64), np.asarray(mu2, np.float64)
    cov1, cov2 = np.asarray(cov1, np.float64), np.asarray(cov2, np.float64)
    root1 = _psd_sqrt(cov1)
    cross = np.sqrt(np.clip(np.linalg.eigvalsh(root1 @ cov2 @ root1), 0, None)).sum()
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(cov1) + np.trace(cov2) - 2 * cross)


def frechet_distance(real, fake):
    """Fréchet distance between Gaussians fitted to two feature sets ``(n, dim)`` (FID-style)."""
    real, fake = np.asarray(real, np.float64), np.asarray(fake, np.float64)
    return frechet_distance_from_moments(real.mean(0), np.cov(real, rowvar=False),
                                         fake.mean(0), np.cov(fake, rowvar=False))


def kernel_distance(real, fake, subsets=100, subset_size=1000, seed=0):
    """Unbiased squared MMD with the cubic kernel ``k(x, y) = (x.y / dim + 1)^3`` (KID).

    Bińkowski et al. 2018. Averaged over ``subsets`` random subsets of ``subset_size`` (capped
    at the smaller set's size), as in their reference code.

    Returns:
        ``(mean, std)`` over the subsets.
    """
    real, fake = np.asarray(real, np.float64), np.asarray(fake, np.float64)
    size = min(subset_size, len(real), len(fake))
    if size < 2:
        raise ValueError(f"kernel_distance needs at least 2 samples per set, got {len(real)} and {len(fake)}")
    rng = np.random.default_rng(seed)
    dim = real.shape[1]
    values = []
    for _ in range(subsets):
        x = real[rng.choice(len(real), size, replace=False)]
        y = fake[rng.choice(len(fake), size, replace=False)]
        kxx, kyy, kxy = ((a @ b.T / dim + 1) ** 3 for a, b in ((x, x), (y, y), (x, y)))
        off_diagonal = size * (size - 1)
        values.append((kxx.sum() - np.trace(kxx)) / off_diagonal + (kyy.sum() - np.trace(kyy)) / off_diagonal
                      - 2 * kxy.mean())
    return float(np.mean(values)), float(np.std(values))


def precision_recall(real, fake, k=3):
    """Improved precision and recall (Kynkäänniemi et al. 2019).

    Each set's manifold is the union of balls around its points reaching their ``k``-th
    nearest neighbour. Precision: the fraction of fakes inside the real manifold (fidelity).
    Recall: the fraction of reals inside the fake manifold (diversity; a collapsed generator
    has low recall).
    """
    real, fake = np.asarray(real, np.float64), np.asarray(fake, np.float64)
    real_radii, fake_radii = _knn_radii(real, k), _knn_radii(fake, k)
    precision = np.mean(_inside_any_ball(fake, real, real_radii) > 0)
    recall = np.mean(_inside_any_ball(real, fake, fake_radii) > 0)
    return float(precision), float(recall)


def density_coverage(real, fake, k=5):
    """Density and coverage (Naeem et al. 2020), robust versions of precision and recall.

    Density: how many real ``k``-NN balls contain each fake, divided by ``k`` and averaged
    (about 1 when the distributions match; can exceed 1). Coverage: the fraction of real
    balls that contain at least one fake. Balls are open (strict ``<``), as in the authors' code.
    """
    real, fake = np.asarray(real, np.float64), np.asarray(fake, np.float64)
    radii = _knn_radii(real, k)
    counts = np.zeros(len(real), np.int64)
    density = 0.0
    for start in range(0, len(fake), 1024):
        inside = _sq_distances(fake[start : start + 1024], real) < radii[None, :] ** 2
        density += inside.sum()
        counts += inside.sum(axis=0)
    return float(density / (k * len(fake))), float(np.mean(counts > 0))


def classifier_score(probabilities, splits=10):
    """``exp(E_x KL(p(y|x) || p(y)))``, the Inception Score with any classifier (Salimans et al. 2016).

    High when each image is classified confidently and the classes are spread evenly; at most
    the number of classes.

    Returns:
        ``(mean, std)`` over ``splits`` parts of (nearly) equal size.
    """
    probabilities = np.asarray(probabilities, np.float64)
    scores = []
    for part in np.array_split(probabilities, min(splits, len(probabilities))):
        marginal = part.mean(axis=0, keepdims=True)
        kl = np.sum(part * (np.log(part + 1e-12) - np.log(marginal + 1e-12)), axis=1)
        scores.append(np.exp(kl.mean()))
    return float(np.mean(scores)), float(np.std(scores))


def class_histogram(labels, num_classes):
    """Fraction of samples per class ``(num_classes,)`` from integer labels."""
    return np.bincount(np.asarray(labels, np.int64), minlength=num_classes)[:num_classes] / len(labels)


def classes_covered(histogram, reference, min_share=0.1):
    """Number of classes whose share is at least ``min_share`` of their share in ``reference``.

    With the default a class counts as covered when it appears at least a tenth as often as in
    the real data, so a generator that drops or nearly drops a digit is caught.
    """
    histogram, reference = np.asarray(histogram, np.float64), np.asarray(reference, np.float64)
    return int(np.sum((reference > 0) & (histogram >= min_share * reference)))


def class_kl_divergence(histogram, reference, eps=1e-6):
    """``KL(generated || real)`` of class distributions, in nats: 0 when they match.

    A generator collapsed onto class ``c`` scores ``-log q_c`` (``log K`` for ``K`` balanced classes).

    The mode-collapse measure of Metz et al. 2017 and Srivastava et al. 2017 (VEEGAN).
    """
    p = np.asarray(histogram, np.float64) + eps
    q = np.asarray(reference, np.float64) + eps
    p, q = p / p.sum(), q / q.sum()
    return float(np.sum(p * np.log(p / q)))


def conditional_accuracy(predicted, requested, num_classes):
    """Accuracy of a classifier on images generated for requested labels: overall and per class."""
    predicted, requested = np.asarray(predicted), np.asarray(requested)
    per_class = np.array([np.mean(predicted[requested == c] == c) if np.any(requested == c) else np.nan
                          for c in range(num_classes)])
    return float(np.mean(predicted == requested)), per_class


def mixture_modes(samples, centers, std, min_count=20):
    """Mode coverage of samples from a mixture of Gaussians with equal ``std`` (Srivastava et al. 2017).

    A sample is high quality when it lies within 3 standard deviations of its nearest centre;
    a mode is covered when at least ``min_count`` high-quality samples are assigned to it
    (PacGAN's protocol: 2,500 samples, 20 per mode).

    Args:
        samples: ``(n, dims)`` generated points.
        centers: ``(modes, dims)`` mode centres.
        std: standard deviation of every mode.
        min_count: high-quality samples a mode needs to count as covered.

    Returns:
        ``(modes_covered, high_quality_fraction, counts)`` with ``counts`` ``(modes,)`` the
        high-quality samples of each mode.
    """
    samples, centers = np.asarray(samples, np.float64), np.asarray(centers, np.float64)
    distances = np.sqrt(_sq_distances(samples, centers))
    nearest = distances.argmin(1)
    good = distances[np.arange(len(samples)), nearest] <= 3 * std
    counts = np.bincount(nearest[good], minlength=len(centers))
    return int(np.sum(counts >= min_count)), float(np.mean(good)), counts


def _psd_sqrt(matrix):
    values, vectors = np.linalg.eigh(matrix)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T


def _sq_distances(a, b):
    return np.maximum(np.sum(a**2, 1)[:, None] + np.sum(b**2, 1)[None, :] - 2 * a @ b.T, 0)


def _knn_radii(points, k):
    """Distance from each point to its ``k``-th nearest other point."""
    if len(points) <= k:
        raise ValueError(f"need more than k={k} points, got {len(points)}")
    radii = np.empty(len(points), np.float64)
    for start in range(0, len(points), 1024):
        distances = _sq_distances(points[start : start + 1024], points)
        # column 0 of the sorted row is the point itself (distance 0)
        radii[start : start + 1024] = np.sqrt(np.partition(distances, k, axis=1)[:, k])
    return radii


def _inside_any_ball(queries, centres, radii):
    """For each query, the number of balls ``(centres, radii)`` that contain it."""
    counts = np.empty(len(queries), np.int64)
    for start in range(0, len(queries), 1024):
        counts[start : start + 1024] = np.sum(
            _sq_distances(queries[start : start + 1024], centres) <= radii[None, :] ** 2, axis=1
        )
    return counts
