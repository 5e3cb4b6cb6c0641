"""The display helpers every page uses (ui.panels): conversions, encodings, sizes."""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from tests.apptest_helpers import unenlarged
from ui import panels, state


@pytest.mark.parametrize("value, expected", [
    (np.nan, 0), (-np.inf, 0), (np.inf, 255), (-0.2, 0), (0.0, 0), (0.5, 128), (1.0, 255), (1.7, 255),
    (0.49 / 255, 0), (0.51 / 255, 1), (254.5 / 255, 255),
])
def test_to_uint8_clips_and_rounds(value, expected):
    assert panels.to_uint8(np.full((2, 2), value, dtype=np.float64))[0, 0] == expected


def test_to_uint8_keeps_grey_maps_single_channel():
    grey = np.linspace(0, 1, 12, dtype=np.float32).reshape(3, 4)
    broadcast = np.broadcast_to(grey[..., None], (3, 4, 3))  # how vizcore hands back feature maps
    out = panels.to_uint8(broadcast)
    assert out.shape == (3, 4)
    np.testing.assert_array_equal(out, np.round(grey * 255).astype(np.uint8))
    assert panels.to_uint8(grey[..., None]).shape == (3, 4)
    colour = np.stack([grey, grey, grey], axis=-1)  # a real RGB array stays RGB
    assert panels.to_uint8(colour).shape == (3, 4, 3)


@pytest.mark.parametrize("shape", [(4,), (2, 2, 2), (2, 2, 4), (1, 2, 2, 3)])
def test_to_uint8_refuses_other_shapes(shape):
    with pytest.raises(ValueError, match=r"expected an image of shape"):
        panels.to_uint8(np.zeros(shape))


def _decode(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_png_is_lossless():
    pixels = np.random.default_rng(0).integers(0, 256, size=(5, 7, 3), dtype=np.uint8)
    np.testing.assert_array_equal(np.asarray(_decode(panels.to_png(pixels))), pixels)


def test_small_images_are_shown_exactly_big_ones_as_jpeg_and_huge_ones_reduced():
    small = np.random.default_rng(1).integers(0, 256, size=(32, 32, 3), dtype=np.uint8)
    data, fmt = panels.to_display(small)
    assert fmt == "PNG"
    np.testing.assert_array_equal(unenlarged(np.asarray(_decode(data)), (32, 32)), small)  # crisp whole pixels
    data, fmt = panels.to_display(np.zeros((300, 400, 3), np.uint8))
    assert fmt == "JPEG" and _decode(data).size == (400, 300)
    data, fmt = panels.to_display(np.zeros((2048, 1500), np.float32))
    assert _decode(data).size == (750, 1024)  # factor ceil(2048 / 1024) = 2


def test_view_of_uses_the_result_texts_and_keeps_pixels_read_only():
    class Result:
        title, caption, explanation = "Conv2D 3×3 · relu", "a caption", "It computes things."
        display_note = "Min–max stretched."
        code, params, output_shape = "y = layer(x)", 28, (4, 4, 1)
        image = np.broadcast_to(np.eye(4, dtype=np.float32)[..., None], (4, 4, 3))
        maps = None

    view = panels.view_of(Result())
    assert view.title == "Conv2D 3×3 · relu" and view.params == 28 and view.shape == (4, 4, 1)
    assert view.explanation == "It computes things. Min–max stretched."
    assert view.filename == "conv2d-3x3-relu.png"
    assert not view.pixels.flags.writeable
    np.testing.assert_array_equal(view.pixels, np.eye(4, dtype=np.uint8) * 255)


@pytest.mark.parametrize("text, expected", [
    ("relu,tanh", ["relu", "tanh"]), ("relu,nope", ["relu"]), ("", []),
])
def test_list_of_cast_keeps_known_options(text, expected):
    assert state.list_of(["relu", "tanh", "elu"])(text) == expected


def test_list_of_cast_refuses_only_unknown_options():
    with pytest.raises(ValueError):
        state.list_of(["relu"])("nope,also-nope")
