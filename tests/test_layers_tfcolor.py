"""vizcore.layers.tfcolor: the graph colour conversions against vizcore.color (NumPy) on edge colours
(black, white, grey, primaries, ties, hue just below 1) and random pixels."""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tests.layers_reference import A8
from vizcore import color
from vizcore import layers as L
from vizcore.layers.tfcolor import tf_from_space, tf_to_space

EDGE_COLOURS = np.array([
    [[0, 0, 0], [1, 1, 1], [0.5, 0.5, 0.5], [1, 0, 0], [0, 1, 0], [0, 0, 1]],
    [[1, 1, 0], [0, 1, 1], [1, 0, 1], [1, 0, 0.01], [0.2, 0.2, 0.1], [0.3, 0.6, 0.6]],
], np.float32)  # black, white, grey, primaries, secondaries, hue just below 1, ties


@pytest.mark.parametrize("space", color.SPACES)
def test_graph_colour_conversion_matches_vizcore_color_on_edge_colours(space):
    # Maximum of an image with itself is the image in the space; Add of it and black is too.
    same = L.merge("Maximum", EDGE_COLOURS, EDGE_COLOURS, space=space)
    np.testing.assert_allclose(same.output, color.to_space(EDGE_COLOURS, space), atol=1e-6)
    np.testing.assert_allclose(same.image, color.from_space(color.to_space(EDGE_COLOURS, space), space), atol=1e-6)


@pytest.mark.parametrize("space", color.SPACES)
@pytest.mark.parametrize("pixels", [EDGE_COLOURS, A8], ids=["edge-colours", "random-8x8"])
def test_tf_to_space_and_back_match_vizcore_color(space, pixels):
    x = tf_to_space(tf.constant(pixels[None]), space)
    np.testing.assert_allclose(x[0], color.to_space(pixels, space), atol=1e-6)
    back = np.asarray(tf_from_space(x, space)[0])
    if space == "luminance":  # a grey (H, W) map
        back = np.repeat(back[..., None], 3, axis=-1)
    np.testing.assert_allclose(back, color.from_space(color.to_space(pixels, space), space), atol=1e-6)
