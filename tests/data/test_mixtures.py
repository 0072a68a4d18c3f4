import numpy as np
import pytest

from data import load_images, load_mixture, make_point_dataset
from eval_tf.metrics import mixture_modes


@pytest.mark.parametrize("name, modes, std, spread", [("ring8", 8, 0.02, 2.0), ("grid25", 25, 0.05, 4.0)])
def test_mixtures_are_fixed_and_every_mode_is_covered_by_real_points(name, modes, std, spread):
    train, again, test = load_mixture(name), load_mixture(name), load_mixture(name, "test")
    assert train.points.dtype == np.float32 and train.points.shape == (25600, 2) and len(test) == 5000
    assert np.array_equal(train.points, again.points) and not np.array_equal(train.points[:5000], test.points)
    assert len(train.centers) == modes and train.std == std and np.abs(train.centers).max() == pytest.approx(spread)
    # points sit around their own mode with the stated spread
    offsets = train.points - train.centers[train.labels]
    assert offsets.std() == pytest.approx(std, rel=0.05)
    covered, quality, _ = mixture_modes(test.points[:2500], test.centers, test.std)
    assert covered == modes and quality > 0.98
    assert len(train.take(100)) == 100 and train.image_shape == (2,)


def test_point_dataset_batches_and_images_loader_refuses_points():
    batches = list(make_point_dataset(load_mixture("ring8", limit=10), 4, seed=0))
    assert [tuple(b.shape) for b in batches] == [(4, 2), (4, 2), (2, 2)]
    with pytest.raises(ValueError, match="ring8 holds 2-D points, not images"):
        load_images("ring8")
    with pytest.raises(ValueError, match="unknown mixture"):
        load_mixture("ring9")
