"""Colour spaces against independent references: hand-computed pixels, colorsys,
Pillow's YCbCr and L conversions, and tf.image.rgb_to_hsv / hsv_to_rgb."""
from __future__ import annotations

import colorsys
import re

import numpy as np
import pytest
from PIL import Image

from vizcore import ImageError
from vizcore.color import (
    LUMA_WEIGHTS,
    RGB_FROM_YCBCR,
    RGB_FROM_YCBCR_BIAS,
    SPACES,
    YCBCR_FROM_RGB,
    YCBCR_OFFSET,
    channel_names,
    from_space,
    split_channels,
    to_space,
)

RNG = np.random.default_rng(2024)
RANDOM = RNG.random((8, 25, 3), dtype=np.float32)  # 200 random pixels
# Pixels that stress the branches: ties between channels, greys, black, white, extremes.
EDGES = np.array([
    [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1], [0, 0, 0],
    [0.5, 0.5, 0.5], [0.2, 0.2, 0.7], [0.7, 0.7, 0.2], [0.7, 0.2, 0.7], [0.2, 0.7, 0.7],
    [1e-7, 0, 0], [1, 1, 1 - 1e-7], [0.3, 0.6, 0.6], [0.6, 0.3, 0.6], [0.6, 0.6, 0.3],
], np.float32)[None]


# --------------------------------------------------------------------------- hand-computed


# (input RGB, {space: expected}) worked out from the definitions in vizcore/color.py.
HAND = [
    ((1, 0, 0), {"luminance": (0.299,), "hsv": (0, 1, 1), "ycbcr": (0.299, 0.5 - 0.168736, 1.0)}),
    ((0, 1, 0), {"luminance": (0.587,), "hsv": (1 / 3, 1, 1), "ycbcr": (0.587, 0.5 - 0.331264, 0.5 - 0.418688)}),
    ((0, 0, 1), {"luminance": (0.114,), "hsv": (2 / 3, 1, 1), "ycbcr": (0.114, 1.0, 0.5 - 0.081312)}),
    ((1, 1, 1), {"luminance": (1.0,), "hsv": (0, 0, 1), "ycbcr": (1.0, 0.5, 0.5)}),
    ((0, 0, 0), {"luminance": (0.0,), "hsv": (0, 0, 0), "ycbcr": (0.0, 0.5, 0.5)}),
    ((0.5, 0.5, 0.5), {"luminance": (0.5,), "hsv": (0, 0, 0.5), "ycbcr": (0.5, 0.5, 0.5)}),
    ((1, 1, 0), {"luminance": (0.886,), "hsv": (1 / 6, 1, 1), "ycbcr": (0.886, 0.0, 0.5 + 0.081312)}),
    ((0, 1, 1), {"luminance": (0.701,), "hsv": (0.5, 1, 1), "ycbcr": (0.701, 0.5 + 0.168736, 0.0)}),
    ((1, 0, 1), {"luminance": (0.413,), "hsv": (5 / 6, 1, 1), "ycbcr": (0.413, 0.5 + 0.331264, 0.5 + 0.418688)}),
    ((0.5, 0.25, 0), {"luminance": (0.29625,), "hsv": (1 / 12, 1, 0.5),
                      "ycbcr": (0.29625, 0.5 - 0.084368 - 0.082816, 0.5 + 0.25 - 0.104672)}),
]
HAND_ROWS = [(rgb, space, out) for rgb, table in HAND for space, out in table.items()]


@pytest.mark.parametrize("rgb, space, expected", HAND_ROWS,
                         ids=[f"{space}-{rgb}" for rgb, space, _ in HAND_ROWS])
def test_hand_computed_pixels(rgb, space, expected):
    image = np.array([[rgb]], np.float32)
    np.testing.assert_allclose(to_space(image, space)[0, 0], expected, atol=2e-7)
    back = from_space(np.array([[expected]], np.float32), space)[0, 0]
    grey = (expected[0],) * 3
    np.testing.assert_allclose(back, grey if space == "luminance" else rgb, atol=2e-6)


def test_rgb_space_is_the_image_itself():
    out = to_space(RANDOM, "rgb")
    np.testing.assert_array_equal(out, RANDOM)
    assert out is not RANDOM


# --------------------------------------------------------------------------- colorsys


def test_hsv_matches_colorsys_per_pixel():
    pixels = np.concatenate([RANDOM.reshape(-1, 3), EDGES.reshape(-1, 3)])
    ours = to_space(pixels[None], "hsv")[0]
    for px, got in zip(pixels, ours):
        np.testing.assert_allclose(got, colorsys.rgb_to_hsv(*map(float, px)), atol=1e-6, err_msg=str(px))


def test_hsv_back_to_rgb_matches_colorsys_per_pixel():
    hsv = RNG.random((200, 3), dtype=np.float32)
    hsv[::10, 0] = np.arange(20) / 6  # every sector boundary, including hue >= 1 wrapping
    hsv[::10, 0] %= 1
    ours = from_space(hsv[None], "hsv")[0]
    for px, got in zip(hsv, ours):
        np.testing.assert_allclose(got, colorsys.hsv_to_rgb(*map(float, px)), atol=1e-6, err_msg=str(px))


