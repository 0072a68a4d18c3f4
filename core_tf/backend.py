"""Selects the TensorFlow backend for Keras before Keras is first imported."""

import os
import sys

__all__ = ["use_tensorflow_backend"]


def use_tensorflow_backend():
    """Sets ``KERAS_BACKEND=tensorflow``, or fails if Keras already runs on another backend."""
    if "keras" in sys.modules:
        backend = sys.modules["keras"].backend.backend()
        if backend != "tensorflow":
            raise ImportError(
                f"this package needs the Keras TensorFlow backend, but Keras was already imported "
                f"with the {backend!r} backend; set KERAS_BACKEND=tensorflow before importing keras"
            )
    os.environ["KERAS_BACKEND"] = "tensorflow"
    # TensorFlow's C++ start-up chatter hides the messages users need to read.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
