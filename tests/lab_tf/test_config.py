import math

import pytest

from experiments.config import SECTIONS, Config, DataConfig, GANConfig, TrainingConfig, VAEConfig


def test_round_trip_through_a_dict():
    config = Config(out_dir="runs/x", data=DataConfig(dataset="digits", limit=5),
                    gan=GANConfig(image_shape=(28, 28, 1)), training=TrainingConfig(epochs=3))
    again = Config.from_dict(config.to_dict())
    assert again == config
    assert again.gan.image_shape == (28, 28, 1)


@pytest.mark.parametrize("values, message", [
    ({"modle": "dcgan"}, "unknown config key(s) modle"),
    ({"training": {"epoch": 3}}, "unknown config.training key(s) epoch; valid: epochs"),
])
def test_unknown_keys_are_rejected(values, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Config.from_dict(values)


@pytest.mark.parametrize("change, message", [
    (lambda c: setattr(c, "model", "nope"), "unknown model 'nope'; valid: gan, dcgan"),
    (lambda c: setattr(c.training, "epochs", 0), "epochs must be at least 1"),
    (lambda c: setattr(c.training, "batch_size", 0), "batch size must be at least 1"),
    (lambda c: setattr(c.training, "lr", math.nan), "lr must be positive"),
    (lambda c: setattr(c.training, "beta_1", 1.0), "beta1 must be in"),
    (lambda c: setattr(c.training, "seed", -1), "seed must be in"),
    (lambda c: setattr(c.data, "channels", 2), "channels must be 1 or 3"),
])
def test_validate_names_the_bad_setting(change, message):
    config = Config()
    change(config)
    with pytest.raises(ValueError, match=message):
        config.validate()
    assert Config().validate() == Config()


def test_only_the_models_family_section_is_written():
    values = Config(model="dcgan").to_dict()
    assert values["gan"]["latent_dim"] == 100
    assert all(values.get(family) is None for family in SECTIONS if family not in ("data", "training", "evaluation", "gan"))
    assert Config.from_dict({"model": "dcgan"}).gan == GANConfig()


def test_family_section_is_validated():
    config = Config(gan=GANConfig(latent_dim=0))
    with pytest.raises(ValueError, match="latent dim must be at least 1, got 0"):
        config.validate()


def test_vae_section_round_trips_and_is_validated():
    config = Config(model="cvae", vae=VAEConfig(encoder="resnet", beta=4.0, image_shape=(28, 28, 1), num_classes=10))
    again = Config.from_dict(config.to_dict())
    assert again == config and again.family == "vae" and again.gan is None
    assert Config(model="vae").vae == VAEConfig()
    for change, message in ((dict(beta=-0.5), "beta must be at least 0"), (dict(latent_dim=0), "latent dim"),
                            (dict(iw_samples=0), "iw samples must be at least 1")):
        with pytest.raises(ValueError, match=message):
            Config(model="vae", vae=VAEConfig(**change)).validate()
    with pytest.raises(ValueError, match="model 'vae' takes no gan settings"):
        Config(model="vae", gan=GANConfig()).validate()
