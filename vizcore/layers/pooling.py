"""Pooling layers: max / average pooling, global average pooling, depth-wise (channel) max pooling.

Pooling runs in a colour space; what is shown is the pooled result clipped in that space,
converted back to RGB and repeated over its block at the input's size (so the blocks show).
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from .. import render
from ..color import from_space, to_space
from ..observe import (
    block_pool,
    block_steps,
    chroma_shares,
    dark_share,
    hue_shift,
    luminance,
    sample,
    share_matching,
    upsample_blocks,
)
from . import engine
from .checks import channels, check_image, check_int, check_output, check_padding, check_space, check_window, conv_out
from .describe import CLIP_NOTE, SPACE_WORDS, percent_text, snippet
from .hue import global_hue_note
from .result import LayerResult
from .tables import POOL_KINDS
from .tfcolor import tf_from_space, tf_to_space

__all__ = ["pool", "pool_result", "pool_observation", "tf_upsample_blocks"]


def _tf_block_indices(size, pooled, pool_size: int, strides: int, padding: str):
    """For each of ``size`` input rows, the pooled row whose window it belongs to."""
    if padding == "same":
        before = tf.maximum((pooled - 1) * strides + pool_size - size, 0) // 2
    else:
        before = tf.constant(0)
    return tf.minimum((tf.range(size) + before) // strides, pooled - 1)


def tf_upsample_blocks(small, height, width, pool_size: int, strides: int, padding: str):
    """Repeat each pooled pixel of (N, h, w[, C]) over its block at (height, width), as pooling grouped them."""
    if pool_size == strides and padding == "same":
        # Blocks tile the padded image: broadcast each pixel to k×k, then cut the padding
        # ("same" puts total // 2 of it before the image). One pass instead of two gathers.
        k = pool_size
        x = small[..., None] if small.shape.rank == 3 else small
        n, h, w, c = tf.unstack(tf.shape(x))
        big = tf.reshape(tf.broadcast_to(x[:, :, None, :, None, :], (n, h, k, w, k, c)), (n, h * k, w * k, c))
        big = tf.slice(big, [0, (h * k - height) // 2, (w * k - width) // 2, 0], [-1, height, width, -1])
        return big[..., 0] if small.shape.rank == 3 else big
    rows = _tf_block_indices(height, tf.shape(small)[1], pool_size, strides, padding)
    cols = _tf_block_indices(width, tf.shape(small)[2], pool_size, strides, padding)
    return tf.gather(tf.gather(small, rows, axis=1), cols, axis=2)


def pool(
    image,
    *,
    kind: str,
    space: str,
    size: int | None = None,
    strides: int | None = None,
    padding: str = "same",
) -> LayerResult:
    """Pool an image in a colour space.

    ``kind``:

    * ``"max"`` / ``"average"``: ``keras.layers.MaxPooling2D`` /
      ``AveragePooling2D`` with ``pool_size=size`` (default 2),
      ``strides`` (default ``size``) and ``padding`` (default ``"same"``).
      ``output`` is ``(ceil(H/s), ceil(W/s), C)`` for "same" padding,
      ``(floor((H − size)/s) + 1, ...)`` for "valid"; ``image`` is back at the
      input's ``(H, W)`` with every pooled value repeated over its block
      (nearest neighbour, so the blocks show), clipped in the space and
      converted to RGB.
    * ``"global_average"``: ``GlobalAveragePooling2D``, one value per
      channel; ``output`` is ``(C,)``, ``image`` an ``(H, W, 3)`` swatch of
      that colour. ``size``/``strides`` must be left unset.
    * ``"depthwise_max"``: max over groups of ``size`` neighbouring channels
      (default: all channels), as the seed's ``tf.nn.max_pool`` over the channel
      axis, done by ``keras.layers.MaxPooling3D(pool_size=(1, 1, size))``
      on the channels seen as a depth axis. ``output`` is ``(H, W, C/size)``,
      shown grey (the first map) unless it keeps the colour channels
      (``size=1``).

    Raises ImageError for a bad image, ValueError for bad options (e.g. a
    depth window that does not divide the channel count).
    """
    if kind not in POOL_KINDS:
        raise ValueError(f"unknown pooling kind {kind!r}; choose one of {', '.join(POOL_KINDS)}")
    check_space(space)
    image = check_image(image)
    h, w = image.shape[:2]
    c = channels(space)
    if kind in ("global_average", "depthwise_max") and padding != "same":
        raise ValueError(f"{kind} pooling has no padding; leave padding unset, got {padding!r}")
    if kind == "global_average":
        if size is not None or strides is not None:
            raise ValueError("global_average pooling averages the whole image; leave size and strides unset")
        return _global_pool(image, space)
    if kind == "depthwise_max":
        if strides is not None:
            raise ValueError("depthwise_max pools across channels only; leave strides unset")
        depth = c if size is None else check_int(size, "size", 1, 3)
        if c % depth:
            raise ValueError(f"the depth window must divide the {c} channel(s) of {space}, got size={depth}")
        return _depthwise_pool(image, space, depth)
    size = 2 if size is None else check_int(size, "size", 1, 64)
    strides = size if strides is None else check_int(strides, "strides", 1, 64)
    check_padding(padding)
    check_window(h, w, size, padding, "MaxPooling2D" if kind == "max" else "AveragePooling2D", window="pool window")
    out_shape = (conv_out(h, size, strides, padding), conv_out(w, size, strides, padding), c)
    check_output(out_shape, f"{kind} pooling {size}×{size}")
    cls = "MaxPooling2D" if kind == "max" else "AveragePooling2D"
    layer = engine.stateless(cls, pool_size=size, strides=strides, padding=padding)

    def body(img):
        y = layer(tf_to_space(img[None], space))
        shown = tf_from_space(tf.clip_by_value(y, 0.0, 1.0), space)
        shown = tf_upsample_blocks(shown, tf.shape(img)[0], tf.shape(img)[1], size, strides, padding)
        return y[0], shown[0]

    fn = engine.traced(("pool", cls, size, strides, padding, space), body)
    with engine.LOCK:
        y, shown = fn(tf.constant(image))
    return pool_result(kind, space, size, strides, padding, np.asarray(y), np.asarray(shown), image=image)


def pool_result(kind, space, size, strides, padding, output, shown, *, image=None) -> LayerResult:
    """The LayerResult of max / average pooling from its raw ``output`` and RGB ``shown`` (graph outputs).

    ``image``: the RGB input; when given, ``observation`` is measured on it (:func:`pool_observation`).
    """
    cls = "MaxPooling2D" if kind == "max" else "AveragePooling2D"
    word = "largest" if kind == "max" else "average"
    stride_text = "" if strides == size else f", strides={strides}"
    ho, wo, c = output.shape
    code = snippet(
        space,
        f'y = keras.layers.{cls}(pool_size={size}{stride_text}, padding="{padding}")(x)[0]  # ({ho}, {wo}, {c})',
    )
    return LayerResult(
        title=f"{cls} {size}×{size} · {space}",
        caption=f"{'Max' if kind == 'max' else 'Average'} pooling {size}×{size} in {SPACE_WORDS[space]}.",
        explanation=(
            f"{cls} keeps the {word} value of each {size}×{size} block per channel (stride {strides}, "
            f'padding "{padding}"): output {ho}×{wo}×{c}, 0 parameters. Shown at the input size with each '
            "pooled value repeated over its block."
        ),
        output=output,
        image=render.colour_image(shown),
        params=0,
        code=code,
        display="clip",
        display_note=CLIP_NOTE,
        output_shape=tuple(output.shape),
        settings={"function": "pool", "kind": kind, "space": space, "size": size, "strides": strides,
                  "padding": padding},
        observation="" if image is None else pool_observation(kind, space, size, strides, padding, image, shown),
    )


def pool_observation(kind, space, size, strides, padding, image, shown) -> str:
    """One measured sentence on what max / average pooling shows, or ``""`` (see :mod:`vizcore.observe`).

    ``image``: the RGB input (H, W, 3); ``shown``: the displayed RGB at the input's size.
    Only for blocks that tile the image (``strides == size``, ``"same"`` padding), the
    seed sheet's pooling.
    """
    if strides != size or padding != "same" or size < 2:
        return ""
    image, shown = sample(image, block=size), sample(shown, block=size)  # whole blocks, aligned
    h, w = image.shape[:2]
    if shown.ndim == 2:  # luminance comes back grey
        shown = np.repeat(shown[..., None], 3, axis=-1)

    def rgb_pool(how):  # the same pooling done on R, G, B in NumPy, at the input's size
        return upsample_blocks(block_pool(image, size, how), size, h, w)

    if kind == "max" and space in ("luminance", "rgb"):
        return (f"Dark pixels (luminance < 0.2): {percent_text(dark_share(image))} before, "
                f"{percent_text(dark_share(shown))} after; each block keeps its brightest.")
    if kind == "max" and space == "ycbcr":
        before, after = chroma_shares(image)[0], chroma_shares(shown)[0]
        return (f"{percent_text(after)} of pixels lean purple (Cb, Cr above neutral), "
                f"vs {percent_text(before)} before pooling.")
    if kind == "max":  # hsv
        return (f"Hue moved {hue_shift(rgb_pool('max'), shown):.0f}° on average from max pooling on R, G, B: "
                "the largest hue wins.")
    if space in ("luminance", "rgb"):
        maxed = upsample_blocks(block_pool(to_space(image, space), size, "max"), size, h, w)
        steps_max = block_steps(luminance(from_space(np.clip(maxed, 0, 1), space)), size, top=0.1)
        steps = block_steps(luminance(shown), size, top=0.1)
        verdict = "softer stairs" if steps < steps_max else "no softer than max pooling here"
        return (f"Hardest tenth of the steps between blocks: {steps * 255:.0f}/255, vs {steps_max * 255:.0f}/255 "
                f"for max pooling: {verdict}.")
    if space == "hsv":
        return (f"Hue moved {hue_shift(rgb_pool('average'), shown):.0f}° on average from average pooling on "
                "R, G, B (hue is circular).")
    return (f"{percent_text(share_matching(shown, rgb_pool('average')))} of pixels within 1/255 of "
            "average pooling on R, G, B: YCbCr is linear.")


def _global_pool(image: np.ndarray, space: str) -> LayerResult:
    layer = engine.stateless("GlobalAveragePooling2D")

    def body(img):
        y = layer(tf_to_space(img[None], space))  # (1, C)
        shown = tf_from_space(tf.clip_by_value(y, 0.0, 1.0)[:, None, None, :], space)
        return y[0], tf.reshape(shown, (-1,))  # 1 value (grey) or 3

    fn = engine.traced(("global_pool", space), body)
    with engine.LOCK:
        y, colour = fn(tf.constant(image))
    output = np.asarray(y)
    colour = np.asarray(colour)
    if colour.size == 1:
        colour = np.repeat(colour, 3)
    h, w = image.shape[:2]
    swatch = np.broadcast_to(colour.astype(np.float32), (h, w, 3))
    c = output.shape[0]
    values = ", ".join(f"{v:.3f}" for v in output)
    code = snippet(
        space,
        f"y = keras.layers.GlobalAveragePooling2D()(x)[0]  # ({c},): one mean per channel",
    )
    return LayerResult(
        title=f"GlobalAveragePooling2D · {space}",
        caption=f"The mean of each channel in {SPACE_WORDS[space]}, shown as one colour.",
        explanation=(
            f"GlobalAveragePooling2D averages every channel over the whole image: output ({c},) = "
            f"({values}), 0 parameters. Shown as a swatch of that colour: flat on purpose, 100 % of its "
            f"{h * w:,} pixels are that one mean."
            + (" " + global_hue_note(image, float(output[0])) if space == "hsv" else "")  # hue is an angle
        ),
        output=output,
        image=swatch,
        params=0,
        code=code,
        display="clip",
        display_note=CLIP_NOTE,
        output_shape=tuple(output.shape),
        settings={"function": "pool", "kind": "global_average", "space": space},
    )


def _depthwise_pool(image: np.ndarray, space: str, depth: int) -> LayerResult:
    layer = engine.stateless("MaxPooling3D", pool_size=(1, 1, depth), strides=(1, 1, depth))
    c = channels(space)
    keeps_colour = depth == 1

    def body(img):
        x = tf_to_space(img[None], space)
        y = layer(x[..., None])[..., 0]  # channels as the depth axis of a 3-D pooling
        if keeps_colour:
            return y[0], tf_from_space(y, space)[0]
        return y[0], y[0]  # maxima of values in [0, 1]

    fn = engine.traced(("depth_pool", space, depth), body)
    with engine.LOCK:
        y, shown = fn(tf.constant(image))
    output, shown = np.asarray(y), np.asarray(shown)
    h, w, k = output.shape
    if keeps_colour:
        img, maps = render.colour_image(shown), None
    else:
        maps = np.moveaxis(shown, -1, 0)
        img = render.grey_view(maps[0])
    code = snippet(
        space,
        "# the channels become a depth axis; pool over it (as tf.nn.max_pool with ksize (1, 1, 1, %d))" % depth,
        f"x5 = keras.ops.expand_dims(x, -1)  # (1, H, W, {c}, 1)",
        f"y = keras.layers.MaxPooling3D(pool_size=(1, 1, {depth}))(x5)[0, ..., 0]  # ({h}, {w}, {k})",
    )
    return LayerResult(
        title=f"Depth-wise max pooling · {space}",
        caption=f"The largest of every {depth} neighbouring channel(s) at each pixel in {SPACE_WORDS[space]}.",
        explanation=(
            f"Depth-wise max pooling keeps, at every pixel, the largest of each group of {depth} channel(s): "
            f"output {h}×{w}×{k}, 0 parameters."
            + (" In RGB this is exactly HSV's value channel." if space == "rgb" and depth == 3 else "")
        ),
        output=output,
        image=img,
        params=0,
        code=code,
        display="clip",
        display_note="Values in [0, 1] shown as they are (0 black, 1 white).",
        output_shape=tuple(output.shape),
        maps=maps,
        settings={"function": "pool", "kind": "depthwise_max", "space": space, "size": depth},
    )
