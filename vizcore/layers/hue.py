"""Hue is an angle: its circular mean, a colour name for it, and the note that goes with averaging it (NumPy only).

HSV's hue is stored in [0, 1) but it is a position on the colour wheel: 0.02 and 0.98 are both
red, yet their arithmetic mean, 0.5, is cyan. Keras's ``GlobalAveragePooling2D`` on an HSV image
computes exactly that arithmetic mean, so its swatch can show a colour the photo does not have.
"""
from __future__ import annotations

import numpy as np

from ..color import to_space

__all__ = ["circular_mean_hue", "hue_name", "global_hue_note"]

#: (upper end of the hue range, name), hue in [0, 1); red wraps around 1.
_HUE_NAMES = ((0.028, "red"), (0.06, "red-orange"), (0.11, "orange"), (0.19, "yellow"), (0.45, "green"), (0.53, "cyan"),
              (0.72, "blue"), (0.80, "purple"), (0.93, "magenta"), (1.0, "red"))


def circular_mean_hue(hue, *, weights=None) -> float:
    """Mean direction of hues in [0, 1) taken as angles (2π·hue): a float in [0, 1), or NaN.

    ``hue``: any shape; ``weights`` (same shape, ≥ 0, e.g. saturation so that greys, whose hue
    means nothing, do not count). NaN when the weights are all 0 or the directions cancel out.
    Raises ValueError when the shapes differ.
    """
    hue = np.asarray(hue, dtype=np.float64)
    w = np.ones_like(hue) if weights is None else np.asarray(weights, dtype=np.float64)
    if w.shape != hue.shape:
        raise ValueError(f"weights must have the hue's shape {hue.shape}, got {w.shape}")
    angle = 2 * np.pi * hue
    x, y = float(np.sum(w * np.cos(angle))), float(np.sum(w * np.sin(angle)))
    if np.hypot(x, y) <= 1e-9 * max(float(np.sum(w)), 1e-12):
        return float("nan")
    return float(np.arctan2(y, x) / (2 * np.pi)) % 1.0


def hue_name(hue: float) -> str:
    """A colour name for a hue in [0, 1) (values outside wrap around): "red", "orange", ... "magenta"."""
    h = float(hue) % 1.0
    return next(name for end, name in _HUE_NAMES if h < end)


def global_hue_note(image, keras_hue: float) -> str:
    """What Keras's mean hue means, beside the circular mean measured on ``image``: one or two sentences.

    ``image``: RGB (H, W, 3) in [0, 1]; ``keras_hue``: GlobalAveragePooling2D's hue value.
    The circular mean is weighted by saturation. ``""`` when the image has no saturated pixel.
    """
    hsv = to_space(np.asarray(image, dtype=np.float32), "hsv")
    circ = circular_mean_hue(hsv[..., 0], weights=hsv[..., 1])
    if circ != circ:
        return ""
    circ = round(circ, 2) % 1.0  # 0.999 is red at 0.00, not "1.00"
    return (f"Hue is an angle on the colour wheel (0 and 1 are the same red), but Keras averages it as a plain "
            f"number: mean hue {keras_hue:.2f} ({hue_name(keras_hue)}), which can be a colour the picture does "
            f"not have. Averaged as an angle (circular mean, weighted by saturation) it is {circ:.2f} "
            f"({hue_name(circ)}).")
