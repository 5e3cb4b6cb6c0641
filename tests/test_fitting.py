"""vizcore.fitting: pictures brought to a size (match_size) or to a model's input (adapt_image),
checked against hand-built pictures, Pillow's own luminance and the geometry of centre crops."""
from __future__ import annotations

import re

import numpy as np
import pytest
from PIL import Image

import vizcore
from vizcore import ImageError, ModelError, images
from vizcore.fitting import adapt_image, match_size


def test_match_size_is_still_reached_from_vizcore_and_images():
    assert vizcore.match_size is match_size and images.match_size is match_size
    assert "match_size" in images.__all__


# --------------------------------------------------------------------------- match_size


def test_match_size_same_size_is_an_equal_copy():
    a = np.random.default_rng(0).random((5, 7, 3), dtype=np.float32)
    out = match_size(a, np.zeros((5, 7, 3), np.float32))
    np.testing.assert_array_equal(out, a)
    assert out is not a and out.dtype == np.float32


def test_match_size_crops_the_centre_without_stretching():
    # 4 tall x 8 wide: columns 0-3 red, 4-7 blue. To 4x4 no scaling is needed; the centre
    # crop keeps columns 2..5: two red then two blue.
    a = np.zeros((4, 8, 3), np.float32)
    a[:, :4, 0] = 1
    a[:, 4:, 2] = 1
    out = match_size(a, (4, 4))
    expected = np.zeros((4, 4, 3), np.float32)
    expected[:, :2, 0] = 1
    expected[:, 2:, 2] = 1
    np.testing.assert_array_equal(out, expected)


def test_match_size_scales_to_cover_then_crops():
    # Horizontal ramp x/19 over 20 columns, 10 rows -> 20x20: scale 2 (to 20x40), crop
    # columns 10..29. Output column j samples source x = (j + 10 + 0.5)/2 - 0.5, and a
    # cubic kernel reproduces a linear ramp exactly away from the borders.
    ramp = np.broadcast_to((np.arange(20, dtype=np.float32) / 19)[None, :, None], (10, 20, 3)).copy()
    out = match_size(ramp, np.zeros((20, 20, 3)))
    assert out.shape == (20, 20, 3) and out.dtype == np.float32
    expected = ((np.arange(20) + 10.5) / 2 - 0.5) / 19
    np.testing.assert_allclose(out[10, :, 1], expected, atol=1e-5)
    np.testing.assert_allclose(out[:, 5, 0], out[0, 5, 0], atol=1e-6)  # no vertical change


