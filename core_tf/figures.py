"""Matplotlib figures that never touch pyplot, so no importer's backend or open windows change."""

from matplotlib.figure import Figure

from core_tf.files import atomic_path

__all__ = ["new_figure", "save_figure"]


def new_figure(rows=1, columns=1, figsize=None, **subplots):
    """``(figure, axes)``: a ``matplotlib.figure.Figure`` with ``figure.subplots(rows, columns, **subplots)``.

    The figure belongs to no pyplot window or backend; ``save_figure`` writes it.
    """
    figure = Figure(figsize=figsize)
    return figure, figure.subplots(rows, columns, **subplots)


def save_figure(figure, path, dpi=100, tight=True):
    """Lays ``figure`` out (``tight``) and writes it atomically; the extension picks the format."""
    if tight:
        figure.tight_layout()
    with atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=dpi)
