"""Stretch rules: feature values -> [0, 1] for display (the rules are stated in :mod:`vizcore.render`).

Percentile (default), diverging, exact min–max and clip, one rule for flat maps, the regular
subsample the percentiles are read from (shared with the traced graph in
:mod:`vizcore.layers.display`), the layer-or-map scaling of grids and the stretch about
mid-grey used for patterns. NumPy only.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = [
    "DISPLAY_MODES", "PERCENTILES", "PERCENTILE_SAMPLES", "sample_step", "percentile_sample", "sorted_percentile",
    "stretch_ends", "normalise", "scale_maps", "stretch_about_grey",
]

#: Display modes of :func:`normalise`, the default first.
DISPLAY_MODES = ("percentile", "diverging", "minmax", "clip")
#: The percentiles shown black and white by the ``"percentile"`` stretch.
PERCENTILES = (1.0, 99.0)
#: At most about this many values of a map are read to find its percentiles.
PERCENTILE_SAMPLES = 128 * 128


def sample_step(height: int, width: int) -> int:
    """Row and column step of :func:`percentile_sample` for an ``height × width`` map: the smallest
    odd integer >= sqrt(H·W / PERCENTILE_SAMPLES) (odd, so it never falls in step with the even
    strides of a Conv2DTranspose checkerboard); 1 up to 128×128."""
    step = max(1, math.ceil(math.sqrt(height * width / PERCENTILE_SAMPLES)))
    return step if step % 2 else step + 1


def percentile_sample(array: np.ndarray) -> np.ndarray:
    """(H, W, k) -> (n, k): every ``sample_step``-th row and column of each map, flattened."""
    step = sample_step(array.shape[0], array.shape[1])
    return array[::step, ::step].reshape(-1, array.shape[2])


def sorted_percentile(ordered: np.ndarray, q: float) -> np.ndarray:
    """The ``q``-th percentile (0..100) of values sorted along axis 0, NumPy's default (linear)
    rule: position q/100·(n − 1) between the two nearest sorted values. (n, ...) -> (...)."""
    n = ordered.shape[0]
    pos = q / 100.0 * (n - 1)
    i = int(math.floor(pos))
    j = min(i + 1, n - 1)
    return ordered[i] + (pos - i) * (ordered[j] - ordered[i])


def stretch_ends(array, *, mode: str = "percentile", per_map: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The values shown at the two ends of the display scale, per map (shape (k,)) or overall.

    ``array``: (H, W, k) float. ``"percentile"``: (black, white) = (1st, 99th percentile) of
    :func:`percentile_sample`, min and max when those are equal; ``"diverging"``: (−s, s) as
    in :mod:`vizcore.render`; ``"minmax"``: (min, max); ``"clip"``: (0, 1).
    Raises ValueError for an unknown mode.
    """
    if mode not in DISPLAY_MODES:
        raise ValueError(f"mode must be one of {DISPLAY_MODES}, got {mode!r}")
    arr = np.asarray(array, dtype=np.float32)
    if not per_map:  # the maps side by side, as one
        arr = np.moveaxis(arr, 2, 1).reshape(arr.shape[0], -1, 1)
    k = arr.shape[2]
    if mode == "clip":
        return np.zeros(k, np.float32), np.ones(k, np.float32)
    lo, hi = arr.min(axis=(0, 1)), arr.max(axis=(0, 1))
    if mode == "minmax":
        return lo, hi
    ordered = np.sort(percentile_sample(arr), axis=0)
    q_lo, q_hi = sorted_percentile(ordered, PERCENTILES[0]), sorted_percentile(ordered, PERCENTILES[1])
    if mode == "percentile":
        spread = q_hi > q_lo
        return np.where(spread, q_lo, lo), np.where(spread, q_hi, hi)
    s = np.maximum(np.maximum(-q_lo, q_hi), 0)
    s = np.where(s > 0, s, np.maximum(-lo, hi))
    return -s, s


