"""vizcore.layers.merging: every merge against NumPy on the colour-space arrays of vizcore.color,
clipped in the space before converting back, inputs outside [0, 1] clipped first."""
from __future__ import annotations

import numpy as np
import pytest

from tests.layers_reference import A4, A8, B4, B8, NP_MERGE, TOL
from vizcore import color
from vizcore import layers as L


@pytest.mark.parametrize("space", color.SPACES)
@pytest.mark.parametrize("kind", L.MERGE_KINDS)
@pytest.mark.parametrize("a, b", [(A4, B4), (A8, B8)], ids=["4x4", "8x8"])
def test_merge_equals_numpy(kind, space, a, b):
    xa, xb = color.to_space(a, space), color.to_space(b, space)
    expected = NP_MERGE[kind](xa, xb)
    result = L.merge(kind, a, b, space=space)
    np.testing.assert_allclose(result.output, expected, **TOL)
    assert result.params == 0 and result.display == "clip"
    if kind == "Concatenate":
        shown = np.concatenate([color.from_space(xa, space), color.from_space(xb, space)], axis=1)
        np.testing.assert_allclose(result.maps, np.moveaxis(np.clip(expected, 0, 1), -1, 0), **TOL)
    else:
        shown = color.from_space(np.clip(expected, 0, 1), space)
    np.testing.assert_allclose(result.image, shown, atol=1e-5)
    assert result.image.dtype == np.float32


def test_merge_clips_in_the_space_before_converting_back():
    a = np.full((2, 2, 3), [0.9, 0.2, 0.2], np.float32)  # reddish
    b = np.full((2, 2, 3), [0.9, 0.9, 0.1], np.float32)  # yellowish
    result = L.merge("Add", a, b, space="rgb")
    np.testing.assert_allclose(result.output[0, 0], [1.8, 1.1, 0.3], atol=1e-6)
    np.testing.assert_allclose(result.image[0, 0], [1.0, 1.0, 0.3], atol=1e-6)
    lum = L.merge("Subtract", b, a, space="luminance")
    expected = (0.299 * 0.0 + 0.587 * 0.7 + 0.114 * -0.1)
    np.testing.assert_allclose(lum.output[0, 0, 0], expected, atol=1e-6)
    np.testing.assert_allclose(lum.image[0, 0], [expected] * 3, atol=1e-6)


def test_inputs_outside_unit_range_are_clipped_like_to_space():
    wild = A4 * 3 - 1
    result = L.merge("Average", wild, B4, space="hsv")
    expected = (color.to_space(np.clip(wild, 0, 1), "hsv") + color.to_space(B4, "hsv")) / 2
    np.testing.assert_allclose(result.output, expected, **TOL)
