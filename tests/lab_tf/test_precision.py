"""Precision: CPU flag detection, the scoped Keras policy, and 16-bit GAN training steps."""

import keras
import numpy as np
import pytest

from data import load_mixture
from gan_tf import GAN, build_gan_networks
from lab_tf.config import Config
from lab_tf.families.gan.recipe import FAMILY, GANSettings
from lab_tf.precision import cpu_flags, precision_policy


def test_cpu_flags_reads_the_flags_line(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx512f avx512_bf16\nbogomips\t: 1.0\n")
    assert {"avx512_bf16", "sse2"} <= cpu_flags(info)
    assert cpu_flags(tmp_path / "missing") == set()


def test_precision_policy_is_scoped_and_checked():
    with precision_policy("bfloat16"):
        layer = keras.layers.Dense(2)
    assert layer.dtype_policy.name == "mixed_bfloat16" and layer.variable_dtype == "float32"
    assert keras.config.dtype_policy().name == "float32"
    with pytest.raises(ValueError, match="unknown precision 'float8'; valid: float32, bfloat16, mixed_float16"):
        with precision_policy("float8"):
            pass


@pytest.mark.parametrize("precision", ["bfloat16", "mixed_float16"])
def test_16_bit_training_step_keeps_float32_weights_outputs_and_losses(precision):
    keras.utils.set_random_seed(0)
    with precision_policy(precision):
        generator, discriminator = build_gan_networks("tutorial", 8, (8, 8, 1))
        gan = GAN(generator, discriminator, seed=0)
    optimizers = [keras.optimizers.Adam(2e-4) for _ in range(2)]
    if precision == "mixed_float16":
        optimizers = [keras.optimizers.LossScaleOptimizer(o) for o in optimizers]
    gan.compile(d_optimizer=optimizers[0], g_optimizer=optimizers[1])
    before = [w.copy() for w in generator.get_weights()]
    images = np.random.default_rng(1).uniform(-1, 1, (32, 8, 8, 1)).astype("float32")
    history = gan.fit(images, batch_size=16, epochs=1, verbose=0, shuffle=False)
    assert all(np.isfinite(v[0]) for v in history.history.values())
    assert generator.layers[1].compute_dtype == precision.replace("mixed_", "")
    assert all(w.dtype == np.float32 for w in generator.get_weights())
    assert np.asarray(gan(np.zeros((2, 8), "float32"))).dtype == np.float32
    assert any(not np.allclose(a, b) for a, b in zip(before, generator.get_weights()))


def test_unrolled_steps_refuse_float16_and_name_the_fix():
    config = Config(model="gan", settings=GANSettings(unrolled_steps=2, precision="mixed_float16"))
    with pytest.raises(ValueError, match="pass --precision float32 or bfloat16"):
        FAMILY.resolve(config, load_mixture("ring8", limit=64))
    config.settings.precision = "bfloat16"
    FAMILY.resolve(config, load_mixture("ring8", limit=64))
    assert config.settings.unrolled_steps == 2 and config.settings.precision == "bfloat16"
