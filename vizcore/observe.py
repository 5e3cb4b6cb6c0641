"""Measurements behind the panels' observations: numbers that say what a picture shows.

A panel's ``observation`` (see :class:`vizcore.LayerResult`) is one sentence backed by a
number measured on the current image with the functions below: how far hues moved, which
input a pixel came from, how many pixels lean purple or green, how much of an output repeats
with the stride... The layer modules turn the numbers into words; this module only measures.

Pure NumPy (plus :mod:`vizcore.color`), no TensorFlow. Images are RGB float ``(H, W, 3)``
in ``[0, 1]``; "planes" are float ``(H, W)`` or ``(H, W, C)`` arrays of any range. Shares are
fractions in ``[0, 1]``; a measurement with nothing to measure (no coloured pixel, a constant
map) returns ``nan``. Every function raises ValueError for arrays of the wrong shape.
"""
from __future__ import annotations

import numpy as np

from .color import LUMA_WEIGHTS, to_space

__all__ = [
    "TOLERANCE",
    "NEUTRAL_MARGIN",
    "MIN_SATURATION",
    "DARK_LEVEL",
    "MAX_SAMPLE",
    "sample",
    "luminance",
    "hue_shift",
    "share_matching",
    "share_from_neither",
    "nearer_shares",
    "chroma_shares",
    "hsv_change",
    "share_beyond",
    "dark_share",
    "correlation",
    "block_pool",
    "upsample_blocks",
    "block_steps",
    "phase_share",
]

#: Two values are "the same" when they differ by at most one 8-bit step.
TOLERANCE = 1.0 / 255.0
#: Cb / Cr further than this from 0.5 count as leaning towards a colour.
NEUTRAL_MARGIN = 0.02
#: Hue is measured only where saturation and value are at least this (greys have no hue).
MIN_SATURATION = 0.2
#: Luminance below this counts as dark.
DARK_LEVEL = 0.2
#: Pixels measured at most per panel (see :func:`sample`): a statistic over a quarter
#: megapixel does not need every pixel, and the whole sheet's observations stay fast.
MAX_SAMPLE = 1 << 16


def _image(image, what: str) -> np.ndarray:
    arr = np.asarray(image, dtype=np.float64)
    if arr.ndim != 3 or arr.shape[-1] != 3:
        raise ValueError(f"{what} must be an RGB image (H, W, 3), got shape {arr.shape}")
    return arr


def _same_shape(*arrays: np.ndarray) -> None:
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1:
        raise ValueError(f"the images must have the same shape, got {sorted(shapes)}")


