"""Encoding: display arrays -> uint8 -> PNG / JPEG bytes, sized for the browser.

NumPy and Pillow.
"""
from __future__ import annotations

import io
from typing import Any

import numpy as np
from PIL import Image

from .layout import enlarge

__all__ = ["EXACT_DISPLAY_PIXELS", "MAX_DISPLAY_SIDE", "PIXELATED_BELOW", "to_uint8", "to_png", "to_display"]

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
