"""How feature maps are shown: the display rule, its graph half, its NumPy fix-ups and its words.

Dense / Conv2D / Conv2DTranspose outputs are feature maps, not colours. The rules are those of
:mod:`vizcore.render` (:data:`~vizcore.render.DISPLAY_MODES`), computed inside the traced graph:

* ``"percentile"``: grey, the 1st percentile black and the 99th white per map (a few extreme
  pixels are clipped instead of greying out the rest);
* ``"diverging"``: blue–white–red with 0 at white, ∓s full blue / red (s: the larger of
  |1st| and |99th percentile|), so where a value changes sign is visible;
* ``"minmax"``: grey, exactly from the minimum (black) to the maximum (white);
* ``"clip"``: grey, values as they are, clipped to [0, 1];
* ``"auto"`` (the default) decides per panel from the activation's known range:
  ``"clip"`` for activations whose values always lie in [0, 1]
  (:data:`~vizcore.layers.tables.UNIT_RANGE_ACTIVATIONS`: sigmoid…), ``"percentile"`` for
  those that are never negative (:data:`NON_NEGATIVE_ACTIVATIONS`: relu, softplus…), and
  ``"diverging"`` for signed outputs (linear, tanh, elu… and Conv2D before its activation).

Percentiles are taken over a regular subsample of each map (:func:`vizcore.render.sample_step`),
sorted in the graph: ~10,000 values per map, so their cost does not grow with the image. For a
monotone activation the sample of its input is sorted instead (f keeps the order) and shared by
every activation applied to the same layer. :func:`feature_result` turns the graph's tensors into
a :class:`LayerResult`, patching the rare maps the graph cannot show (constant maps, overflowed
values) and writing the display note, which also says in numbers why a panel looks flat or
black (share of zeros, spread of the values).
"""
from __future__ import annotations

import math

import keras
import numpy as np
import tensorflow as tf

from .. import render
from ..render import DISPLAY_MODES, PERCENTILE_SAMPLES, PERCENTILES
from .describe import number_text
from .result import LayerResult
from .tables import EXACT_MONOTONE_ACTIVATIONS, MONOTONE_ACTIVATIONS, UNIT_RANGE_ACTIVATIONS

__all__ = ["NON_NEGATIVE_ACTIVATIONS", "resolve_display", "tf_extremes", "tf_show", "fix_maps", "display_note",
           "feature_result"]

#: Activations whose values are never negative (and not all within [0, 1]): shown grey, percentile-stretched.
NON_NEGATIVE_ACTIVATIONS = frozenset({"relu", "relu6", "softplus", "squareplus", "sparse_plus", "exponential"})
_ZERO_MAKERS = frozenset({"relu", "relu6", "sparse_plus", "hard_shrink", "soft_shrink", "hard_sigmoid",
                          "sparse_sigmoid"})


def resolve_display(display: str, activation: str) -> str:
    """The display mode (one of :data:`~vizcore.render.DISPLAY_MODES`) for ``display`` after ``activation``.

    ``display``: ``"auto"`` (decided by the activation's range, see the module docstring) or
    a mode. Raises ValueError for another ``display``.
    """
    if display == "auto":
        if activation in UNIT_RANGE_ACTIVATIONS:
            return "clip"
        return "percentile" if activation in NON_NEGATIVE_ACTIVATIONS else "diverging"
    if display not in DISPLAY_MODES:
        raise ValueError(f"display must be 'auto' or one of {DISPLAY_MODES}, got {display!r}")
    return display


def _sorted_sample(x):
    """(1, H, W, k) -> (k, n): the :func:`vizcore.render.percentile_sample` of each map, sorted."""
    shape = tf.shape(x)
    ratio = tf.cast(shape[1] * shape[2], tf.float64) / PERCENTILE_SAMPLES
    step = tf.maximum(tf.cast(tf.math.ceil(tf.sqrt(ratio)), tf.int32), 1)
    step += 1 - step % 2  # odd, as render.sample_step
    sample = x[0, ::step, ::step, :]
    k = x.shape[-1]
    flat = tf.reshape(sample, (1, -1)) if k == 1 else tf.transpose(tf.reshape(sample, (-1, shape[3])))
    return tf.sort(flat, axis=-1)


