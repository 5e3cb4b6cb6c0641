"""Fitting a picture to a size or to a model's input: :func:`match_size`, :func:`adapt_image`.

Both are pure NumPy/Pillow and import nothing Keras-backed, so ``vizcore.models`` and the
intake code use them without importing ``vizcore.features``. May import: ``errors``, ``color``
(luminance), ``render`` (resizing). ``vizcore.images`` re-exports :func:`match_size`
(``vizcore.match_size``), and ``vizcore.features`` re-exports :func:`adapt_image`.
"""
from __future__ import annotations

import numpy as np
from PIL import Image

from . import color, render
from .errors import ImageError, ModelError

__all__ = ["match_size", "adapt_image"]


def match_size(image, reference) -> np.ndarray:
    """Bring ``image`` to the height and width of ``reference`` (for merging two images).

    Method: scale ``image`` (bicubic, aspect ratio kept) just enough to cover
    the reference size, then crop the centre. Nothing is stretched; edges of
    the longer dimension are cut off.

    ``image``: ``(h, w, C)`` float array in ``[0, 1]``.
    ``reference``: an ``(H, W, ...)`` array or an ``(H, W)`` tuple.
    Returns float32 ``(H, W, C)`` in ``[0, 1]`` (a copy even when sizes match).
    Raises ImageError when ``image`` is not ``(h, w, C)`` or a size is empty.
    """
    arr = np.asarray(image)
    if arr.ndim != 3 or arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ImageError(f"match_size: expected image of shape (H, W, C), got {arr.shape}")
    if isinstance(reference, tuple) and len(reference) == 2 and all(
            isinstance(v, (int, np.integer)) for v in reference):
        th, tw = int(reference[0]), int(reference[1])
    else:
        ref = np.asarray(reference)
        if ref.ndim < 2:
            raise ImageError(f"match_size: expected a reference of shape (H, W, ...), got {ref.shape}")
        th, tw = int(ref.shape[0]), int(ref.shape[1])
    if th < 1 or tw < 1:
        raise ImageError(f"match_size: reference size must be at least 1×1, got {th}×{tw}")
    arr = arr.astype(np.float32, copy=False)
    h, w = arr.shape[:2]
    if (h, w) == (th, tw):
        return arr.copy()
    scale = max(th / h, tw / w)
    # The centre (tw / scale) x (th / scale) region of the source, resampled straight to
    # (tw, th): the same as scaling the whole image by `scale` and cropping the centre,
    # without computing the part that would be cut off.
    bw, bh = tw / scale, th / scale
    left, top = (w - bw) / 2, (h - bh) / 2
    box = (left, top, left + bw, top + bh)
    out = np.empty((th, tw, arr.shape[2]), np.float32)
    for c in range(arr.shape[2]):
        plane = Image.fromarray(np.ascontiguousarray(arr[..., c]))
        out[..., c] = np.asarray(plane.resize((tw, th), Image.Resampling.BICUBIC, box=box), dtype=np.float32)
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def _crop_to_aspect(img: np.ndarray, th: int, tw: int) -> np.ndarray:
    """The centre of `img` with the aspect ratio th:tw (whole rows or columns kept)."""
    h, w = img.shape[:2]
    if w * th > h * tw:  # too wide
        cw = max(1, round(h * tw / th))
        left = (w - cw) // 2
        return img[:, left:left + cw]
    ch = max(1, round(w * th / tw))
    top = (h - ch) // 2
    return img[top:top + ch]


def _luma_text() -> str:
    r, g, b = (float(v) for v in color.LUMA_WEIGHTS)
    return f"{r:.3f} R + {g:.3f} G + {b:.3f} B"


def adapt_image(
    image,
    *,
    size: tuple[int, int] | None,
    channels: int,
    value_range: tuple[float, float] = (0.0, 1.0),
    fit: str = "crop",
) -> tuple[np.ndarray, list[str]]:
    """Fit an RGB picture to a model's input and say what was done.

    image: (H, W, 3) (or (H, W) grey) float in [0, 1]. size: (h, w) the model needs, or None to
    keep the size. fit: "crop" keeps the shape (crops the centre to the target's aspect ratio
    first), "stretch" resizes to (h, w) directly; resizing is bilinear. channels: 1 (ITU-R
    BT.601 luminance, :func:`vizcore.to_space`) or 3 (grey is repeated). value_range: (lo, hi)
    the model expects; [0, 1] maps linearly onto it.
    Returns (batch (1, h, w, channels) float32, notes: list of plain sentences).
    Raises ImageError for a bad image, ModelError for a bad size/channels/range/fit.
    """
    img = np.asarray(image, dtype=np.float32)
    if img.ndim == 2:
        img = img[..., None]
    if img.ndim != 3 or img.shape[2] not in (1, 3) or img.shape[0] < 1 or img.shape[1] < 1:
        raise ImageError(f"expected an (H, W, 3) image, got {np.shape(image)}")
    if channels not in (1, 3):
        raise ModelError(f"a model input needs 1 or 3 channels here, got {channels}")
    if fit not in ("crop", "stretch"):
        raise ModelError(f"fit must be 'crop' or 'stretch', got {fit!r}")
    lo, hi = float(value_range[0]), float(value_range[1])
    if not hi > lo:
        raise ModelError(f"value range must be (low, high) with high > low, got {tuple(value_range)}")
    notes: list[str] = []
    h, w = img.shape[:2]
    if size is not None:
        th, tw = int(size[0]), int(size[1])
        if th < 1 or tw < 1:
            raise ModelError(f"target size must be positive, got {tuple(size)}")
        if (th, tw) != (h, w):
            if fit == "crop" and abs(h * tw - w * th) > max(h, w):
                img = _crop_to_aspect(img, th, tw)
                notes.append(f"cropped the centre to {img.shape[1]}×{img.shape[0]} to keep the shape")
            if img.shape[:2] != (th, tw):
                verb = "shrunk" if th * tw < img.shape[0] * img.shape[1] else "enlarged"
                img = np.stack([render.resize_2d(img[..., c], th, tw) for c in range(img.shape[2])], axis=-1)
                notes.append(f"{verb} from {w}×{h} to {tw}×{th} pixels (width×height) the model takes")
    if channels == 1 and img.shape[2] == 3:
        img = color.to_space(img, "luminance")
        notes.append(f"turned into grey (luminance {_luma_text()}): the model reads one channel")
    elif channels == 3 and img.shape[2] == 1:
        img = np.repeat(img, 3, axis=2)
        notes.append("grey copied into R, G and B: the model reads three channels")
    img = np.clip(img, 0.0, 1.0)
    if (lo, hi) != (0.0, 1.0):
        img = lo + img * (hi - lo)
        notes.append(f"values scaled from 0…1 to {lo:g}…{hi:g}, the range the model was trained on")
    return img[None].astype(np.float32), notes
