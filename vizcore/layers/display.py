"""How feature maps are shown: the display rule, its graph half, its NumPy fix-ups and its words.

Dense / Conv2D / Conv2DTranspose outputs are feature maps, not colours; they are shown grey:

* ``"clip"``: values as they are, clipped to [0, 1];
* ``"minmax"``: each map stretched from its minimum (black) to its maximum (white);
  a constant map is shown clipped (the rule of :func:`vizcore.render.normalise`);
* ``"auto"`` picks ``"clip"`` for activations whose values always lie in [0, 1]
  (:data:`~vizcore.layers.tables.UNIT_RANGE_ACTIVATIONS`) and ``"minmax"`` otherwise.

:func:`tf_show` does the stretch inside the traced graph; :func:`feature_result` turns the
graph's tensors into a :class:`LayerResult`, patching the rare maps the graph cannot show
(constant maps, overflowed values) and writing the display note.
"""
from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from .. import render
from ..render import DISPLAY_MODES
from .describe import number_text
from .result import LayerResult
from .tables import EXACT_MONOTONE_ACTIVATIONS, MONOTONE_ACTIVATIONS, UNIT_RANGE_ACTIVATIONS

__all__ = ["resolve_display", "tf_extremes", "tf_show", "fix_maps", "display_note", "feature_result"]


def resolve_display(display: str, activation: str) -> str:
    """``"clip"`` or ``"minmax"`` for ``display`` (``"auto"``, ``"clip"``, ``"minmax"``) after ``activation``.

    Raises ValueError for another ``display``.
    """
    if display == "auto":
        return "clip" if activation in UNIT_RANGE_ACTIVATIONS else "minmax"
    if display not in DISPLAY_MODES:
        raise ValueError(f"display must be 'auto', 'clip' or 'minmax', got {display!r}")
    return display


def tf_extremes(x):
    """Per-map minimum and maximum of (1, H, W, k), each shaped (1, 1, 1, k)."""
    if x.shape[-1] == 1:  # a full reduction is much faster than one over two strided axes
        return tf.reshape(tf.reduce_min(x), (1, 1, 1, 1)), tf.reshape(tf.reduce_max(x), (1, 1, 1, 1))
    return tf.reduce_min(x, axis=(1, 2), keepdims=True), tf.reduce_max(x, axis=(1, 2), keepdims=True)


def tf_show(z, y, activation: str, mode: str, z_extremes=None):
    """Display maps for ``y = activation(z)`` (1, H, W, k) -> (shown in [0, 1], per-map min, per-map max).

    ``"clip"``: y clipped (no pass at all for activations whose values lie in [0, 1]).
    ``"minmax"``: (y − min) / (max − min), which lies in [0, 1] exactly in float
    arithmetic; a constant map comes out 0 here and :func:`fix_maps` shows it clipped.
    The extremes come from ``z_extremes`` (min and max of z, computed if not given)
    when the activation allows it (monotone, and for "minmax" exactly computed: see
    :mod:`vizcore.layers.tables`), saving two passes over a possibly large output.
    min/max are for the display note in "clip" mode.
    """
    fn = keras.activations.get(activation)

    def from_z():
        lo_z, hi_z = tf_extremes(z) if z_extremes is None else z_extremes
        return fn(lo_z), fn(hi_z)

    if mode == "clip":
        lo, hi = from_z() if activation in MONOTONE_ACTIVATIONS else tf_extremes(y)
        return (y if activation in UNIT_RANGE_ACTIVATIONS else tf.clip_by_value(y, 0.0, 1.0)), lo, hi
    lo, hi = from_z() if activation in EXACT_MONOTONE_ACTIVATIONS else tf_extremes(y)
    spread = hi - lo
    return (y - lo) / tf.where(spread > 0, spread, tf.ones_like(spread)), lo, hi


def fix_maps(shown: np.ndarray, output: np.ndarray, lo: np.ndarray, hi: np.ndarray, mode: str) -> np.ndarray:
    """Patch the rare maps the graph cannot show: constant ones and ones with overflowed values.

    ``shown``, ``output``: (H, W, k); ``lo``, ``hi``: per-map extremes (k values). Both kinds
    are shown clipped (infinities as 0 or 1, NaN as 0), like ``normalise`` does for constant
    maps. Returns ``shown`` itself when nothing needs patching, else a patched copy.
    """
    lo, hi = np.ravel(lo), np.ravel(hi)
    bad = ~(np.isfinite(lo) & np.isfinite(hi))
    flat = (hi <= lo) & (mode == "minmax")
    if not (bad.any() or flat.any()):
        return shown
    shown = np.array(shown, dtype=np.float32)
    for j in np.flatnonzero(flat | bad):
        values = np.nan_to_num(output[..., j], nan=0.0, posinf=1.0, neginf=0.0)
        shown[..., j] = np.clip(values, 0.0, 1.0)
    return shown


def display_note(mode: str, lo: np.ndarray, hi: np.ndarray) -> str:
    """What the viewer sees, in words, for display ``mode`` and the maps' extremes ``lo``, ``hi``."""
    lo, hi = np.ravel(lo), np.ravel(hi)
    if not (np.isfinite(lo).all() and np.isfinite(hi).all()):
        return ("Some values overflowed to infinity (or are not numbers), so they are shown clipped: "
                "+∞ white, −∞ and NaN black, everything else clipped to [0, 1].")
    if mode == "clip":
        return (
            f"Values shown as they are: 0 is black, 1 is white, anything outside [0, 1] is clipped "
            f"(this output ranges from {number_text(lo.min())} to {number_text(hi.max())})."
        )
    if lo.size == 1:
        return (
            f"Min–max stretched: the lowest value ({number_text(lo[0])}) is black and the highest "
            f"({number_text(hi[0])}) white."
        )
    return (
        f"Min–max stretched per map: each of the {lo.size} maps goes from its own lowest value (black) "
        f"to its highest (white); overall range {number_text(lo.min())} to {number_text(hi.max())}."
    )


def feature_result(*, y, shown, lo, hi, mode, params, code, title, caption, explanation, settings) -> LayerResult:
    """A LayerResult for feature maps ``y`` (1, H, W, k) shown grey.

    ``shown``, ``lo``, ``hi``: as :func:`tf_show` returns them (tensors or arrays); the other
    arguments are the result's fields. ``maps`` gets every map, ``image`` the first one.
    """
    output = np.asarray(y)[0]
    lo, hi = np.asarray(lo), np.asarray(hi)
    shown = fix_maps(np.asarray(shown)[0], output, lo, hi, mode)
    maps = np.moveaxis(shown, -1, 0)
    return LayerResult(
        title=title,
        caption=caption,
        explanation=explanation,
        output=output,
        image=render.grey_view(maps[0]),
        params=int(params),
        code=code,
        display=mode,
        display_note=display_note(mode, lo, hi),
        output_shape=tuple(output.shape),
        maps=maps,
        settings=settings,
    )
