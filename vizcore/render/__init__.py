"""Display preparation: the one place that turns numbers into pictures and pictures into bytes.

Every page, the cheat-sheet PNG and the model views draw through these functions, so a map is
stretched, colour-mapped, laid out and encoded the same way everywhere.

What lives where (every public name is re-exported here: ``render.normalise(...)``):

- :mod:`~vizcore.render.stretch`: the stretch rules below (``normalise``, ``stretch_ends``,
  ``scale_maps``, ``percentile_sample``, ``stretch_about_grey``), NumPy only;
- :mod:`~vizcore.render.colour`: colormap tables (``colormap``, ``apply_colormap``) and the
  diverging scale (``diverging_rgb``), matplotlib for its tables;
- :mod:`~vizcore.render.layout`: ``feature_grid`` (a layer's maps, colour-mapped, as one
  picture), ``overlay``, ``shrink_blocks`` / ``enlarge`` (integer factors, so pixels stay
  crisp), ``stack_vertical``, ``thumbnail``, ``grey_view``, Pillow for resizing;
- :mod:`~vizcore.render.encode`: ``to_uint8``, ``to_png``, ``to_display`` (pictures smaller
  than :data:`PIXELATED_BELOW` are enlarged by an integer factor, nearest neighbour, so a 5×5
  upload is shown as 5×5 crisp squares, not smoothed by the browser).

Imports: NumPy, Pillow, matplotlib and, from vizcore, only ``vizcore.errors`` (the bottom layer:
layers, models, features, sheet and ui import this package, never the reverse). Inside the
package: ``layout`` uses ``stretch`` and ``colour``, ``encode`` uses ``layout``.

Stretch rules (the only ones in the project; :data:`DISPLAY_MODES`):

- ``"percentile"`` (the default): per map, the 1st percentile is black and the 99th white,
  values beyond are clipped, so a few extreme pixels cannot turn the rest of the map grey.
  Percentiles are NumPy's default (linear interpolation) over :func:`percentile_sample`, a
  regular subsample of at most :data:`PERCENTILE_SAMPLES` values (every value of a map up to
  128×128). When the two percentiles are equal (98 % of the values the same), min–max is
  used instead.
- ``"diverging"``: for signed values, zero is white, negatives blue, positives red
  (matplotlib's ``"bwr"``, :func:`diverging_rgb`); full blue / red at ∓s with
  s = max(|1st percentile|, |99th percentile|) (the largest |value| if that is 0).
  :func:`normalise` returns the position on that scale (0.5 = zero).
- ``"minmax"``: each map (or the whole layer) stretched exactly from its minimum (black) to
  its maximum (white): one click away from the default, for exact comparisons.
- ``"clip"``: values as they are, clipped to [0, 1].
- **Flat maps** (maximum == minimum) in the stretch modes: shown as their value clipped to
  [0, 1], so a dead ReLU (all 0) stays black, or at the colormap's low end, and never becomes
  a fake pattern (a flat diverging map is its sign's colour, white for zeros).
- ``stretch_about_grey(picture)``: contrast stretch that keeps 0.5 at 0.5 (patterns).
"""
from __future__ import annotations

from .colour import DIVERGING_CMAP, apply_colormap, colormap, diverging_rgb
from .encode import EXACT_DISPLAY_PIXELS, MAX_DISPLAY_SIDE, PIXELATED_BELOW, to_display, to_png, to_uint8
from .layout import (
    as_maps,
    colour_image,
    enlarge,
    feature_grid,
    grey_view,
    overlay,
    resize_2d,
    shrink_blocks,
    stack_vertical,
    thumbnail,
)
from .stretch import (
    DISPLAY_MODES,
    PERCENTILE_SAMPLES,
    PERCENTILES,
    normalise,
    percentile_sample,
    sample_step,
    scale_maps,
    sorted_percentile,
    stretch_about_grey,
    stretch_ends,
)

__all__ = [
    "DISPLAY_MODES", "PERCENTILES", "PERCENTILE_SAMPLES", "DIVERGING_CMAP", "sample_step", "percentile_sample",
    "sorted_percentile", "stretch_ends", "normalise", "scale_maps", "diverging_rgb", "stretch_about_grey",
    "colormap", "apply_colormap", "as_maps", "feature_grid", "resize_2d", "overlay", "grey_view", "colour_image",
    "thumbnail", "shrink_blocks", "enlarge", "stack_vertical", "to_uint8", "to_png", "to_display",
    "EXACT_DISPLAY_PIXELS", "MAX_DISPLAY_SIDE", "PIXELATED_BELOW",
]
