"""Reading an optimizer's state, for steps that simulate it (the unrolled GAN of Metz et al. 2017)."""

import keras
import tensorflow as tf

__all__ = ["adam_moments"]


def adam_moments(optimizer, variables):
    """Adam's first and second moment estimates of ``variables``, as tensor copies.

    Keras keeps them in private slots (``_momentums``, ``_velocities``, indexed by
    ``_get_variable_index``); this is the one place that reads them, and
    ``tests/gan_tf/test_optimizers.py`` checks their values, so a Keras release that moves them
    fails there loudly instead of silently unrolling from wrong moments.

    Args:
        optimizer: a built ``keras.optimizers.Adam`` (one that has taken a step or ``build(variables)``).
        variables: the variables it updates, e.g. ``network.trainable_variables``.

    Returns:
        ``(first, second)``: two lists of tensors shaped like ``variables``.

    Raises:
        TypeError: ``optimizer`` is not Adam.
        RuntimeError: Keras no longer keeps Adam's moments where this function reads them.
    """
    if type(optimizer) is not keras.optimizers.Adam:
        raise TypeError(f"adam_moments needs a keras.optimizers.Adam, got {type(optimizer).__name__}")
    try:
        slots = [optimizer._get_variable_index(v) for v in variables]
        return ([tf.identity(optimizer._momentums[i].value) for i in slots],
                [tf.identity(optimizer._velocities[i].value) for i in slots])
    except (AttributeError, KeyError, IndexError) as error:
        raise RuntimeError(f"this Keras ({keras.__version__}) no longer keeps Adam's moments in _momentums and "
                           f"_velocities ({error}); update gan_tf.optimizers.adam_moments") from error
