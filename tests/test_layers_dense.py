"""vizcore.layers.dense_layers against NumPy matrix products with the Glorot kernels drawn independently."""
from __future__ import annotations

import numpy as np

from tests.layers_reference import A8, RNG, glorot
from vizcore import color
from vizcore import layers as L


def test_dense_per_pixel_equals_numpy():
    result = L.dense(A8, units=3, seed=2, space="hsv", activation="sigmoid")
    expected = 1 / (1 + np.exp(-(color.to_space(A8, "hsv") @ glorot(2, (3, 3)))))
    np.testing.assert_allclose(result.output, expected, rtol=1e-5, atol=1e-6)


def test_dense_fully_connected_equals_numpy():
    image = RNG.random((16, 16, 3), dtype=np.float32)
    result = L.dense_fully_connected(image, size=8, seed=1, activation="linear")
    small = image.reshape(8, 2, 8, 2, 3).mean(axis=(1, 3))  # area resize by 2
    flat = color.to_space(small, "luminance").reshape(-1)
    expected = (flat @ glorot(1, (64, 64))).reshape(8, 8, 1)
    np.testing.assert_allclose(result.output, expected, rtol=1e-4, atol=1e-5)
    assert result.image.shape == image.shape  # first map back at the input size