def sample(values, *, max_pixels: int = MAX_SAMPLE, block: int = 1) -> np.ndarray:
    """The part of an ``(H, W[, C])`` array that is measured: all of it when it has at most ``max_pixels``.

    Larger arrays: with ``block == 1``, every k-th row and column (the smallest k that leaves
    at most ``max_pixels``), an even spread over the picture; with ``block > 1``, a centred
    crop of at most ``max_pixels`` whose start and size are multiples of ``block``, so the
    blocks of a pooling or the stamps of a stride stay whole and aligned. Arrays of the same
    ``(H, W)`` get the same rows and columns. Returns a view.
    """
    v = np.asarray(values)
    if v.ndim < 2 or max_pixels < 1 or block < 1:
        raise ValueError(f"expected (H, W[, C]) values, max_pixels >= 1 and block >= 1, got {v.shape}")
    h, w = v.shape[:2]
    if h * w <= max_pixels:
        return v
    if block == 1:
        step = int(np.ceil(np.sqrt(h * w / max_pixels)))
        while -(-h // step) * -(-w // step) > max_pixels:
            step += 1
        return v[::step, ::step]
    side = max(block, int(np.sqrt(max_pixels)) // block * block)
    ch, cw = min(h // block * block, side), min(w // block * block, side)
    top, left = (h - ch) // 2 // block * block, (w - cw) // 2 // block * block
    return v[top:top + ch, left:left + cw]


def luminance(image) -> np.ndarray:
    """BT.601 luma of an RGB image ``(H, W, 3)`` -> float64 ``(H, W)`` (unclipped)."""
    return _image(image, "image") @ LUMA_WEIGHTS


def _share(mask: np.ndarray) -> float:
    return float(np.mean(mask)) if mask.size else float("nan")


def hue_shift(before, after, *, min_saturation: float = MIN_SATURATION) -> float:
    """Mean change of hue from ``before`` to ``after``, in degrees from 0 to 180.

    The difference is taken around the colour wheel (350° to 10° is 20°) and averaged
    over the pixels that have a hue in both images (saturation and value at least
    ``min_saturation``). ``nan`` if there is no such pixel.
    """
    a, b = _image(before, "before"), _image(after, "after")
    _same_shape(a, b)
    ha, hb = to_space(a, "hsv"), to_space(b, "hsv")
    coloured = (np.minimum(ha[..., 1], ha[..., 2]) >= min_saturation) & (
        np.minimum(hb[..., 1], hb[..., 2]) >= min_saturation)
    if not coloured.any():
        return float("nan")
    turn = np.abs(hb[..., 0][coloured].astype(np.float64) - ha[..., 0][coloured])
    return float(np.mean(np.minimum(turn, 1.0 - turn)) * 360.0)


def share_matching(values, reference, *, tolerance: float = TOLERANCE) -> float:
    """Share of pixels where every channel of ``values`` is within ``tolerance`` of ``reference``.

    ``values``, ``reference``: ``(H, W)`` or ``(H, W, C)`` of the same shape.
    """
    v, r = np.asarray(values, np.float64), np.asarray(reference, np.float64)
    _same_shape(v, r)
    diff = np.abs(v - r)
    return _share((diff.max(axis=-1) if diff.ndim == 3 else diff) <= tolerance)


def share_from_neither(a, b, out, *, tolerance: float = TOLERANCE) -> float:
    """Share of pixels of ``out`` equal (within ``tolerance``) to neither ``a`` nor ``b``.

    For a merge that picks per channel (Maximum, Minimum), these are the pixels whose
    channels came from different inputs. Arrays ``(H, W)`` or ``(H, W, C)`` of one shape.
    """
    a, b, o = (np.asarray(x, np.float64) for x in (a, b, out))
    _same_shape(a, b, o)

    def close(x):
        d = np.abs(o - x)
        return (d.max(axis=-1) if d.ndim == 3 else d) <= tolerance

    return _share(~(close(a) | close(b)))


def nearer_shares(a, b, out) -> tuple[float, float]:
    """(share of pixels of ``out`` strictly nearer to ``a``, share strictly nearer to ``b``).

    Distance is Euclidean over the channels; pixels as near to both (e.g. ``a == b``
    there) count in neither share. Arrays ``(H, W)`` or ``(H, W, C)`` of one shape.
    """
    a, b, o = (np.asarray(x, np.float64) for x in (a, b, out))
    _same_shape(a, b, o)
    if o.ndim == 2:
        da, db = np.abs(o - a), np.abs(o - b)
    else:
        da, db = np.sum((o - a) ** 2, axis=-1), np.sum((o - b) ** 2, axis=-1)
    return _share(da < db), _share(db < da)


def chroma_shares(image, *, margin: float = NEUTRAL_MARGIN) -> tuple[float, float]:
    """(share leaning purple, share leaning green) of an RGB image, judged in YCbCr.

    Purple (red and blue): Cb and Cr both above ``0.5 + margin``; green: both below
    ``0.5 − margin``.
    """
    ycc = to_space(_image(image, "image"), "ycbcr")
    cb, cr = ycc[..., 1], ycc[..., 2]
    return _share((cb > 0.5 + margin) & (cr > 0.5 + margin)), _share((cb < 0.5 - margin) & (cr < 0.5 - margin))


def hsv_change(before, after) -> tuple[float, float]:
    """(mean change of saturation, mean change of value) from ``before`` to ``after``, HSV units in [−1, 1]."""
    a, b = _image(before, "before"), _image(after, "after")
    _same_shape(a, b)
    ha, hb = to_space(a, "hsv").astype(np.float64), to_space(b, "hsv").astype(np.float64)
    return float(np.mean(hb[..., 1] - ha[..., 1])), float(np.mean(hb[..., 2] - ha[..., 2]))


def share_beyond(values, *, above: float | None = None, below: float | None = None) -> float:
    """Share of pixels with any channel above ``above`` (or below ``below``).

    ``values``: ``(H, W)`` or ``(H, W, C)``. Exactly one of ``above`` / ``below`` is given.
    """
    if (above is None) == (below is None):
        raise ValueError("give exactly one of above= or below=")
    v = np.asarray(values, np.float64)
    hit = v > above if above is not None else v < below
    return _share(hit.any(axis=-1) if v.ndim == 3 else hit)


def dark_share(image, *, level: float = DARK_LEVEL) -> float:
    """Share of pixels of an RGB image whose luminance is below ``level``."""
    return _share(luminance(image) < level)


def correlation(x, y) -> float:
    """Pearson correlation of two same-shaped arrays (all values together); ``nan`` if one is constant."""
    x, y = np.asarray(x, np.float64).ravel(), np.asarray(y, np.float64).ravel()
    if x.shape != y.shape:
        raise ValueError(f"the arrays must have the same size, got {x.size} and {y.size}")
    x, y = x - x.mean(), y - y.mean()
    norm = np.sqrt(np.dot(x, x) * np.dot(y, y))
    return float(np.dot(x, y) / norm) if norm > 0 else float("nan")


def block_pool(values, size: int, kind: str) -> np.ndarray:
    """Pool ``(H, W)`` or ``(H, W, C)`` over ``size×size`` blocks with stride ``size``, as Keras does.

    Keras' ``padding="same"`` with the stride equal to the pool size: ``ceil(H/size)``
    blocks per side, the last ones cut short by the image edge (padding only after it);
    ``kind="max"`` takes the largest value, ``"average"`` the mean of the pixels inside
    the image. Returns float64 ``(ceil(H/size), ceil(W/size)[, C])``.
    """
    if kind not in ("max", "average"):
        raise ValueError(f"kind must be 'max' or 'average', got {kind!r}")
    v = np.asarray(values, np.float64)
    if v.ndim not in (2, 3) or size < 1:
        raise ValueError(f"expected (H, W) or (H, W, C) values and size >= 1, got {v.shape} and {size}")
    h, w = v.shape[:2]
    ho, wo = -(-h // size), -(-w // size)
    pad = [(0, ho * size - h), (0, wo * size - w)] + [(0, 0)] * (v.ndim - 2)
    fill = -np.inf if kind == "max" else 0.0
    blocks = np.pad(v, pad, constant_values=fill).reshape(ho, size, wo, size, *v.shape[2:])
    if kind == "max":
        return blocks.max(axis=(1, 3))
    inside = np.pad(np.ones((h, w)), pad[:2]).reshape(ho, size, wo, size).sum(axis=(1, 3))
    return blocks.sum(axis=(1, 3)) / (inside if v.ndim == 2 else inside[..., None])


def upsample_blocks(values, size: int, height: int, width: int) -> np.ndarray:
    """Each value of ``(h, w[, C])`` repeated over its ``size×size`` block, cut to ``(height, width[, C])``."""
    v = np.asarray(values)
    return np.repeat(np.repeat(v, size, axis=0), size, axis=1)[:height, :width]


def block_steps(values, size: int, *, top: float = 1.0) -> float:
    """Mean absolute jump across the borders of the ``size×size`` blocks of ``(H, W)`` or ``(H, W, C)``.

    Compares row ``k·size − 1`` with row ``k·size`` (and the same for columns) for every
    border inside the image: the height of the "stairs" a blocky picture shows. ``top``
    in (0, 1]: average only the largest ``top`` share of the jumps (at least one), where
    stairs are visible: along strong edges. ``nan`` for an image with no inner border.
    """
    if not 0 < top <= 1:
        raise ValueError(f"top must be in (0, 1], got {top!r}")
    v = np.asarray(values, np.float64)
    if v.ndim not in (2, 3) or size < 1:
        raise ValueError(f"expected (H, W) or (H, W, C) values and size >= 1, got {v.shape} and {size}")
    rows = np.arange(size, v.shape[0], size)
    cols = np.arange(size, v.shape[1], size)
    jumps = [np.abs(v[rows] - v[rows - 1]).ravel(), np.abs(v[:, cols] - v[:, cols - 1]).ravel()]
    jumps = np.concatenate(jumps)
    if not jumps.size:
        return float("nan")
    keep = max(1, int(round(top * jumps.size)))
    return float(np.partition(jumps, jumps.size - keep)[jumps.size - keep:].mean())


def phase_share(values, stride: int) -> float:
    """Share of the variance of ``(H, W)`` explained by the position modulo ``stride``.

    The pixels are grouped by ``(row mod stride, column mod stride)``; the result is the
    variance of the group means (each group weighted by its size) over the total variance:
    1 for a pattern that only repeats every ``stride`` pixels (a checkerboard), near 0 when
    the position in the stride does not matter. ``nan`` for a constant map.
    """
    v = np.asarray(values, np.float64)
    if v.ndim != 2 or stride < 1:
        raise ValueError(f"expected (H, W) values and stride >= 1, got {v.shape} and {stride}")
    total = v.var()
    if not total > 0:
        return float("nan")
    groups = [v[i::stride, j::stride] for i in range(stride) for j in range(stride)]
    means = np.array([g.mean() if g.size else 0.0 for g in groups])
    counts = np.array([g.size for g in groups], np.float64)
    between = float(np.sum(counts * (means - v.mean()) ** 2) / v.size)
    return min(1.0, between / total)
