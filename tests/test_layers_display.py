"""vizcore.layers.display: how feature maps are shown, against vizcore.normalise (itself against
hand-computed stretches), constant and overflowed maps, explicit display modes."""
from __future__ import annotations

import numpy as np
import pytest

from tests.layers_reference import A4, A8
from vizcore import layers as L


@pytest.mark.parametrize("mode", ["clip", "minmax", "percentile"])
@pytest.mark.parametrize("per_map", [True, False])
def test_normalise(mode, per_map):
    x = np.stack([np.linspace(-2, 3, 16).reshape(4, 4), np.full((4, 4), 0.25)], axis=-1)
    out = L.normalise(x, mode=mode, per_map=per_map)
    if mode == "clip":
        np.testing.assert_allclose(out, np.clip(x, 0, 1))
    elif mode == "percentile":
        p1, p99 = np.percentile(x[..., 0], [1, 99]) if per_map else np.percentile(x, [1, 99])
        np.testing.assert_allclose(out[..., 0], np.clip((x[..., 0] - p1) / (p99 - p1), 0, 1), rtol=1e-5, atol=1e-6)
        if per_map:
            np.testing.assert_allclose(out[..., 1], 0.25)  # a constant map is shown clipped
    elif per_map:
        np.testing.assert_allclose(out[..., 0], (x[..., 0] + 2) / 5, rtol=1e-6)
        np.testing.assert_allclose(out[..., 1], 0.25)  # a constant map is shown clipped
    else:
        np.testing.assert_allclose(out, (x + 2) / 5, rtol=1e-6)
    assert out.dtype == np.float32 and out.min() >= 0 and out.max() <= 1


@pytest.mark.parametrize("activation, mode", [("relu", "percentile"), ("softplus", "percentile"), ("sigmoid", "clip"),
                                              ("hard_sigmoid", "clip")])
def test_auto_display_and_image_follow_normalise(activation, mode):
    result = L.conv2d(A8, filters=3, seed=1, activation=activation)
    assert result.display == mode and result.display_note
    expected = L.normalise(result.output, mode=mode)  # 64 values a map: percentiles of every value
    np.testing.assert_allclose(result.maps, np.moveaxis(expected, -1, 0), atol=1e-6)
    np.testing.assert_allclose(result.image, np.repeat(expected[..., :1], 3, axis=-1), atol=1e-6)
    assert result.image.shape == (8, 8, 3) and 0 <= result.image.min() and result.image.max() <= 1


@pytest.mark.parametrize("activation", ["linear", "tanh", "elu", "gelu"])
def test_signed_outputs_are_diverging_with_zero_white(activation):
    result = L.conv2d(A8, filters=2, seed=2, activation=activation)
    y = result.output
    assert result.display == "diverging" and result.maps.shape == (2, 8, 8, 3)
    for j in range(2):
        p1, p99 = np.percentile(y[..., j], [1, 99])
        t = np.clip(y[..., j] / max(-p1, p99), -1, 1)
        expected = np.stack([np.minimum(1, 1 + t), 1 - np.abs(t), np.minimum(1, 1 - t)], axis=-1)
        np.testing.assert_allclose(result.maps[j], expected, atol=2e-6)
    np.testing.assert_array_equal(result.maps[y.transpose(2, 0, 1) > 0][:, 0], 1.0)  # positives: full red channel
    np.testing.assert_array_equal(result.maps[y.transpose(2, 0, 1) < 0][:, 2], 1.0)  # negatives: full blue
    negative = 100 * np.count_nonzero(y < 0) / y.size
    assert f"{round(negative) if negative >= 1 else 1} % of the values are negative" in result.display_note


def test_relu_clipping_shows_whatever_the_seed():
    for seed in range(4):
        linear = L.conv2d(A8, seed=seed, activation="linear")
        relu = L.conv2d(A8, seed=seed, activation="relu")
        negative = linear.output[..., 0] < 0
        if negative.any():  # where linear is negative (blue), relu is exactly 0
            assert (linear.image[negative][:, 0] < 1).all() and (relu.output[..., 0][negative] == 0).all()


def test_flat_black_panel_says_why_in_numbers():
    layers = [dict(activation="relu"), dict(activation="relu")]
    result = next(r for seed in range(40) for r in [L.conv2d_stack(A8, layers=layers, seed=seed)]
                  if np.mean(r.output == 0) >= 0.5)
    share = 100 * np.count_nonzero(result.output == 0) / result.output.size
    assert f"{min(round(share), 99)} % of the values are exactly 0: ReLU after ReLU" in result.display_note


def test_nearly_constant_sigmoid_says_its_spread():
    tiny = np.full((6, 6, 3), 0.5, np.float32)
    tiny[2, 3] = 0.52
    result = L.conv2d(tiny, kernel=np.full((3, 3), 0.01, np.float32), activation="sigmoid")
    y = result.output
    assert result.display == "clip" and "sigmoid of small inputs" in result.display_note
    assert f"within {(y.max() - y.min()) / 2:.3g} of {(y.max() + y.min()) / 2:.3g}" in result.display_note


def test_constant_map_is_shown_clipped_not_stretched():
    flat = np.full((6, 6, 3), 0.3, np.float32)
    for mode in ("minmax", "percentile"):
        result = L.conv2d(flat, kernel=L.KERNEL_PRESETS["identity"], space="luminance", display=mode)
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
