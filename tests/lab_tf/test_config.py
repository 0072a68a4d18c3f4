import math

import pytest

from lab_tf.config import Config, DataConfig, TrainingConfig
from lab_tf.families.gan.recipe import GANSettings
from lab_tf.families.vae.recipe import VAESettings


def test_round_trip_through_a_dict():
    config = Config(out_dir="runs/x", data=DataConfig(dataset="digits", limit=5),
                    settings=GANSettings(image_shape=(28, 28, 1)), training=TrainingConfig(epochs=3))
    again = Config.from_dict(config.to_dict())
    assert again == config
    assert again.settings.image_shape == (28, 28, 1)


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
    assert set(values) == {"model", "out_dir", "grid_size", "tensorboard", "tensorboard_every", "data", "training",
                           "evaluation", "gan"}
    assert Config.from_dict({"model": "dcgan"}).settings == GANSettings()


def test_a_config_json_of_the_earlier_layout_still_loads():
    """Run directories written before the families had folders list every family, the others as null."""
    old = {**Config(model="cvae").to_dict(), "gan": None, "mlp": None}
    assert Config.from_dict(old) == Config(model="cvae")


def test_family_section_is_validated():
    config = Config(settings=GANSettings(latent_dim=0))
    with pytest.raises(ValueError, match="latent dim must be at least 1, got 0"):
        config.validate()


def test_vae_section_round_trips_and_is_validated():
    config = Config(model="cvae", settings=VAESettings(encoder="resnet", beta=4.0, image_shape=(28, 28, 1),
                                                       num_classes=10))
    again = Config.from_dict(config.to_dict())
    assert again == config and again.family.name == "vae" and "gan" not in again.to_dict()
    assert Config(model="vae").settings == VAESettings()
    for change, message in ((dict(beta=-0.5), "beta must be at least 0"), (dict(latent_dim=0), "latent dim"),
                            (dict(iw_samples=0), "iw samples must be at least 1")):
        with pytest.raises(ValueError, match=message):
            Config(model="vae", settings=VAESettings(**change)).validate()
    with pytest.raises(ValueError, match="model 'vae' takes vae settings, got GANSettings"):
        Config(model="vae", settings=GANSettings()).validate()
    with pytest.raises(ValueError, match="model 'vae' takes no gan settings"):
        Config.from_dict({"model": "vae", "gan": {}})
