"""A pool of earlier generated images for the discriminator (Shrivastava et al. 2017, section 2.3)."""

import keras
import tensorflow as tf
from keras import ops

from core_tf.distribute import on_global_batch

__all__ = ["ImagePool"]


@keras.saving.register_keras_serializable(package="gan_tf")
class ImagePool(keras.layers.Layer):
    """Keeps the last ``size`` generated images and mixes them into what the discriminator sees.

    Training the discriminator on a history of generated images, not only the newest ones,
    damps the oscillation of the two players (Shrivastava et al. 2017; CycleGAN keeps 50,
    Zhu et al. 2017, section 4). Semantics of the reference implementation, per image: while
    the pool is not full, the image is stored and returned; afterwards, with probability 1/2
    it is returned as it is, otherwise a random stored image is returned and the new one
    takes its place. The pool is the layer's (non-trainable) state, so it works inside a
    compiled step and is saved with the model. Under a ``tf.distribute`` strategy it is one pool
    of the global batch's images. ``size=0`` returns the images unchanged.

    Input and output ``(batch, height, width, channels)``.

    Args:
        size: images kept (50 in the paper).
        seed: seed of the random choices.
    """

    def __init__(self, size=50, seed=None, **kwargs):
        super().__init__(**kwargs)
        if size < 0:
            raise ValueError(f"size must be at least 0, got {size}")
        self.size = size
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def build(self, input_shape):
        if self.size:
            self.images = self.add_weight(shape=(self.size, *input_shape[1:]), initializer="zeros",
                                          trainable=False, dtype="float32", name="images")
            self.count = self.add_weight(shape=(), initializer="zeros", trainable=False, dtype="int32", name="count")

    def call(self, images):
        if not self.size:
            return images
        # under a strategy every replica exchanges the global batch in the same way: one pool, as on one device
        return on_global_batch(self._exchange, ops.cast(images, "float32"))

    def _exchange(self, images):
        """What the discriminator sees of ``images``, the pool updated."""
        batch = ops.shape(images)[0]
        slots = self.count + ops.arange(batch, dtype="int32")
        filling = slots < self.size
        swapping = ops.logical_and(ops.logical_not(filling),
                                   keras.random.uniform((batch,), seed=self.seed_generator) < 0.5)
        replaced = ops.cast(keras.random.uniform((batch,), 0, self.size, seed=self.seed_generator), "int32")
        slots = ops.where(filling, slots, ops.minimum(replaced, self.size - 1))
        stored = ops.take(self.images, slots, axis=0)
        returned = ops.where(swapping[:, None, None, None], stored, images)
        writes = ops.logical_or(filling, swapping)
        # Of images drawn to one slot, the last is stored, as in the reference's loop (a scatter leaves the order of
        # duplicate indices undefined, so replicas could store different ones).
        order = ops.arange(batch)
        later = ops.logical_and(ops.expand_dims(order, 1) < ops.expand_dims(order, 0), ops.expand_dims(writes, 0))
        overwritten = ops.any(ops.logical_and(ops.expand_dims(slots, 1) == ops.expand_dims(slots, 0), later), axis=1)
        writes = ops.logical_and(writes, ops.logical_not(overwritten))
        self.images.assign(tf.tensor_scatter_nd_update(
            self.images, tf.boolean_mask(slots, writes)[:, None], tf.boolean_mask(images, writes)))
        self.count.assign(ops.minimum(self.count + batch, self.size))
        return returned

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "size": self.size, "seed": self.seed}
