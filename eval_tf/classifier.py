"""Per-dataset feature extractors: small CNN classifiers trained on the real training split.

The classifier's penultimate layer (``embedding``) gives the features for Fréchet / kernel
distances and precision/recall; its softmax gives class histograms and the classifier
score. A trained extractor is cached under an id that hashes the training images, their
labels, the network's architecture and the training settings, so the same data always
gives the same extractor, and every metric can name the extractor it was computed with.
"""

import hashlib
import inspect
import json
import os
import sys

import keras
import numpy as np
from keras import layers

from core_tf.files import atomic_path
from data.keras_files import keras_cache_dir
from data.loaders import make_dataset

__all__ = ["build_classifier", "extractor_id", "feature_model", "features_and_probabilities", "load_or_train_extractor",
           "train_classifier"]

EMBEDDING = "embedding"


def build_classifier(image_shape, num_classes, width=32, name="classifier"):
    """A VGG-style CNN: three blocks of two 3x3 convolutions with batch norm, then a 256-unit embedding.

    Args:
        image_shape: ``(height, width, channels)``, images in [-1, 1].
        num_classes: number of output classes.
        width: filters of the first block (doubled in each later block).
        name: model name.

    Returns:
        A functional ``keras.Model`` mapping images to class probabilities ``(batch, num_classes)``;
        its layer named ``embedding`` gives the features ``(batch, 256)``.
    """
    images = keras.Input(tuple(image_shape), name="images")
    x = images
    # Explicit layer names keep the architecture's JSON, and so the extractor id, the same in any process.
    for block in range(3):
        for conv in range(2):
            x = layers.Conv2D(width * 2**block, 3, padding="same", use_bias=False, name=f"block{block}_conv{conv}")(x)
            x = layers.BatchNormalization(momentum=0.9, name=f"block{block}_norm{conv}")(x)
            x = layers.ReLU(name=f"block{block}_relu{conv}")(x)
        pool = layers.MaxPooling2D if block < 2 else layers.GlobalAveragePooling2D
        x = pool(name=f"block{block}_pool")(x)
        x = layers.Dropout(0.1 * (block + 1), name=f"block{block}_dropout")(x)
    x = layers.Dense(256, activation="relu", name=EMBEDDING)(x)
    x = layers.Dropout(0.3, name="embedding_dropout")(x)
    probabilities = layers.Dense(num_classes, activation="softmax", dtype="float32", name="probabilities")(x)
    return keras.Model(images, probabilities, name=name)


def train_classifier(train, test=None, epochs=8, min_steps=600, batch_size=128, seed=0, augment=False,
                     verbose=2):
    """Trains ``build_classifier`` on labelled ``ImageData``; returns ``(model, test_accuracy or None)``.

    Adam with a cosine-decayed learning rate; ``augment`` adds random translations and, for
    colour images, horizontal flips. Small sets train for more epochs, so that at least
    ``min_steps`` steps run: batch norm needs them to settle its moving statistics.
    """
    _require_labels(train)
    keras.utils.set_random_seed(seed)
    num_classes = len(train.class_names)
    model = build_classifier(train.image_shape, num_classes)
    steps_per_epoch = int(np.ceil(len(train) / batch_size))
    epochs = max(epochs, int(np.ceil(min_steps / steps_per_epoch)))
    steps = epochs * steps_per_epoch
    model.compile(optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(2e-3, steps)),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    dataset = make_dataset(train, batch_size, seed=seed, with_labels=True)
    if augment:
        augmenter = _augmenter(train.image_shape, seed)
        dataset = dataset.map(lambda x, y: (augmenter(x, training=True), y))
    model.fit(dataset, epochs=epochs, verbose=verbose, shuffle=False)  # make_dataset shuffles
    accuracy = None
    if test is not None:
        accuracy = float(model.evaluate(make_dataset(test, 512, shuffle=False, with_labels=True), verbose=0)[1])
    return model, accuracy


def _require_labels(data):
    if data.labels is None:
        raise ValueError("image-quality metrics need a labelled dataset to train their feature extractor; "
                         "put the images in class subfolders")


def _augmenter(image_shape, seed):
    augment = [layers.RandomTranslation(0.1, 0.1, fill_mode="constant", fill_value=-1.0, seed=seed)]
    if image_shape[-1] == 3:
        augment.append(layers.RandomFlip("horizontal", seed=seed))
    return keras.Sequential(augment)


def extractor_id(train, settings=None):
    """Short hash naming an extractor: training images, labels, architecture and ``train_classifier`` settings."""
    _require_labels(train)
    architecture = build_classifier(train.image_shape, len(train.class_names)).to_json()
    digest = hashlib.sha256()
    digest.update(np.ascontiguousarray(train.images).tobytes())
    digest.update(np.asarray(train.labels, np.int64).tobytes())
    digest.update(architecture.encode())
    digest.update(json.dumps(settings or {}, sort_keys=True).encode())
    return digest.hexdigest()[:12]


def load_or_train_extractor(name, train, test=None, cache_dir=None, **train_kwargs):
    """The cached classifier for ``train``, trained (with progress shown) on first use.

    Args:
        name: dataset name, used in the file name (``mnist``, ``folder-cats``, ...).
        train: labelled training ``ImageData``.
        test: optional labelled ``ImageData`` for the accuracy printed after training.
        cache_dir: where extractors live; default ``<Keras cache>/../gan_tf-extractors``.
        **train_kwargs: passed to ``train_classifier``.

    Returns:
        ``(model, extractor_id)``.
    """
    cache_dir = cache_dir or os.path.join(os.path.dirname(keras_cache_dir()), "gan_tf-extractors")
    settings = inspect.signature(train_classifier).bind(train, **train_kwargs)
    settings.apply_defaults()
    identity = extractor_id(train, {k: v for k, v in settings.arguments.items()
                                    if k not in ("train", "test", "verbose")})
    path = os.path.join(cache_dir, f"{name}-{identity}.keras")
    if os.path.isfile(path):
        try:
            return keras.models.load_model(path, safe_mode=True), identity
        except Exception as error:  # Keras raises many types for a damaged file; the cache can be rebuilt
            print(f"the cached extractor {path} is damaged ({type(error).__name__}); training it again",
                  file=sys.stderr, flush=True)
    print(f"training the {name} feature extractor on {len(train)} images (first use only; cached in {path})",
          file=sys.stderr, flush=True)
    model, accuracy = train_classifier(train, test, **train_kwargs)
    if accuracy is not None:
        print(f"{name} feature extractor {identity}: test accuracy {accuracy:.4f}", file=sys.stderr, flush=True)
    os.makedirs(cache_dir, exist_ok=True)
    with atomic_path(path) as temporary:
        model.save(temporary)
    return model, identity


def feature_model(classifier):
    """The classifier with two outputs: its ``embedding`` features and its class probabilities."""
    return keras.Model(classifier.inputs, [classifier.get_layer(EMBEDDING).output, classifier.outputs[0]])


def features_and_probabilities(model, images, batch_size=512):
    """Embeddings ``(n, 256)`` and class probabilities ``(n, classes)`` of float images in [-1, 1].

    Args:
        model: a ``feature_model``; build it once and reuse it, so ``predict`` traces once.
        images: float images in [-1, 1] ``(n, height, width, channels)``.
        batch_size: images per forward pass.
    """
    features, probabilities = model.predict(np.asarray(images, np.float32), batch_size=batch_size, verbose=0)
    return features.astype(np.float64), probabilities.astype(np.float64)
