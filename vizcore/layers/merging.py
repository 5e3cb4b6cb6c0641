"""Merging layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate of two images.

Both images are converted to a colour space, merged by ``keras.layers.<kind>``, clipped to
[0, 1] in that space and converted back to RGB for display.
"""
from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from .. import render
from ..color import to_space
from ..errors import ImageError
from ..observe import (
    chroma_shares,
    hsv_change,
    hue_shift,
    luminance,
    nearer_shares,
    sample,
    share_beyond,
    share_from_neither,
    share_matching,
)
from .checks import channels, check_image, check_space
from .describe import CLIP_NOTE, SPACE_WORDS, imports, percent_text, space_line
from .engine import LOCK, stateless, traced
from .result import LayerResult
from .tables import MERGE_KINDS
from .tfcolor import tf_from_space, tf_to_space

__all__ = ["merge", "merge_layer", "tf_clip_merge", "tf_concat_shown", "merge_result", "merge_observation"]

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
    return merge_result(kind, space, np.asarray(y), np.asarray(shown), a=a, b=b)


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


def merge_result(kind: str, space: str, output: np.ndarray, shown: np.ndarray, *, a=None, b=None) -> LayerResult:
    """The LayerResult of a merge from its raw ``output`` (H, W, C or 2C) and ``shown`` (RGB or grey).

    ``a``, ``b``: the two RGB inputs; when given, ``observation`` is measured on them
    (:func:`merge_observation`).
    """
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
        observation="" if a is None or b is None else merge_observation(kind, space, a, b, output, shown),
    )


def merge_observation(kind: str, space: str, a, b, output: np.ndarray, shown: np.ndarray) -> str:
    """One measured sentence on what a merge shows, or ``""`` (see :mod:`vizcore.observe`).

    ``a``, ``b``: the RGB inputs (H, W, 3); ``output``: the raw merge in ``space``; ``shown``:
    the displayed RGB (H, W, 3) (or grey (H, W) for luminance).
    """
    if kind == "Concatenate":
        return ""
    a, b, output, shown = (sample(x) for x in (a, b, output, shown))  # same rows and columns
    if shown.ndim == 2:
        shown = np.repeat(shown[..., None], 3, axis=-1)
    pair = (kind, space)
    if kind == "Add" and space in ("hsv", "ycbcr"):
        return f"Hue moved {hue_shift(a, shown):.0f}° on average from the first image (coloured pixels)."
    if kind == "Add":
        return f"{percent_text(share_beyond(output, above=1.0))} of pixels pass 1 and are clipped to white."
    if kind == "Subtract":
        return (f"{percent_text(share_beyond(output, below=0.0))} of pixels have a channel below 0 "
                "(second image larger), clipped to 0.")
    if pair in (("Multiply", "luminance"), ("Multiply", "rgb")):
        means = [luminance(x).mean() for x in (shown, a, b)]
        return (f"Mean brightness drops to {means[0]:.2f} from {means[1]:.2f} and {means[2]:.2f}: "
                "factors below 1 only shrink.")
    if pair == ("Multiply", "hsv"):
        d_sat, d_val = hsv_change(a, shown)
        return (f"Against the first image: saturation {d_sat:+.2f}, brightness (V) {d_val:+.2f} "
                "on average.").replace("-", "−")
    if pair == ("Multiply", "ycbcr"):
        green = [chroma_shares(x)[1] for x in (shown, a)]
        return (f"{percent_text(green[0])} of pixels lean green (Cb, Cr below neutral), "
                f"vs {percent_text(green[1])} in the first image.")
    if pair == ("Average", "hsv"):
        return (f"Hue lands {hue_shift((a + b) / 2, shown):.0f}° from the RGB average on average: "
                "hue is circular, so red and blue can average to green.")
    if pair == ("Average", "ycbcr"):
        return (f"{percent_text(share_matching(shown, (a + b) / 2))} of pixels within 1/255 of the RGB "
                "average: YCbCr is linear in R, G, B.")
    if kind in ("Maximum", "Minimum") and space == "luminance":
        near_a, near_b = nearer_shares(to_space(a, space), to_space(b, space), output)
        which = "brighter" if kind == "Maximum" else "darker"
        return (f"{percent_text(near_a)} of pixels come from the first image, {percent_text(near_b)} from the "
                f"second (the {which} wins).")
    if kind in ("Maximum", "Minimum") and space in ("rgb", "hsv"):
        return (f"{percent_text(share_from_neither(a, b, shown))} of pixels match neither image: "
                "each channel is picked on its own.")
    if kind in ("Maximum", "Minimum"):  # ycbcr
        purple, green = zip(*(chroma_shares(x) for x in (shown, a, b)))
        shares, word = (purple, "purple (Cb, Cr above neutral)") if kind == "Maximum" else (
            green, "green (Cb, Cr below neutral)")
        return (f"{percent_text(shares[0])} of pixels lean {word}, vs {percent_text(shares[1])} "
                f"and {percent_text(shares[2])} in the inputs.")
    return ""
