"""vizcore.layers.checks through the public functions: each bad input raises the documented error
with a message naming what was received."""
from __future__ import annotations

import numpy as np
import pytest

from tests.layers_reference import A4, A8, B4, B8
from vizcore import ImageError
from vizcore import layers as L


def case(name, call, error, match):
    """One row: ``call()`` must raise ``error`` with a message matching ``match``."""
    return pytest.param(call, error, match, id=name)


NAN_IMAGE = np.full((4, 4, 3), np.nan, np.float32)
EMPTY_IMAGE = np.zeros((0, 4, 3), np.float32)
HUGE_IMAGE = np.zeros((3000, 3000, 3), np.float32)

BAD = [
    case("merge-grey-image", lambda: L.merge("Add", A8[..., 0], B8, space="rgb"), ImageError,
         r"expected an RGB image.*\(8, 8\)"),
    case("merge-uint8-image", lambda: L.merge("Add", (A8 * 255).astype(np.uint8), B8, space="rgb"), ImageError,
         "uint8"),
    case("merge-sizes-differ", lambda: L.merge("Add", A8, B4, space="rgb"), ImageError, "same size"),
    case("merge-unknown-kind", lambda: L.merge("Divide", A8, B8, space="rgb"), ValueError, "'Divide'"),
    case("merge-unknown-space", lambda: L.merge("Add", A8, B8, space="lab"), ValueError, "'lab'"),
    case("pool-nan-image", lambda: L.pool(NAN_IMAGE, kind="max", space="rgb"), ImageError, "NaN"),
    case("pool-empty-image", lambda: L.pool(EMPTY_IMAGE, kind="max", space="rgb"), ImageError, "no pixels"),
    case("pool-unknown-kind", lambda: L.pool(A8, kind="min", space="rgb"), ValueError, "'min'"),
    case("global-pool-with-size", lambda: L.pool(A8, kind="global_average", size=2, space="rgb"), ValueError,
         "leave size"),
    case("depth-window-not-dividing-channels", lambda: L.pool(A8, kind="depthwise_max", size=2, space="rgb"),
         ValueError, "divide the 3"),
    case("pool-size-zero", lambda: L.pool(A8, kind="max", size=0, space="rgb"), ValueError, "size must be"),
    case("depthwise-pool-with-padding", lambda: L.pool(A8, kind="depthwise_max", padding="valid", space="rgb"),
         ValueError, "no padding"),
    case("unknown-activation", lambda: L.conv2d(A8, activation="swishy"), ValueError, "'swishy'"),
    case("zero-filters", lambda: L.conv2d(A8, filters=0), ValueError, "filters must be"),
    case("negative-seed", lambda: L.conv2d(A8, seed=-1), ValueError, "seed must be"),
    case("unknown-padding", lambda: L.conv2d(A8, padding="full"), ValueError, "'full'"),
    case("hand-kernel-with-two-filters", lambda: L.conv2d(A8, kernel=np.ones((3, 3)), filters=2), ValueError,
         "one filter"),
    case("hand-kernel-size-mismatch", lambda: L.conv2d(A8, kernel=np.ones((3, 3)), kernel_size=5), ValueError,
         "does not match"),
    case("kernel-not-2d", lambda: L.conv2d(A8, kernel=np.ones(3)), ValueError, "2-D"),
    case("valid-kernel-larger-than-image", lambda: L.conv2d(A4, kernel_size=7, padding="valid"), ImageError,
         "a 7×7 kernel with 'valid' padding needs an image at least 7 pixels on each side; this one is 4×4"),
    case("unknown-display", lambda: L.conv2d(A8, display="log"), ValueError, "'log'"),
    case("stack-without-layers", lambda: L.conv2d_stack(A8, layers=[]), ValueError, "1 to 4"),
    case("stack-unknown-key", lambda: L.conv2d_stack(A8, layers=[{"units": 3}]), ValueError, "unknown keys"),
    case("fc-units-not-multiple-of-size2", lambda: L.dense_fully_connected(A8, size=4, units=20), ValueError,
         "multiple of size"),
    case("transpose-output-too-large", lambda: L.conv2d_transpose(HUGE_IMAGE, kernel_size=2, strides=8), ImageError,
         "too large"),
    case("curve-of-softmax", lambda: L.activation_curve("softmax"), ValueError, "'softmax'"),
    case("normalise-1d-array", lambda: L.normalise(np.zeros(3), mode="minmax"), ValueError, r"\(3,\)"),
]


@pytest.mark.parametrize("call, error, match", BAD)
def test_bad_input_raises_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("value, low, high", [
    pytest.param(True, 0, 5, id="bool"),
    pytest.param(2.0, 0, 5, id="float"),
    pytest.param(6, 0, 5, id="above-range"),
])
def test_check_int_rejects_non_integers_and_out_of_range(value, low, high):
    from vizcore.layers.checks import check_int

    with pytest.raises(ValueError, match=f"n must be an integer from {low} to {high}, got {value!r}"):
        check_int(value, "n", low, high)


@pytest.mark.parametrize("size, kernel, strides, padding, expected", [
    pytest.param(7, 3, 2, "same", 4, id="same-ceil"),  # ceil(7 / 2)
    pytest.param(7, 3, 2, "valid", 3, id="valid-floor"),  # floor((7 - 3) / 2) + 1
    pytest.param(5, 7, 1, "valid", -1, id="valid-kernel-too-big"),
])
def test_conv_out_follows_keras_padding_rules(size, kernel, strides, padding, expected):
    from vizcore.layers.checks import conv_out

    assert conv_out(size, kernel, strides, padding) == expected
