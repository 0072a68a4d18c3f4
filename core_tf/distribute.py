"""Training on several devices or machines with ``tf.distribute``, and what a custom training step needs there.

Under a strategy every replica runs the step on its share of the global batch and the optimizer
sums the replicas' gradients. A custom step (``GAN.train_step``) therefore:

- scales each loss it averaged over its share with ``global_mean`` (penalties included), so the
  summed gradients are those of the mean over the global batch, and logs the unscaled value;
- draws its noise with ``replica_draw``: one draw for the global batch, of which each replica
  keeps its own rows, so replicas differ and the run equals one device's with the same noise;
- trains networks from ``for_replicas``: batch norm synchronised over the replicas, dropout
  masks drawn like ``replica_draw`` (Keras' own ``Dropout`` gives every replica the same mask).

Without a strategy, or with one replica, none of them changes anything. ``fit`` here runs the
same ``train_step`` under a strategy in a loop of its own, each global batch split into
contiguous shares: Keras 3's ``fit`` fails under ``MultiWorkerMirroredStrategy``
(keras-team/keras#20585), and under ``MirroredStrategy`` the dataset rewrite it relies on
regroups a shuffled dataset's samples, so replicas would not train on one device's batches.
"""

import functools
import json
import os

import keras
import tensorflow as tf
from keras import layers, ops

__all__ = ["STRATEGIES", "ReplicaDropout", "apply_if", "fit", "for_replicas", "global_mean",
           "is_chief", "make_strategy", "num_replicas", "on_global_batch", "replica_draw", "replica_head",
           "replica_mean"]

STRATEGIES = ("mirrored", "multiworker")


def make_strategy(name=None):
    """The ``tf.distribute`` strategy ``name``.

    ``None``: the default strategy (one device). ``"mirrored"``: ``MirroredStrategy`` over every
    local GPU, or every logical CPU device where there is none. ``"multiworker"``:
    ``MultiWorkerMirroredStrategy`` over the cluster in the ``TF_CONFIG`` environment variable;
    create it before any other TensorFlow work of the process, which it configures.

    One strategy of each name serves the whole process: two would number their collective operations
    alike, and the runs of one process (a comparison) would mix them up.

    Raises:
        ValueError: an unknown name, or ``"multiworker"`` without a ``TF_CONFIG`` naming this task.
    """
    if name is None:
        return tf.distribute.get_strategy()
    return _strategy(name)


@functools.cache
def _strategy(name):
    if name == "mirrored":
        devices = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
        return tf.distribute.MirroredStrategy([device.name for device in devices])
    if name == "multiworker":
        try:
            cluster = json.loads(os.environ.get("TF_CONFIG") or "{}")
        except json.JSONDecodeError as error:
            raise ValueError(f"TF_CONFIG is not valid JSON ({error}); see docs/distributed.md") from None
        if not isinstance(cluster, dict) or not cluster.get("cluster") or not cluster.get("task"):
            raise ValueError("--distribute multiworker reads the cluster and this process's task from TF_CONFIG, "
                             "which does not name them; see docs/distributed.md for a two-worker example")
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise ValueError(f"unknown distribution strategy {name!r}; valid: {', '.join(STRATEGIES)}")


def is_chief(strategy):
    """Whether this process writes the run: always, except on a multi-worker cluster's other workers
    (the chief is the ``chief`` task, or worker 0 of a cluster without one)."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.task_type:
        return True
    if resolver.task_type == "chief":
        return True
    return resolver.task_type == "worker" and resolver.task_id == 0 and "chief" not in resolver.cluster_spec().jobs


def num_replicas():
    """Replicas the current strategy trains on (1 outside any)."""
    return tf.distribute.get_strategy().num_replicas_in_sync


def _replica_context():
    """The replica context of a step under a strategy of several replicas; ``None`` on one device or outside a
    replica's step."""
    context = tf.distribute.get_replica_context()
    return None if num_replicas() == 1 else context


def global_mean(loss):
    """A loss averaged over this replica's share of the batch, scaled so that the gradients the optimizer
    sums over the replicas are those of the mean over the global batch (as Keras scales its own losses)."""
    replicas = num_replicas()
    return loss if replicas == 1 else loss * ops.cast(1.0 / replicas, loss.dtype)


def replica_mean(value):
    """The mean of ``value`` over the replicas (``value`` itself on one device): a statistic of each replica's
    share, such as a batch mean, made the global batch's."""
    context = _replica_context()
    if context is None:
        return value
    return context.all_reduce(tf.distribute.ReduceOp.MEAN, value)