def _percentile(ordered, q: float):
    """(k, n) sorted -> (1, 1, 1, k): NumPy's linear-interpolation percentile ``q``."""
    n = tf.shape(ordered)[-1]
    pos = q / 100.0 * tf.cast(n - 1, tf.float64)
    i = tf.cast(tf.math.floor(pos), tf.int32)
    j = tf.minimum(i + 1, n - 1)
    a, b = ordered[:, i], ordered[:, j]
    return tf.reshape(a + tf.cast(pos - tf.cast(i, tf.float64), a.dtype) * (b - a), (1, 1, 1, -1))


def tf_extremes(x):
    """Per-map summary of (1, H, W, k): (minimum, maximum, sorted sample), the first two (1, 1, 1, k),
    the sample (k, n) as :func:`vizcore.render.percentile_sample` takes it."""
    if x.shape[-1] == 1:  # a full reduction is much faster than one over two strided axes
        lo, hi = tf.reshape(tf.reduce_min(x), (1, 1, 1, 1)), tf.reshape(tf.reduce_max(x), (1, 1, 1, 1))
    else:
        lo, hi = tf.reduce_min(x, axis=(1, 2), keepdims=True), tf.reduce_max(x, axis=(1, 2), keepdims=True)
    return lo, hi, _sorted_sample(x)


def _share(ordered, test):
    """(k, n) -> (1, 1, 1, k) share of the sample's values for which ``test`` holds."""
    return tf.reshape(tf.reduce_mean(tf.cast(test(ordered), tf.float32), axis=-1), (1, 1, 1, -1))


def tf_show(z, y, activation: str, mode: str, z_extremes=None):
    """Display maps for ``y = activation(z)`` (1, H, W, k) -> (shown, lo, hi).

    ``shown``: (1, H, W, k) grey values in [0, 1], or for ``"diverging"`` RGB planes
    (3, 1, H, W, k) (red, green, blue: :func:`vizcore.render.diverging_rgb`'s colours).
    ``lo``: (4, 1, 1, 1, k) per map: minimum, the value shown black (−s in blue for
    "diverging"), share of values equal to 0, share below 0 (both over the percentile sample).
    ``hi``: (2, 1, 1, 1, k): maximum, the value shown white (+s in red).
    The stretch (y − black) / (white − black) lies in [0, 1] exactly for ``"minmax"``; a
    constant map comes out 0 and :func:`fix_maps` shows it clipped. For monotone activations
    the extremes and the sorted sample come from ``z_extremes`` (:func:`tf_extremes` of z,
    computed if not given; f keeps the order), saving passes over a possibly large output
    (for "minmax" only where f is computed exactly, see :mod:`vizcore.layers.tables`).
    """
    fn = keras.activations.get(activation)
    monotone = activation in MONOTONE_ACTIVATIONS
    if monotone:
        lo_z, hi_z, ordered_z = tf_extremes(z) if z_extremes is None else z_extremes
        ordered = fn(ordered_z)
        exact = activation in EXACT_MONOTONE_ACTIVATIONS or mode != "minmax"
        lo, hi = (fn(lo_z), fn(hi_z)) if exact else tf_extremes(y)[:2]
    else:
        lo, hi, ordered = tf_extremes(y)
    zeros, negatives = _share(ordered, lambda v: tf.equal(v, 0.0)), _share(ordered, lambda v: v < 0.0)
    if mode == "clip":
        black, white = tf.zeros_like(lo), tf.ones_like(hi)
        shown = y if activation in UNIT_RANGE_ACTIVATIONS else tf.clip_by_value(y, 0.0, 1.0)
    elif mode == "minmax":
        black, white = lo, hi
    else:
        q_lo, q_hi = _percentile(ordered, PERCENTILES[0]), _percentile(ordered, PERCENTILES[1])
        if mode == "percentile":
            spread = q_hi > q_lo
            black, white = tf.where(spread, q_lo, lo), tf.where(spread, q_hi, hi)
        else:
            s = tf.maximum(tf.maximum(-q_lo, q_hi), 0.0)
            s = tf.where(s > 0, s, tf.maximum(-lo, hi))
            black, white = -s, s
            t = tf.clip_by_value(y / tf.where(s > 0, s, tf.ones_like(s)), -1.0, 1.0)
            # Planar (3, 1, H, W, k): stacking on the first axis is a plain copy of each plane, ~6x
            # faster than interleaving; feature_result views it as (H, W, k, 3) without a copy.
            shown = tf.stack([tf.minimum(1.0, 1.0 + t), 1.0 - tf.abs(t), tf.minimum(1.0, 1.0 - t)], axis=0)
    if mode in ("minmax", "percentile"):
        spread = white - black
        shown = (y - black) / tf.where(spread > 0, spread, tf.ones_like(spread))
        if mode == "percentile":
            shown = tf.clip_by_value(shown, 0.0, 1.0)
    return shown, tf.stack([lo, black, zeros, negatives]), tf.stack([hi, white])


