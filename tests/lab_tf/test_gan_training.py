"""How the GAN family turns a config into a trainer: its learning-rate schedule, its discriminator for a penalty."""

import dataclasses

import keras
import pytest

from data import load_images, load_mixture, make_point_dataset
from lab_tf.config import Config, TrainingConfig
from lab_tf.families.gan.recipe import FAMILY, GANSettings

resolve, build_trainer = FAMILY.resolve, FAMILY.build_trainer


def test_cosine_lr_decay_lowers_both_learning_rates_to_a_tenth_over_the_planned_run():
    data = load_mixture("ring8", limit=512)  # 4 batches of 128 per epoch
    config = Config(model="wgan-gp", training=TrainingConfig(epochs=2, batch_size=128, lr=1e-3, seed=0),
                    settings=GANSettings(lr_decay="cosine", d_steps=2))
    resolve(config, data)
    assert config.settings.lr_decay_steps == 8  # discriminator steps; the generator takes half as many
    trainer = build_trainer(config)
    batches = make_point_dataset(data, 128, seed=0)
    rates = []
    for _ in range(3):  # the planned two epochs, then one more at the floor
        trainer.fit(batches, epochs=1, verbose=0, shuffle=False)  # the dataset shuffles, seeded
        rates.append((float(trainer.d_optimizer.learning_rate), float(trainer.g_optimizer.learning_rate)))
    assert int(trainer.g_optimizer.iterations) == 6
    halfway = 1e-3 * (0.1 + 0.9 * 0.5)  # cos(pi/2) = 0: halfway between the start and the floor
    assert rates[0] == pytest.approx((halfway, halfway), rel=1e-5)
    assert rates[1] == pytest.approx((1e-4, 1e-4), rel=1e-5)
    assert rates[2] == pytest.approx((1e-4, 1e-4), rel=1e-5)


def test_without_lr_decay_the_learning_rates_stay_constant():
    data = load_mixture("ring8", limit=256)
    config = Config(model="gan", training=TrainingConfig(epochs=1, batch_size=128, lr=1e-3, seed=0))
    resolve(config, data)
    trainer = build_trainer(config)
    trainer.fit(make_point_dataset(data, 128, seed=0), epochs=1, verbose=0, shuffle=False)
    assert config.settings.lr_decay_steps is None
    assert float(trainer.d_optimizer.learning_rate) == float(trainer.g_optimizer.learning_rate) == pytest.approx(1e-3)


@pytest.mark.parametrize("penalty, batch_norm", [({}, True), ({"gp_weight": 10.0}, False), ({"r1_gamma": 10.0}, False)])
def test_a_gradient_penalty_takes_batch_norm_out_of_the_discriminator(penalty, batch_norm):
    gan = GANSettings(architecture="dcgan", image_shape=(16, 16, 3), loss="nonsaturating", d_steps=1, gp_weight=0.0,
                    precision="float32")
    config = Config(model="dcgan", training=TrainingConfig(lr=2e-4, beta_1=0.5, beta_2=0.999),
                    settings=dataclasses.replace(gan, **penalty))
    layers = build_trainer(config).discriminator.layers
    assert any(isinstance(layer, keras.layers.BatchNormalization) for layer in layers) == batch_norm


@pytest.mark.parametrize("model, settings, expected", [
    ("dcgan", {}, ("tutorial", 4e-4, 0.995, True)),  # the DCGAN on the tutorial's networks: bench/README.md
    ("dcgan", {"ema_decay": 0.0}, ("tutorial", 4e-4, 0.0, False)),  # 0 turns the moving average off
    ("dcgan", {"architecture": "dcgan"}, ("dcgan", 2e-4, 0.0, False)),
    ("cgan", {}, ("tutorial", 2e-4, 0.0, False)),
])
def test_the_dcgan_on_the_tutorial_networks_defaults_to_a_higher_rate_and_a_moving_average(model, settings, expected):
    data = load_images("digits", image_size=(16, 16))
    config = Config(model=model, training=TrainingConfig(epochs=1, batch_size=64),
                    settings=GANSettings(precision="float32", **settings))
    resolve(config, data)
    trainer = build_trainer(config)
    gan = config.settings
    assert (gan.architecture, config.training.lr, gan.ema_decay, trainer.ema_generator is not None) == expected
    assert float(trainer.g_optimizer.learning_rate) == pytest.approx(expected[1])
