"""vizcore.layers.conv against NumPy correlation: hand-made kernels with every padding and stride,
a seeded Conv2D with the Glorot kernel drawn independently, and a two-layer stack."""
from __future__ import annotations

import numpy as np
import pytest

from tests.layers_reference import A8, ODD, glorot, np_correlate
from vizcore import color
from vizcore import layers as L


@pytest.mark.parametrize("preset", sorted(L.KERNEL_PRESETS))
@pytest.mark.parametrize("space", ["luminance", "rgb"])
def test_hand_kernel_presets_equal_numpy_correlation(preset, space):
    kernel = L.KERNEL_PRESETS[preset]
    x = color.to_space(A8, space)
    result = L.conv2d(A8, kernel=kernel, space=space, activation="linear")
    np.testing.assert_allclose(result.output, np_correlate(x, kernel, 1, "same"), rtol=1e-5, atol=1e-5)
    assert result.params == kernel.size * x.shape[-1]  # no bias for a hand-made kernel


@pytest.mark.parametrize("padding", ["same", "valid"])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("kernel", [
    L.KERNEL_PRESETS["sobel_x"],
    np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5,  # asymmetric: even size pads unevenly
    np.array([[1.0]], np.float32),
], ids=["3x3", "2x3", "1x1"])
def test_hand_kernel_padding_and_strides(kernel, stride, padding):
    x = color.to_space(ODD, "ycbcr")
    result = L.conv2d(ODD, kernel=kernel, strides=stride, padding=padding, space="ycbcr")
    expected = np_correlate(x, kernel, stride, padding)
    assert result.output.shape == expected.shape
    np.testing.assert_allclose(result.output, expected, rtol=1e-5, atol=1e-5)


def test_vertical_line_kernel_finds_a_vertical_line():
    image = np.zeros((7, 7, 3), np.float32)
    image[:, 3] = 1.0
    out = L.conv2d(image, kernel=L.KERNEL_PRESETS["vertical_line"], space="luminance").output[..., 0]
    assert np.all(out[1:-1, 3] == pytest.approx(6.0))  # 3 rows × (2·1)
    assert np.all(out[1:-1, 2] == pytest.approx(-3.0))
    assert out[1:-1, 3].min() > out[1:-1, [0, 1, 2, 4, 5, 6]].max()


def test_seeded_conv2d_equals_numpy_with_glorot_kernel():
    result = L.conv2d(A8, filters=2, kernel_size=3, seed=7, space="rgb", activation="relu")
    kernel = glorot(7, (3, 3, 3, 2))
    x = np.pad(color.to_space(A8, "rgb"), ((1, 1), (1, 1), (0, 0)))
    expected = np.zeros((8, 8, 2), np.float64)
    for i in range(8):
        for j in range(8):
            expected[i, j] = np.einsum("abc,abcf->f", x[i: i + 3, j: j + 3], kernel)
    np.testing.assert_allclose(result.output, np.maximum(expected, 0), rtol=1e-5, atol=1e-5)
    assert result.maps.shape == (2, 8, 8)


def test_conv2d_stack_equals_numpy():
    result = L.conv2d_stack(A8, layers=[dict(filters=2, kernel_size=3, activation="relu"),
                                        dict(filters=1, kernel_size=1, activation="tanh")], seed=4, space="rgb")
    k1, k2 = glorot(4, (3, 3, 3, 2)), glorot(5, (1, 1, 2, 1))
    x = np.pad(color.to_space(A8, "rgb"), ((1, 1), (1, 1), (0, 0)))
    hidden = np.zeros((8, 8, 2))
    for i in range(8):
        for j in range(8):
            hidden[i, j] = np.einsum("abc,abcf->f", x[i: i + 3, j: j + 3], k1)
    expected = np.tanh(np.maximum(hidden, 0) @ k2[0, 0])
    np.testing.assert_allclose(result.output, expected, rtol=1e-5, atol=1e-5)
    assert result.params == (27 * 2 + 2) + (2 + 1)
