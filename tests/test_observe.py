"""vizcore.observe and the observations built on it: each number checked on tiny hand-made images
whose answer is known without vizcore (pure colours, hand-computed hues, NumPy pooling)."""
from __future__ import annotations

import colorsys

import numpy as np
import pytest

from vizcore import layers as L
from vizcore import observe as O

PURPLE, GREEN = (1.0, 0.0, 1.0), (0.0, 1.0, 0.0)


def _img(*pixels) -> np.ndarray:
    """A 1×N RGB image from colour triples."""
    return np.array([pixels], dtype=np.float32)


def test_max_in_ycbcr_of_purple_and_green_is_nearer_purple_and_leans_purple():
    a, b = _img(PURPLE), _img(GREEN)
    result = L.merge("Maximum", a, b, space="ycbcr")
    assert O.nearer_shares(a, b, result.image) == (1.0, 0.0)
    assert O.chroma_shares(result.image) == (1.0, 0.0)
    assert O.chroma_shares(a) == (1.0, 0.0) and O.chroma_shares(b) == (0.0, 1.0)
    assert result.observation.startswith("100 % of pixels lean purple")


def test_min_in_ycbcr_of_purple_and_green_leans_green():
    a, b = _img(PURPLE, PURPLE), _img(GREEN, GREEN)
    result = L.merge("Minimum", a, b, space="ycbcr")
    assert O.chroma_shares(result.image) == (0.0, 1.0)
    assert result.observation.startswith("100 % of pixels lean green")


def test_hue_shift_against_colorsys_and_wraps_around_the_wheel():
    red, orange, magenta = (1.0, 0.0, 0.0), (1.0, 0.5, 0.0), (1.0, 0.0, 0.5)
    # red -> orange is +30°, red -> magenta-red (330°) is 30° across 0.
    expected = [abs(colorsys.rgb_to_hsv(*orange)[0] - 0) * 360, (1 - colorsys.rgb_to_hsv(*magenta)[0]) * 360]
    assert O.hue_shift(_img(red, red), _img(orange, magenta)) == pytest.approx(np.mean(expected), abs=1e-3)
    assert np.isnan(O.hue_shift(_img((0.5, 0.5, 0.5)), _img(red)))  # grey has no hue: nothing to measure


def test_add_in_hsv_observation_reports_the_hue_moved():
    a = _img((1.0, 0.0, 0.0), (0.0, 1.0, 0.0))   # hue 0 and 1/3
    b = _img((1.0, 0.5, 0.0), (1.0, 0.5, 0.0))   # hue 1/12 (30°)
    result = L.merge("Add", a, b, space="hsv")
    # by hand: saturations and values add past 1 and clip; hues 0 + 30° = 30°, 120° + 30° = 150°.
    assert O.hue_shift(a, result.image) == pytest.approx(30.0, abs=0.5)
    assert result.observation.startswith("Hue moved 30°")


def test_multiply_in_hsv_changes_saturation_and_value_as_hand_computed():
    a, b = _img((1.0, 0.5, 0.5)), _img((0.8, 0.8, 0.4))  # HSV (0, 0.5, 1) and (1/6, 0.5, 0.8)
    result = L.merge("Multiply", a, b, space="hsv")      # HSV (0, 0.25, 0.8)
    d_sat, d_val = O.hsv_change(a, result.image)
    assert (d_sat, d_val) == (pytest.approx(-0.25, abs=1e-5), pytest.approx(-0.2, abs=1e-5))
    assert "saturation −0.25, brightness (V) −0.20" in result.observation


def test_average_in_ycbcr_equals_the_rgb_average():
    rng = np.random.default_rng(0)
    a, b = rng.random((5, 6, 3), dtype=np.float32), rng.random((5, 6, 3), dtype=np.float32)
    result = L.merge("Average", a, b, space="ycbcr")
    assert O.share_matching(result.image, (a + b) / 2) == 1.0
    assert O.share_matching(result.image, a) < 1.0
    assert result.observation.startswith("100 % of pixels within 1/255")


def test_maximum_in_luminance_counts_pixels_from_each_input():
    a = _img((1, 1, 1), (0, 0, 0), (0.5, 0.5, 0.5), (0.2, 0.2, 0.2))
    b = _img((0, 0, 0), (1, 1, 1), (1, 1, 1), (0.2, 0.2, 0.2))   # last pixel: a tie
    result = L.merge("Maximum", a, b, space="luminance")
    assert O.nearer_shares(a[..., :1], b[..., :1], result.output) == (0.25, 0.5)
    assert result.observation.startswith("25 % of pixels come from the first image, 50 % from the second")


def test_share_from_neither_sees_mixed_channels():
    a, b = _img((1, 0, 0), (1, 0, 0)), _img((0, 1, 0), (0.5, 0, 0))
    out = np.maximum(a, b)  # (1, 1, 0) matches neither; (1, 0, 0) is a
    assert O.share_from_neither(a, b, out) == 0.5


