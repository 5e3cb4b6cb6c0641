"""vizcore.layers against independent references: NumPy pooling/merging/correlation on tiny
arrays, vizcore.color (NumPy) for the colour spaces, hand arithmetic for parameter counts,
NumPy formulas for activations, and the panels' own Keras snippets run from scratch."""
from __future__ import annotations

import threading

import numpy as np
import pytest

import vizcore
from vizcore import color
from vizcore import layers as L

RNG = np.random.default_rng(20241122)
A8 = RNG.random((8, 8, 3), dtype=np.float32)
B8 = RNG.random((8, 8, 3), dtype=np.float32)
A4 = RNG.random((4, 4, 3), dtype=np.float32)
B4 = RNG.random((4, 4, 3), dtype=np.float32)
ODD = RNG.random((5, 7, 3), dtype=np.float32)
TOL = dict(rtol=1e-5, atol=2e-6)


# --------------------------------------------------------------------------- NumPy references

NP_MERGE = {
    "Add": lambda x, y: x + y,
    "Subtract": lambda x, y: x - y,
    "Multiply": lambda x, y: x * y,
    "Average": lambda x, y: (x + y) / 2,
    "Maximum": np.maximum,
    "Minimum": np.minimum,
    "Concatenate": lambda x, y: np.concatenate([x, y], axis=-1),
}


