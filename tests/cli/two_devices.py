"""Trains ``train.py`` runs on one device and with ``--distribute mirrored`` over the CPU split into two
logical devices, and prints, per run, the largest difference between the two trainers' weights.

    python tests/cli/two_devices.py OUT_DIR 'ARGS OF RUN 1' 'ARGS OF RUN 2' ...

Prints one JSON object: ``{args: {"difference": float, "trained": float, "replicas": int}}``, where
``trained`` is how far the one-device run moved its weights from their initial values.
"""

import json
import os
import shlex
import sys

import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]  # before any other TensorFlow work
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

import numpy as np  # noqa: E402

from lab_tf import run_dir as rd  # noqa: E402
from lab_tf.options import build_train_parser, config_from_args  # noqa: E402
from lab_tf.training import fit_run, prepare_new_run  # noqa: E402


def train(args, out_dir):
    """Trains one run; returns ``(initial weights, final weights, replicas)``."""
    run = prepare_new_run(config_from_args(build_train_parser().parse_args([*args, "--out-dir", out_dir])))
    initial = run.trainer.get_weights()
    fit_run(run, verbose=0)
    trained = rd.load_model(os.path.join(out_dir, rd.read_state(out_dir)["checkpoint"]))
    return initial, trained.get_weights(), run.strategy.num_replicas_in_sync


def largest(pairs):
    return max(float(np.max(np.abs(a - b))) for a, b in pairs)


def main():
    out, results = sys.argv[1], {}
    for number, line in enumerate(sys.argv[2:]):
        args = shlex.split(line)
        initial, one, _ = train(args, os.path.join(out, f"{number}-one"))
        _, two, replicas = train([*args, "--distribute", "mirrored"], os.path.join(out, f"{number}-two"))
        results[line] = {"difference": largest(zip(one, two)), "trained": largest(zip(initial, one)),
                         "replicas": replicas}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
