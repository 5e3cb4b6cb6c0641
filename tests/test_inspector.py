"""The pixel inspector: every number it shows adds up to the Keras layer's own output.

References: the layer functions' raw TensorFlow ``output`` (the panel's value), NumPy sums
and slices of an independently padded input, Keras' GlorotUniform for seeded kernels, and
hand-worked geometry (which input cells and kernel taps reach a pixel).
"""
from __future__ import annotations

import keras
import numpy as np
import pytest

import vizcore
from vizcore.color import to_space
from vizcore.inspect_pixel import (
    CHOSEN,
    OUTLINE,
    PADDING_GREY,
    explain_pixel,
    output_shape_of,
    window_box,
    window_picture,
)
from vizcore.layers.weights import layer_weights

IMAGE = np.random.default_rng(7).random((8, 8, 3)).astype(np.float32)
SOBEL = vizcore.KERNEL_PRESETS["sobel_x"]

#: id -> (layer function, keyword arguments); each runs in two colour spaces below.
CASES = {
    "conv-seeded-same-s1-relu": ("conv2d", dict(activation="relu", seed=2, filters=3, kernel_size=3, strides=1,
                                                padding="same")),
    "conv-seeded-valid-s1-tanh": ("conv2d", dict(activation="tanh", seed=1, filters=2, kernel_size=3, strides=1,
                                                 padding="valid")),
    "conv-seeded-same-s2-k3": ("conv2d", dict(activation="linear", seed=5, filters=2, kernel_size=3, strides=2,
                                              padding="same")),
    "conv-seeded-valid-s2-k4": ("conv2d", dict(activation="sigmoid", seed=0, filters=1, kernel_size=4, strides=2,
                                               padding="valid")),
    "conv-hand-sobel-same": ("conv2d", dict(activation="linear", kernel=SOBEL, padding="same")),
    "conv-hand-sobel-valid-relu": ("conv2d", dict(activation="relu", kernel=SOBEL, padding="valid")),
    "max-pool-2": ("pool", dict(kind="max", size=2)),
    "max-pool-3-s2-same": ("pool", dict(kind="max", size=3, strides=2, padding="same")),
    "average-pool-2": ("pool", dict(kind="average", size=2)),
    "average-pool-3-s2-same": ("pool", dict(kind="average", size=3, strides=2, padding="same")),
    "dense-2-units-softplus": ("dense", dict(activation="softplus", seed=2, units=2)),
    "transpose-k2-s2-relu": ("conv2d_transpose", dict(kernel_size=2, strides=2, activation="relu", seed=2)),
    "transpose-k3-s2-same": ("conv2d_transpose", dict(kernel_size=3, strides=2, activation="linear", seed=3)),
    "transpose-k3-s2-valid-tanh": ("conv2d_transpose", dict(kernel_size=3, strides=2, activation="tanh", seed=3,
                                                            padding="valid")),
}
PARAMS = [pytest.param(fn, kw, space, id=f"{name}-{space}") for name, (fn, kw) in CASES.items()
          for space in ("rgb", "hsv" if "pool" in name or "transpose" in name else "luminance")]
PARAMS += [pytest.param("conv2d", CASES["conv-seeded-same-s2-k3"][1], "ycbcr", id="conv-seeded-same-s2-k3-ycbcr")]


