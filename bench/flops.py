"""Multiply-add counts of Keras models from their layer shapes (2 FLOPs per multiply-add)."""

import keras


def forward_flops(model):
    """Forward-pass FLOPs for one example through ``model``'s Dense and convolution layers.

    Dense: ``2 * in * out``. Conv2D: ``2 * out_h * out_w * k_h * k_w * c_in * c_out``.
    Conv2DTranspose: ``2 * in_h * in_w * k_h * k_w * c_in * c_out`` (each input pixel is
    scattered through the whole kernel). Element-wise layers are ignored (a few percent).
    """
    total = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            total += 2 * layer.kernel.shape[0] * layer.units
        elif isinstance(layer, keras.layers.Conv2DTranspose):
            _, h, w, _ = layer.input.shape
            kh, kw, c_out, c_in = layer.kernel.shape
            total += 2 * h * w * kh * kw * c_in * c_out
        elif isinstance(layer, keras.layers.Conv2D):
            _, h, w, _ = layer.output.shape
            kh, kw, c_in, c_out = layer.kernel.shape
            total += 2 * h * w * kh * kw * c_in * c_out
    return total


def gan_step_flops(generator, discriminator, batch_size):
    """FLOPs of one simultaneous GAN step: G forward, D forward on real and fake, backward = 2x forward."""
    return 3 * batch_size * (forward_flops(generator) + 2 * forward_flops(discriminator))
