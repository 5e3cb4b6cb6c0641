"""The pixel inspector: how one output pixel of a layer panel was computed, number by number.

:func:`explain_pixel` takes the settings of a layer call (``LayerResult.settings`` of
:func:`~vizcore.layers.conv2d`, :func:`~vizcore.layers.pool` (max / average),
:func:`~vizcore.layers.dense` or :func:`~vizcore.layers.conv2d_transpose`), the RGB image the
call was given and an output pixel, and returns a :class:`PixelExplanation`: the input numbers
in the chosen colour space (after padding), the real weights of the panel's Keras layer
(:func:`vizcore.layers.weights.layer_weights`), the products, their sum, the bias, the
activation (run by ``keras.activations``) and the output value. The arithmetic is NumPy on
one window only, so it is cheap on any image size; the tests check the value against the
layer's own TensorFlow output.

Keras' geometry, stated once: "same" padding puts ``total // 2`` zeros before the image,
``total = max((out − 1)·s + k − size, 0)``; pooling ignores padded cells (max over the real
cells, average divided by their count); a convolution is a correlation (kernel not flipped);
Conv2DTranspose adds ``input[i] · kernel[t]`` at output ``i·s + t − before``, ``before =
max(k − s, 0) // 2`` for "same" and 0 for "valid".
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .color import channel_names, to_space
from .layers.activations import activation_curve
from .layers.checks import check_image, check_int, check_padding, check_space, conv_out, transpose_out
from .layers.weights import layer_weights

__all__ = ["PixelExplanation", "explain_pixel", "INSPECTABLE", "output_shape_of", "window_box", "window_picture",
           "OUTLINE", "CHOSEN", "PADDING_GREY", "GRID"]

#: ``settings["function"]`` values the inspector explains (pooling: kinds "max" and "average").
INSPECTABLE: tuple[str, ...] = ("conv2d", "pool", "dense", "conv2d_transpose")


@dataclass(frozen=True, eq=False)
class PixelExplanation:
    """How output pixel ``(row, col, channel)`` of a layer was computed.

    ``kind``: ``"conv2d"``, ``"max"``, ``"average"``, ``"dense"`` or ``"conv2d_transpose"``.
    ``channel``: the filter / unit (Conv2D, Dense, Conv2DTranspose) or the colour channel
    (pooling) of the output. ``space`` / ``channel_names``: the input's colour space and its
    channel names (``C`` of them).

    ``window`` (float32, the input numbers in ``space``):

    * Conv2D ``(kh, kw, C)``, zeros where the window lies on "same" padding;
    * pooling ``(k, k)``, the pooled channel only, NaN on padding (ignored by pooling);
    * Dense ``(C,)``, the pixel's own channel values;
    * Conv2DTranspose ``(n, C)``, the input pixels of the ``n`` stamps that reach the pixel.

    ``origin``: input ``(row, col)`` of ``window[0, 0]`` (may be negative on padding) for
    Conv2D and pooling, the pixel itself for Dense, ``None`` for Conv2DTranspose.
    ``padded``: bool, ``window``'s spatial shape, True on padding (Conv2D / pooling).
    ``weights``: the Keras layer's weights lined up with ``window`` (same shape; ``None``
    for pooling). ``products``: ``window · weights`` (``None`` for pooling).
    ``stamps``: Conv2DTranspose only, int ``(n, 4)``: input row, input col, kernel row,
    kernel col of each stamp.
    ``total``: sum of ``products`` (pooling: the max or the mean); ``bias``; ``pre_activation
    = total + bias``; ``activation`` (``"linear"`` for pooling); ``value``: the output, equal
    to the layer's ``output[row, col, channel]``. ``chosen``: max pooling's winning cell
    ``(r, c)`` in ``window`` (first in reading order on ties), else ``None``.
    ``weights_source``: ``"seed N"``, ``"hand-made kernel"`` or ``""`` (pooling).
    """

    kind: str
    row: int
    col: int
    channel: int
    output_shape: tuple[int, int, int]
    space: str
    channel_names: tuple[str, ...]
    window: np.ndarray
    origin: tuple[int, int] | None
    padded: np.ndarray | None
    weights: np.ndarray | None
    products: np.ndarray | None
    total: float
    bias: float
    pre_activation: float
    activation: str
    value: float
    chosen: tuple[int, int] | None = None
    stamps: np.ndarray | None = None
    weights_source: str = ""


def _before(size: int, out: int, k: int, s: int, padding: str) -> int:
    """Zeros Keras puts before the image along one axis (conv / pooling)."""
    return 0 if padding == "valid" else max((out - 1) * s + k - size, 0) // 2


def output_shape_of(settings: dict[str, Any], height: int, width: int) -> tuple[int, int, int]:
    """The output shape ``(H', W', channels)`` a layer call with ``settings`` gives on an ``height×width`` image.

    Raises ValueError for settings the inspector does not explain (naming the function / kind).
    """
    function = settings.get("function") if isinstance(settings, dict) else None
    if function not in INSPECTABLE:
        raise ValueError(f"the pixel inspector explains {', '.join(INSPECTABLE)}; got function={function!r}")
    space = check_space(settings.get("space", "luminance" if function == "dense" else "rgb"))
    c = 1 if space == "luminance" else 3
    if function == "pool":
        kind = settings.get("kind")
        if kind not in ("max", "average"):
            raise ValueError(f"the pixel inspector explains max and average pooling, got kind={kind!r}")
        k, s, padding = _pool_geometry(settings)
        return conv_out(height, k, s, padding), conv_out(width, k, s, padding), c
    if function == "dense":
        return height, width, check_int(settings.get("units", 1), "units", 1, 64)
    padding = check_padding(settings.get("padding", "same"))
    filters = check_int(settings.get("filters", 1), "filters", 1, 64)
    if function == "conv2d":
        kh, kw = _conv_size(settings)
        s = check_int(settings.get("strides", 1), "strides", 1, 16)
        return conv_out(height, kh, s, padding), conv_out(width, kw, s, padding), filters
    k = check_int(settings.get("kernel_size", 2), "kernel_size", 1, 16)
    s = check_int(settings.get("strides", 2), "strides", 1, 8)
    return transpose_out(height, k, s, padding), transpose_out(width, k, s, padding), filters


def _pool_geometry(settings) -> tuple[int, int, str]:
    k = settings.get("size")
    k = 2 if k is None else check_int(k, "size", 1, 64)
    s = settings.get("strides")
    s = k if s is None else check_int(s, "strides", 1, 64)
    return k, s, check_padding(settings.get("padding", "same"))


def _conv_size(settings) -> tuple[int, int]:
    if settings.get("kernel") is not None:
        return tuple(np.shape(settings["kernel"]))  # type: ignore[return-value]
    k = settings.get("kernel_size")
    k = 3 if k is None else check_int(k, "kernel_size", 1, 15)
    return k, k


def _check_pixel(row, col, channel, shape) -> tuple[int, int, int]:
    ho, wo, c = shape
    for name, value, size in (("row", row, ho), ("col", col, wo), ("channel", channel, c)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value < size:
            raise ValueError(
                f"output pixel (row={row!r}, col={col!r}, channel={channel!r}) is outside the layer's "
                f"{ho}×{wo}×{c} output: {name} must be an integer from 0 to {size - 1}, got {value!r}")
    return int(row), int(col), int(channel)


def _crop(x: np.ndarray, top: int, left: int, kh: int, kw: int, fill: float) -> tuple[np.ndarray, np.ndarray]:
    """``x[top:top+kh, left:left+kw]`` of (H, W, C), ``fill`` outside; and the outside mask (kh, kw)."""
    h, w, c = x.shape
    out = np.full((kh, kw, c), fill, np.float32)
    rows, cols = np.arange(top, top + kh), np.arange(left, left + kw)
    inside_r, inside_c = (rows >= 0) & (rows < h), (cols >= 0) & (cols < w)
    out[np.ix_(inside_r, inside_c)] = x[np.ix_(rows[inside_r], cols[inside_c])]
    return out, ~np.outer(inside_r, inside_c)


def _activate(name: str, z: float) -> float:
    return float(activation_curve(name, x=np.array([z], np.float32))[1][0])


def explain_pixel(image, settings: dict[str, Any], *, row: int, col: int, channel: int = 0) -> PixelExplanation:
    """Explain output pixel ``(row, col, channel)`` of the layer call ``settings`` on ``image``.

    ``image``: the RGB image the layer function was given, ``(H, W, 3)`` float in ``[0, 1]``.
    ``settings``: ``LayerResult.settings`` (or the same keywords with ``"function"``) of
    ``conv2d``, ``pool`` (kind ``"max"`` / ``"average"``), ``dense`` or ``conv2d_transpose``.
    ``row``, ``col``: in the output, from 0; ``channel``: filter / unit / colour channel.
    Returns a :class:`PixelExplanation` whose ``value`` equals the layer's
    ``output[row, col, channel]``. Raises ValueError for a pixel outside the output (naming
    the pixel and the output's shape) or for settings it does not explain; ImageError for a
    bad image.
    """
    rgb = check_image(image)
    h, w = rgb.shape[:2]
    shape = output_shape_of(settings, h, w)
    row, col, channel = _check_pixel(row, col, channel, shape)
    function = settings["function"]
    space = settings.get("space", "luminance" if function == "dense" else "rgb")
    x = to_space(rgb, space)
    common = dict(row=row, col=col, channel=channel, output_shape=shape, space=space,
                  channel_names=tuple(channel_names(space)))
    if function == "pool":
        return _explain_pool(x, settings, shape, common)
    weights = layer_weights(settings)
    activation = settings.get("activation", "linear")
    if function == "dense":
        window = x[row, col].copy()
        wts = weights.kernel[:, channel].copy()
        return _weighted("dense", window, wts, weights, activation, common, origin=(row, col), padded=None)
    if function == "conv2d":
        kh, kw = _conv_size(settings)
        s = settings.get("strides", 1)
        padding = settings.get("padding", "same")
        top = row * s - _before(h, shape[0], kh, s, padding)
        left = col * s - _before(w, shape[1], kw, s, padding)
        window, padded = _crop(x, top, left, kh, kw, 0.0)
        wts = weights.kernel[:, :, :, channel].copy()
        return _weighted("conv2d", window, wts, weights, activation, common, origin=(top, left), padded=padded)
    return _explain_transpose(x, settings, shape, weights, activation, common)


def _weighted(kind, window, wts, weights, activation, common, *, origin, padded, stamps=None) -> PixelExplanation:
    products = (window * wts).astype(np.float32)
    total = float(np.sum(products, dtype=np.float64))
    bias = float(weights.bias[common["channel"]])
    pre = total + bias
    return PixelExplanation(
        kind=kind, **common, window=window.astype(np.float32), origin=origin, padded=padded, weights=wts,
        products=products, total=total, bias=bias, pre_activation=pre, activation=activation,
        value=_activate(activation, pre), stamps=stamps, weights_source=weights.source)


def _explain_pool(x, settings, shape, common) -> PixelExplanation:
    kind = settings["kind"]
    k, s, padding = _pool_geometry(settings)
    h, w = x.shape[:2]
    top = common["row"] * s - _before(h, shape[0], k, s, padding)
    left = common["col"] * s - _before(w, shape[1], k, s, padding)
    window, padded = _crop(x[..., common["channel"]:common["channel"] + 1], top, left, k, k, np.nan)
    window = window[..., 0]
    real = window[~padded]
    if kind == "max":
        value = float(real.max())
        hits = np.argwhere((window == value) & ~padded)
        chosen: tuple[int, int] | None = (int(hits[0][0]), int(hits[0][1]))
    else:
        value = float(np.mean(real, dtype=np.float64))
        chosen = None
    return PixelExplanation(
        kind=kind, **common, window=window, origin=(top, left), padded=padded, weights=None, products=None,
        total=value, bias=0.0, pre_activation=value, activation="linear", value=value, chosen=chosen)


def _taps(out_index: int, size: int, k: int, s: int, before: int) -> list[tuple[int, int]]:
    """(input index, kernel index) pairs with ``i·s + t − before == out_index`` along one axis."""
    p = out_index + before
    return [(i, p - i * s) for i in range(size) if 0 <= p - i * s < k]


def _explain_transpose(x, settings, shape, weights, activation, common) -> PixelExplanation:
    k = settings.get("kernel_size", 2)
    s = settings.get("strides", 2)
    before = max(k - s, 0) // 2 if settings.get("padding", "same") == "same" else 0
    h, w, c = x.shape
    rows = _taps(common["row"], h, k, s, before)
    cols = _taps(common["col"], w, k, s, before)
    stamps = np.array([(i, j, t, u) for i, t in rows for j, u in cols], dtype=np.int64).reshape(-1, 4)
    window = x[stamps[:, 0], stamps[:, 1]] if len(stamps) else np.zeros((0, c), np.float32)
    # Keras' Conv2DTranspose kernel is (k, k, filters, C).
    wts = (weights.kernel[stamps[:, 2], stamps[:, 3], common["channel"]] if len(stamps)
           else np.zeros((0, c), np.float32))
    return _weighted("conv2d_transpose", window, wts, weights, activation, common, origin=None, padded=None,
                     stamps=stamps)


#: Colours of :func:`window_picture` (uint8 RGB): the window's outline, max pooling's chosen
#: cell, padding cells, and the thin lines between pixels.
OUTLINE, CHOSEN, PADDING_GREY, GRID = (255, 214, 0), (230, 30, 30), (205, 205, 205), (40, 40, 40)


def window_box(explanation: PixelExplanation) -> tuple[int, int, int, int]:
    """Input rows/cols ``(top, left, bottom, right)`` (bottom/right exclusive) of the cells the pixel reads.

    Conv2D / pooling: the window (may reach outside the image on padding); Dense: the pixel;
    Conv2DTranspose: the box around the stamps' input pixels (the pixel's own position
    divided by the stride when no stamp reaches it).
    """
    e = explanation
    if e.stamps is not None:
        if len(e.stamps):
            return (int(e.stamps[:, 0].min()), int(e.stamps[:, 1].min()), int(e.stamps[:, 0].max()) + 1,
                    int(e.stamps[:, 1].max()) + 1)
        return e.row, e.col, e.row + 1, e.col + 1  # unreachable for k >= 1 except "valid" k < s tails
    top, left = e.origin
    rows, cols = (1, 1) if e.kind == "dense" else e.window.shape[:2]
    return top, left, top + rows, left + cols


def window_picture(image, explanation: PixelExplanation, *, margin: int = 2, cell: int = 28) -> np.ndarray:
    """The input around the cells an output pixel reads, enlarged, with those cells outlined.

    ``image``: the RGB ``(H, W, 3)`` float input in ``[0, 1]`` (as given to
    :func:`explain_pixel`). Each input pixel becomes a ``cell×cell`` square with a dark grid
    line; ``margin`` pixels of context are shown around :func:`window_box`; cells outside the
    image (padding) are light grey; the window (Conv2D / pooling / Dense) or every stamping
    input pixel (Conv2DTranspose) is outlined in yellow, max pooling's chosen cell in red.
    At most 24 cells a side are drawn (the window is kept, context trimmed).
    Returns uint8 ``(rows·cell, cols·cell, 3)``.
    """
    rgb = check_image(image)
    h, w = rgb.shape[:2]
    top, left, bottom, right = window_box(explanation)
    extra = max(0, min(margin, (24 - max(bottom - top, right - left)) // 2))
    r0, c0, r1, c1 = top - extra, left - extra, bottom + extra, right + extra
    rows, cols = np.arange(r0, r1), np.arange(c0, c1)
    inside = np.outer((rows >= 0) & (rows < h), (cols >= 0) & (cols < w))
    small = np.empty((len(rows), len(cols), 3), np.uint8)
    small[:] = PADDING_GREY
    crop = rgb[np.clip(rows, 0, h - 1)][:, np.clip(cols, 0, w - 1)]
    small[inside] = np.round(crop[inside] * 255).astype(np.uint8)
    big = np.repeat(np.repeat(small, cell, axis=0), cell, axis=1)
    big[::cell, :] = GRID
    big[:, ::cell] = GRID

    def outline(r: int, c: int, height: int, width: int, colour, thick: int) -> None:
        y0, x0, y1, x1 = (r - r0) * cell, (c - c0) * cell, (r - r0 + height) * cell, (c - c0 + width) * cell
        y1, x1 = min(y1, big.shape[0]), min(x1, big.shape[1])
        big[y0:y0 + thick, x0:x1] = colour
        big[y1 - thick:y1, x0:x1] = colour
        big[y0:y1, x0:x0 + thick] = colour
        big[y0:y1, x1 - thick:x1] = colour

    e = explanation
    if e.stamps is not None:
        for i, j in {(int(a), int(b)) for a, b in e.stamps[:, :2]}:
            outline(i, j, 1, 1, OUTLINE, max(2, cell // 8))
    else:
        outline(top, left, bottom - top, right - left, OUTLINE, max(3, cell // 7))
        if e.chosen is not None:
            outline(top + e.chosen[0], left + e.chosen[1], 1, 1, CHOSEN, max(2, cell // 7))
    return big
