"""The layering the project promises: the library never loads the application layer or changes matplotlib's
backend, and the shared application code names no family or model."""

import os
import re
import subprocess
import sys

import pytest

from helpers import ROOT
from lab_tf.families import FAMILIES, models

LIBRARY = ("core_tf", "data", "eval_tf", "gan_tf", "mlp_tf", "vae_tf")
# What every family shares: it asks the family (lab_tf.families.base.Family) and never names one.
SHARED = ("train.py", "lab_tf/training.py", "lab_tf/tuning.py", "lab_tf/compare.py", "lab_tf/callbacks.py",
          "lab_tf/options.py", "lab_tf/run_dir.py", "lab_tf/metrics.py", "lab_tf/families/base.py", "report.py",
          "lab_tf/report.py", "lab_tf/document.py")


def test_importing_every_library_module_loads_no_application_code_and_keeps_the_backend():
    script = f"""
import importlib, pkgutil, sys
import matplotlib
before = matplotlib.get_backend()
for package in {LIBRARY!r}:
    module = importlib.import_module(package)
    for info in pkgutil.walk_packages(module.__path__, package + "."):
        importlib.import_module(info.name)
application = sorted({{name for name in sys.modules
                       if name.split(".")[0] in ("lab_tf", "train", "samples", "compare")}})
assert not application, application
assert matplotlib.get_backend() == before, (before, matplotlib.get_backend())
print(before)
"""
    # svg: a backend nobody would pick by accident, so a library that switched to Agg is caught
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "MPLBACKEND": "svg"}, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "svg"


@pytest.mark.parametrize("path", SHARED)
def test_shared_application_code_names_no_family_or_model(path):
    names = sorted({*FAMILIES, *models()}, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, names)) + r")(?![\w-])", re.IGNORECASE)
    with open(os.path.join(ROOT, path)) as file:
        found = [(number, line.strip()) for number, line in enumerate(file, 1) if pattern.search(line)]
    assert not found, found
