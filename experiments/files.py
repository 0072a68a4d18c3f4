"""Atomic file writes: a reader never sees a half-written file, even after Ctrl-C or a crash."""

import contextlib
import os

__all__ = ["atomic_path"]


@contextlib.contextmanager
def atomic_path(path):
    """Yields a hidden temporary path beside ``path``; on success renames it over ``path``.

    The temporary name keeps the extension (Keras, Pillow and NumPy choose formats by it)
    and starts with a dot, so globs such as ``epoch_*.png`` never match it.
    """
    folder, name = os.path.split(os.fspath(path))
    stem, extension = os.path.splitext(name)
    temporary = os.path.join(folder, f".{stem}.{os.getpid()}.tmp{extension}")
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
