"""The application layer: training runs, samples, comparisons and searches for every model family.

``lab_tf.families`` holds one folder per family and the registry; the shared modules
(``training``, ``callbacks``, ``tuning``, ``compare``, ``sampling``, ``metrics``, ``run_dir``, ``report``)
name no family. The library packages (``gan_tf``, ``vae_tf``, ``mlp_tf``, ``data``, ``eval_tf``,
``core_tf``) never import this one.
"""

import core_tf  # noqa: F401  (selects the TensorFlow backend before Keras loads)
