"""Merging layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate of two images.

Both images are converted to a colour space, merged by ``keras.layers.<kind>``, clipped to
[0, 1] in that space and converted back to RGB for display.
"""
from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from .. import render
from ..errors import ImageError
from .checks import channels, check_image, check_space
from .describe import CLIP_NOTE, SPACE_WORDS, imports, space_line
from .engine import LOCK, stateless, traced
from .result import LayerResult
from .tables import MERGE_KINDS
from .tfcolor import tf_from_space, tf_to_space

__all__ = ["merge", "merge_layer", "tf_clip_merge", "tf_concat_shown", "merge_result"]

_MERGE_WORDS = {
    "Add": "adds the two inputs value by value",
    "Subtract": "subtracts the second input from the first, value by value",
    "Multiply": "multiplies the two inputs value by value",
    "Average": "averages the two inputs value by value",
    "Maximum": "keeps the larger of the two values at every position",
    "Minimum": "keeps the smaller of the two values at every position",
    "Concatenate": "stacks the channels of both inputs, one after the other",
}


def merge_layer(kind: str) -> keras.layers.Layer:
    """The cached ``keras.layers.<kind>`` (Concatenate along the channel axis)."""
    return stateless(kind, axis=-1) if kind == "Concatenate" else stateless(kind)


def merge(kind: str, a, b, *, space: str) -> LayerResult:
    """Merge two images with ``keras.layers.<kind>`` in a colour space.

    ``kind``: one of :data:`MERGE_KINDS`. ``a``, ``b``: RGB float32
    ``(H, W, 3)`` in ``[0, 1]`` of the same size (see ``vizcore.match_size``).
    Both are converted to ``space``, merged, clipped to ``[0, 1]`` in that
    space and converted back to RGB for ``image``. ``output`` is the raw layer
    output ``(H, W, C)`` (``(H, W, 2C)`` for Concatenate, whose ``image``
    shows its two halves side by side, ``(H, 2W, 3)``, and whose ``maps`` are
    its ``2C`` clipped channels). Parameters: 0.

    Raises ImageError for images that are not (H, W, 3) floats or differ in
    size, ValueError for an unknown kind or space.
    """
    if kind not in MERGE_KINDS:
        raise ValueError(f"unknown merge kind {kind!r}; choose one of {', '.join(MERGE_KINDS)}")
    check_space(space)
    a = check_image(a, "first image")
    b = check_image(b, "second image")
    if a.shape != b.shape:
        raise ImageError(
            f"the two images must have the same size to be merged, got {a.shape[:2]} and {b.shape[:2]} "
            "(vizcore.match_size brings one to the other's size)"
        )
    layer = merge_layer(kind)

    def body(a_img, b_img):
        xa = tf_to_space(a_img[None], space)
        xb = tf_to_space(b_img[None], space)
        y = layer([xa, xb])
        if kind == "Concatenate":
            return y[0], tf_concat_shown(a_img, b_img, xa, xb, space)
        return y[0], tf_from_space(tf_clip_merge(y, kind), space)[0]

    fn = traced(("merge", kind, space), body, 2)
    with LOCK:
        y, shown = fn(tf.constant(a), tf.constant(b))
    return merge_result(kind, space, np.asarray(y), np.asarray(shown))


def tf_clip_merge(y, kind: str):
    """Clip a merge of two inputs in [0, 1] to [0, 1].

    Only Add can exceed 1 and only Subtract can go below 0; Multiply, Average,
    Maximum and Minimum of values in [0, 1] stay in [0, 1], so they need no pass.
    """
    if kind == "Add":
        return tf.minimum(y, 1.0)
    if kind == "Subtract":
        return tf.maximum(y, 0.0)
    return y


def tf_concat_shown(a_img, b_img, xa, xb, space: str):
    """Concatenate's display: its two halves (xa, xb, already in [0, 1]) converted back, side by side.

    ``a_img``, ``b_img``: the RGB inputs (H, W, 3); ``xa``, ``xb``: them in ``space`` (1, H, W, C).
    Converting a space's image back to RGB gives the input again, so colour spaces show
    the inputs themselves, (H, 2W, 3); luminance shows their grey, (H, 2W).
    """
    if space == "luminance":
        return tf.concat([xa[0, ..., 0], xb[0, ..., 0]], 1)
    return tf.concat([a_img, b_img], 1)


def merge_result(kind: str, space: str, output: np.ndarray, shown: np.ndarray) -> LayerResult:
    """The LayerResult of a merge from its raw ``output`` (H, W, C or 2C) and ``shown`` (RGB or grey)."""
    h, w = output.shape[:2]
    c = channels(space)
    maps = np.moveaxis(output, -1, 0) if kind == "Concatenate" else None  # already in [0, 1]
    if kind == "Concatenate":
        layer_expr = "keras.layers.Concatenate(axis=-1)"
        shape_note = f"{h}×{w}×{2 * c} (the {c} channels of each input)"
        extra = " Shown: the first input's channels (left) and the second's (right), each converted back to RGB."
    else:
        layer_expr = f"keras.layers.{kind}()"
        shape_note = f"{h}×{w}×{c}"
        extra = ""
    code = "\n".join([
        imports("import numpy as np"),
        "# a, b: RGB float32 (H, W, 3) in [0, 1] of the same size",
        space_line(space, "a", "xa"),
        space_line(space, "b", "xb"),
        f"y = {layer_expr}([xa, xb])[0]  # ({h}, {w}, {output.shape[-1]})",
        f'shown = vizcore.from_space(np.clip(y{"[..., :%d]" % c if kind == "Concatenate" else ""}, 0, 1), "{space}")',
    ])
    return LayerResult(
        title=f"{kind} · {space}",
        caption=f"{kind} of the two images in {SPACE_WORDS[space]}.",
        explanation=(
            f"{kind} {_MERGE_WORDS[kind]} in {SPACE_WORDS[space]}; output {shape_note}, "
            f"0 parameters.{extra}"
        ),
        output=output,
        image=render.colour_image(shown),
        params=0,
        code=code,
        display="clip",
        display_note=CLIP_NOTE,
        output_shape=tuple(output.shape),
        maps=maps,
        settings={"function": "merge", "kind": kind, "space": space},
    )