def pixels_of(shape) -> list[tuple[int, int, int]]:
    """Corners, the centre and an off-centre pixel of every output channel."""
    h, w, c = shape
    spots = {(0, 0), (0, w - 1), (h - 1, 0), (h - 1, w - 1), (h // 2, w // 2), (1, min(2, w - 1))}
    return [(r, col, ch) for r, col in sorted(spots) for ch in range(c)]


@pytest.mark.parametrize(("function", "kwargs", "space"), PARAMS)
def test_inspector_value_is_the_panels_output(function, kwargs, space):
    result = getattr(vizcore, function)(IMAGE, space=space, **kwargs)
    assert output_shape_of(result.settings, 8, 8) == result.output.shape
    for r, c, ch in pixels_of(result.output.shape):
        e = explain_pixel(IMAGE, result.settings, row=r, col=c, channel=ch)
        assert e.value == pytest.approx(float(result.output[r, c, ch]), abs=1e-5), (r, c, ch)
        if e.products is not None:  # sum of products from the window and weights it returns
            assert e.total == pytest.approx(float(np.sum(e.window.astype(np.float64) * e.weights)), abs=1e-5)
            assert e.pre_activation == pytest.approx(e.total + e.bias, abs=1e-7)


def padded_space(space: str, before: int, after: int) -> np.ndarray:
    x = to_space(IMAGE, space)
    return np.pad(x, ((before, after), (before, after), (0, 0)))


@pytest.mark.parametrize(("strides", "padding", "before", "after"), [
    pytest.param(1, "same", 1, 1, id="k3-s1-same-pads-1-each-side"),
    pytest.param(2, "same", 0, 1, id="k3-s2-same-pads-only-after"),  # total = 3·2 + 3 − 8 = 1, 1 // 2 = 0 before
    pytest.param(1, "valid", 0, 0, id="k3-s1-valid-no-padding"),
])
def test_conv_window_is_the_padded_input_under_the_kernel(strides, padding, before, after):
    settings = dict(function="conv2d", activation="linear", seed=4, filters=2, kernel_size=3, strides=strides,
                    padding=padding, space="hsv")
    x = padded_space("hsv", before, after)
    init = np.asarray(keras.initializers.GlorotUniform(seed=4)((3, 3, 3, 2)))
    for r, c in ((0, 0), (2, 1)):
        e = explain_pixel(IMAGE, settings, row=r, col=c, channel=1)
        np.testing.assert_allclose(e.window, x[r * strides:r * strides + 3, c * strides:c * strides + 3], atol=1e-6)
        np.testing.assert_allclose(e.weights, init[..., 1], atol=1e-7)  # a fresh GlorotUniform(4) layer's
        assert e.bias == 0.0 and e.weights_source == "seed 4"
    corner = explain_pixel(IMAGE, settings, row=0, col=0)
    assert corner.origin == (-before, -before)
    assert int(corner.padded.sum()) == (5 if before else 0)  # a 3×3 window over one padded row and column


def test_hand_kernel_is_used_on_every_channel_without_bias():
    settings = dict(function="conv2d", activation="linear", kernel=SOBEL, padding="same", space="rgb")
    w = layer_weights(settings)
    assert w.kernel.shape == (3, 3, 3, 1) and w.source == "hand-made kernel"
    e = explain_pixel(IMAGE, settings, row=4, col=4)
    for ch in range(3):
        np.testing.assert_array_equal(e.weights[..., ch], np.asarray(SOBEL, np.float32))
    assert e.bias == 0.0
    # Sobel x at (4, 4): right column minus left column, weights 1, 2, 1, summed over R, G, B.
    x = IMAGE[3:6, 3:6]
    hand = float(((x[:, 2] - x[:, 0]) * np.array([[1], [2], [1]])).sum())
    assert e.total == pytest.approx(hand, abs=1e-5)


@pytest.mark.parametrize(("kind", "pick"), [("max", np.nanmax), ("average", np.nanmean)], ids=["max", "average"])
def test_pooling_window_ignores_padding(kind, pick):
    settings = dict(function="pool", kind=kind, size=3, strides=2, padding="same", space="rgb")
    e = explain_pixel(IMAGE, settings, row=3, col=3, channel=2)  # rows/cols 6, 7 and one padded
    assert e.origin == (6, 6) and e.window.shape == (3, 3)
    assert int(e.padded.sum()) == 5 and np.isnan(e.window[e.padded]).all()
    np.testing.assert_array_equal(e.window[:2, :2], IMAGE[6:8, 6:8, 2])
    assert e.value == pytest.approx(float(pick(IMAGE[6:8, 6:8, 2])), abs=1e-6)
    if kind == "max":
        assert e.window[e.chosen] == e.value
    else:
        assert e.chosen is None


def test_dense_pixel_is_its_own_channels_times_the_weights():
    settings = dict(function="dense", activation="linear", seed=2, units=3, space="ycbcr")
    e = explain_pixel(IMAGE, settings, row=5, col=2, channel=1)
    x = to_space(IMAGE, "ycbcr")[5, 2]
    kernel = np.asarray(keras.initializers.GlorotUniform(seed=2)((3, 3)))
    np.testing.assert_allclose(e.window, x, atol=1e-6)
    np.testing.assert_allclose(e.weights, kernel[:, 1], atol=1e-7)
    assert e.value == pytest.approx(float(x @ kernel[:, 1]), abs=1e-5)


def test_transpose_k3_s2_stamps_follow_the_output_parity():
    """k3 s2 'same': the extra column is cropped after (before = (3 − 2) // 2 = 0), so output o gets
    the taps i·2 + t = o: one for o = 0 and odd o, two for even o >= 2 -- 1, 2 or 4 stamps."""
    settings = dict(function="conv2d_transpose", kernel_size=3, strides=2, activation="linear", seed=1,
                    padding="same", space="luminance")
    counts = np.array([[len(explain_pixel(IMAGE, settings, row=r, col=c).stamps) for c in range(6)]
                       for r in range(6)])
    per_axis = [1, 1, 2, 1, 2, 1]
    np.testing.assert_array_equal(counts, np.outer(per_axis, per_axis))
    e = explain_pixel(IMAGE, settings, row=3, col=2)  # row 3 = 1·2 + 1; col 2 = 1·2 + 0 = 0·2 + 2
    assert sorted(map(tuple, e.stamps.tolist())) == [(1, 0, 1, 2), (1, 1, 1, 0)]


def test_transpose_k2_s2_has_one_stamp_per_pixel():
    settings = dict(function="conv2d_transpose", kernel_size=2, strides=2, activation="linear", seed=1, space="rgb")
    e = explain_pixel(IMAGE, settings, row=5, col=6)
    assert e.stamps.tolist() == [[2, 3, 1, 0]]  # input (5 // 2, 6 // 2), kernel tap (5 % 2, 6 % 2)
    kernel = layer_weights(settings).kernel  # Keras' Conv2DTranspose layout (k, k, filters, C)
    assert kernel.shape == (2, 2, 1, 3)
    assert e.value == pytest.approx(float(IMAGE[2, 3] @ kernel[1, 0, 0]), abs=1e-5)


@pytest.mark.parametrize(("pixel", "named"), [
    pytest.param(dict(row=8, col=0), "row=8", id="row-past-the-bottom"),
    pytest.param(dict(row=0, col=-1), "col=-1", id="negative-col"),
    pytest.param(dict(row=0, col=0, channel=3), "channel=3", id="filter-that-does-not-exist"),
    pytest.param(dict(row=1.5, col=0), "row=1.5", id="fractional-row"),
])
def test_out_of_range_pixel_is_named(pixel, named):
    settings = dict(function="conv2d", activation="relu", seed=0, filters=3, kernel_size=3, space="rgb")
    with pytest.raises(ValueError, match=named) as err:
        explain_pixel(IMAGE, settings, **pixel)
    assert "8×8×3" in str(err.value)


@pytest.mark.parametrize(("settings", "named"), [
    pytest.param(dict(function="pool", kind="global_average", space="rgb"), "global_average", id="global-pool"),
    pytest.param(dict(function="conv2d_stack", layers=[{}], space="rgb"), "conv2d_stack", id="stack"),
])
def test_settings_it_does_not_explain_are_named(settings, named):
    with pytest.raises(ValueError, match=named):
        explain_pixel(IMAGE, settings, row=0, col=0)


def test_window_picture_outlines_the_window_and_greys_the_padding():
    settings = dict(function="pool", kind="max", size=2, strides=2, padding="same", space="rgb")
    e = explain_pixel(IMAGE, settings, row=0, col=0)
    assert window_box(e) == (0, 0, 2, 2)
    cell = 20
    pic = window_picture(IMAGE, e, margin=1, cell=cell)
    assert pic.shape == (4 * cell, 4 * cell, 3)  # window 2×2 plus one cell of context each side
    assert tuple(pic[cell // 2, cell // 2]) == PADDING_GREY  # above-left of the image: padding
    assert tuple(pic[cell + 1, cell + cell // 2]) == OUTLINE  # top edge of the window
    r, c = e.chosen
    centre = pic[(1 + r) * cell + cell // 2, (1 + c) * cell + cell // 2]
    np.testing.assert_array_equal(centre, np.round(IMAGE[r, c] * 255))  # the pixel itself, unchanged
    assert tuple(pic[(1 + r) * cell + 1, (1 + c) * cell + cell // 2]) == CHOSEN  # its own red outline


def test_conv2d_page_shows_the_panels_value():
    """Open Conv2D, pick filter 3 at (4, 7) with the boxes and an arrow; the number shown is vizcore's output."""
    from tests.apptest_helpers import open_app

    at = open_app("conv2d", query={"conv2d.inspect": "1", "conv2d.activation": "linear"})
    at.number_input(key="conv2d.inspect_row").set_value(3).run()
    at.number_input(key="conv2d.inspect_col").set_value(7).run()
    [b for b in at.button if b.label == "↓ down"][0].click().run()
    at.selectbox(key="conv2d.inspect_ch").set_value(2).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.number_input(key="conv2d.inspect_row").value == 4
    shown = {m.label: m.value for m in at.metric}["Output value"]
    image = vizcore.load_sample(vizcore.DEFAULT_SAMPLE, max_side=512).image  # the sidebar's default picture
    panel = vizcore.conv2d(image, activation="linear", seed=2, filters=4, kernel_size=3, strides=1, padding="same",
                           space="rgb").output
    assert float(shown) == pytest.approx(float(panel[4, 7, 2]), abs=1e-5)
    assert abs(float(panel[4, 7, 2])) > 1e-3  # a pixel where a wrong window or filter would show


def test_conv2d_inspector_starts_at_the_strongest_pixel_of_the_first_map():
    """A ReLU map's centre is often exactly 0: the first numbers a class sees should not be zeros (QA)."""
    from tests.apptest_helpers import open_app

    at = open_app("conv2d", query={"conv2d.inspect": "1"})
    assert not at.exception, [e.value for e in at.exception]
    image = vizcore.load_sample(vizcore.DEFAULT_SAMPLE, max_side=512).image
    panel = vizcore.conv2d(image, activation="relu", seed=2, filters=4, kernel_size=3, strides=1, padding="same",
                           space="rgb").output[..., 0]
    row, col = at.number_input(key="conv2d.inspect_row").value, at.number_input(key="conv2d.inspect_col").value
    assert panel[row, col] == pytest.approx(float(np.abs(panel).max()), abs=1e-6)
    assert float({m.label: m.value for m in at.metric}["Output value"]) > 0