def fix_maps(shown: np.ndarray, output: np.ndarray, lo: np.ndarray, hi: np.ndarray, mode: str) -> np.ndarray:
    """Patch the rare maps the graph cannot show: constant ones and ones with overflowed values.

    ``shown``: (H, W, k) or (H, W, k, 3); ``output``: (H, W, k); ``lo``, ``hi``: per-map
    (minimum, black point) and (maximum, white point), each (2, k). Both kinds are shown grey
    and clipped (infinities as 0 or 1, NaN as 0), like ``normalise`` does for constant maps.
    Returns ``shown`` itself when nothing needs patching, else a patched copy.
    """
    (minimum, black), (maximum, white) = lo, hi
    bad = ~(np.isfinite(minimum) & np.isfinite(maximum))
    flat = (white <= black) & (mode in ("minmax", "percentile"))
    if not (bad.any() or flat.any()):
        return shown
    shown = np.array(shown, dtype=np.float32)
    for j in np.flatnonzero(flat | bad):
        values = np.clip(np.nan_to_num(output[..., j], nan=0.0, posinf=1.0, neginf=0.0), 0.0, 1.0)
        shown[:, :, j] = values[..., None] if shown.ndim == 4 else values
    return shown


def _percent(share: float) -> str:
    """A share as a whole percentage that never rounds a part to none or to all: 0.996 -> "99"."""
    pct = round(100 * share)
    return str(min(max(pct, 1 if share > 0 else 0), 99 if share < 1 else 100))


def _why(mode: str, lo, hi, zeros: float, activation: str | None, previous: str | None) -> str:
    """Why a panel looks flat or black, in numbers (empty when it does not)."""
    minimum, maximum = float(np.min(lo)), float(np.max(hi))
    if zeros >= 0.5 and activation in _ZERO_MAKERS:
        text = f" {_percent(zeros)} % of the values are exactly 0"
        if activation.startswith("relu") and previous is not None and previous.startswith("relu"):
            return text + (": ReLU after ReLU: this layer's sums of the first ReLU's non-negative maps "
                           "came out negative almost everywhere, and ReLU set them to 0.")
        return text + f": {activation} set every input below its threshold to 0."
    if zeros > 0 and activation in _ZERO_MAKERS:
        return f" {_percent(zeros)} % of the values are exactly 0 ({activation} set them to 0)."
    spread = maximum - minimum
    if spread >= 0.05 * max(1.0, abs(minimum), abs(maximum)):
        return ""
    centre = (maximum + minimum) / 2
    if spread == 0:
        head = f" All values equal {number_text(centre)}"
    else:
        head = f" All values lie within {number_text(spread / 2)} of {number_text(centre)}"
    inverse = {"sigmoid": lambda v: math.log(v / (1 - v)), "tanh": math.atanh}.get(activation or "")
    if inverse is not None and -1 < minimum and maximum < 1 and (activation == "tanh" or 0 < minimum):
        reason = (f": {activation} of small inputs (the layer's sums lie between "
                  f"{number_text(inverse(minimum))} and {number_text(inverse(maximum))}, where {activation} "
                  "is almost a constant)")
    else:
        reason = ": the layer's weighted sums barely change across this image"
    tail = " — the contrast you see is the stretch's, not the layer's." if mode != "clip" and spread else "."
    return head + reason + tail


