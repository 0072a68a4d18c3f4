"""Encoder and decoder builders: shapes from the image shape, label inputs, clear errors."""

import numpy as np
import pytest

from vae_tf import DECODERS, ENCODERS, build_vae_networks


@pytest.mark.parametrize("name", sorted(ENCODERS))
@pytest.mark.parametrize("image_shape", [(28, 28, 1), (32, 32, 3)])
def test_shapes_follow_the_image_shape(name, image_shape):
    encoder, decoder = build_vae_networks(name, name, 5, image_shape)
    images = np.zeros((2, *image_shape), np.float32)
    z_mean, z_log_var = encoder(images)
    assert z_mean.shape == z_log_var.shape == (2, 5)
    assert decoder(np.zeros((2, 5), np.float32)).shape == (2, *image_shape)
    assert (encoder.name, decoder.name) == ("encoder", "decoder")


@pytest.mark.parametrize("name", sorted(ENCODERS))
def test_conditional_and_deterministic_variants(name):
    encoder, decoder = build_vae_networks(name, name, 3, (8, 8, 1), num_classes=4, variational=False)
    labels = np.array([0, 3])
    assert encoder([np.zeros((2, 8, 8, 1), np.float32), labels]).shape == (2, 3)
    assert decoder([np.zeros((2, 3), np.float32), labels]).shape == (2, 8, 8, 1)
    assert [t.name for t in decoder.inputs] == ["noise", "label"]


def test_labels_change_the_decoded_image():
    _, decoder = build_vae_networks("dense", "dense", 2, (8, 8, 1), num_classes=3)
    z = np.zeros((2, 2), np.float32)
    out = np.asarray(decoder([z, np.array([0, 2])]))
    assert not np.allclose(out[0], out[1])


def test_encoder_and_decoder_mix():
    encoder, decoder = build_vae_networks("dense", "resnet", 4, (16, 16, 3))
    assert encoder.count_params() != decoder.count_params()
    assert decoder.output_shape == (None, 16, 16, 3)


@pytest.mark.parametrize("kwargs, message", [
    ({"encoder": "vit"}, "unknown encoder 'vit'; valid: dense, conv, resnet"),
    ({"decoder": "unet"}, "unknown decoder 'unet'; valid: dense, conv, resnet"),
    ({"image_shape": (30, 30, 1)}, "does not suit the conv architecture"),
    ({"latent_dim": 0}, "latent_dim must be at least 1"),
])
def test_bad_arguments_are_named(kwargs, message):
    arguments = {"encoder": "conv", "decoder": "conv", "latent_dim": 2, "image_shape": (28, 28, 1), **kwargs}
    with pytest.raises(ValueError, match=message):
        build_vae_networks(**arguments)


def test_registries_agree():
    assert set(ENCODERS) == set(DECODERS) == {"dense", "conv", "resnet"}
