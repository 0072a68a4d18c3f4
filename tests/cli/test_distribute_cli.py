"""train.py --distribute and --tensorboard: one device and several train the same weights; the logs read back."""

import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.util.tensor_util import make_ndarray

from helpers import ROOT, assert_bad_input, run_script
from lab_tf.families.gan.recipe import ARCHITECTURE_DEFAULTS

TOLERANCE = 1e-5  # float32, a few steps
# a tenth of one Adam step at the tutorial dcgan's rate: the all-reduce sums in another order than one process
STEP_TOLERANCE = 0.1 * ARCHITECTURE_DEFAULTS[("dcgan", "tutorial")]["lr"]
TINY = "--dataset digits --batch-size 32 --epochs 1 --precision float32"
SR_TINY = "--dataset digits --limit 64 --batch-size 8 --epochs 1 --scale 2 --filters 4 --residual-blocks 1 --lr 3e-4"


def test_mirrored_training_over_two_devices_equals_one_device(tmp_path):
    """The CPU split into two logical devices: the same global batch and noise give the same weights."""
    runs = [
        f"--model dcgan {TINY} --limit 128",  # the tutorial networks: batch norm and dropout
        # batch norm in both; the moving average's statistics from the first 32 samples, all on the first replica
        f"--model dcgan --arch dcgan --image-size 32 {TINY} --limit 128 --ema-decay 0.9 --batch-size 64",
        f"--model wgan-gp {TINY} --limit 192",  # gradient penalty; the generator steps at the 5th step
        "--model vae --dataset digits --limit 128 --batch-size 32 --epochs 1",
        "--model mlp --dataset digits --limit 320 --batch-size 32 --epochs 1 --dropout 0.2 --batch-norm",
        f"--model srresnet {SR_TINY}",
        f"--model srgan {SR_TINY} --pretrain-epochs 0 --content pixel",  # the phases: tests/gan_tf/test_srgan.py
        # one pool of earlier translations for the global batch: a pool of 10 fills in the second step and swaps after;
        # at the default 2e-4, Adam's steps on gradients near zero part the runs by 3e-5 in six steps (the pools
        # against SGD: tests/gan_tf/test_cyclegan.py)
        "--model cyclegan --dataset digits --target-dataset digits-inverted --limit 48 --batch-size 8 --epochs 1 "
        "--filters 4 --residual-blocks 1 --pool-size 10 --lr 2e-5",
        # mapping, style mixing, noise, the average w, minibatch-std groups of 4
        "--model stylegan --dataset digits --limit 64 --batch-size 8 --epochs 1 --latent-dim 8 --w-dim 8 --filters 4 "
        "--max-filters 8 --grid-size 16",
    ]
    result = run_script(os.path.join("tests", "cli", "two_devices.py"), tmp_path, *runs, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    results = json.loads(result.stdout.strip().splitlines()[-1])
    for args in runs:
        run = results[args]
        assert run["replicas"] == 2, args
        assert run["trained"] > 100 * TOLERANCE, (args, run)  # the weights moved, so equal weights mean something
        assert run["difference"] < TOLERANCE, (args, run)
    assert (tmp_path / "0-two" / "generator.keras").is_file()


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


WORKER = os.path.join(ROOT, "tests", "cli", "worker.py")


def _cluster(tmp_path, args, phase):
    """Runs ``tests/cli/worker.py`` as both workers of a cluster on 127.0.0.1; returns their stdout."""
    ports = [_free_port(), _free_port()]
    workers = []
    for index in range(2):
        cluster = {"cluster": {"worker": [f"127.0.0.1:{port}" for port in ports]},
                   "task": {"type": "worker", "index": index}}
        workers.append(subprocess.Popen(
            [sys.executable, WORKER, tmp_path / f"{phase}-worker{index}.npz", *args, "--distribute", "multiworker"],
            cwd=ROOT, env={**os.environ, "TF_CONFIG": json.dumps(cluster)}, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True))
    try:
        outputs = [worker.communicate(timeout=300) for worker in workers]
    finally:
        for worker in workers:
            worker.kill()
    for worker, (_, stderr) in zip(workers, outputs):
        assert worker.returncode == 0, stderr[-3000:]
    return [stdout for stdout, _ in outputs]


def _weights(path):
    with np.load(path) as file:
        return [file[key] for key in sorted(file.files, key=lambda key: int(key.split("_")[1]))]


def test_two_workers_train_and_resume_the_weights_of_one_process(tmp_path):
    """Two processes on 127.0.0.1 form a cluster: both end with the weights of one process with the same global
    batch, only the chief writes the run directory, and the run resumes alike."""
    args = f"--model dcgan {TINY} --limit 128".split()
    resume = ["--resume", "--epochs", "2"]
    for phase, extra in (("new", args), ("resumed", resume)):
        outputs = _cluster(tmp_path, [*extra, "--out-dir", tmp_path / "run"], phase)
        assert "replicas 2, chief True" in outputs[0] and "replicas 2, chief False" in outputs[1]
        worker_dir = outputs[1].split("wrote ")[-1].strip()
        assert worker_dir != str(tmp_path / "run") and not os.path.exists(worker_dir)  # its copy was removed
        single = subprocess.run([sys.executable, WORKER, tmp_path / f"{phase}-one.npz", *extra, "--out-dir",
                                 tmp_path / "one"], cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert single.returncode == 0, single.stderr[-3000:]
        chief, other, one = (_weights(tmp_path / f"{phase}-{name}.npz") for name in ("worker0", "worker1", "one"))
        assert all(np.array_equal(a, b) for a, b in zip(chief, other)), phase
        assert max(float(np.max(np.abs(a - b))) for a, b in zip(chief, one)) < STEP_TOLERANCE, phase
    history = (tmp_path / "run" / "history.csv").read_text().splitlines()
    assert [row.split(",")[0] for row in history[1:]] == ["1", "2"]
    assert (tmp_path / "run" / "generator.keras").is_file() and (tmp_path / "run" / "checkpoint").is_dir()
    assert {path.name for path in tmp_path.iterdir() if path.is_dir()} == {"one", "run"}


def test_bad_distribution_settings_are_refused_in_one_line(tmp_path):
    result = run_script("train.py", "--model", "dcgan", "--dataset", "digits", "--distribute", "multiworker",
                        "--out-dir", tmp_path / "run", env={"TF_CONFIG": ""})
    assert_bad_input(result, "TF_CONFIG", "docs/distributed.md")
    result = run_script("train.py", "--model", "mlp", "--dataset", "digits", "--limit", "100", "--batch-size", "64",
                        "--distribute", "mirrored", "--out-dir", tmp_path / "run")
    assert_bad_input(result, "validation data holds no whole batch of 64")
    result = run_script("train.py", "--model", "mlp", "--dataset", "digits", "--tune", "random", "--distribute",
                        "mirrored", "--out-dir", tmp_path / "run")
    assert_bad_input(result, "--tune trains its trials on one device")
    assert not (tmp_path / "run").exists()


def _scalars(folder, tag):
    events = EventAccumulator(str(folder), size_guidance={"tensors": 0, "images": 0}).Reload()
    return {event.step: float(make_ndarray(event.tensor_proto))
            for event in events.Tensors(tag)} if tag in events.Tags()["tensors"] else {}


@pytest.mark.parametrize("model", ["dcgan", "mlp"])
def test_tensorboard_logs_read_back_and_continue_on_resume(tmp_path, model):
    run = tmp_path / "run"
    args = ["--model", model, "--dataset", "digits", "--limit", "256", "--batch-size", "64", "--epochs", "2",
            "--out-dir", run]
    result = run_script("train.py", *args, "--tensorboard", "--tensorboard-every", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    result = run_script("train.py", *args[:-3], "3", "--out-dir", run, "--resume")
    assert result.returncode == 0, result.stderr[-3000:]
    train, logs = run / "tensorboard" / "train", run / "tensorboard"
    loss = "d_loss" if model == "dcgan" else "loss"
    steps = 4  # 256 images in batches of 64; the MLP's 230 left beside its validation share in 3 and a smaller one
    epochs = _scalars(train, f"epoch_{loss}")
    assert sorted(epochs) == [1, 2, 3] and all(np.isfinite(list(epochs.values())))
    assert sorted(_scalars(train, f"batch_{loss}")) == list(range(2, 3 * steps + 1, 2))  # steps continue
    history = [line.split(",") for line in (run / "history.csv").read_text().splitlines()]
    column = history[0].index(loss)
    assert epochs[1] == pytest.approx(float(history[1][column]), rel=1e-6)
    events = EventAccumulator(str(train), size_guidance={"tensors": 0}).Reload()
    if model == "dcgan":
        grids = [event for event in events.Tensors("samples")]
        assert [event.step for event in grids] == [1, 2, 3]
    else:
        assert sorted(_scalars(logs / "validation", "epoch_accuracy")) == [1, 2, 3]
    hparams = EventAccumulator(str(logs)).Reload().PluginTagToContent("hparams")
    assert hparams, "the run's settings were not logged"
    assert f"{model}".encode() in b"".join(hparams.values())
