"""Experiment plumbing shared by every model family: configs, run directories, callbacks, figures.

Import the submodules you need; this package's ``__init__`` stays light so that
``experiments.backend`` can run before Keras is imported.
"""