def test_hue_wraps_around_the_wheel():
    a = np.array([[[0.25, 0.8, 0.6]]], np.float32)
    b = np.array([[[1.25, 0.8, 0.6]]], np.float32)
    c = np.array([[[-0.75, 0.8, 0.6]]], np.float32)
    np.testing.assert_allclose(from_space(b, "hsv"), from_space(a, "hsv"), atol=1e-6)
    np.testing.assert_allclose(from_space(c, "hsv"), from_space(a, "hsv"), atol=1e-6)


# --------------------------------------------------------------------------- public constants


def test_luma_weights_are_the_published_bt601_weights():
    # ITU-R BT.601: Y = 0.299 R + 0.587 G + 0.114 B (written here from the standard, not from color.py).
    np.testing.assert_array_equal(LUMA_WEIGHTS, np.float32([0.299, 0.587, 0.114]))
    assert LUMA_WEIGHTS.dtype == np.float32 and not LUMA_WEIGHTS.flags.writeable


def test_ycbcr_constants_convert_like_pillow_and_invert_each_other():
    rgb8 = RNG.integers(0, 256, (6, 6, 3), dtype=np.uint8)
    pillow = np.asarray(Image.fromarray(rgb8).convert("YCbCr"), np.float32) / 255
    ycbcr = (rgb8 / 255).astype(np.float32) @ YCBCR_FROM_RGB + YCBCR_OFFSET
    np.testing.assert_allclose(ycbcr, pillow, atol=1.01 / 255)
    np.testing.assert_array_equal(YCBCR_FROM_RGB[:, 0], LUMA_WEIGHTS)  # Y is the luma
    back = ycbcr @ RGB_FROM_YCBCR + RGB_FROM_YCBCR_BIAS
    np.testing.assert_allclose(back, rgb8 / 255, atol=1e-5)
    for constant in (YCBCR_FROM_RGB, YCBCR_OFFSET, RGB_FROM_YCBCR, RGB_FROM_YCBCR_BIAS):
        assert constant.dtype == np.float32 and not constant.flags.writeable


# --------------------------------------------------------------------------- Pillow


def test_ycbcr_matches_pillow_within_one_level():
    rgb8 = RNG.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    rgb8[0, :8] = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255], [0, 0, 0], [255, 255, 0], [0, 255, 255],
                   [255, 0, 255]]
    pillow = np.asarray(Image.fromarray(rgb8).convert("YCbCr"), np.float32) / 255
    ours = to_space(rgb8.astype(np.float32) / 255, "ycbcr")
    np.testing.assert_allclose(ours, pillow, atol=1 / 255 + 1e-6)


def test_ycbcr_back_to_rgb_matches_pillow():
    ycc8 = np.asarray(Image.fromarray(RNG.integers(0, 256, (16, 16, 3), dtype=np.uint8)).convert("YCbCr"))
    pillow = np.asarray(Image.fromarray(ycc8, "YCbCr").convert("RGB"), np.float32) / 255
    ours = from_space(ycc8.astype(np.float32) / 255, "ycbcr")
    # Pillow's inverse is fixed-point and truncates (up to ~1.9 levels low); ours is the
    # exact matrix inverse (round trips hold to 1e-5 below).
    np.testing.assert_allclose(ours, pillow, atol=2 / 255)
    assert (ours - pillow).mean() >= 0


def test_luminance_matches_pillow_L_within_one_level():
    # Pillow's "L" is ITU-R 601-2 luma: L = R*299/1000 + G*587/1000 + B*114/1000.
    rgb8 = RNG.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    pillow = np.asarray(Image.fromarray(rgb8).convert("L"), np.float32) / 255
    ours = to_space(rgb8.astype(np.float32) / 255, "luminance")
    assert ours.shape == (16, 16, 1)
    np.testing.assert_allclose(ours[..., 0], pillow, atol=1 / 255 + 1e-6)


# --------------------------------------------------------------------------- TensorFlow


def test_hsv_agrees_with_tensorflow_both_ways():
    import tensorflow as tf  # a hard dependency: fail, never skip
    images = np.concatenate([RANDOM[:, :18], EDGES.repeat(8, axis=0)], axis=0)  # (16, 18, 3)
    np.testing.assert_allclose(to_space(images, "hsv"), tf.image.rgb_to_hsv(images).numpy(), atol=1e-6)
    hsv = RNG.random((4, 5, 3), dtype=np.float32)
    np.testing.assert_allclose(from_space(hsv, "hsv"), tf.image.hsv_to_rgb(hsv).numpy(), atol=1e-6)


# --------------------------------------------------------------------------- round trips, ranges, batches


@pytest.mark.parametrize("space", ["rgb", "hsv", "ycbcr"])
def test_round_trip_within_1e5(space):
    images = np.concatenate([RANDOM[:, :18], EDGES.repeat(8, axis=0)], axis=0)
    back = from_space(to_space(images, space), space)
    np.testing.assert_allclose(back, images, atol=1e-5)
    assert back.dtype == np.float32