def replica_draw(draw, shape, seed, **kwargs):
    """``draw(shape, seed=seed, **kwargs)`` (``keras.random.normal``, ``uniform``, ...) for this replica's rows.

    Every replica draws the global batch, ``replicas * shape[0]`` rows, from the same seed state and
    keeps its own rows: replicas get different noise, and together exactly the noise one device
    draws for the global batch.
    """
    context = _replica_context()
    if context is None:
        return draw(shape, seed=seed, **kwargs)
    rows = shape[0] * num_replicas()
    return _own_rows(context, draw((rows, *shape[1:]), seed=seed, **kwargs), shape[0])


def on_global_batch(function, x):
    """``function(x)`` for a function of a whole batch with state of its own (the same on every replica), such as
    a pool of earlier images: under a strategy every replica applies it to the global batch (gathered from the
    replicas' shares) and keeps its own rows, so the state changes as on one device."""
    context = _replica_context()
    if context is None:
        return function(x)
    return _own_rows(context, function(context.all_gather(x, axis=0)), tf.shape(x)[0])


def _own_rows(context, x, rows):
    """This replica's ``rows`` rows of a global batch ``x`` (contiguous shares, the first to the first replica)."""
    start = context.replica_id_in_sync_group * rows
    return x[start:start + rows]


def replica_head(x, rows):
    """The rows of this replica's share of the global batch that are among its first ``rows``: ``x[:rows]`` on one
    device; under a strategy (contiguous shares, the first to the first replica) the same samples, split over the
    replicas, so that a statistic they compute together (synchronised batch norm) is one device's."""
    context = _replica_context()
    if context is None:
        return x[:rows]
    share = tf.shape(x)[0]
    return x[:tf.clip_by_value(rows - context.replica_id_in_sync_group * share, 0, share)]


def apply_if(condition, update, inputs):
    """``update(*inputs())``, an update that applies gradients, when ``condition`` (a boolean tensor, the same on
    every replica) holds.

    On one device ``inputs`` is called only when the condition holds, so gradients that are not
    applied are not computed. Under a strategy an optimizer synchronises its replicas, which a
    conditional branch in a replica may not do; the condition is then taken in cross-replica
    context and the update run for each replica (as Keras' ``LossScaleOptimizer`` does), ``inputs``
    being computed on every step.
    """
    context = _replica_context()
    if context is None:
        return tf.cond(condition, lambda: _done(update(*inputs())), lambda: tf.constant(False))

    def cross_replica(strategy, condition, *args):
        first = strategy.experimental_local_results(condition)[0]
        return tf.cond(first, lambda: _done(strategy.extended.call_for_each_replica(update, args=args)),
                       lambda: tf.constant(False))

    return context.merge_call(cross_replica, args=(condition, *inputs()))


def _done(_):
    return tf.constant(True)


