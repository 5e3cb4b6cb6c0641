"""LayerResult: what every layer function returns (no TensorFlow here)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["LayerResult"]


@dataclass(frozen=True, eq=False)
class LayerResult:
    """What one layer made of an image.

    ``output``: the raw Keras output as NumPy, batch axis removed (float32).
    ``image``: what is displayed, RGB float32 ``(H', W', 3)`` in ``[0, 1]``
    (may be a read-only view; copy it before writing into it). Feature maps
    are grey; for several maps it is the first one.
    ``maps``: every output map for a grid, ``(k, H', W')`` (or ``(k, H', W', 3)`` for the
    diverging colours) float32 in
    ``[0, 1]`` with the same display normalisation, or ``None`` when the
    output is a colour image.
    ``params``: trainable + non-trainable parameter count of the layer(s).
    ``code``: a short runnable Keras snippet reproducing ``output`` as ``y``.
    ``display``: the mode used (``"percentile"``, ``"diverging"``, ``"minmax"`` or ``"clip"``, see
    :mod:`vizcore.layers.display`); ``display_note`` says it in words, and why a flat or black
    panel looks so, in numbers.
    ``settings``: the single-panel call that reproduces it (``settings["function"]``
    names the function, the rest are its keyword arguments).
    ``observation``: one sentence on what this panel shows, backed by a number measured
    on the current image (see :mod:`vizcore.observe`); ``""`` when there is nothing to add.
    """

    title: str
    caption: str
    explanation: str
    output: np.ndarray
    image: np.ndarray
    params: int
    code: str
    display: str
    display_note: str
    output_shape: tuple[int, ...]
    maps: np.ndarray | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    observation: str = ""