@pytest.mark.parametrize("size", [(1, 1), (6, 9), (9, 6), (100, 3)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_match_size_of_constant_image_to_any_size(size):
    a = np.full((2, 3, 3), [0.2, 0.4, 0.6], np.float32)
    out = match_size(a, size)
    assert out.shape == (*size, 3)
    np.testing.assert_allclose(out, np.broadcast_to([0.2, 0.4, 0.6], out.shape), atol=1e-6)


def test_match_size_keeps_values_in_range():
    a = np.zeros((8, 8, 3), np.float32)
    a[::2, ::2] = 1  # sharp edges make cubic interpolation overshoot
    out = match_size(a, (21, 21))
    assert out.min() >= 0 and out.max() <= 1


@pytest.mark.parametrize("image, reference, message", [
    pytest.param(np.zeros((4, 4)), (4, 4), "(H, W, C)", id="image-without-channels"),
    pytest.param(np.zeros((0, 4, 3)), (4, 4), "(H, W, C)", id="empty-image"),
    pytest.param(np.zeros((4, 4, 3)), (0, 4), "at least 1×1", id="empty-target"),
    pytest.param(np.zeros((4, 4, 3)), np.zeros(4), "reference", id="reference-without-height"),
])
def test_match_size_errors_name_what_they_got(image, reference, message):
    with pytest.raises(ImageError, match=re.escape(message)):
        match_size(image, reference)


# --------------------------------------------------------------------------- adapt_image


def test_adapt_image_grey_and_range_hand_values():
    img = np.zeros((2, 2, 3), np.float32)
    img[0, 0] = [1.0, 0.0, 0.0]
    img[1, 1] = [0.0, 0.0, 1.0]
    batch, notes = adapt_image(img, size=None, channels=1, value_range=(-1.0, 1.0))
    assert batch.shape == (1, 2, 2, 1) and batch.dtype == np.float32
    np.testing.assert_allclose(batch[0, :, :, 0], [[-1 + 2 * 0.299, -1], [-1, -1 + 2 * 0.114]], atol=1e-6)
    assert notes == ["turned into grey (luminance 0.299 R + 0.587 G + 0.114 B): the model reads one channel",
                     "values scaled from 0…1 to -1…1, the range the model was trained on"]


def test_adapt_image_luminance_equals_pillows_grey_conversion():
    rgb8 = np.random.default_rng(5).integers(0, 256, (6, 7, 3), dtype=np.uint8)
    grey8 = np.asarray(Image.fromarray(rgb8).convert("L"), dtype=np.float32)
    batch, _ = adapt_image(rgb8 / np.float32(255), size=None, channels=1)
    np.testing.assert_allclose(batch[0, ..., 0] * 255, grey8, atol=0.51)  # Pillow rounds to whole levels


def test_adapt_image_crops_to_keep_shape_and_resizes():
    img = np.zeros((40, 80, 3), np.float32)
    img[:, 20:60] = 1.0  # the centre square is white
    batch, notes = adapt_image(img, size=(10, 10), channels=3)
    assert batch.shape == (1, 10, 10, 3)
    np.testing.assert_allclose(batch, 1.0, atol=1e-6)
    assert notes == ["cropped the centre to 40×40 to keep the shape",
                     "shrunk from 80×40 to 10×10 pixels (width×height) the model takes"]
    stretched, notes = adapt_image(img, size=(10, 10), channels=3, fit="stretch")
    assert stretched[0, 5, 0, 0] < 0.1 and stretched[0, 5, 5, 0] > 0.9  # black sides kept, squeezed
    assert len(notes) == 1 and notes[0].startswith("shrunk")


def test_adapt_image_tall_picture_keeps_its_middle_rows():
    img = np.zeros((9, 3, 3), np.float32)
    img[3:6] = 0.75  # the middle 3 rows
    batch, notes = adapt_image(img, size=(3, 3), channels=3)
    np.testing.assert_allclose(batch[0], 0.75, atol=1e-6)
    assert notes == ["cropped the centre to 3×3 to keep the shape"]


def test_adapt_image_grey_input_enlarged_and_repeated():
    grey = np.full((2, 2), 0.25, np.float32)
    batch, notes = adapt_image(grey, size=(4, 4), channels=3)
    np.testing.assert_allclose(batch, np.full((1, 4, 4, 3), 0.25), atol=1e-6)
    assert notes == ["enlarged from 2×2 to 4×4 pixels (width×height) the model takes",
                     "grey copied into R, G and B: the model reads three channels"]


def test_adapt_image_that_already_fits_is_unchanged_and_says_nothing():
    img = np.random.default_rng(6).random((5, 4, 3)).astype(np.float32)
    batch, notes = adapt_image(img, size=(5, 4), channels=3)
    np.testing.assert_array_equal(batch[0], img)
    assert notes == []


@pytest.mark.parametrize("kwargs, error, message", [
    pytest.param({"image": np.zeros((4, 4, 2))}, ImageError, r"\(4, 4, 2\)", id="two-channel-image"),
    pytest.param({"channels": 4}, ModelError, "got 4", id="four-channels"),
    pytest.param({"value_range": (1.0, 0.0)}, ModelError, "high > low", id="reversed-range"),
    pytest.param({"fit": "pad"}, ModelError, "'pad'", id="unknown-fit"),
    pytest.param({"size": (0, 2)}, ModelError, r"positive, got \(0, 2\)", id="empty-size"),
])
def test_adapt_image_refuses(kwargs, error, message):
    args = {"image": np.zeros((4, 4, 3)), "size": (2, 2), "channels": 3, **kwargs}
    with pytest.raises(error, match=message):
        adapt_image(args.pop("image"), **args)

