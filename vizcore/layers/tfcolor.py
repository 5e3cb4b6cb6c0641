"""Colour spaces inside the traced graphs: TensorFlow twins of vizcore.color.to_space / from_space.

Batched ``(N, H, W, C)`` float32 tensors with values already in [0, 1]. Same matrices as
:mod:`vizcore.color` (its public constants), run as 1×1 convolutions: TensorFlow fuses
conv + bias + relu into one pass, where a broadcast add over a length-3 axis would be a slow
extra pass. HSV as ``tf.image``. The tests check them against vizcore.color on edge colours.
"""
from __future__ import annotations

import tensorflow as tf

from ..color import LUMA_WEIGHTS, RGB_FROM_YCBCR, RGB_FROM_YCBCR_BIAS, YCBCR_FROM_RGB, YCBCR_OFFSET

__all__ = ["tf_to_space", "tf_from_space", "tf_rgb_to_hsv"]

_LUMA_K = LUMA_WEIGHTS.reshape(1, 1, 3, 1)
_FWD_K = YCBCR_FROM_RGB.reshape(1, 1, 3, 3)
_INV_K = RGB_FROM_YCBCR.reshape(1, 1, 3, 3)


def _conv1x1(x, kernel, bias=None):
    y = tf.nn.conv2d(x, kernel, 1, "VALID")
    return y if bias is None else tf.nn.relu(tf.nn.bias_add(y, bias))


def tf_to_space(rgb, space: str):
    """RGB (N, H, W, 3) already in [0, 1] -> (N, H, W, C) in ``space``, in [0, 1] like color.to_space."""
    if space == "rgb":
        return rgb
    if space == "luminance":
        return tf.minimum(_conv1x1(rgb, _LUMA_K), 1.0)  # weights >= 0, so only the top can overflow
    if space == "ycbcr":
        return tf.minimum(_conv1x1(rgb, _FWD_K, YCBCR_OFFSET), 1.0)
    return tf_rgb_to_hsv(rgb)


def tf_rgb_to_hsv(rgb):
    """tf.image.rgb_to_hsv's arithmetic on channel planes: about twice as fast on CPU.

    (N, H, W, 3) -> (N, H, W, 3). Hue in [0, 1] (red, then green, then blue wins ties; 0 for
    greys), saturation 0 for black; every value in [0, 1] for inputs in [0, 1].
    """
    r, g, b = tf.unstack(tf.transpose(rgb, (3, 0, 1, 2)))
    v = tf.maximum(tf.maximum(r, g), b)
    delta = v - tf.minimum(tf.minimum(r, g), b)
    s = tf.math.divide_no_nan(delta, v)
    norm = tf.math.divide_no_nan(tf.constant(1.0 / 6.0), delta)
    h = tf.where(r == v, (g - b) * norm, tf.where(g == v, (b - r) * norm + 1.0 / 3.0, (r - g) * norm + 2.0 / 3.0))
    h = tf.where(h < 0, h + 1.0, h)
    return tf.transpose(tf.stack([h, s, v]), (1, 2, 3, 0))


def tf_from_space(x, space: str):
    """(N, H, W, C) in ``space`` with values already in [0, 1] -> RGB (N, H, W, 3) in [0, 1].

    Luminance comes back as a grey (N, H, W) map (shown through a broadcast view).
    Like color.from_space; hue 1 and hue 0 give the same colour, so no wrap is needed.
    """
    if space == "luminance":
        return tf.squeeze(x, -1)
    if space == "rgb":
        return x
    if space == "ycbcr":
        return tf.minimum(_conv1x1(x, _INV_K, RGB_FROM_YCBCR_BIAS), 1.0)
    # For s, v in [0, 1] every output is v·((1 − s) + s·d) with d in [0, 1]: in [0, v] even
    # after float rounding (1 − s is exact for s >= 0.5 and off by at most 2⁻²⁵ below),
    # so no clip is needed.
    return tf.image.hsv_to_rgb(x)
