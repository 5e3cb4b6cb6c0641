"""vizcore.layers.display: how feature maps are shown, against vizcore.normalise (itself against
hand-computed stretches), constant and overflowed maps, explicit display modes."""
from __future__ import annotations

import numpy as np
import pytest

from tests.layers_reference import A4, A8
from vizcore import layers as L


@pytest.mark.parametrize("mode", ["clip", "minmax"])
@pytest.mark.parametrize("per_map", [True, False])
def test_normalise(mode, per_map):
    x = np.stack([np.linspace(-2, 3, 16).reshape(4, 4), np.full((4, 4), 0.25)], axis=-1)
    out = L.normalise(x, mode=mode, per_map=per_map)
    if mode == "clip":
        np.testing.assert_allclose(out, np.clip(x, 0, 1))
    elif per_map:
        np.testing.assert_allclose(out[..., 0], (x[..., 0] + 2) / 5, rtol=1e-6)
        np.testing.assert_allclose(out[..., 1], 0.25)  # a constant map is shown clipped
    else:
        np.testing.assert_allclose(out, (x + 2) / 5, rtol=1e-6)
    assert out.dtype == np.float32 and out.min() >= 0 and out.max() <= 1


@pytest.mark.parametrize("activation, mode", [("relu", "minmax"), ("sigmoid", "clip"), ("tanh", "minmax"),
                                              ("hard_sigmoid", "clip")])
def test_auto_display_and_image_follow_normalise(activation, mode):
    result = L.conv2d(A8, filters=3, seed=1, activation=activation)
    assert result.display == mode and result.display_note
    expected = L.normalise(result.output, mode=mode)
    np.testing.assert_allclose(result.maps, np.moveaxis(expected, -1, 0), atol=1e-6)
    np.testing.assert_allclose(result.image, np.repeat(expected[..., :1], 3, axis=-1), atol=1e-6)
    assert result.image.shape == (8, 8, 3) and 0 <= result.image.min() and result.image.max() <= 1


def test_constant_map_is_shown_clipped_not_stretched():
    flat = np.full((6, 6, 3), 0.3, np.float32)
    result = L.conv2d(flat, kernel=L.KERNEL_PRESETS["identity"], space="luminance", display="minmax")
    np.testing.assert_allclose(result.image, 0.3, atol=1e-6)
    dead = L.conv2d(flat, kernel=-L.KERNEL_PRESETS["identity"], space="rgb", activation="relu")
    assert dead.image.max() == 0.0


def test_overflowing_activation_is_shown_clipped_and_said():
    result = L.conv2d(A8, kernel=np.full((3, 3), 100.0), activation="exponential")  # e^(hundreds) = inf
    assert np.isinf(result.output).any()
    np.testing.assert_array_equal(result.image[..., 0], np.clip(np.nan_to_num(result.output[..., 0], posinf=1), 0, 1))
    assert "infinity" in result.display_note


def test_explicit_display_modes():
    clip = L.conv2d_transpose(A4, seed=0, display="clip")
    np.testing.assert_allclose(clip.image[..., 0], np.clip(clip.output[..., 0], 0, 1), atol=1e-7)
    assert clip.display == "clip"
