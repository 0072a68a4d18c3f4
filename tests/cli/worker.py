"""Trains (or resumes) one ``train.py`` run as ``train.main`` does, then saves its trainer's weights to WEIGHTS.npz.

    python tests/cli/worker.py WEIGHTS.npz TRAIN.PY-ARGS...

With ``--distribute multiworker`` it is one worker of the cluster in ``TF_CONFIG``.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

import numpy as np  # noqa: E402

import train  # noqa: E402
from lab_tf.training import fit_run  # noqa: E402

if __name__ == "__main__":
    run, _ = train.start(train.build_train_parser().parse_args(sys.argv[2:]))
    fit_run(run, verbose=0)
    np.savez(sys.argv[1], *run.trainer.get_weights())
    print(f"replicas {run.strategy.num_replicas_in_sync}, chief {run.chief}, wrote {run.config.out_dir}")
