"""The compute precision of a run: chosen for the machine unless the user picks one.

``bfloat16`` and ``mixed_float16`` are Keras mixed-precision policies: float32 weights,
float32 losses and the networks' float32 output layers, the rest computed in 16 bits.
"""

import contextlib

import keras
import tensorflow as tf

__all__ = ["PRECISIONS", "detect_precision", "precision_policy"]

# --precision and the Keras dtype policy it names.
PRECISIONS = {"float32": "float32", "bfloat16": "mixed_bfloat16", "mixed_float16": "mixed_float16"}
# CPU flags of native bfloat16 dot products (AVX-512 BF16, AMX), as /proc/cpuinfo spells them.
BF16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")


def cpu_flags(path="/proc/cpuinfo"):
    """The CPU's feature flags (empty where the file does not exist)."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def detect_precision():
    """``(precision, reason)``: the fastest quality-preserving precision on this machine.

    A GPU: ``mixed_float16``. A CPU with bfloat16 dot products: ``bfloat16`` (about 1.4x the
    float32 DCGAN step here, at equal quality; bench/README.md). Otherwise ``float32``.
    """
    if tf.config.list_physical_devices("GPU"):
        return "mixed_float16", "a GPU"
    flags = cpu_flags() & set(BF16_CPU_FLAGS)
    if flags:
        return "bfloat16", f"a CPU with bfloat16 dot products ({', '.join(sorted(flags))})"
    return "float32", "a CPU without bfloat16 dot products"


@contextlib.contextmanager
def precision_policy(precision):
    """Builds the layers created inside in ``precision``; the global policy is restored after."""
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}; valid: {', '.join(PRECISIONS)}")
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(PRECISIONS[precision])
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)
