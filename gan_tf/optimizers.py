"""Optimizer helpers: reading Adam's state for steps that simulate it (the unrolled GAN of Metz et al. 2017),
the constant-then-linear learning-rate schedule of CycleGAN, and the compile config of trainers with several
optimizers."""

import keras
import tensorflow as tf
from keras import ops

__all__ = ["ConstantThenLinearDecay", "adam_moments", "compile_from_saved", "saved_compile_config"]


@keras.saving.register_keras_serializable(package="gan_tf")
class ConstantThenLinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """``learning_rate`` for ``constant_steps``, then a straight line to 0 over ``decay_steps``.

    CycleGAN's schedule (Zhu et al. 2017, section 4: 100 epochs at 2e-4, then 100 decaying
    linearly to zero); afterwards the rate stays at 0.
    """

    def __init__(self, learning_rate, constant_steps, decay_steps):
        if learning_rate <= 0 or constant_steps < 0 or decay_steps < 1:
            raise ValueError(f"need learning_rate > 0, constant_steps >= 0 and decay_steps >= 1, got {learning_rate}, "
                             f"{constant_steps} and {decay_steps}")
        self.learning_rate, self.constant_steps, self.decay_steps = learning_rate, constant_steps, decay_steps

    def __call__(self, step):
        into_decay = ops.cast(step, "float32") - self.constant_steps
        fraction = ops.clip(into_decay / self.decay_steps, 0.0, 1.0)
        return self.learning_rate * (1.0 - fraction)

    def get_config(self):
        return {"learning_rate": self.learning_rate, "constant_steps": self.constant_steps,
                "decay_steps": self.decay_steps}


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


def saved_compile_config(model, optimizers, **settings):
    """A trainer's ``get_compile_config``: its ``optimizers`` (attribute names; their state is saved with the
    weights), the ``compile`` ``settings``, ``jit_compile`` and ``steps_per_execution``; ``None`` before
    ``compile``."""
    if not model.compiled:
        return None
    return {**{name: keras.saving.serialize_keras_object(getattr(model, name)) for name in optimizers}, **settings,
            "jit_compile": model.jit_compile, "steps_per_execution": model.steps_per_execution}


def compile_from_saved(model, config, optimizers):
    """A trainer's ``compile_from_config``: compiles ``model`` again from ``saved_compile_config``'s output; the
    optimizers' saved state is loaded afterwards."""
    config = dict(config)
    for name in optimizers:
        config[name] = keras.saving.deserialize_keras_object(config[name])
    model.compile(**config)