def test_luminance_round_trip_of_grey_and_grey_output():
    grey = np.repeat(RNG.random((5, 6, 1), dtype=np.float32), 3, axis=-1)
    np.testing.assert_allclose(from_space(to_space(grey, "luminance"), "luminance"), grey, atol=1e-6)
    back = from_space(to_space(RANDOM, "luminance"), "luminance")
    assert back.shape == RANDOM.shape
    np.testing.assert_array_equal(back[..., 0], back[..., 1])
    np.testing.assert_array_equal(back[..., 0], back[..., 2])


@pytest.mark.parametrize("space", SPACES)
def test_outputs_are_float32_in_unit_range_with_right_channels(space):
    out = to_space(RANDOM.astype(np.float64), space)
    assert out.dtype == np.float32
    assert out.shape == (*RANDOM.shape[:2], len(channel_names(space)))
    assert out.min() >= 0 and out.max() <= 1
    # Anything a layer produces, even far out of range, comes back displayable.
    wild = RNG.normal(0.5, 2.0, out.shape).astype(np.float32)
    back = from_space(wild, space)
    assert back.dtype == np.float32 and back.shape == RANDOM.shape
    assert back.min() >= 0 and back.max() <= 1 and np.isfinite(back).all()


def test_out_of_gamut_ycbcr_is_clipped_to_nearest_rgb():
    # Y=1 with strong red difference: R = 1 + 1.402*0.5 > 1 -> 1; B = 1 - ... stays < 1.
    out = from_space(np.array([[[1.0, 0.5, 1.0]]], np.float32), "ycbcr")[0, 0]
    np.testing.assert_allclose(out, [1.0, np.clip(1 - 0.714136 * 0.5, 0, 1), 1.0], atol=1e-5)


@pytest.mark.parametrize("space", SPACES)
def test_batch_axis_equals_one_image_at_a_time(space):
    batch = RNG.random((3, 4, 5, 3), dtype=np.float32)
    converted = to_space(batch, space)
    assert converted.shape[:3] == (3, 4, 5)
    for i in range(3):
        np.testing.assert_array_equal(converted[i], to_space(batch[i], space))
        np.testing.assert_array_equal(from_space(converted, space)[i], from_space(converted[i], space))


@pytest.mark.parametrize("space", SPACES)
def test_input_is_not_modified(space):
    image = RANDOM.copy()
    converted = to_space(image, space)
    np.testing.assert_array_equal(image, RANDOM)
    before = converted.copy()
    from_space(converted, space)
    np.testing.assert_array_equal(converted, before)


# --------------------------------------------------------------------------- names, splitting, errors


def test_channel_names():
    assert SPACES == ("luminance", "rgb", "hsv", "ycbcr")
    assert channel_names("luminance") == ("Luminance",)
    assert channel_names("rgb") == ("Red", "Green", "Blue")
    assert channel_names("hsv") == ("Hue", "Saturation", "Value")
    assert [n.split()[0] for n in channel_names("ycbcr")] == ["Y", "Cb", "Cr"]


@pytest.mark.parametrize("space", SPACES)
def test_split_channels(space):
    parts = split_channels(RANDOM, space)
    assert [name for name, _ in parts] == list(channel_names(space))
    converted = to_space(RANDOM, space)
    for i, (_, channel) in enumerate(parts):
        assert channel.shape == RANDOM.shape[:2]
        np.testing.assert_array_equal(channel, converted[..., i])


@pytest.mark.parametrize("call, message", [
    (lambda: to_space(np.zeros((4, 4)), "rgb"), "got an array of shape (4, 4)"),
    (lambda: to_space(np.zeros((4, 4, 4)), "hsv"), "expected (H, W, 3), got shape (4, 4, 4)"),
    (lambda: to_space(np.zeros((1, 1, 4, 4, 3)), "rgb"), "(1, 1, 4, 4, 3)"),
    (lambda: to_space(np.zeros((4, 4, 3), np.uint8), "rgb"), "dtype uint8"),
    (lambda: to_space(np.full((2, 2, 3), "a"), "rgb"), "numeric"),
    (lambda: from_space(np.zeros((4, 4, 3)), "luminance"), "expected (H, W, 1), got shape (4, 4, 3)"),
    (lambda: from_space(np.zeros((4, 4, 1)), "ycbcr"), "expected (H, W, 3), got shape (4, 4, 1)"),
    (lambda: split_channels(np.zeros((2, 4, 4, 3)), "rgb"), "(2, 4, 4, 3)"),
], ids=["2d", "4-channels", "5d", "uint8", "strings", "lum-3ch", "ycbcr-1ch", "split-batch"])
def test_shape_errors_name_what_was_received(call, message):
    with pytest.raises(ImageError, match=re.escape(message)):
        call()


@pytest.mark.parametrize("space", ["lab", "RGB", "", None, "luma"])
def test_unknown_space_is_a_value_error_listing_choices(space):
    for call in (lambda: to_space(RANDOM, space), lambda: from_space(RANDOM, space), lambda: channel_names(space)):
        with pytest.raises(ValueError, match="luminance, rgb, hsv, ycbcr"):
            call()