def normalise(array, *, mode: str = "percentile", per_map: bool = True) -> np.ndarray:
    """Map feature values to ``[0, 1]`` for display, by one of the stretch rules of :mod:`vizcore.render`.

    ``array``: ``(H, W)`` or ``(H, W, k)`` float (``k`` maps on the last axis), each map
    (``per_map=True``) or the whole array (``per_map=False``) stretched between the ends
    :func:`stretch_ends` gives, values beyond clipped. ``"diverging"`` gives positions on
    the diverging scale (0 -> 0.5; colour them with :func:`diverging_rgb`). A flat map is
    shown as its value clipped to [0, 1] (a dead ReLU stays black).
    Returns float32 of the same shape in ``[0, 1]``. Raises ValueError for an unknown mode
    or an array that is not 2-D or 3-D.
    """
    if mode not in DISPLAY_MODES:
        raise ValueError(f"mode must be one of {DISPLAY_MODES}, got {mode!r}")
    arr = np.asarray(array, dtype=np.float32)
    if arr.ndim not in (2, 3):
        raise ValueError(f"expected (H, W) or (H, W, k), got an array of shape {arr.shape}")
    if mode == "clip":
        return np.clip(arr, 0.0, 1.0)
    stack = arr if arr.ndim == 3 else arr[..., None]
    lo, hi = stretch_ends(stack, mode=mode, per_map=per_map)
    if mode == "diverging":
        out = 0.5 + 0.5 * stack / np.where(hi > 0, hi, np.float32(1))
    else:
        spread = hi - lo
        flat = spread <= 0
        out = (stack - lo) / np.where(flat, np.float32(1), spread)
        out += np.where(flat, np.clip(lo, 0.0, 1.0), np.float32(0))
    out = np.clip(out, 0.0, 1.0).astype(np.float32, copy=False)
    return out if arr.ndim == 3 else out[..., 0]



def scale_maps(maps: np.ndarray, scale: str, *, stretch: str = "percentile") -> np.ndarray:
    """(C, H, W) float -> [0, 1] per map (``"map"``) or over the whole layer (``"layer"``).

    ``stretch``: ``"percentile"`` (1st..99th, robust to a few extreme values) or
    ``"minmax"`` (exact), as :func:`normalise`. NaN cells (background of a vector drawn as a
    grid) stay NaN and are not counted. A flat map (or layer) is shown as its value clipped
    to [0, 1]. Raises ValueError for another ``scale`` or ``stretch``.
    """
    if scale not in ("map", "layer"):
        raise ValueError(f"scale must be 'map' or 'layer', got {scale!r}")
    if stretch not in ("percentile", "minmax"):
        raise ValueError(f"stretch must be 'percentile' or 'minmax', got {stretch!r}")
    axes = (1, 2) if scale == "map" else (0, 1, 2)
    has_nan = bool(np.isnan(maps).any())
    with np.errstate(all="ignore"):
        lo = (np.nanmin if has_nan else np.min)(maps, axis=axes, keepdims=True)
        hi = (np.nanmax if has_nan else np.max)(maps, axis=axes, keepdims=True)
        if stretch == "percentile":
            stack = np.moveaxis(maps, 0, -1)  # (H, W, C); for "layer" the maps side by side
            stack = stack if scale == "map" else np.moveaxis(stack, 2, 1).reshape(stack.shape[0], -1, 1)
            step = sample_step(stack.shape[0], stack.shape[1])
            sample = stack[::step, ::step].reshape(-1, stack.shape[2])
            q_lo, q_hi = (np.nanpercentile(sample, q, axis=0).reshape(lo.shape) for q in PERCENTILES)
            spread = q_hi > q_lo
            lo, hi = np.where(spread, q_lo, lo), np.where(spread, q_hi, hi)
        span = hi - lo
        flat_value = np.clip(np.nan_to_num(lo), 0.0, 1.0)
        out = np.where(span > 0, np.clip((maps - lo) / np.where(span > 0, span, 1), 0.0, 1.0), flat_value)
    if has_nan:
        out[np.isnan(maps)] = np.nan
    return out.astype(np.float32, copy=False)


def stretch_about_grey(picture: np.ndarray) -> np.ndarray:
    """Contrast stretch about mid-grey: 0.5 stays 0.5, the 99.5th percentile of |picture - 0.5|
    maps to 0.5 (so the picture spans 0..1 with a few pixels clipped), colours keep their
    balance. A flat grey picture stays as it is. Any shape, float in [0, 1] -> same shape."""
    dev = picture - 0.5
    spread = float(np.percentile(np.abs(dev), 99.5))
    if spread < 1e-4:
        return picture
    return np.clip(0.5 + dev * (0.5 / spread), 0.0, 1.0)
