import numpy as np
import pytest

from data import ImageData
from lab_tf.compare import variants
from lab_tf.config import Config
from lab_tf.families.gan.recipe import FAMILY as GAN_FAMILY
from lab_tf.families.mlp.recipe import FAMILY, MLPSettings, split_validation
from mlp_tf import SearchSpace


def data(n=50):
    rng = np.random.default_rng(0)
    return ImageData(rng.integers(0, 256, (n, 4, 4, 1), dtype=np.uint8), (np.arange(n) % 5).astype(np.int32))


def test_mlp_config_round_trips_and_validates():
    config = Config(model="mlp", settings=MLPSettings(hidden=(8, 4), activation="tanh"))
    assert Config.from_dict(config.to_dict()) == config and set(config.to_dict()) & {"gan", "vae"} == set()
    assert Config(model="mlp").settings == MLPSettings()
    for change, message in ((dict(activation="rleu"), "unknown activation 'rleu' for --model mlp; valid: relu"),
                            (dict(loss="hinge"), "unknown loss 'hinge' for --model mlp; valid: crossentropy, mse"),
                            (dict(optimizer="lbfgs"), "unknown optimizer 'lbfgs'"),
                            (dict(hidden=()), "hidden must be one or more"),
                            (dict(validation_split=1.0), "validation split must be in")):
        with pytest.raises(ValueError, match=message):
            Config(model="mlp", settings=MLPSettings(**change)).validate()


def test_resolve_build_and_a_stable_validation_split():
    config = Config(model="mlp", settings=MLPSettings(hidden=(8,), optimizer="sgd", validation_split=0.2))
    FAMILY.resolve(config, data())
    assert config.settings.input_shape == (4, 4, 1) and config.settings.num_classes == 5 and config.training.lr == 0.05
    assert FAMILY.build_trainer(config).output_shape == (None, 5)
    train, validation = split_validation(config, data())
    assert (len(train), len(validation)) == (40, 10)
    again = split_validation(config, data())[1]
    np.testing.assert_array_equal(again.images, validation.images)
    assert not set(map(bytes, train.images)) & set(map(bytes, validation.images))


def test_variants_are_the_cross_product():
    labelled = variants(Config(model="mlp"), {"activation": ["relu", "tanh"], "loss": ["crossentropy", "mse"]})
    assert [label for label, _ in labelled] == ["relu-crossentropy", "relu-mse", "tanh-crossentropy", "tanh-mse"]
    assert labelled[3][1].settings.activation == "tanh" and labelled[3][1].settings.loss == "mse"
    with pytest.raises(ValueError, match="--model mlp cannot sweep 'beta'; valid: activation, loss"):
        variants(Config(model="mlp"), {"beta": ["1"]})


def test_parse_space():
    space = FAMILY.parse_space(["units=64,128", "lr=1e-3,1e-2", "activation=relu"])
    assert space == SearchSpace(units=(64, 128), lr=(1e-3, 1e-2), activation=("relu",))
    assert GAN_FAMILY.parse_space(["training.lr=1e-4"])["training.lr"] == (1e-4,)
    with pytest.raises(ValueError, match="expected ints"):
        FAMILY.parse_space(["units=wide"])