def np_pool(x: np.ndarray, k: int, s: int, kind: str, padding: str = "same") -> tuple[np.ndarray, int, int]:
    """TF-style pooling of (H, W, C): SAME pads (total // 2 before), averages ignore padding."""
    h, w, _ = x.shape
    if padding == "same":
        oh, ow = -(-h // s), -(-w // s)
        ph = max((oh - 1) * s + k - h, 0) // 2
        pw = max((ow - 1) * s + k - w, 0) // 2
    else:
        oh, ow, ph, pw = (h - k) // s + 1, (w - k) // s + 1, 0, 0
    out = np.zeros((oh, ow, x.shape[2]), np.float32)
    for i in range(oh):
        for j in range(ow):
            r0, c0 = max(i * s - ph, 0), max(j * s - pw, 0)
            block = x[r0: i * s - ph + k, c0: j * s - pw + k]
            out[i, j] = block.max(axis=(0, 1)) if kind == "max" else block.mean(axis=(0, 1))
    return out, ph, pw


def np_correlate(x: np.ndarray, kernel: np.ndarray, stride: int, padding: str) -> np.ndarray:
    """Keras Conv2D with one 2-D kernel shared by every channel, summed over channels, no bias."""
    h, w, _ = x.shape
    kh, kw = kernel.shape
    if padding == "same":
        oh, ow = -(-h // stride), -(-w // stride)
        ph = max((oh - 1) * stride + kh - h, 0)
        pw = max((ow - 1) * stride + kw - w, 0)
        x = np.pad(x, ((ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    else:
        oh, ow = (h - kh) // stride + 1, (w - kw) // stride + 1
    out = np.zeros((oh, ow, 1), np.float64)
    for i in range(oh):
        for j in range(ow):
            patch = x[i * stride: i * stride + kh, j * stride: j * stride + kw]
            out[i, j, 0] = np.sum(patch * kernel[:, :, None])
    return out.astype(np.float32)


def glorot(seed: int, shape: tuple[int, ...]) -> np.ndarray:
    import keras

    return np.asarray(keras.initializers.GlorotUniform(seed=seed)(shape))


# --------------------------------------------------------------------------- merges


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


def test_inputs_outside_unit_range_are_clipped_like_to_space():
    wild = A4 * 3 - 1
    result = L.merge("Average", wild, B4, space="hsv")
    expected = (color.to_space(np.clip(wild, 0, 1), "hsv") + color.to_space(B4, "hsv")) / 2
    np.testing.assert_allclose(result.output, expected, **TOL)


# --------------------------------------------------------------------------- pooling


def blocks(small: np.ndarray, k: int, ph: int, pw: int, h: int, w: int) -> np.ndarray:
    big = np.repeat(np.repeat(small, k, axis=0), k, axis=1)
    return big[ph: ph + h, pw: pw + w]


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


# --------------------------------------------------------------------------- convolution


@pytest.mark.parametrize("preset", sorted(L.KERNEL_PRESETS))
@pytest.mark.parametrize("space", ["luminance", "rgb"])
def test_hand_kernel_presets_equal_numpy_correlation(preset, space):
    kernel = L.KERNEL_PRESETS[preset]
    x = color.to_space(A8, space)
    result = L.conv2d(A8, kernel=kernel, space=space, activation="linear")
    np.testing.assert_allclose(result.output, np_correlate(x, kernel, 1, "same"), rtol=1e-5, atol=1e-5)
    assert result.params == 9 * x.shape[-1]  # no bias for a hand-made kernel


@pytest.mark.parametrize("padding", ["same", "valid"])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("kernel", [
    L.KERNEL_PRESETS["sobel_x"],
    np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5,  # asymmetric: even size pads unevenly
    np.array([[1.0]], np.float32),
], ids=["3x3", "2x3", "1x1"])
def test_hand_kernel_padding_and_strides(kernel, stride, padding):
    x = color.to_space(ODD, "ycbcr")
    result = L.conv2d(ODD, kernel=kernel, strides=stride, padding=padding, space="ycbcr")
    expected = np_correlate(x, kernel, stride, padding)
    assert result.output.shape == expected.shape
    np.testing.assert_allclose(result.output, expected, rtol=1e-5, atol=1e-5)


def test_vertical_line_kernel_finds_a_vertical_line():
    image = np.zeros((7, 7, 3), np.float32)
    image[:, 3] = 1.0
    out = L.conv2d(image, kernel=L.KERNEL_PRESETS["vertical_line"], space="luminance").output[..., 0]
    assert np.all(out[1:-1, 3] == pytest.approx(6.0))  # 3 rows × (2·1)
    assert np.all(out[1:-1, 2] == pytest.approx(-3.0))
    assert out[1:-1, 3].min() > out[1:-1, [0, 1, 2, 4, 5, 6]].max()


def test_seeded_conv2d_equals_numpy_with_glorot_kernel():
    result = L.conv2d(A8, filters=2, kernel_size=3, seed=7, space="rgb", activation="relu")
    kernel = glorot(7, (3, 3, 3, 2))
    x = np.pad(color.to_space(A8, "rgb"), ((1, 1), (1, 1), (0, 0)))
    expected = np.zeros((8, 8, 2), np.float64)
    for i in range(8):
        for j in range(8):
            expected[i, j] = np.einsum("abc,abcf->f", x[i: i + 3, j: j + 3], kernel)
    np.testing.assert_allclose(result.output, np.maximum(expected, 0), rtol=1e-5, atol=1e-5)
    assert result.maps.shape == (2, 8, 8)


def np_transpose(x: np.ndarray, kernel: np.ndarray, s: int, padding: str) -> np.ndarray:
    """Scatter-add reference of Conv2DTranspose; kernel (k, k, filters, C)."""
    h, w, _ = x.shape
    k = kernel.shape[0]
    # Room for every stamp; when k < s the last stamps leave a gap up to h·s.
    full = np.zeros((max((h - 1) * s + k, h * s), max((w - 1) * s + k, w * s), kernel.shape[2]))
    for i in range(h):
        for j in range(w):
            full[i * s: i * s + k, j * s: j * s + k] += np.einsum("abfc,c->abf", kernel, x[i, j])
    if padding == "valid":
        oh, ow = h * s + max(k - s, 0), w * s + max(k - s, 0)
        out = np.zeros((oh, ow, kernel.shape[2]))
        out[: full.shape[0], : full.shape[1]] = full[:oh, :ow]
        return out
    crop = max(k - s, 0) // 2
    return full[crop: crop + h * s, crop: crop + w * s]


@pytest.mark.parametrize("k, s", [(2, 2), (2, 4), (3, 2), (4, 2), (8, 2), (3, 1)])
@pytest.mark.parametrize("padding", ["same", "valid"])
def test_conv2d_transpose_shape_and_values(k, s, padding):
    image = A4[:3]  # 3×4
    result = L.conv2d_transpose(image, kernel_size=k, strides=s, padding=padding, seed=3, space="rgb",
                                activation="linear", filters=2)
    add = max(k - s, 0) if padding == "valid" else 0
    assert result.output.shape == (3 * s + add, 4 * s + add, 2)
    expected = np_transpose(color.to_space(image, "rgb"), glorot(3, (k, k, 2, 3)), s, padding)
    np.testing.assert_allclose(result.output, expected, rtol=1e-5, atol=1e-5)
    assert result.params == k * k * 3 * 2 + 2


def test_conv2d_transpose_hand_computed_stamps():
    # 2×2 grey pixels, k2 s2: every pixel stamps value × kernel onto its own 2×2 block.
    image = np.repeat(np.array([[0.0, 1.0], [0.5, 0.25]], np.float32)[..., None], 3, axis=-1)
    kernel = glorot(5, (2, 2, 1, 1))[:, :, 0, 0]
    out = L.conv2d_transpose(image, kernel_size=2, strides=2, seed=5, space="luminance").output[..., 0]
    expected = np.block([[0.0 * kernel, 1.0 * kernel], [0.5 * kernel, 0.25 * kernel]])
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


def test_conv2d_stack_equals_numpy():
    result = L.conv2d_stack(A8, layers=[dict(filters=2, kernel_size=3, activation="relu"),
                                        dict(filters=1, kernel_size=1, activation="tanh")], seed=4, space="rgb")
    k1, k2 = glorot(4, (3, 3, 3, 2)), glorot(5, (1, 1, 2, 1))
    x = np.pad(color.to_space(A8, "rgb"), ((1, 1), (1, 1), (0, 0)))
    hidden = np.zeros((8, 8, 2))
    for i in range(8):
        for j in range(8):
            hidden[i, j] = np.einsum("abc,abcf->f", x[i: i + 3, j: j + 3], k1)
    expected = np.tanh(np.maximum(hidden, 0) @ k2[0, 0])
    np.testing.assert_allclose(result.output, expected, rtol=1e-5, atol=1e-5)
    assert result.params == (27 * 2 + 2) + (2 + 1)


def test_dense_per_pixel_equals_numpy():
    result = L.dense(A8, units=3, seed=2, space="hsv", activation="sigmoid")
    expected = 1 / (1 + np.exp(-(color.to_space(A8, "hsv") @ glorot(2, (3, 3)))))
    np.testing.assert_allclose(result.output, expected, rtol=1e-5, atol=1e-6)


def test_dense_fully_connected_equals_numpy():
    image = RNG.random((16, 16, 3), dtype=np.float32)
    result = L.dense_fully_connected(image, size=8, seed=1, activation="linear")
    small = image.reshape(8, 2, 8, 2, 3).mean(axis=(1, 3))  # area resize by 2
    flat = color.to_space(small, "luminance").reshape(-1)
    expected = (flat @ glorot(1, (64, 64))).reshape(8, 8, 1)
    np.testing.assert_allclose(result.output, expected, rtol=1e-4, atol=1e-5)
    assert result.image.shape == image.shape  # first map back at the input size


# --------------------------------------------------------------------------- parameter counts


@pytest.mark.parametrize("call, expected", [
    (lambda: L.conv2d(A4, kernel_size=3, filters=1, space="rgb"), 3 * 3 * 3 * 1 + 1),  # 28
    (lambda: L.conv2d(A4, kernel_size=3, filters=1, space="luminance"), 10),
    (lambda: L.conv2d(A4, kernel_size=5, filters=4, space="ycbcr"), 5 * 5 * 3 * 4 + 4),  # 304
    (lambda: L.conv2d(A4, kernel=L.KERNEL_PRESETS["blur"], space="rgb"), 27),
    (lambda: L.dense(A4, units=1, space="rgb"), 3 + 1),
    (lambda: L.dense(A4, units=4, space="luminance"), 4 + 4),
    (lambda: L.dense_fully_connected(A8, size=32), 32 * 32 * 1024 + 1024),  # 1,049,600
    (lambda: L.dense_fully_connected(A8, size=8, space="rgb"), 192 * 64 + 64),
    (lambda: L.conv2d_transpose(A4, kernel_size=2, strides=2, space="rgb"), 2 * 2 * 3 + 1),
    (lambda: L.conv2d_stack(A4, layers=[{}, {}], space="rgb"), 28 + 10),
    (lambda: L.pool(A4, kind="max", space="rgb"), 0),
], ids=["conv-k3-rgb", "conv-k3-lum", "conv-k5x4", "hand-kernel", "dense-rgb", "dense-lum-4", "fc-32",
        "fc-8-rgb", "transpose", "stack", "pool"])
def test_parameter_counts_equal_hand_arithmetic(call, expected):
    assert call().params == expected


def test_fully_connected_1049600_is_stated():
    result = L.dense_fully_connected(A8)
    assert result.params == 1_049_600
    assert "1,049,600" in result.explanation


# --------------------------------------------------------------------------- seeds and snippets


SEEDED = [
    lambda seed: L.conv2d(A8, seed=seed, filters=2),
    lambda seed: L.dense(A8, seed=seed, space="rgb"),
    lambda seed: L.conv2d_transpose(A4, seed=seed, kernel_size=3, strides=2),
    lambda seed: L.conv2d_stack(A8, layers=[{}, {"activation": "relu"}], seed=seed),
    lambda seed: L.dense_fully_connected(A8, seed=seed, size=4),
]


@pytest.mark.parametrize("call", SEEDED, ids=["conv2d", "dense", "transpose", "stack", "fully-connected"])
def test_same_seed_same_output_different_seed_different(call):
    first = call(11).output.copy()
    other = call(12).output.copy()  # the cached layer gets other weights in between
    again = call(11).output
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)


SNIPPETS = {
    "merge": lambda image: L.merge("Subtract", A8, B8, space="ycbcr"),
    "concat": lambda image: L.merge("Concatenate", A8, B8, space="luminance"),
    "pool": lambda image: L.pool(image, kind="average", size=3, space="hsv"),
    "global": lambda image: L.pool(image, kind="global_average", space="rgb"),
    "depthwise": lambda image: L.pool(image, kind="depthwise_max", space="rgb"),
    "dense": lambda image: L.dense(image, units=2, seed=3, activation="elu", space="rgb"),
    "fc": lambda image: L.dense_fully_connected(image, size=4, seed=3, activation="tanh"),
    "conv": lambda image: L.conv2d(image, filters=3, kernel_size=5, strides=2, seed=9, activation="gelu",
                                   space="hsv"),
    "hand": lambda image: L.conv2d(image, kernel=L.KERNEL_PRESETS["emboss"], padding="valid", space="rgb"),
    "stack": lambda image: L.conv2d_stack(image, layers=[dict(filters=2, activation="relu"), dict(kernel_size=5)],
                                          seed=1),
    "transpose": lambda image: L.conv2d_transpose(image, kernel_size=4, strides=2, seed=2, activation="sigmoid",
                                                  padding="valid"),
}


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_code_snippet_reproduces_output_with_fresh_keras_layers(name):
    result = SNIPPETS[name](ODD)
    namespace = {"image": ODD, "a": A8, "b": B8}
    exec(compile(result.code, "<snippet>", "exec"), namespace)  # noqa: S102 - our own generated code
    np.testing.assert_allclose(np.asarray(namespace["y"]), result.output, rtol=1e-5, atol=1e-5)


# --------------------------------------------------------------------------- activations and display


@pytest.mark.parametrize("name, formula", [
    ("relu", lambda x: np.maximum(x, 0)),
    ("sigmoid", lambda x: 1 / (1 + np.exp(-x))),
    ("tanh", np.tanh),
    ("softplus", lambda x: np.log1p(np.exp(x))),
    ("linear", lambda x: x),
])
def test_activation_curves_equal_numpy_formulas(name, formula):
    x, y = L.activation_curve(name)
    assert x.shape == y.shape == (201,) and x[0] == -5 and x[-1] == 5
    np.testing.assert_allclose(y, formula(x.astype(np.float64)), rtol=1e-5, atol=1e-6)


def test_every_activation_is_elementwise_and_described():
    x = np.linspace(-3, 3, 13, dtype=np.float32)
    for name in L.ACTIVATIONS:
        _, y = L.activation_curve(name, x=x)
        assert y.shape == x.shape and np.isfinite(y).all(), name
        _, y_rev = L.activation_curve(name, x=x[::-1])
        np.testing.assert_allclose(y_rev, y[::-1], rtol=1e-6, err_msg=name)  # no mixing across positions
        assert L.ACTIVATION_INFO[name].strip()


@pytest.mark.parametrize("mode", ["clip", "minmax"])
@pytest.mark.parametrize("per_map", [True, False])
def test_normalise(mode, per_map):
    x = np.stack([np.linspace(-2, 3, 16).reshape(4, 4), np.full((4, 4), 0.25)], axis=-1)
    out = L.normalise(x, mode=mode, per_map=per_map)
    if mode == "clip":
        np.testing.assert_allclose(out, np.clip(x, 0, 1))
    elif per_map:
        np.testing.assert_allclose(out[..., 0], (x[..., 0] + 2) / 5, rtol=1e-6)
        np.testing.assert_allclose(out[..., 1], 0.25)  # a constant map is shown clipped
    else:
        np.testing.assert_allclose(out, (x + 2) / 5, rtol=1e-6)
    assert out.dtype == np.float32 and out.min() >= 0 and out.max() <= 1


@pytest.mark.parametrize("activation, mode", [("relu", "minmax"), ("sigmoid", "clip"), ("tanh", "minmax"),
                                              ("hard_sigmoid", "clip")])
def test_auto_display_and_image_follow_normalise(activation, mode):
    result = L.conv2d(A8, filters=3, seed=1, activation=activation)
    assert result.display == mode and result.display_note
    expected = L.normalise(result.output, mode=mode)
    np.testing.assert_allclose(result.maps, np.moveaxis(expected, -1, 0), atol=1e-6)
    np.testing.assert_allclose(result.image, np.repeat(expected[..., :1], 3, axis=-1), atol=1e-6)
    assert result.image.shape == (8, 8, 3) and 0 <= result.image.min() and result.image.max() <= 1


def test_constant_map_is_shown_clipped_not_stretched():
    flat = np.full((6, 6, 3), 0.3, np.float32)
    result = L.conv2d(flat, kernel=L.KERNEL_PRESETS["identity"], space="luminance", display="minmax")
    np.testing.assert_allclose(result.image, 0.3, atol=1e-6)
    dead = L.conv2d(flat, kernel=-L.KERNEL_PRESETS["identity"], space="rgb", activation="relu")
    assert dead.image.max() == 0.0


def test_overflowing_activation_is_shown_clipped_and_said():
    result = L.conv2d(A8, kernel=np.full((3, 3), 100.0), activation="exponential")  # e^(hundreds) = inf
    assert np.isinf(result.output).any()
    np.testing.assert_array_equal(result.image[..., 0], np.clip(np.nan_to_num(result.output[..., 0], posinf=1), 0, 1))
    assert "infinity" in result.display_note


def test_explicit_display_modes():
    clip = L.conv2d_transpose(A4, seed=0, display="clip")
    np.testing.assert_allclose(clip.image[..., 0], np.clip(clip.output[..., 0], 0, 1), atol=1e-7)
    assert clip.display == "clip"


# --------------------------------------------------------------------------- bad input


BAD = [
    (lambda: L.merge("Add", A8[..., 0], B8, space="rgb"), vizcore.ImageError, r"expected an RGB image.*\(8, 8\)"),
    (lambda: L.merge("Add", (A8 * 255).astype(np.uint8), B8, space="rgb"), vizcore.ImageError, "uint8"),
    (lambda: L.merge("Add", A8, B4, space="rgb"), vizcore.ImageError, "same size"),
    (lambda: L.merge("Divide", A8, B8, space="rgb"), ValueError, "'Divide'"),
    (lambda: L.merge("Add", A8, B8, space="lab"), ValueError, "'lab'"),
    (lambda: L.pool(np.full((4, 4, 3), np.nan, np.float32), kind="max", space="rgb"), vizcore.ImageError, "NaN"),
    (lambda: L.pool(np.zeros((0, 4, 3), np.float32), kind="max", space="rgb"), vizcore.ImageError, "no pixels"),
    (lambda: L.pool(A8, kind="min", space="rgb"), ValueError, "'min'"),
    (lambda: L.pool(A8, kind="global_average", size=2, space="rgb"), ValueError, "leave size"),
    (lambda: L.pool(A8, kind="depthwise_max", size=2, space="rgb"), ValueError, "divide the 3"),
    (lambda: L.pool(A8, kind="max", size=0, space="rgb"), ValueError, "size must be"),
    (lambda: L.pool(A8, kind="depthwise_max", padding="valid", space="rgb"), ValueError, "no padding"),
    (lambda: L.conv2d(A8, activation="swishy"), ValueError, "'swishy'"),
    (lambda: L.conv2d(A8, filters=0), ValueError, "filters must be"),
    (lambda: L.conv2d(A8, seed=-1), ValueError, "seed must be"),
    (lambda: L.conv2d(A8, padding="full"), ValueError, "'full'"),
    (lambda: L.conv2d(A8, kernel=np.ones((3, 3)), filters=2), ValueError, "one filter"),
    (lambda: L.conv2d(A8, kernel=np.ones((3, 3)), kernel_size=5), ValueError, "does not match"),
    (lambda: L.conv2d(A8, kernel=np.ones(3)), ValueError, "2-D"),
    (lambda: L.conv2d(A4, kernel_size=7, padding="valid"), vizcore.ImageError, "no pixels"),
    (lambda: L.conv2d(A8, display="log"), ValueError, "'log'"),
    (lambda: L.conv2d_stack(A8, layers=[]), ValueError, "1 to 4"),
    (lambda: L.conv2d_stack(A8, layers=[{"units": 3}]), ValueError, "unknown keys"),
    (lambda: L.dense_fully_connected(A8, size=4, units=20), ValueError, "multiple of size"),
    (lambda: L.conv2d_transpose(np.zeros((3000, 3000, 3), np.float32), kernel_size=2, strides=8),
     vizcore.ImageError, "too large"),
    (lambda: L.activation_curve("softmax"), ValueError, "'softmax'"),
    (lambda: L.normalise(np.zeros(3), mode="minmax"), ValueError, r"\(3,\)"),
]


@pytest.mark.parametrize("call, error, match", BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_bad_input_raises_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_concurrent_calls_with_different_seeds_do_not_mix_weights():
    expected = {seed: L.conv2d(A8, seed=seed).output.copy() for seed in (1, 2)}
    failures: list[int] = []

    def work(seed):
        for _ in range(6):
            if not np.array_equal(L.conv2d(A8, seed=seed).output, expected[seed]):
                failures.append(seed)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in (1, 2, 1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