def display_note(mode: str, lo, hi, *, activation: str | None = None, previous: str | None = None) -> str:
    """What the viewer sees, in words, for display ``mode`` and the maps' statistics ``lo``, ``hi``
    (as :func:`tf_show` returns them, batch and spatial axes dropped: (4, k) and (2, k)), and
    why a flat or black panel looks so (``activation``: the last one; ``previous``: the one
    before it in a stack, if any)."""
    lo, hi = np.asarray(lo, dtype=np.float64).reshape(4, -1), np.asarray(hi, dtype=np.float64).reshape(2, -1)
    (minimum, black, zeros, negatives), (maximum, white) = lo, hi
    if not (np.isfinite(minimum).all() and np.isfinite(maximum).all()):
        return ("Some values overflowed to infinity (or are not numbers), so they are shown clipped: "
                "+∞ white, −∞ and NaN black, everything else clipped to [0, 1].")
    k = minimum.size
    each = "" if k == 1 else f" per map (each of the {k} maps its own)"
    full = f"full range {number_text(minimum.min())} to {number_text(maximum.max())}"
    if mode == "clip":
        note = (f"Values shown as they are: 0 is black, 1 is white, anything outside [0, 1] is clipped "
                f"(this output ranges from {number_text(minimum.min())} to {number_text(maximum.max())}).")
    elif mode == "minmax":
        note = (f"Min–max stretched{each}: the lowest value ({number_text(minimum.min())}) is black and the "
                f"highest ({number_text(maximum.max())}) white.")
    elif mode == "percentile":
        ends = (f"{number_text(black[0])} black, {number_text(white[0])} white" if k == 1 else
                f"{number_text(black.min())}…{number_text(white.max())}")
        note = (f"Percentile stretch{each}: the 1st percentile is black and the 99th white ({ends}); the few "
                f"values beyond are clipped ({full}; choose min–max for the exact range).")
    else:
        note = (f"Signed values{each}: 0 is white, negatives blue, positives red, full colour at "
                f"±{number_text(white.max())} (the larger of |1st| and |99th percentile|); {full}; "
                f"{_percent(float(negatives.mean()))} % of the values are negative.")
    return note + _why(mode, minimum, maximum, float(zeros.mean()), activation, previous)


def _activations(settings: dict) -> tuple[str | None, str | None]:
    """(last activation, the one before it in a stack or None) named by a result's settings."""
    layers = settings.get("layers")
    if layers:
        return layers[-1]["activation"], layers[-2]["activation"] if len(layers) > 1 else None
    return settings.get("activation"), None


def feature_result(*, y, shown, lo, hi, mode, params, code, title, caption, explanation, settings) -> LayerResult:
    """A LayerResult for feature maps ``y`` (1, H, W, k), shown grey or, for ``"diverging"``, in colour.

    ``shown``, ``lo``, ``hi``: as :func:`tf_show` returns them (tensors or arrays); the other
    arguments are the result's fields. ``maps`` gets every map ((k, H, W) grey or
    (k, H, W, 3) colour), ``image`` the first one; ``display_note`` the rule in words and,
    for a flat or black panel, why (activations read from ``settings``).
    """
    output = np.asarray(y)[0]
    lo, hi = np.asarray(lo).reshape(4, -1), np.asarray(hi).reshape(2, -1)
    shown = np.asarray(shown)
    shown = np.moveaxis(shown[:, 0], 0, -1) if mode == "diverging" else shown[0]  # (H, W, k[, 3])
    shown = fix_maps(shown, output, lo[:2], hi, mode)
    maps = np.moveaxis(shown, 2, 0)
    activation, previous = _activations(settings)
    return LayerResult(
        title=title,
        caption=caption,
        explanation=explanation,
        output=output,
        image=render.colour_image(maps[0]),
        params=int(params),
        code=code,
        display=mode,
        display_note=display_note(mode, lo, hi, activation=activation, previous=previous),
        output_shape=tuple(output.shape),
        maps=maps,
        settings=settings,
    )
