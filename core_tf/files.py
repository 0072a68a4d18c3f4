"""Atomic file writes (a reader never sees a half-written file, even after Ctrl-C or a crash), and
the JSON and table files built on them."""

import contextlib
import csv
import json
import os
import re

__all__ = ["atomic_path", "read_json", "remove_temporaries", "write_csv", "write_json", "write_markdown_table"]

TEMPORARY = re.compile(r"\..+\.\d+\.tmp(\.[^.]+)?")  # atomic_path's names: .<stem>.<pid>.tmp<extension>


@contextlib.contextmanager
def atomic_path(path):
    """Yields a hidden temporary path beside ``path``; on success renames it over ``path``.

    The temporary name keeps the extension (Keras, Pillow and NumPy choose formats by it)
    and starts with a dot, so globs such as ``epoch_*.png`` never match it.

    Raises:
        FileNotFoundError, PermissionError: naming ``path`` (not the temporary file) when its
            folder does not exist or cannot be written.
    """
    folder, name = os.path.split(os.fspath(path))
    if not os.path.isdir(folder or "."):
        raise FileNotFoundError(f"cannot write {path}: the folder {folder} does not exist")
    if not os.access(folder or ".", os.W_OK):
        raise PermissionError(f"cannot write {path}: the folder {folder or '.'} is not writable")
    stem, extension = os.path.splitext(name)
    temporary = os.path.join(folder, f".{stem}.{os.getpid()}.tmp{extension}")
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def remove_temporaries(folder):
    """Deletes what ``atomic_path`` leaves when its process is killed mid-write (``kill -9``); returns their count."""
    removed = 0
    for root, _, names in os.walk(folder):
        for name in names:
            if TEMPORARY.fullmatch(name):
                os.remove(os.path.join(root, name))
                removed += 1
    return removed


def write_json(values, path):
    """Writes ``values`` as indented JSON, atomically."""
    with atomic_path(path) as temporary, open(temporary, "w") as file:
        json.dump(values, file, indent=2)
        file.write("\n")


def read_json(path):
    """The JSON content of ``path``, or ``None`` when there is no such file."""
    if not os.path.isfile(path):
        return None
    with open(path) as file:
        return json.load(file)


def _columns(rows, columns):
    return list(columns or dict.fromkeys(key for row in rows for key in row))


def write_csv(rows, path, columns=None):
    """Writes dict ``rows`` as CSV; ``columns`` default to the keys in first-seen order, missing cells empty."""
    with atomic_path(path) as temporary, open(temporary, "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=_columns(rows, columns), restval="", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def write_markdown_table(rows, path, columns=None, digits=4):
    """Writes dict ``rows`` as a Markdown table; floats get ``digits`` decimals, missing cells stay empty."""
    columns = _columns(rows, columns)

    def cell(value):
        return f"{value:.{digits}f}" if isinstance(value, float) else "" if value is None else str(value)

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(row.get(c)) for c in columns) + " |" for row in rows]
    with atomic_path(path) as temporary, open(temporary, "w") as file:
        file.write("\n".join(lines) + "\n")
