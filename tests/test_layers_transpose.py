"""vizcore.layers.transpose against a scatter-add NumPy Conv2DTranspose and hand-computed stamps."""
from __future__ import annotations

import numpy as np
import pytest

from tests.layers_reference import A4, glorot, np_transpose
from vizcore import color
from vizcore import layers as L


@pytest.mark.parametrize("k, s", [(2, 2), (2, 4), (3, 2), (4, 2), (8, 2), (3, 1)])
@pytest.mark.parametrize("padding", ["same", "valid"])
def test_conv2d_transpose_shape_and_values(k, s, padding):
    image = A4[:3]  # 3×4
    result = L.conv2d_transpose(image, kernel_size=k, strides=s, padding=padding, seed=3, space="rgb",
                                activation="linear", filters=2)
    add = max(k - s, 0) if padding == "valid" else 0
    assert result.output.shape == (3 * s + add, 4 * s + add, 2)
    expected = np_transpose(color.to_space(image, "rgb"), glorot(3, (k, k, 2, 3)), s, padding)
    np.testing.assert_allclose(result.output, expected, rtol=1e-5, atol=1e-5)
    assert result.params == k * k * 3 * 2 + 2


def test_conv2d_transpose_hand_computed_stamps():
    # 2×2 grey pixels, k2 s2: every pixel stamps value × kernel onto its own 2×2 block.
    image = np.repeat(np.array([[0.0, 1.0], [0.5, 0.25]], np.float32)[..., None], 3, axis=-1)
    kernel = glorot(5, (2, 2, 1, 1))[:, :, 0, 0]
    out = L.conv2d_transpose(image, kernel_size=2, strides=2, seed=5, space="luminance").output[..., 0]
    expected = np.block([[0.0 * kernel, 1.0 * kernel], [0.5 * kernel, 0.25 * kernel]])
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
