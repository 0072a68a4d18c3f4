"""The feature extractor and the full report, on bundled digits with a tiny training budget."""

import keras
import numpy as np
import pytest

from data import load_digits, normalize_images
from eval_tf import RealReference, build_classifier, evaluate_images, load_or_train_extractor
from eval_tf.classifier import extractor_id

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def digits():
    return load_digits("train", limit=1500), load_digits("test", limit=600)


@pytest.fixture(scope="module")
def extractor(digits, tmp_path_factory):
    train, test = digits
    return load_or_train_extractor("digits", train, test, cache_dir=tmp_path_factory.mktemp("extractors"),
                                   epochs=8, min_steps=0, batch_size=64, verbose=0)


def test_classifier_shapes():
    model = build_classifier((32, 32, 3), 7)
    assert model.output_shape == (None, 7) and model.get_layer("embedding").output.shape == (None, 256)


def test_extractor_is_cached_by_content(digits, tmp_path, capsys):
    train, _ = digits
    small = train.take(200)
    first, identity = load_or_train_extractor("digits", small, cache_dir=tmp_path, epochs=1, min_steps=0, verbose=0)
    assert "training the digits feature extractor" in capsys.readouterr().err
    again, same = load_or_train_extractor("digits", small, cache_dir=tmp_path, epochs=1, min_steps=0, verbose=0)
    assert same == identity and "training" not in capsys.readouterr().err
    assert (tmp_path / f"digits-{identity}.keras").is_file()
    settings = {"epochs": 1, "min_steps": 0}
    assert extractor_id(small, settings) == extractor_id(small, settings)  # stable while other models are built
    assert extractor_id(train.take(201), settings) != extractor_id(small, settings)
    assert extractor_id(small, {"epochs": 2, "min_steps": 0}) != extractor_id(small, settings)
    _, other = load_or_train_extractor("digits", small, cache_dir=tmp_path, epochs=1, min_steps=0, batch_size=64,
                                       verbose=0)
    assert other != identity  # a default-valued setting changed: a new extractor
    (tmp_path / f"digits-{identity}.keras").write_bytes(b"damaged")
    _, rebuilt = load_or_train_extractor("digits", small, cache_dir=tmp_path, epochs=1, min_steps=0, verbose=0)
    assert rebuilt == identity and "is damaged (" in capsys.readouterr().err
    assert keras.models.load_model(tmp_path / f"digits-{identity}.keras").output_shape[-1] == 10


def test_extractor_learns_the_digits(extractor, digits, capsys):
    model, _ = extractor
    _, test = digits
    predicted = model.predict(np.asarray(normalize_images(test.images)), verbose=0).argmax(1)
    assert np.mean(predicted == test.labels) > 0.9


def test_real_against_real_is_near_zero_and_collapse_is_flagged(extractor, digits):
    model, identity = extractor
    train, test = digits
    reference = RealReference(model, identity, test, "test")
    real = evaluate_images(reference, np.asarray(normalize_images(train.take(600).images)))
    assert real["n_real"] == 600 and real["n_fake"] == 600 and real["split"] == "test"
    assert real["extractor"] == identity
    assert real["classes_covered"] == 10 and real["class_kl"] < 0.05
    assert real["recall"] > 0.6 and real["coverage"] > 0.6
    one_image = np.repeat(np.asarray(normalize_images(train.images[:1])), 600, axis=0)
    collapsed = evaluate_images(reference, one_image)
    assert collapsed["classes_covered"] == 1 and collapsed["class_kl"] > 2.0
    assert collapsed["recall"] < 0.05 and collapsed["coverage"] < 0.05
    assert collapsed["fid"] > 10 * max(real["fid"], 1e-3) and collapsed["kid"] > 10 * abs(real["kid"])
    noise = np.random.default_rng(0).uniform(-1, 1, (600, 28, 28, 1)).astype("float32")
    assert evaluate_images(reference, noise)["precision"] < real["precision"]


def test_conditional_accuracy_of_real_images_asked_for_their_own_or_wrong_labels(extractor, digits):
    model, identity = extractor
    train, test = digits
    reference = RealReference(model, identity, test, "test")
    images, labels = np.asarray(normalize_images(train.take(300).images)), train.labels[:300]
    right = evaluate_images(reference, images, requested=labels)
    wrong = evaluate_images(reference, images, requested=(labels + 1) % 10)
    assert right["conditional_accuracy"] > 0.9 > 0.1 > wrong["conditional_accuracy"]
    assert len(right["conditional_accuracy_per_class"]) == 10
    assert "conditional_accuracy" not in evaluate_images(reference, images)


def test_inception_path_with_random_weights(extractor, digits, tmp_path, monkeypatch):
    from eval_tf.inception import InceptionWeightsMissing, build_inception, inception_features
    from eval_tf.report import inception_metrics

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(InceptionWeightsMissing,
                       match="put inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5 in"):
        build_inception()
    model = build_inception(weights=None)
    features = inception_features(model, np.zeros((3, 28, 28, 1), np.float32))
    assert features.shape == (3, 2048) and np.all(np.isfinite(features))
    classifier, identity = extractor
    _, test = digits
    reference = RealReference(classifier, identity, test.take(12), "test")
    same = inception_metrics(model, reference, np.asarray(normalize_images(test.images[:12])))
    different = inception_metrics(model, reference, np.asarray(normalize_images(test.images[12:24])))
    assert abs(same["inception_fid"]) < 1e-3 * different["inception_fid"]
