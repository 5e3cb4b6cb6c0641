"""What a convolution's kernels look like, and which of a layer's maps are strongest.

:func:`layer_filters` (kernels as pictures, 0 at mid-grey), :func:`filters_grid` (all of them
as one picture, colour-mapped through :mod:`vizcore.render`), :func:`strongest_maps`.
Works on the Keras model itself (weights), not on an extractor.
"""
from __future__ import annotations

import math

import numpy as np

from .. import render
from ..errors import ModelError

__all__ = ["strongest_maps", "layer_filters", "filters_grid"]


def strongest_maps(act, k: int = 4) -> np.ndarray:
    """Indices of the k channels with the largest mean activation, strongest first.

    act: (H, W, C), (1, H, W, C), (C,) or (1, C). Returns int array of length min(k, C).
    Raises ModelError for other shapes.
    """
    a = np.asarray(act, dtype=np.float32)
    if a.ndim in (2, 4) and a.shape[0] == 1:
        a = a[0]
    if a.ndim == 3:
        strength = a.reshape(-1, a.shape[-1]).mean(axis=0)
    elif a.ndim == 1:
        strength = a
    else:
        raise ModelError(f"expected activations shaped (H, W, C) or (C,), got {np.shape(act)}")
    return np.argsort(-strength, kind="stable")[: max(0, int(k))]


def _find_layer(model, name: str):
    """The Keras layer at path `name` ("base/conv1"; a "#n" call suffix is ignored), looking
    inside nested models. Raises ModelError naming the path when there is none."""
    obj = model
    for part in name.split("/"):
        try:
            obj = obj.get_layer(part.split("#")[0])
        except (ValueError, AttributeError):
            raise ModelError(f"no layer called {name!r} in model {model.name!r}") from None
    return obj


def _kernel(model, layer_name: str) -> np.ndarray:
    """(kh, kw, cin, n_filters) kernel of a conv layer; raises ModelError for other layers."""
    layer = _find_layer(model, layer_name)
    cls = type(layer).__name__
    kernel = None
    for attr in ("kernel", "depthwise_kernel"):
        value = getattr(layer, attr, None)
        if value is not None:
            kernel = np.asarray(value)
            break
    if kernel is None or kernel.ndim != 4:
        raise ModelError(f"layer {layer_name!r} ({cls}) has no 2-D convolution kernels to show; "
                         "choose a Conv2D layer")
    if "Transpose" in cls:  # (kh, kw, filters, cin) -> (kh, kw, cin, filters)
        kernel = np.swapaxes(kernel, 2, 3)
    if cls == "DepthwiseConv2D":  # (kh, kw, cin, mult): each channel its own filter
        kernel = kernel.reshape(kernel.shape[0], kernel.shape[1], 1, -1)
    return kernel.astype(np.float32)


def _symmetric(x: np.ndarray, axes) -> np.ndarray:
    """0 -> 0.5, +-max|x| over `axes` -> 1 / 0."""
    m = np.max(np.abs(x), axis=axes, keepdims=True)
    return (0.5 + 0.5 * x / np.where(m > 0, m, 1.0)).astype(np.float32)


def layer_filters(model, layer_name: str) -> np.ndarray:
    """The kernels of a conv layer as pictures, each filter scaled so 0 is mid-grey.

    For a layer reading 3 channels (the first layer of an RGB model): (n, kh, kw, 3) colour
    images in [0, 1] (a filter that likes red is red). Reading 1 channel: (n, kh, kw, 3) grey.
    Deeper layers: (n, cin, kh, kw) in [0, 1], one small picture per input channel.
    Raises ModelError for an unknown layer or a layer without conv kernels.
    """
    k = _kernel(model, layer_name)
    per_filter = np.moveaxis(k, 3, 0)  # (n, kh, kw, cin)
    if k.shape[2] == 3:
        return _symmetric(per_filter, (1, 2, 3))
    if k.shape[2] == 1:
        return np.repeat(_symmetric(per_filter, (1, 2, 3)), 3, axis=3)
    return _symmetric(np.moveaxis(per_filter, 3, 1), (1, 2, 3))


def filters_grid(model, layer_name: str, *, max_filters: int = 64, max_channels: int = 16,
                 cmap: str = "coolwarm", min_cell: int = 24, gap: int = 2) -> np.ndarray:
    """The kernels of a conv layer as one picture: (h, w, 3) float32 in [0, 1].

    Colour/grey first-layer kernels side by side (up to `max_filters`); deeper layers as a grid,
    one row per filter (up to `max_filters`), one column per input channel (up to
    `max_channels`), coloured with a diverging `cmap` (blue negative, white 0, red positive).
    Each kernel is enlarged by an integer factor to at least `min_cell` pixels, `gap` white
    pixels apart. Raises ModelError as :func:`layer_filters`, ValueError for an unknown cmap.
    """
    pics = layer_filters(model, layer_name)[: max(1, int(max_filters))]
    if pics.ndim == 4 and pics.shape[-1] == 3 and _kernel(model, layer_name).shape[2] in (1, 3):
        n, kh, kw, _ = pics.shape
        factor = max(1, math.ceil(min_cell / max(kh, kw)))
        cols = min(n, max(1, math.ceil(math.sqrt(n))))
        rows = math.ceil(n / cols)
        ch, cw = kh * factor, kw * factor
        out = np.ones((rows * ch + (rows - 1) * gap, cols * cw + (cols - 1) * gap, 3), dtype=np.float32)
        big = np.repeat(np.repeat(pics, factor, axis=1), factor, axis=2)
        for i in range(n):
            r, q = divmod(i, cols)
            out[r * (ch + gap):r * (ch + gap) + ch, q * (cw + gap):q * (cw + gap) + cw] = big[i]
        return out
    pics = pics[:, : max(1, int(max_channels))]  # (n, cin, kh, kw)
    n, cin, kh, kw = pics.shape
    factor = max(1, math.ceil(min_cell / max(kh, kw)))
    ch, cw = kh * factor, kw * factor
    out = np.ones((n * ch + (n - 1) * gap, cin * cw + (cin - 1) * gap, 3), dtype=np.float32)
    rgb = render.apply_colormap(np.repeat(np.repeat(pics, factor, axis=2), factor, axis=3), cmap)
    for i in range(n):
        for j in range(cin):
            out[i * (ch + gap):i * (ch + gap) + ch, j * (cw + gap):j * (cw + gap) + cw] = rgb[i, j]
    return out
