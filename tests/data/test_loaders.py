import numpy as np
import pytest

from data import (
    DatasetFileError,
    DatasetNotFoundError,
    EmptyFolderError,
    conform_images,
    denormalize_images,
    load_dataset,
    load_images,
    load_keras_dataset,
    make_dataset,
    normalize_images,
)
from helpers import write_keras_npz


def test_npz_in_keras_layout_from_data_dir(data_dir):
    data = load_keras_dataset("mnist", "test", data_dir=data_dir, download=False)
    assert data.images.shape == (20, 28, 28, 1) and data.images.dtype == np.uint8
    assert data.labels.dtype == np.int32 and data.labels.tolist()[:3] == [0, 1, 2]
    cifar = load_keras_dataset("cifar10", "train", data_dir=data_dir, download=False)
    assert cifar.images.shape == (40, 32, 32, 3) and cifar.labels.shape == (40,)
    assert cifar.class_names[0] == "airplane"


def test_keras_cache_is_searched_after_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    (tmp_path / "home" / "datasets").mkdir(parents=True)
    arrays = write_keras_npz(tmp_path / "home" / "datasets" / "mnist.npz", (28, 28), n_train=7)
    (tmp_path / "elsewhere").mkdir()
    data = load_keras_dataset("mnist", "train", data_dir=tmp_path / "elsewhere", download=False)
    assert np.array_equal(data.images[..., 0], arrays["x_train"])


def test_missing_file_offline_says_where_to_put_it(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    with pytest.raises(DatasetNotFoundError) as error:
        load_keras_dataset("fashion_mnist", data_dir=tmp_path, download=False)
    message = str(error.value)
    assert "fashion_mnist.npz" in message and str(tmp_path) in message and "--dataset digits" in message
    assert "\n" not in message


def test_data_dir_that_is_not_a_folder(tmp_path):
    with pytest.raises(DatasetNotFoundError, match="missing is not a folder"):
        load_keras_dataset("mnist", data_dir=tmp_path / "missing", download=False)


def test_npz_missing_keys_is_a_clear_error(tmp_path):
    np.savez(tmp_path / "mnist.npz", images=np.zeros((2, 28, 28), np.uint8))
    with pytest.raises(DatasetFileError, match="mnist.npz lacks x_train, y_train"):
        load_keras_dataset("mnist", data_dir=tmp_path, download=False)


def test_normalisation_pair():
    pixels = np.array([0, 127, 128, 255], np.uint8)
    unit = np.asarray(normalize_images(pixels))
    assert unit.dtype == np.float32 and unit[0] == -1 and unit[-1] == 1
    assert np.array_equal(denormalize_images(unit), pixels)
    assert denormalize_images(np.array([-3.0, 3.0])).tolist() == [0, 255]


def test_conform_resizes_and_converts_channels():
    images = np.full((2, 28, 28, 1), 200, np.uint8)
    out = conform_images(images, (32, 32), 3)
    assert out.shape == (2, 32, 32, 3) and out.dtype == np.uint8
    assert abs(int(out[0, 16, 16, 0]) - 200) <= 1
    grey = conform_images(np.full((1, 4, 4, 3), (255, 0, 0), np.uint8), channels=1)
    assert grey.shape == (1, 4, 4, 1) and 70 <= grey[0, 0, 0, 0] <= 80  # ITU-R 601 luma of red


def test_dataset_batches_values_and_labels(data_dir):
    dataset = load_dataset("mnist", batch_size=16, with_labels=True, data_dir=data_dir, download=False)
    batches = list(dataset)
    assert [len(x) for x, _ in batches] == [16, 16, 8]
    images, labels = batches[0]
    assert images.dtype.name == "float32" and images.shape[1:] == (28, 28, 1)
    assert float(np.min(images)) >= -1 and float(np.max(images)) <= 1
    assert labels.dtype.name == "int32"


def test_shuffle_is_seeded(data_dir):
    data = load_images("mnist", data_dir=data_dir, download=False)
    first = lambda seed: np.asarray(next(iter(make_dataset(data, 8, seed=seed))))  # noqa: E731
    assert np.array_equal(first(1), first(1))
    assert not np.array_equal(first(1), first(2))
    epochs = make_dataset(data, 40, seed=1)
    assert not np.array_equal(next(iter(epochs)), next(iter(epochs)))  # reshuffled each epoch


def test_load_images_resizes_keras_data_and_limits(data_dir):
    data = load_images("mnist", image_size=(32, 32), channels=3, limit=5, data_dir=data_dir, download=False)
    assert data.images.shape == (5, 32, 32, 3) and len(data.labels) == 5


def test_unknown_source_lists_valid_ones():
    with pytest.raises(ValueError,
                       match="unknown dataset 'imagenet'; valid: mnist, fashion_mnist, cifar10, digits, mnist-m, "
                             "digits-m, mnist-inverted, digits-inverted, folder:PATH"):
        load_images("imagenet")


def test_folder_nested_formats_labels_and_corrupt_file(image_folder, capsys):
    data = load_images(f"folder:{image_folder}", image_size=(16, 24), channels=3)
    assert data.images.shape == (5, 16, 24, 3)
    assert data.class_names == ("cats", "dogs")
    assert data.labels.tolist() == [0, 0, 0, 1, 1]
    warning = capsys.readouterr().err.strip().splitlines()
    assert len(warning) == 1 and "skipped 1 unreadable" in warning[0] and "broken.jpg" in warning[0]


def test_folder_grayscale_and_unlabelled(tmp_path):
    from PIL import Image

    for i in range(3):
        Image.new("RGB", (10, 20), (255, 0, 0)).save(tmp_path / f"{i}.png")
    data = load_images(f"folder:{tmp_path}", image_size=(8, 8), channels=1)
    assert data.images.shape == (3, 8, 8, 1) and data.labels is None
    with pytest.raises(ValueError, match="labelled dataset"):
        make_dataset(data, 2, with_labels=True)


def test_empty_or_missing_folder_is_a_clear_error(tmp_path):
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    (tmp_path / "empty" / "sub" / "readme.txt").write_text("no images")
    with pytest.raises(EmptyFolderError, match="no images"):
        load_images(f"folder:{tmp_path / 'empty'}")
    with pytest.raises(EmptyFolderError, match="does not exist"):
        load_images(f"folder:{tmp_path / 'missing'}")
