"""Colour for maps: matplotlib's colormap tables and the blue–white–red diverging scale.

NumPy and matplotlib (its colormap tables only, imported on first use).
"""
from __future__ import annotations

import numpy as np

__all__ = ["DIVERGING_CMAP", "diverging_rgb", "colormap", "apply_colormap"]

#: The diverging colormap: blue (negative), white (zero), red (positive).
DIVERGING_CMAP = "bwr"


def diverging_rgb(positions: np.ndarray) -> np.ndarray:
    """Positions in [0, 1] on the diverging scale (0.5 = zero) -> RGB float32 (shape + (3,)).

    t = 2·position − 1: red = min(1, 1 + t), green = 1 − |t|, blue = min(1, 1 − t): blue at 0,
    white at 0.5, red at 1, linear in between (matplotlib's "bwr" without its 256-step table).
    """
    t = np.clip(np.asarray(positions, dtype=np.float32), 0.0, 1.0) * 2 - 1
    return np.stack([np.minimum(1, 1 + t), 1 - np.abs(t), np.minimum(1, 1 - t)], axis=-1).astype(np.float32)



def colormap(name: str):
    """The matplotlib colormap called ``name``. Raises ValueError naming an unknown one."""
    import matplotlib

    try:
        return matplotlib.colormaps[name]
    except KeyError:
        raise ValueError(f"unknown colormap {name!r}; e.g. 'viridis', 'gray', 'magma', 'coolwarm'") from None


def apply_colormap(values: np.ndarray, cmap: str) -> np.ndarray:
    """values in [0, 1] (NaN = background, white), any shape S -> S + (3,) RGB float32.

    The colormap's own table indexed as matplotlib does (entry ``floor(v * N)``, 1 -> the last;
    values outside [0, 1] clipped), so colours equal ``matplotlib.colormaps[cmap](values)``
    (as float32) at the speed of one lookup. Raises ValueError for an unknown cmap.
    """
    cm = colormap(cmap)
    n = int(cm.N)
    lut = cm(np.arange(n))[:, :3].astype(np.float32)
    nan = np.isnan(values)
    has_nan = bool(nan.any())
    clean = np.where(nan, 0.0, values) if has_nan else values
    idx = (np.clip(clean, 0.0, 1.0) * n).astype(np.intp)
    np.minimum(idx, n - 1, out=idx)
    rgb = np.empty(values.shape + (3,), dtype=np.float32)
    for c in range(3):  # per-channel 1-D lookups are ~8x faster than one (N, 3) fancy index
        rgb[..., c] = np.ascontiguousarray(lut[:, c])[idx]
    if has_nan:
        rgb[nan] = 1.0
    return rgb
