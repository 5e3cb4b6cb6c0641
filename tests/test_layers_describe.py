"""What the panels say: parameter counts against hand arithmetic (and the published 1,049,600 of a
32×32 Flatten → Dense(1024)), and every Keras snippet run from scratch reproducing the output."""
from __future__ import annotations

import numpy as np
import pytest

from tests.layers_reference import A4, A8, B8, ODD
from vizcore import layers as L


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
