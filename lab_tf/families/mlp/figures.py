"""Figures of the MLP family's runs; the drawing itself is ``mlp_tf``'s (its figures are part of the library)."""

from mlp_tf import plot_classifier_history, plot_comparison

__all__ = ["plot_classifier_history", "plot_comparison"]
