"""Display preparation: the one place that turns numbers into pictures and pictures into bytes.

Every page, the cheat-sheet PNG and the model views draw through these functions, so a map is
stretched, colour-mapped, laid out and encoded the same way everywhere. NumPy and Pillow only
(matplotlib for its colormap tables); imports nothing from vizcore but ``errors``.

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

Layout: ``feature_grid`` (a layer's maps, colour-mapped, as one picture), ``overlay``,
``shrink_blocks`` / ``enlarge`` (integer factors, so pixels stay crisp), ``stack_vertical``,
``thumbnail``, ``grey_view``. Encoding: ``to_uint8``, ``to_png``, ``to_display`` (pictures
smaller than :data:`PIXELATED_BELOW` are enlarged by an integer factor, nearest neighbour,
so a 5×5 upload is shown as 5×5 crisp squares, not smoothed by the browser).
"""
from __future__ import annotations

import io
import math
from typing import Any

import numpy as np
from PIL import Image

from .errors import ImageError, ModelError

__all__ = [
    "DISPLAY_MODES", "PERCENTILES", "PERCENTILE_SAMPLES", "DIVERGING_CMAP", "sample_step", "percentile_sample",
    "sorted_percentile", "stretch_ends", "normalise", "scale_maps", "diverging_rgb", "stretch_about_grey",
    "colormap", "apply_colormap", "as_maps", "feature_grid", "resize_2d", "overlay", "grey_view", "colour_image",
    "thumbnail", "shrink_blocks", "enlarge", "stack_vertical", "to_uint8", "to_png", "to_display",
    "EXACT_DISPLAY_PIXELS", "MAX_DISPLAY_SIDE", "PIXELATED_BELOW",
]

#: Display modes of :func:`normalise`, the default first.
DISPLAY_MODES = ("percentile", "diverging", "minmax", "clip")
#: The percentiles shown black and white by the ``"percentile"`` stretch.
PERCENTILES = (1.0, 99.0)
#: At most about this many values of a map are read to find its percentiles.
PERCENTILE_SAMPLES = 128 * 128
#: The diverging colormap: blue (negative), white (zero), red (positive).
DIVERGING_CMAP = "bwr"


