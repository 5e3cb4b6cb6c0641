"""Layout: a layer's maps as one grid, overlays, thumbnails and integer-factor resizing.

``feature_grid`` (colour-mapped maps side by side), ``overlay`` (a heat map over its picture),
``thumbnail``, ``shrink_blocks`` / ``enlarge`` (integer factors, so pixels stay crisp),
``stack_vertical``, ``grey_view`` / ``colour_image``. NumPy and Pillow.
"""
from __future__ import annotations

import math

import numpy as np
from PIL import Image

from ..errors import ImageError, ModelError
from .colour import apply_colormap
from .stretch import scale_maps

__all__ = [
    "as_maps", "feature_grid", "resize_2d", "overlay", "grey_view", "colour_image", "thumbnail", "shrink_blocks",
    "enlarge", "stack_vertical",
]

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