@keras.saving.register_keras_serializable(package="core_tf")
class ReplicaDropout(layers.Dropout):
    """Keras' ``Dropout`` with masks from ``replica_draw``: each replica its own rows of the global batch's masks.

    With one replica it draws the same masks as ``Dropout`` with the same seed. Takes no ``noise_shape``.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        if noise_shape is not None:
            raise ValueError(f"ReplicaDropout draws one mask value per element; got noise_shape={noise_shape}")
        super().__init__(rate, seed=seed, **kwargs)

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        kept = replica_draw(keras.random.uniform, ops.shape(inputs), self.seed_generator, dtype=inputs.dtype)
        return inputs * ops.cast(kept >= self.rate, inputs.dtype) / ops.cast(1.0 - self.rate, inputs.dtype)


def for_replicas(model):
    """``model`` itself, or under a strategy of several replicas a copy with the same weights whose batch norm
    is synchronised over the replicas and whose ``Dropout`` is ``ReplicaDropout``.

    Call it inside the strategy's scope, once every network is built: the copy's initialisers draw from
    Keras' global seed before its weights are overwritten, so a network built after it would start from
    other weights than on one device. The copy saves and loads as any model.
    """
    if num_replicas() == 1:
        return model

    def clone(layer):
        config = layer.get_config()
        if isinstance(layer, layers.BatchNormalization):
            return layer.__class__.from_config({**config, "synchronized": True})
        if type(layer) is layers.Dropout:
            if config.get("noise_shape") is not None:
                raise ValueError(f"{model.name}'s layer {layer.name} drops with a noise_shape, which cannot be drawn "
                                 "per replica; train it on one device")
            copy = ReplicaDropout.from_config(config)
            if layer.rate > 0:  # Keras' Dropout has no seed generator without a rate
                copy.seed_generator.state.assign(layer.seed_generator.state)  # the masks the original would draw
            return copy
        return layer.__class__.from_config(config)

    copy = keras.models.clone_model(model, clone_function=clone, recursive=True)
    copy.set_weights(model.get_weights())
    return copy


def fit(model, dataset, epochs, initial_epoch=0, validation_data=None, callbacks=(), verbose=1):
    """``model.fit`` as a loop over ``strategy.run(model.train_step)`` on the batches one device would train on.

    Each global batch of ``dataset`` (whole batches: ``drop_remainder=True``) is split into equal,
    contiguous shares, the first to the first replica. The model must have been built and compiled
    in the scope of the strategy that runs it. Per-replica logs are averaged over the replicas, as
    ``fit`` does; validation logs get the ``val_`` prefix.

    Returns:
        The ``keras.callbacks.History`` of this call.
    """
    strategy = model.distribute_strategy
    train_step = _distributed_step(strategy, model.train_step)
    test_step = _distributed_step(strategy, model.test_step)
    steps = int(dataset.cardinality()) if dataset.cardinality() >= 0 else None
    batches = _shares(strategy, dataset)
    with strategy.scope():
        _build(model, dataset)
    validation_batches = validation_data and _shares(strategy, validation_data)
    callback_list = keras.callbacks.CallbackList(list(callbacks), add_history=True, add_progbar=verbose != 0,
                                                 verbose=verbose, epochs=epochs, steps=steps, model=model)
    model.stop_training = False
    callback_list.on_train_begin()
    logs = {}
    for epoch in range(initial_epoch, epochs):
        model.reset_metrics()
        callback_list.on_epoch_begin(epoch)
        for step, batch in enumerate(batches):
            callback_list.on_train_batch_begin(step)
            logs = train_step(batch)
            callback_list.on_train_batch_end(step, logs)
            if model.stop_training:
                break
        logs = {name: float(value) for name, value in logs.items()}
        if validation_batches is not None:
            model.reset_metrics()
            for batch in validation_batches:
                validation = test_step(batch)
            logs.update({f"val_{name}": float(value) for name, value in validation.items()})
        callback_list.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    callback_list.on_train_end(logs)
    return model.history


def _build(model, dataset):
    """Creates the variables a Keras-stepped model's first step would (optimizer state, compiled metrics), which
    a step under ``strategy.run`` cannot: one inference pass on a batch of zeros, which draws no noise. Trainers
    with a step of their own build what it needs in ``compile`` (``GAN``)."""
    if type(model).train_step is not keras.Model.train_step:
        return
    if not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)
    zeros = tf.nest.map_structure(lambda spec: tf.zeros([1, *spec.shape[1:]], spec.dtype), dataset.element_spec)
    x, y, _ = keras.utils.unpack_x_y_sample_weight(zeros)
    model.compute_metrics(x, y, model(x, training=False))
    model.reset_metrics()


def _shares(strategy, dataset):
    """``dataset``'s global batches split over the replicas: worker ``w`` of ``W`` takes the ``w``-th ``1/W`` of
    each batch, and its replicas that share in order (the strategy deals a pipeline's batches round-robin)."""
    batch_size = tf.nest.flatten(dataset.element_spec)[0].shape[0]
    if batch_size is None or batch_size % strategy.num_replicas_in_sync:
        raise ValueError(f"training under a strategy of {strategy.num_replicas_in_sync} replicas needs whole batches "
                         f"that split evenly over them (drop_remainder=True); got batches of {batch_size}")

    def pipeline(context):
        shares = dataset
        if context.num_input_pipelines > 1:
            shares = shares.rebatch(batch_size // context.num_input_pipelines).shard(
                context.num_input_pipelines, context.input_pipeline_id)
        return shares.rebatch(context.get_per_replica_batch_size(batch_size))

    return strategy.distribute_datasets_from_function(pipeline)


def _distributed_step(strategy, step):
    @tf.function
    def run(batch):
        logs = strategy.run(step, args=(batch,))
        return {name: strategy.reduce("MEAN", value, axis=None) for name, value in logs.items()}

    return run