def test_block_pool_matches_hand_computed_same_padding():
    x = np.arange(15, dtype=np.float64).reshape(3, 5)
    assert O.block_pool(x, 2, "max").tolist() == [[6, 8, 9], [11, 13, 14]]
    # average over the pixels inside the image only (Keras "same")
    assert O.block_pool(x, 2, "average").tolist() == [[3, 5, 6.5], [10.5, 12.5, 14]]


def test_block_steps_and_average_pooling_softens_a_hard_edge():
    # A diagonal edge: max pooling keeps it as full-height stairs, averaging makes half steps.
    x = (np.add.outer(np.arange(8), np.arange(8)) >= 8).astype(np.float64)
    x = np.roll(x, 1, axis=1)
    steps = {kind: O.block_steps(O.upsample_blocks(O.block_pool(x, 2, kind), 2, 8, 8), 2, top=0.25)
             for kind in ("max", "average")}
    assert steps["max"] == 1.0
    assert steps["average"] < steps["max"]
    assert np.isnan(O.block_steps(np.zeros((2, 2)), 2))  # no inner border


def test_average_pooling_observation_compares_with_max_pooling():
    image = np.zeros((8, 8, 3), np.float32)
    image[:, 3:] = 1.0   # a vertical edge inside a 2×2 block
    result = L.pool(image, kind="average", space="luminance", size=2)
    assert "vs 255/255 for max pooling: softer stairs" in result.observation


def test_max_pooling_observation_counts_dark_pixels_before_and_after():
    image = np.ones((4, 4, 3), np.float32)
    image[::2, ::2] = 0.0   # a quarter of the pixels dark, one in each 2×2 block
    result = L.pool(image, kind="max", space="luminance", size=2)
    assert O.dark_share(image) == 0.25 and O.dark_share(result.image) == 0.0
    assert result.observation.startswith("Dark pixels (luminance < 0.2): 25 % before, 0 % after")


def test_correlation_and_dense_is_per_pixel():
    rng = np.random.default_rng(1)
    image = rng.random((6, 7, 3), dtype=np.float32)
    lum = image @ np.array([0.299, 0.587, 0.114])
    assert O.correlation(lum, 2 * lum + 1) == pytest.approx(1.0)
    assert O.correlation(lum, -lum) == pytest.approx(-1.0)
    result = L.dense(image, activation="linear", seed=0, space="luminance")
    r = np.corrcoef(lum.ravel(), result.output[..., 0].ravel())[0, 1]
    assert abs(r) == pytest.approx(1.0, abs=1e-5)
    assert f"r = {r:+.2f}".replace("-", "−") in result.observation


def test_phase_share_of_a_checkerboard_and_of_noise():
    checker = np.indices((8, 8)).sum(0) % 2 * 1.0
    assert O.phase_share(checker, 2) == pytest.approx(1.0)
    rows = np.repeat(np.arange(8.0)[:, None], 8, axis=1)     # a ramp: the two row phases differ by 1 on average
    means = np.array([rows[i::2].mean() for i in range(2)])
    assert O.phase_share(rows, 2) == pytest.approx(np.var(means) / rows.var())


def test_tanh_observation_counts_saturated_pixels():
    image = np.ones((4, 4, 3), np.float32)
    result = L.conv2d(image, kernel=np.full((1, 1), 5.0), activation="tanh", space="luminance")
    # tanh(5) = 0.9999 everywhere: every pixel on the flat end
    assert result.observation.startswith("100 % of pixels reach tanh's flat ends")


def test_sample_keeps_small_arrays_and_block_alignment():
    small = np.zeros((10, 10))
    assert O.sample(small) is small or np.shares_memory(O.sample(small), small)
    big = np.arange(600 * 400).reshape(600, 400)
    spread = O.sample(big, max_pixels=1000)
    assert spread.size <= 1000 and spread[0, 0] == 0
    crop = O.sample(big, max_pixels=1000, block=4)
    assert crop.shape[0] % 4 == 0 and crop.shape[1] % 4 == 0 and crop.size <= 1000
    top = int(crop[0, 0]) // 400
    assert top % 4 == 0 and int(crop[0, 0]) % 400 % 4 == 0


@pytest.mark.parametrize("call, match", [
    (lambda: O.hue_shift(np.zeros((2, 2)), np.zeros((2, 2))), r"\(H, W, 3\)"),
    (lambda: O.share_matching(np.zeros((2, 2)), np.zeros((2, 3))), "same shape"),
    (lambda: O.block_pool(np.zeros((2, 2)), 2, "median"), "median"),
    (lambda: O.share_beyond(np.zeros(3)), "exactly one"),
    (lambda: O.block_steps(np.zeros((4, 4)), 2, top=0), "top"),
], ids=["hue-needs-rgb", "shapes-differ", "unknown-pool", "no-threshold", "bad-top"])
def test_bad_arguments_name_what_was_received(call, match):
    with pytest.raises(ValueError, match=match):
        call()
