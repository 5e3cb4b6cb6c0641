"""vizcore.layers.pooling against NumPy pooling with TF's padding rules on tiny arrays, the blocks
shown at the input size, global average and depth-wise max pooling."""
from __future__ import annotations

import numpy as np
import pytest

from tests.layers_reference import A4, A8, ODD, RNG, TOL, blocks, np_pool
from vizcore import color
from vizcore import layers as L


@pytest.mark.parametrize("space", color.SPACES)
@pytest.mark.parametrize("kind", ["max", "average"])
@pytest.mark.parametrize("image, size", [(A4, 2), (A8, 2), (A8, 3), (ODD, 2), (RNG.random((6, 6, 3), np.float32), 4)],
                         ids=["4x4k2", "8x8k2", "8x8k3", "5x7k2", "6x6k4-offset"])
def test_pool_equals_numpy(kind, space, image, size):
    x = color.to_space(image, space)
    expected, ph, pw = np_pool(x, size, size, kind)
    result = L.pool(image, kind=kind, size=size, space=space)
    np.testing.assert_allclose(result.output, expected, **TOL)
    assert result.params == 0
    # Shown at the input size, each pooled value repeated over its block.
    shown = blocks(color.from_space(np.clip(expected, 0, 1), space), size, ph, pw, *image.shape[:2])
    assert result.image.shape == image.shape
    np.testing.assert_allclose(result.image, shown, atol=1e-5)


@pytest.mark.parametrize("kind", ["max", "average"])
def test_pool_strides_and_valid_padding(kind):
    x = color.to_space(ODD, "rgb")
    expected, _, _ = np_pool(x, 3, 2, kind, padding="valid")
    result = L.pool(ODD, kind=kind, size=3, strides=2, padding="valid", space="rgb")
    np.testing.assert_allclose(result.output, expected, **TOL)
    assert result.image.shape == ODD.shape


@pytest.mark.parametrize("space", color.SPACES)
def test_global_average_pool(space):
    x = color.to_space(A8, space)
    result = L.pool(A8, kind="global_average", space=space)
    np.testing.assert_allclose(result.output, x.mean(axis=(0, 1)), **TOL)
    colour = color.from_space(x.mean(axis=(0, 1))[None, None], space)[0, 0]
    assert result.image.shape == A8.shape
    np.testing.assert_allclose(result.image, np.broadcast_to(colour, A8.shape), atol=1e-5)


@pytest.mark.parametrize("space", color.SPACES)
def test_depthwise_max_pool_is_max_over_channels(space):
    x = color.to_space(A8, space)
    result = L.pool(A8, kind="depthwise_max", space=space)
    np.testing.assert_allclose(result.output, x.max(axis=-1, keepdims=True), **TOL)
    np.testing.assert_allclose(result.image, np.repeat(x.max(axis=-1, keepdims=True), 3, axis=-1), **TOL)


def test_depthwise_max_in_rgb_is_hsv_value():
    result = L.pool(A8, kind="depthwise_max", space="rgb")
    np.testing.assert_allclose(result.output[..., 0], color.to_space(A8, "hsv")[..., 2], **TOL)
