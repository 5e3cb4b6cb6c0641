"""vizcore.features.filters: kernels set by hand come back as the pictures they describe
(0 at mid-grey, the largest weight at full colour), grids have the sizes their layout gives."""
from __future__ import annotations

import keras
import matplotlib
import numpy as np
import pytest

from vizcore import ModelError
from vizcore import features as F

L = keras.layers


def test_first_layer_filters_are_colour_pictures_with_zero_at_grey():
    model = keras.Sequential([keras.Input((5, 5, 3)), L.Conv2D(2, 1, name="c")])
    kernel = np.zeros((1, 1, 3, 2), np.float32)
    kernel[0, 0, :, 0] = [2.0, 0.0, -2.0]  # likes red, dislikes blue
    kernel[0, 0, :, 1] = [0.0, 0.5, 0.0]
    model.get_layer("c").set_weights([kernel, np.zeros(2, np.float32)])
    pics = F.layer_filters(model, "c")
    assert pics.shape == (2, 1, 1, 3)
    np.testing.assert_allclose(pics[0, 0, 0], [1.0, 0.5, 0.0])
    np.testing.assert_allclose(pics[1, 0, 0], [0.5, 1.0, 0.5])
    # two 1x1 kernels enlarged to 4x4 cells, side by side with a 1-pixel gap
    grid = F.filters_grid(model, "c", min_cell=4, gap=1)
    assert grid.shape == (4, 9, 3)
    np.testing.assert_allclose(grid[:, :4], np.broadcast_to([1.0, 0.5, 0.0], (4, 4, 3)))
    np.testing.assert_allclose(grid[:, 4], 1.0)  # white gap
    np.testing.assert_allclose(grid[:, 5:], np.broadcast_to([0.5, 1.0, 0.5], (4, 4, 3)))


def test_grey_input_filters_are_repeated_into_three_channels():
    model = keras.Sequential([keras.Input((5, 5, 1)), L.Conv2D(1, 2, name="c", use_bias=False)])
    model.get_layer("c").set_weights([np.array([[1.0, -1.0], [0.5, 0.0]], np.float32).reshape(2, 2, 1, 1)])
    pics = F.layer_filters(model, "c")
    assert pics.shape == (1, 2, 2, 3)
    np.testing.assert_allclose(pics[0, ..., 0], [[1.0, 0.0], [0.75, 0.5]])
    np.testing.assert_array_equal(pics[0, ..., 0], pics[0, ..., 2])


def test_deeper_filters_as_grid_coloured_with_the_diverging_colormap():
    model = keras.Sequential([keras.Input((8, 8, 3)), L.Conv2D(4, 3, name="c1"), L.Conv2D(5, 3, name="c2"),
                              L.Flatten(name="f")])
    pics = F.layer_filters(model, "c2")
    assert pics.shape == (5, 4, 3, 3) and 0.0 <= pics.min() and pics.max() <= 1.0
    kernel = model.get_layer("c2").get_weights()[0]  # (3, 3, 4, 5)
    scale = np.abs(kernel[..., 0]).max()
    np.testing.assert_allclose(pics[0, 1], 0.5 + 0.5 * kernel[:, :, 1, 0] / scale, rtol=1e-5)
    grid = F.filters_grid(model, "c2", min_cell=3, gap=1)
    assert grid.shape == (5 * 3 + 4, 4 * 3 + 3, 3)
    expected = matplotlib.colormaps["coolwarm"](pics[0, 1].astype(np.float32))[..., :3]
    np.testing.assert_allclose(grid[0:3, 4:7], expected, atol=1e-6)  # filter 0, input channel 1


def test_filters_grid_keeps_only_the_first_filters_and_channels():
    model = keras.Sequential([keras.Input((8, 8, 6)), L.Conv2D(10, 3, name="c")])
    grid = F.filters_grid(model, "c", max_filters=3, max_channels=2, min_cell=3, gap=1)
    assert grid.shape == (3 * 3 + 2, 2 * 3 + 1, 3)


@pytest.mark.parametrize("layer, message", [
    pytest.param("f", "'f' \\(Flatten\\) has no 2-D convolution kernels", id="flatten-layer"),
    pytest.param("nope", "no layer called 'nope'", id="unknown-layer"),
])
def test_layers_without_kernels_are_refused(layer, message):
    model = keras.Sequential([keras.Input((8, 8, 3)), L.Conv2D(4, 3, name="c1"), L.Flatten(name="f")])
    with pytest.raises(ModelError, match=message):
        F.layer_filters(model, layer)


def test_strongest_maps_by_mean():
    act = np.zeros((2, 2, 4), np.float32)
    act[..., 2] = 3.0
    act[0, 0, 1] = 8.0  # mean 2
    act[..., 3] = -1.0
    assert list(F.strongest_maps(act, 3)) == [2, 1, 0]
    assert list(F.strongest_maps(act[None], 10)) == [2, 1, 0, 3]
    assert list(F.strongest_maps(np.array([[0.1, 0.9, 0.5]]), 2)) == [1, 2]
    with pytest.raises(ModelError, match=r"\(2, 2\)"):
        F.strongest_maps(np.zeros((2, 2)))
