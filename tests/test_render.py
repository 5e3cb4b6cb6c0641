"""vizcore.render, the one display module, against independent references: NumPy for the
stretch rules and layouts, matplotlib for colormaps, Pillow for resizing and decoding what was
encoded, and hand-computed pixels."""
from __future__ import annotations

import io

import matplotlib
import numpy as np
import pytest
from PIL import Image

from vizcore import ImageError, ModelError, render

RNG = np.random.default_rng(0)


# --------------------------------------------------------------------------- stretch rules


def test_clip_mode_is_numpy_clip():
    a = np.array([[-1.0, 0.25], [0.5, 3.0]])
    np.testing.assert_array_equal(render.normalise(a, mode="clip"), np.clip(a, 0, 1).astype(np.float32))


def test_minmax_per_map_against_numpy():
    a = RNG.normal(size=(5, 4, 3)).astype(np.float32) * 7
    lo, hi = a.min(axis=(0, 1)), a.max(axis=(0, 1))
    np.testing.assert_allclose(render.normalise(a, mode="minmax"), (a - lo) / (hi - lo), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(render.normalise(a, mode="minmax", per_map=False), (a - a.min()) / (a.max() - a.min()),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("value, shown", [
    pytest.param(0.0, 0.0, id="dead-relu-stays-black"),
    pytest.param(0.3, 0.3, id="inside-range-kept"),
    pytest.param(5.0, 1.0, id="above-one-clipped"),
    pytest.param(-2.0, 0.0, id="below-zero-clipped"),
])
def test_flat_map_shows_its_value_clipped(value, shown):
    flat = np.full((3, 4), value, np.float32)
    for mode in ("percentile", "minmax"):
        np.testing.assert_array_equal(render.normalise(flat, mode=mode), np.full((3, 4), shown, np.float32))
    maps = np.full((2, 3, 4), value, np.float32)  # (C, H, W) as scale_maps takes them
    for scale in ("map", "layer"):
        np.testing.assert_array_equal(render.scale_maps(maps, scale), np.full((2, 3, 4), shown, np.float32))


def test_flat_map_next_to_a_varying_one_keeps_its_own_rule():
    a = np.zeros((2, 2, 2), np.float32)
    a[..., 0] = [[1.0, 2.0], [3.0, 5.0]]
    a[..., 1] = 0.4
    out = render.normalise(a, mode="minmax")
    np.testing.assert_allclose(out[..., 0], [[0.0, 0.25], [0.5, 1.0]])
    np.testing.assert_allclose(out[..., 1], 0.4)


def test_scale_maps_map_and_layer_against_numpy_and_nan_kept():
    maps = RNG.random((3, 4, 5)).astype(np.float32) * [[[1.0]], [[4.0]], [[9.0]]]
    lo, hi = maps.min(axis=(1, 2), keepdims=True), maps.max(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(render.scale_maps(maps, "map", stretch="minmax"), (maps - lo) / (hi - lo),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(render.scale_maps(maps, "layer", stretch="minmax"),
                               (maps - maps.min()) / (maps.max() - maps.min()), rtol=1e-5, atol=1e-6)
    p1, p99 = np.percentile(maps, [1, 99], axis=(1, 2), keepdims=True)  # 20 values a map: no subsample
    np.testing.assert_allclose(render.scale_maps(maps, "map"), np.clip((maps - p1) / (p99 - p1), 0, 1),
                               rtol=1e-5, atol=1e-6)
    with_nan = np.array([[[0.0, 2.0, np.nan]]], np.float32)
    out = render.scale_maps(with_nan, "map")
    np.testing.assert_array_equal(out[0, 0, :2], [0.0, 1.0])
    assert np.isnan(out[0, 0, 2])


def test_percentile_stretch_ignores_one_outlier_as_numpy_percentile():
    a = RNG.normal(size=(20, 20)).astype(np.float32)
    a[3, 4] = 1000.0  # one extreme pixel: min-max would turn every other pixel mid-grey
    p1, p99 = np.percentile(a, [1, 99])
    out = render.normalise(a)  # the default rule
    np.testing.assert_allclose(out, np.clip((a - p1) / (p99 - p1), 0, 1), rtol=1e-5, atol=1e-6)
    assert out[3, 4] == 1.0 and np.median(out) == pytest.approx(np.median((a - p1) / (p99 - p1)), abs=1e-5)
    assert np.median(render.normalise(a, mode="minmax")) < 0.01  # what the old default showed


def test_percentile_of_a_big_map_reads_every_odd_step_subsample():
    a = np.zeros((512, 512, 1), np.float32)
    a[::2, ::2] = 1.0  # a stride-2 checkerboard: an even step would see only ones
    step = render.sample_step(512, 512)
    assert step % 2 == 1 and render.percentile_sample(a).shape == (len(range(0, 512, step)) ** 2, 1)
    black, white = render.stretch_ends(a)
    sample = a[::step, ::step, 0].ravel()
    np.testing.assert_allclose([black[0], white[0]], np.percentile(sample, [1, 99]))
    assert (black[0], white[0]) == (0.0, 1.0)


def test_diverging_puts_zero_at_white_and_keeps_the_sign():
    a = np.array([[-2.0, -1.0, 0.0], [0.5, 1.0, 4.0]], np.float32)
    s = max(-np.percentile(a, 1), np.percentile(a, 99))
    pos = render.normalise(a, mode="diverging")
    np.testing.assert_allclose(pos, np.clip(0.5 + 0.5 * a / s, 0, 1), rtol=1e-6)
    rgb = render.diverging_rgb(pos)
    np.testing.assert_array_equal(rgb[0, 2], [1.0, 1.0, 1.0])  # zero is white
    assert (rgb[0, :2, 2] > rgb[0, :2, 0]).all() and (rgb[1, :, 0] > rgb[1, :, 2]).all()  # blue < 0 < red
    p = np.linspace(0, 1, 1001)
    np.testing.assert_allclose(render.diverging_rgb(p), matplotlib.colormaps["bwr"](p)[:, :3], atol=1 / 128)
    np.testing.assert_array_equal(render.normalise(np.zeros((2, 2)), mode="diverging"), 0.5)


@pytest.mark.parametrize("call, message", [
    pytest.param(lambda: render.normalise(np.zeros((2, 2)), mode="zscore"), "'zscore'", id="unknown-mode"),
    pytest.param(lambda: render.normalise(np.zeros(4)), r"shape \(4,\)", id="one-dimensional"),
    pytest.param(lambda: render.scale_maps(np.zeros((1, 2, 2)), "global"), "'global'", id="unknown-scale"),
    pytest.param(lambda: render.scale_maps(np.zeros((1, 2, 2)), "map", stretch="log"), "'log'", id="unknown-stretch"),
])
def test_stretch_rules_refuse_naming_what_they_got(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_stretch_about_grey_keeps_grey_and_maps_the_spread_to_the_ends():
    picture = np.array([0.4, 0.5, 0.6, 0.45] * 250, np.float32)  # |x - 0.5| is 0.1 for half, 99.5th pct 0.1
    out = render.stretch_about_grey(picture)
    np.testing.assert_allclose(out[:4], [0.0, 0.5, 1.0, 0.25], atol=1e-6)  # 0.5 + dev * 0.5 / 0.1
    grey = np.full((3, 3, 3), 0.5, np.float32)
    np.testing.assert_array_equal(render.stretch_about_grey(grey), grey)


# --------------------------------------------------------------------------- colormaps


@pytest.mark.parametrize("name", ["viridis", "magma", "gray", "coolwarm", "jet"])
def test_colormap_lookup_within_a_thousandth_of_matplotlib(name):
    values = RNG.random((7, 9)).astype(np.float32)
    values[0, :3] = [0.0, 1.0, 0.5]  # both ends and the middle
    expected = matplotlib.colormaps[name](values)[..., :3]
    out = render.apply_colormap(values, name)
    assert out.shape == (7, 9, 3) and out.dtype == np.float32
    np.testing.assert_allclose(out, expected, atol=1e-3)


def test_colormap_clips_out_of_range_and_paints_nan_white():
    values = np.array([-3.0, 4.0, np.nan], np.float32)
    out = render.apply_colormap(values, "viridis")
    lut = matplotlib.colormaps["viridis"]
    np.testing.assert_allclose(out[0], lut(0.0)[:3], atol=1e-6)
    np.testing.assert_allclose(out[1], lut(1.0)[:3], atol=1e-6)
    np.testing.assert_array_equal(out[2], [1.0, 1.0, 1.0])


def test_unknown_colormap_is_named():
    with pytest.raises(ValueError, match="unknown colormap 'rainbowish'"):
        render.apply_colormap(np.zeros(2), "rainbowish")


# --------------------------------------------------------------------------- grids and overlays


def test_as_maps_moves_channels_first_and_lays_out_vectors():
    act = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    np.testing.assert_array_equal(render.as_maps(act[None]), np.moveaxis(act, -1, 0))
    vec = render.as_maps(np.arange(10, dtype=np.float32))  # 10 values: 4 columns, 3 rows
    assert vec.shape == (1, 3, 4)
    np.testing.assert_array_equal(vec.reshape(-1)[:10], np.arange(10))
    assert np.isnan(vec.reshape(-1)[10:]).all()
    with pytest.raises(ModelError, match=r"\(2, 2, 2, 2, 2\)"):
        render.as_maps(np.zeros((2, 2, 2, 2, 2)))


def test_feature_grid_local_and_global_scale():
    maps = np.stack([np.array([[0, 1], [2, 3]]), np.array([[0, 2], [4, 6]])], axis=-1).astype(np.float32)
    local = render.feature_grid(maps, cmap="gray", scale="map", stretch="minmax", min_cell=2, gap=1, columns=2)
    glob = render.feature_grid(maps, cmap="gray", scale="layer", stretch="minmax", min_cell=2, gap=1, columns=2)
    assert local.shape == glob.shape == (2, 5, 3)
    np.testing.assert_allclose(local[:, 2], 1.0)  # white gap column
    np.testing.assert_allclose(local[:, :2, 0], [[0, 1 / 3], [2 / 3, 1]], atol=0.01)
    np.testing.assert_allclose(local[:, 3:, 0], [[0, 1 / 3], [2 / 3, 1]], atol=0.01)
    np.testing.assert_allclose(glob[:, :2, 0], [[0, 1 / 6], [2 / 6, 3 / 6]], atol=0.01)
    p1, p99 = np.percentile(maps, [1, 99])  # the default stretch, over the whole layer
    default = render.feature_grid(maps, cmap="gray", scale="layer", min_cell=2, gap=1, columns=2)
    np.testing.assert_allclose(default[:, 3:, 0], np.clip((maps[..., 1] - p1) / (p99 - p1), 0, 1), atol=0.01)


@pytest.mark.parametrize("shape, kwargs, size", [
    # 3 maps of 4x4, enlarged 4x to 16 px, in 3 columns with 2-px gaps: 16 x (3*16 + 2*2)
    pytest.param((1, 4, 4, 3), dict(min_cell=16, gap=2, columns=3), (16, 52), id="one-row-of-three"),
    # 5 maps, default columns ceil(sqrt 5) = 3 -> 2 rows; 8x8 maps already >= min_cell 8
    pytest.param((8, 8, 5), dict(min_cell=8, gap=1), (8 * 2 + 1, 8 * 3 + 2), id="two-rows-default-columns"),
    # only the first 2 of 6 maps, side by side
    pytest.param((4, 4, 6), dict(min_cell=4, gap=0, max_maps=2), (4, 8), id="first-two-maps"),
    # a Dense output of 10 values: one 3x4 map of 4-px cells
    pytest.param((10,), dict(min_cell=4, gap=0), (12, 16), id="vector-as-cells"),
])
def test_feature_grid_layout_sizes(shape, kwargs, size):
    grid = render.feature_grid(np.zeros(shape, np.float32), **kwargs)
    assert grid.shape == (*size, 3) and grid.dtype == np.float32


def test_feature_grid_draws_a_vectors_empty_cells_white():
    vec = render.feature_grid(np.arange(10, dtype=np.float32), cmap="gray", min_cell=4, gap=0)
    np.testing.assert_array_equal(vec[-4:, -8:], 1.0)  # cells 11 and 12 hold no value
    np.testing.assert_allclose(vec[0, 0], 0.0)  # value 0 of 0..9 at the dark end


def test_resize_2d_bilinear_hand_values():
    # two pixels 0 | 1 to four: output centres fall at -0.25, 0.25, 0.75, 1.25 source pixels
    out = render.resize_2d(np.array([[0.0, 1.0]], np.float32), 2, 4)
    np.testing.assert_allclose(out, [[0.0, 0.25, 0.75, 1.0]] * 2, atol=1e-6)


def test_overlay_blends_the_stretched_map_over_the_picture():
    img = np.full((4, 6, 3), 0.25, np.float32)
    fmap = np.full((4, 6), 2.0, np.float32)
    fmap[:2] = 10.0  # top half hot, bottom half cold after the min..max stretch
    np.testing.assert_allclose(render.overlay(img, fmap, alpha=0.0), img)
    half = render.overlay(img, fmap, alpha=0.5, cmap="gray")
    np.testing.assert_allclose(half[0, 0], [0.5 * 0.25 + 0.5 * 1.0] * 3, atol=1e-6)
    np.testing.assert_allclose(half[-1, -1], [0.5 * 0.25] * 3, atol=1e-6)


@pytest.mark.parametrize("image, fmap, alpha, error, message", [
    pytest.param(np.zeros((4, 6, 2)), np.zeros((2, 2)), 0.5, ImageError, r"\(4, 6, 2\)", id="two-channel-image"),
    pytest.param(np.zeros((4, 6, 3)), np.zeros((2, 2, 2)), 0.5, ModelError, r"\(2, 2, 2\)", id="several-maps"),
    pytest.param(np.zeros((4, 6, 3)), np.zeros((2, 2)), 1.5, ValueError, "got 1.5", id="alpha-above-one"),
])
def test_overlay_refuses(image, fmap, alpha, error, message):
    with pytest.raises(error, match=message):
        render.overlay(image, fmap, alpha=alpha)


# --------------------------------------------------------------------------- sizes and layout


def test_grey_view_shares_memory_and_colour_image_passes_colour_through():
    grey = RNG.random((3, 4)).astype(np.float32)
    view = render.colour_image(grey)
    assert view.shape == (3, 4, 3) and view.strides[-1] == 0 and np.shares_memory(view, grey)
    np.testing.assert_array_equal(view[..., 2], grey)
    colour = RNG.random((3, 4, 3)).astype(np.float32)
    assert render.colour_image(colour) is colour


def test_thumbnail_is_the_block_mean_for_an_integer_factor():
    image = RNG.random((8, 12, 3)).astype(np.float32)
    out = render.thumbnail(image, 6)  # 12 -> 6: factor 2
    blocks = image.reshape(4, 2, 6, 2, 3).mean(axis=(1, 3))
    assert out.shape == (4, 6, 3) and out.dtype == np.uint8
    np.testing.assert_array_equal(out, np.round(blocks * 255).astype(np.uint8))


def test_thumbnail_matches_pillow_box_resize_of_the_picture():
    image8 = RNG.integers(0, 256, (30, 50, 3), dtype=np.uint8)
    expected = np.asarray(Image.fromarray(image8).resize((24, 14), Image.Resampling.BOX), dtype=np.int16)
    out = render.thumbnail(image8 / np.float32(255), 24)  # 50 -> 24 wide, 30 * 0.48 = 14.4 -> 14 high
    assert out.shape == (14, 24, 3)
    assert np.abs(out.astype(np.int16) - expected).max() <= 1  # Pillow rounds 8-bit sums on the way


def test_thumbnail_of_a_grey_view_equals_the_colour_path_and_small_stays():
    grey = RNG.random((40, 20)).astype(np.float32)
    as_colour = np.repeat(grey[..., None], 3, axis=2)
    np.testing.assert_array_equal(render.thumbnail(render.grey_view(grey), 10),
                                  render.thumbnail(as_colour, 10))
    small = render.thumbnail(as_colour, 100)  # never enlarged
    np.testing.assert_array_equal(small, np.round(as_colour * 255).astype(np.uint8))


def test_shrink_blocks_against_numpy_block_mean():
    maps = RNG.random((9, 7, 2)).astype(np.float32)
    out = render.shrink_blocks(maps, 4)  # factor ceil(9 / 4) = 3: 9x6 used, 3x2 blocks
    expected = maps[:9, :6].reshape(3, 3, 2, 3, 2).mean(axis=(1, 3))
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    assert render.shrink_blocks(maps, 9) is maps


def test_enlarge_is_nearest_neighbour_by_an_integer_factor():
    image = np.arange(6, dtype=np.float32).reshape(2, 3)
    out = render.enlarge(image, 7)  # factor ceil(7 / 3) = 3
    np.testing.assert_array_equal(out, np.kron(image, np.ones((3, 3), np.float32)))
    assert render.enlarge(image, 3) is image


def test_stack_vertical_left_aligns_on_white():
    a = np.zeros((2, 3, 3), np.uint8)
    b = np.full((1, 5, 3), 7, np.uint8)
    out = render.stack_vertical([a, b], gap=2)
    expected = np.full((5, 5, 3), 255, np.uint8)
    expected[:2, :3] = 0
    expected[4:, :5] = 7
    np.testing.assert_array_equal(out, expected)


# --------------------------------------------------------------------------- encoding


@pytest.mark.parametrize("value, level", [
    pytest.param(0.5, 128, id="half-rounds-up"),
    pytest.param(1 / 255, 1, id="one-level"),
    pytest.param(-0.2, 0, id="negative-clipped"),
    pytest.param(1.7, 255, id="above-one-clipped"),
    pytest.param(np.nan, 0, id="nan-black"),
    pytest.param(np.inf, 255, id="infinity-white"),
])
def test_to_uint8_levels(value, level):
    assert render.to_uint8(np.full((1, 1), value, np.float32))[0, 0] == level


def test_to_uint8_shapes():
    grey = RNG.random((3, 4)).astype(np.float32)
    assert render.to_uint8(render.grey_view(grey)).shape == (3, 4)  # broadcast grey encoded once
    assert render.to_uint8(grey[..., None]).shape == (3, 4)
    colour8 = RNG.integers(0, 256, (3, 4, 3), dtype=np.uint8)
    np.testing.assert_array_equal(render.to_uint8(colour8), colour8)
    with pytest.raises(ValueError, match=r"\(3, 4, 2\)"):
        render.to_uint8(np.zeros((3, 4, 2)))


def _decode(data: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(data))
    picture.load()
    return picture


def test_to_png_decodes_back_to_the_same_pixels():
    colour8 = RNG.integers(0, 256, (5, 6, 3), dtype=np.uint8)
    decoded = _decode(render.to_png(colour8))
    assert decoded.format == "PNG" and decoded.mode == "RGB"
    np.testing.assert_array_equal(np.asarray(decoded), colour8)
    grey = _decode(render.to_png(render.grey_view(np.full((2, 2), 1.0, np.float32))))
    assert grey.mode == "L" and np.asarray(grey).tolist() == [[255, 255], [255, 255]]
    assert render.to_png(b"already") == b"already"


@pytest.mark.parametrize("width, kind", [
    pytest.param(100, "PNG", id="256x100-exact"),
    pytest.param(101, "JPEG", id="256x101-jpeg"),
])
def test_to_display_png_up_to_the_exact_size_then_jpeg(width, kind):
    side = render.PIXELATED_BELOW  # not enlarged; 256 x 100 = 160 x 160 pixels
    image = RNG.random((side, width, 3)).astype(np.float32)
    data, fmt = render.to_display(image)
    decoded = _decode(data)
    assert fmt == kind == decoded.format and decoded.size == (width, side)
    if kind == "PNG":
        np.testing.assert_array_equal(np.asarray(decoded), render.to_uint8(image))


def test_to_display_reduces_big_pictures_by_an_integer_factor():
    image8 = RNG.integers(0, 256, (6, 2050, 3), dtype=np.uint8)  # factor ceil(2050 / 1024) = 3
    data, fmt = render.to_display(image8)
    decoded = np.asarray(_decode(data))
    assert fmt == "PNG" and decoded.shape == (2, 683, 3)
    blocks = image8[:, :2049].reshape(2, 3, 683, 3, 3).astype(np.float64).mean(axis=(1, 3))
    assert np.abs(decoded - blocks).max() <= 1


def test_a_tiny_image_is_sent_as_crisp_integer_enlarged_pixels():
    tiny = RNG.integers(0, 256, (5, 5, 3), dtype=np.uint8)
    data, kind = render.to_display(tiny)
    shown = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    factor = shown.shape[0] // 5
    assert kind == "PNG" and shown.shape == (5 * factor, 5 * factor, 3) and 5 * factor >= 2 * render.PIXELATED_BELOW
    np.testing.assert_array_equal(shown, np.repeat(np.repeat(tiny, factor, axis=0), factor, axis=1))
