"""core_tf.distribute on the CPU split into two logical devices (in a fresh process, before TensorFlow starts)."""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from core_tf.distribute import make_strategy
from helpers import ROOT

SCRIPT = textwrap.dedent('''
    import json, sys
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    sys.path.insert(0, ROOT)
    import core_tf
    import keras
    import numpy as np
    from core_tf.distribute import ReplicaDropout, apply_if, global_mean, make_strategy, replica_draw, replica_head

    strategy = make_strategy("mirrored")
    def per_replica(values):
        return [value.numpy().tolist() for value in strategy.experimental_local_results(values)]

    with strategy.scope():
        seed = keras.random.SeedGenerator(7)
        ours, keras_dropout = ReplicaDropout(0.5, seed=3), keras.layers.Dropout(0.5, seed=3)
        counter = keras.Variable(0.0, aggregation="sum")
    ones = tf.ones((4, 6))
    @tf.function
    def step():
        draw = lambda: strategy.run(lambda: replica_draw(keras.random.normal, (2, 3), seed))
        masks = strategy.run(lambda: (ours(ones, training=True), keras_dropout(ones, training=True)))
        scaled = strategy.run(lambda: global_mean(tf.constant(6.0)))
        rows = tf.reshape(tf.range(8.0), (4, 2))  # each replica's share: global rows 0-3 and 4-7
        shares = strategy.experimental_distribute_values_from_function(
            lambda context: rows + 8.0 * context.replica_id_in_sync_group)
        heads = [strategy.run(lambda x: replica_head(x, n), args=(shares,)) for n in (3, 6)]
        for condition in (True, False):  # an update in a condition synchronises
            strategy.run(lambda: apply_if(tf.constant(condition), lambda x: counter.assign_add(x), lambda: (1.0,)))
        return draw(), draw(), masks, scaled, heads
    first, second, (ours_masks, keras_masks), scaled, heads = step()
    single = keras.random.SeedGenerator(7)
    one_device = [keras.random.normal((4, 3), seed=single).numpy().tolist() for _ in range(2)]
    single_dropout = ReplicaDropout(0.5, seed=3)(tf.ones((8, 6)), training=True).numpy().tolist()
    print(json.dumps({"first": per_replica(first), "second": per_replica(second), "one_device": one_device,
                      "ours": per_replica(ours_masks), "keras": per_replica(keras_masks),
                      "single_dropout": single_dropout, "scaled": per_replica(scaled),
                      "counter": float(counter.numpy()), "heads": [per_replica(head) for head in heads]}))
''')


@pytest.fixture(scope="module")
def two_replicas():
    result = subprocess.run([sys.executable, "-c", f"ROOT = {ROOT!r}\n" + SCRIPT], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_replicas_draw_different_noise_that_together_is_one_devices_draw(two_replicas):
    first, second = two_replicas["first"], two_replicas["second"]
    assert first[0] != first[1]  # the two replicas' rows differ
    np.testing.assert_allclose(first[0] + first[1], two_replicas["one_device"][0])  # and make up one device's draw
    np.testing.assert_allclose(second[0] + second[1], two_replicas["one_device"][1])  # the stream continues alike


def test_replica_dropout_masks_differ_where_keras_dropout_repeats_them(two_replicas):
    assert two_replicas["keras"][0] == two_replicas["keras"][1]  # why ReplicaDropout exists
    ours = two_replicas["ours"]
    assert ours[0] != ours[1]
    assert ours[0] + ours[1] == two_replicas["single_dropout"]


def test_losses_are_scaled_to_the_replicas_share_and_conditional_updates_synchronise(two_replicas):
    assert two_replicas["scaled"] == [3.0, 3.0]
    assert two_replicas["counter"] == 2.0  # one update of 1 per replica, summed; none when the condition is false


def test_a_head_of_the_global_batch_is_split_over_the_replicas_that_hold_it(two_replicas):
    first_three, first_six = two_replicas["heads"]  # the global batch is rows 0-7 (two values each)
    assert first_three == [[[0, 1], [2, 3], [4, 5]], []]
    assert first_six == [[[0, 1], [2, 3], [4, 5], [6, 7]], [[8, 9], [10, 11]]]


def test_unknown_or_unconfigured_strategies_are_refused(monkeypatch):
    with pytest.raises(ValueError, match="valid: mirrored, multiworker"):
        make_strategy("ring")
    monkeypatch.setenv("TF_CONFIG", '{"cluster": {}}')
    with pytest.raises(ValueError, match="TF_CONFIG"):
        make_strategy("multiworker")