# --------------------------------------------------------------------------------------------
# Stretch rules
# --------------------------------------------------------------------------------------------

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
    in the module docstring; ``"minmax"``: (min, max); ``"clip"``: (0, 1).
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
    """Map feature values to ``[0, 1]`` for display, by one of the stretch rules above.

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


def diverging_rgb(positions: np.ndarray) -> np.ndarray:
    """Positions in [0, 1] on the diverging scale (0.5 = zero) -> RGB float32 (shape + (3,)).

    t = 2·position − 1: red = min(1, 1 + t), green = 1 − |t|, blue = min(1, 1 − t): blue at 0,
    white at 0.5, red at 1, linear in between (matplotlib's "bwr" without its 256-step table).
    """
    t = np.clip(np.asarray(positions, dtype=np.float32), 0.0, 1.0) * 2 - 1
    return np.stack([np.minimum(1, 1 + t), 1 - np.abs(t), np.minimum(1, 1 - t)], axis=-1).astype(np.float32)


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


# --------------------------------------------------------------------------------------------
# Colormaps and grids
# --------------------------------------------------------------------------------------------

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


def as_maps(act) -> np.ndarray:
    """(H, W, C) / (1, H, W, C) / (C,) / (1, C) -> (C, H, W) float32 (a vector becomes one map
    of about sqrt(C) x sqrt(C) cells, NaN where it has no value). Raises ModelError otherwise."""
    a = np.asarray(act, dtype=np.float32)
    if a.ndim in (2, 4) and a.shape[0] == 1:
        a = a[0]
    if a.ndim == 3:
        return np.moveaxis(a, -1, 0)
    if a.ndim == 1:
        n = a.shape[0]
        cols = max(1, math.ceil(math.sqrt(n)))
        rows = math.ceil(n / cols)
        grid = np.full(rows * cols, np.nan, dtype=np.float32)
        grid[:n] = a
        return grid.reshape(1, rows, cols)
    if a.ndim == 2:
        return a[None]
    raise ModelError(f"expected activations shaped (H, W, C), (1, H, W, C) or (C,), got {np.shape(act)}")


def feature_grid(
    maps,
    *,
    cmap: str = "viridis",
    scale: str = "map",
    stretch: str = "percentile",
    columns: int | None = None,
    max_maps: int | None = None,
    min_cell: int = 32,
    gap: int = 2,
) -> np.ndarray:
    """All feature maps of one layer as one colour-mapped grid picture.

    maps: one image's activations, (H, W, C) or (1, H, W, C); a vector (C,) / (1, C) (Dense
    output) is drawn as a single map of C cells. scale: "map" stretches each map to its own
    range (local: shows every map's pattern), "layer" uses one range for the whole layer
    (global: shows which maps are strong), as CNN Explainer's switch; stretch: "percentile"
    (that range is the 1st..99th percentile) or "minmax" (exact), see :func:`scale_maps`; a
    flat map is drawn at its value clipped to [0, 1] (a dead ReLU at the colormap's low end). columns: grid width
    (default about sqrt(C)); max_maps: show only the first ones; each map is enlarged by an
    integer factor to at least `min_cell` pixels (a vector's cells to `min_cell` pixels each,
    keeping the picture within about 1024 pixels); `gap` white pixels between maps.
    Returns (h, w, 3) float32 in [0, 1].
    Raises ModelError for other shapes, ValueError for an unknown cmap, scale or stretch.
    """
    stack = as_maps(maps)
    is_vector = np.ndim(np.squeeze(np.asarray(maps))) <= 1
    if max_maps is not None:
        stack = stack[: max(1, int(max_maps))]
    norm = scale_maps(stack, scale, stretch=stretch)
    c, h, w = norm.shape
    if is_vector:  # each value a cell of min_cell pixels, the picture at most ~1024 wide
        factor = max(1, min(int(min_cell), 1024 // max(h, w)))
    else:
        factor = max(1, math.ceil(min_cell / max(h, w)))
    cols = int(columns) if columns else max(1, math.ceil(math.sqrt(c)))
    cols = min(cols, c)
    rows = math.ceil(c / cols)
    ch, cw = h * factor, w * factor
    out = np.ones((rows * ch + (rows - 1) * gap, cols * cw + (cols - 1) * gap, 3), dtype=np.float32)
    big = np.repeat(np.repeat(norm, factor, axis=1), factor, axis=2)
    rgb = apply_colormap(big, cmap)
    for i in range(c):
        r, q = divmod(i, cols)
        out[r * (ch + gap):r * (ch + gap) + ch, q * (cw + gap):q * (cw + gap) + cw] = rgb[i]
    return out


def resize_2d(values: np.ndarray, height: int, width: int) -> np.ndarray:
    """Bilinear resize of a 2-D float array (Pillow float mode) to (height, width) float32."""
    img = Image.fromarray(np.ascontiguousarray(values, dtype=np.float32), mode="F")
    return np.asarray(img.resize((width, height), Image.Resampling.BILINEAR), dtype=np.float32)


def overlay(image, fmap, *, alpha: float = 0.5, cmap: str = "jet") -> np.ndarray:
    """One feature map (or heat map) laid over the picture it came from.

    image: (H, W, 3) or (H, W) float in [0, 1]. fmap: (h, w) any range; it is stretched to its
    min..max, resized (bilinear) to (H, W) and colour-mapped. alpha in [0, 1]: weight of the map.
    Returns (H, W, 3) float32 in [0, 1]. Raises ImageError / ModelError naming bad shapes.
    """
    img = np.asarray(image, dtype=np.float32)
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=2)
    if img.ndim != 3 or img.shape[2] != 3:
        raise ImageError(f"expected an (H, W, 3) image, got {np.shape(image)}")
    f = np.asarray(fmap, dtype=np.float32)
    if f.ndim == 3 and f.shape[2] == 1:
        f = f[..., 0]
    if f.ndim != 2:
        raise ModelError(f"expected one (h, w) map, got {np.shape(fmap)}")
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    heat = scale_maps(resize_2d(f, img.shape[0], img.shape[1])[None], "map")[0]
    rgb = apply_colormap(heat, cmap)
    return np.clip((1.0 - alpha) * img + alpha * rgb, 0.0, 1.0).astype(np.float32)


# --------------------------------------------------------------------------------------------
# Sizes and layout
# --------------------------------------------------------------------------------------------

def grey_view(maps: np.ndarray) -> np.ndarray:
    """(H, W) map -> read-only (H, W, 3) grey view (no copy: the channels share memory)."""
    return np.broadcast_to(maps[..., None], (*maps.shape, 3))


def colour_image(shown: np.ndarray) -> np.ndarray:
    """A displayed (H, W, 3) colour or (H, W) grey array -> (H, W, 3) (grey as a view)."""
    return grey_view(shown) if shown.ndim == 2 else shown


def thumbnail(image: np.ndarray, box: int) -> np.ndarray:
    """(H, W, 3) float in [0, 1] -> uint8 (h, w, 3) fitted into box×box pixels (area-averaged).

    Grey images (R = G = B as a broadcast view, see :func:`grey_view`) are shrunk as one
    float plane before conversion, so a 4096×4096 map costs one small resize.
    """
    image = np.asarray(image)
    height, width = image.shape[:2]
    scale = min(1.0, box / max(height, width))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    grey = image.strides[-1] == 0
    planes = [image[..., 0]] if grey else [image[..., i] for i in range(3)]
    out = []
    for plane in planes:
        pixels = Image.fromarray(np.ascontiguousarray(plane, dtype=np.float32))  # mode "F"
        if scale < 1.0:
            pixels = pixels.resize(size, Image.Resampling.BOX)
        out.append(np.asarray(pixels))
    stacked = np.stack(out * 3 if grey else out, axis=-1)
    return np.round(np.clip(stacked, 0.0, 1.0) * 255.0).astype(np.uint8)


def shrink_blocks(maps: np.ndarray, cell: int) -> np.ndarray:
    """(H, W, C) maps averaged down by an integer factor so the longer side is <= ``cell``."""
    h, w = maps.shape[:2]
    factor = math.ceil(max(h, w) / cell)
    if factor <= 1:
        return maps
    hh, ww = h // factor * factor, w // factor * factor
    cut = maps[:hh, :ww]
    return cut.reshape(hh // factor, factor, ww // factor, factor, -1).mean(axis=(1, 3))


def enlarge(image: np.ndarray, side: int) -> np.ndarray:
    """Nearest-neighbour enlargement by an integer factor until the longer side is >= ``side``
    (pixels stay square and crisp). Any (H, W, ...) array; returned as is when big enough."""
    factor = max(1, math.ceil(side / max(image.shape[:2])))
    return np.repeat(np.repeat(image, factor, axis=0), factor, axis=1) if factor > 1 else image


def stack_vertical(pictures: list[np.ndarray], gap: int = 6) -> np.ndarray:
    """uint8 (h, w, 3) pictures one under the other on white, left-aligned -> uint8 (H, W, 3)."""
    width = max(p.shape[1] for p in pictures)
    height = sum(p.shape[0] for p in pictures) + gap * (len(pictures) - 1)
    out = np.full((height, width, 3), 255, dtype=np.uint8)
    top = 0
    for picture in pictures:
        out[top:top + picture.shape[0], :picture.shape[1]] = picture
        top += picture.shape[0] + gap
    return out


# --------------------------------------------------------------------------------------------
# Encoding
# --------------------------------------------------------------------------------------------

#: Images up to this many pixels are shown as PNG (exact); bigger ones as high-quality JPEG,
#: which is ~15x faster to encode and ~6x smaller to send (downloads are always PNG).
EXACT_DISPLAY_PIXELS = 160 * 160
#: Longer side of what is sent to the browser; bigger panels (e.g. a 2048² Conv2DTranspose
#: output) are shown reduced by an integer factor (block average). Downloads keep every pixel.
MAX_DISPLAY_SIDE = 1024
#: Pictures whose longer side is below this are sent enlarged by an integer factor (nearest
#: neighbour) to at least twice this side, so the browser's smoothing cannot blur their pixels.
PIXELATED_BELOW = 256


def to_uint8(image: Any) -> np.ndarray:
    """``image`` as uint8: (H, W) for grey maps, (H, W, 3) for colour.

    Accepts (H, W), (H, W, 1) or (H, W, 3); an (H, W, 3) array whose channels are one
    broadcast grey map (stride 0, as vizcore returns feature maps) is treated as grey, so
    it is converted and encoded once instead of three times. Floats are clipped to
    [0, 1] (NaN -> 0) and rounded to 0..255. Raises ValueError for other shapes.
    """
    arr = np.asarray(image)
    if arr.ndim == 3 and arr.shape[-1] == 3 and arr.strides[-1] == 0:
        arr = arr[..., 0]
    if arr.ndim == 3 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if not (arr.ndim == 2 or (arr.ndim == 3 and arr.shape[-1] == 3)):
        raise ValueError(f"expected an image of shape (H, W), (H, W, 1) or (H, W, 3), got {arr.shape}")
    if arr.dtype == np.uint8:
        return np.ascontiguousarray(arr)
    work = np.array(arr, dtype=np.float32)  # a private copy, changed in place below
    np.fmax(work, 0.0, out=work)  # fmax/fmin skip NaN: NaN -> 0, -inf -> 0, +inf -> 1
    np.fmin(work, 1.0, out=work)
    work *= 255.0
    work += 0.5
    return work.astype(np.uint8)


def to_png(image: Any) -> bytes:
    """Lossless PNG bytes of ``image`` (array as in :func:`to_uint8`; grey as 8-bit grey);
    bytes pass through unchanged."""
    if isinstance(image, (bytes, bytearray)):
        return bytes(image)
    buf = io.BytesIO()
    Image.fromarray(to_uint8(image)).save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def to_display(image: Any, *, max_side: int = MAX_DISPLAY_SIDE, quality: int = 93,
               subsampling: int = 0) -> tuple[bytes, str]:
    """Bytes and format ("PNG" or "JPEG") used to show ``image`` in a page.

    Reduced by an integer factor (block average) to at most MAX_DISPLAY_SIDE; up to
    EXACT_DISPLAY_PIXELS pixels as PNG, bigger as quality-93 JPEG without chroma subsampling.
    ``max_side``, ``quality``, ``subsampling`` (Pillow's 0 = 4:4:4, 2 = 4:2:0) let a caller
    send a picture at the size it is drawn, e.g. a grid cell (ui.panels: the cheat sheet).
    Raises ValueError for a ``max_side`` below 1.
    A picture whose longer side is below PIXELATED_BELOW is enlarged by the smallest integer
    factor that brings that side to 2·PIXELATED_BELOW or more (nearest neighbour: a 5×5 upload
    becomes 5×5 squares of 103 pixels) and sent as PNG, so every pixel stays a crisp square.
    """
    if max_side < 1:
        raise ValueError(f"max_side must be >= 1, got {max_side}")
    pixels = to_uint8(image)
    side = max(pixels.shape[:2])
    if side < PIXELATED_BELOW:
        return to_png(enlarge(pixels, 2 * PIXELATED_BELOW)), "PNG"
    factor = -(-side // max_side)  # ceil
    if factor > 1:
        size = (max(1, pixels.shape[1] // factor), max(1, pixels.shape[0] // factor))
        pixels = np.asarray(Image.fromarray(pixels).reduce(factor))[: size[1], : size[0]]
    if pixels.shape[0] * pixels.shape[1] <= EXACT_DISPLAY_PIXELS:
        return to_png(pixels), "PNG"
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="JPEG", quality=quality, subsampling=subsampling)
    return buf.getvalue(), "JPEG"
