import numpy as np

from data import load_digits, render_digits


def test_render_is_deterministic_and_prefix_stable():
    a = render_digits(20, seed=3)
    b = render_digits(20, seed=3)
    prefix = render_digits(10, seed=3)
    assert np.array_equal(a.images, b.images)
    assert np.array_equal(a.images[:10], prefix.images)
    assert not np.array_equal(a.images, render_digits(20, seed=4).images)


def test_digits_look_like_mnist():
    data = render_digits(100)
    assert data.images.shape == (100, 28, 28, 1) and data.images.dtype == np.uint8
    assert np.bincount(data.labels, minlength=10).tolist() == [10] * 10
    assert data.class_names == tuple("0123456789")
    ink = data.images[..., 0].astype(float)
    assert ink.max() >= 200
    ys, xs = np.mgrid[:28, :28]
    centre_y = (ink * ys).sum(axis=(1, 2)) / ink.sum(axis=(1, 2))
    centre_x = (ink * xs).sum(axis=(1, 2)) / ink.sum(axis=(1, 2))
    assert np.all(np.abs(centre_y - 13.5) < 1.5) and np.all(np.abs(centre_x - 13.5) < 1.5)
    # a border like MNIST's: the outer 2 pixels are nearly empty
    assert ink[:, :2].mean() < 2 and ink[:, -2:].mean() < 2


def test_same_class_varies_and_classes_differ():
    data = render_digits(200)
    flat = data.images.reshape(200, -1).astype(float) / 255
    ones = flat[data.labels == 1]
    assert not np.array_equal(ones[0], ones[1])
    class_means = np.stack([flat[data.labels == k].mean(axis=0) for k in range(10)])
    within = np.mean([np.linalg.norm(flat[data.labels == k] - class_means[k], axis=1).mean() for k in range(10)])
    between = np.mean([np.linalg.norm(class_means[i] - class_means[j]) for i in range(10) for j in range(i)])
    assert between > 0.5 * within


def test_limit_takes_a_prefix_of_the_split(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    train, test = load_digits("train", limit=12), load_digits("test", limit=12)
    assert len(train) == 12 and not np.array_equal(train.images, test.images)
    assert not list(tmp_path.iterdir())  # partial splits are not cached
