"""Decoding checked bytes into a :class:`LoadedImage`: allowed formats, pixel limit, first frame,
reduced-scale JPEG decoding, downscaling and the EXIF orientation.

Opens lazily (only the header is parsed) so the pixel limit is checked before any
decoding; converts pixels through :func:`vizcore.images.modes.to_rgb_array`.
Imports :mod:`vizcore.errors` and the sibling modules ``reading`` and ``modes``.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, UnidentifiedImageError

from .modes import MODE_NOTES, to_rgb_array
from .reading import bomb_error, unreadable_message, user_error

__all__ = ["LoadedImage", "ACCEPTED_FORMATS", "decode"]

#: Pillow formats the loader opens. Others (EPS, which runs Ghostscript; formats
#: without a reliable signature) are refused.
ACCEPTED_FORMATS = ("PNG", "JPEG", "MPO", "GIF", "BMP", "TIFF", "WEBP", "AVIF", "ICO", "PPM", "QOI")

_ORIENTATION_TAG = 0x0112
# EXIF orientation -> the NumPy view that shows an (H, W, C) array as the camera meant it
# (the same turns as PIL.Image.Transpose, on the already downscaled float array).
_ORIENT = {
    2: lambda a: a[:, ::-1],  # FLIP_LEFT_RIGHT
    3: lambda a: a[::-1, ::-1],  # ROTATE_180
    4: lambda a: a[::-1],  # FLIP_TOP_BOTTOM
    5: lambda a: a.transpose(1, 0, 2),  # TRANSPOSE
    6: lambda a: np.rot90(a, -1),  # ROTATE_270 (clockwise)
    7: lambda a: a[::-1, ::-1].transpose(1, 0, 2),  # TRANSVERSE
    8: lambda a: np.rot90(a, 1),  # ROTATE_90 (counter-clockwise)
}
_ANIMATED_FORMATS = {"GIF", "PNG", "WEBP", "AVIF"}
_FORMAT_NAMES = {"WEBP": "WebP"}


@dataclass
class LoadedImage:
    """An image as Layer Lab uses it, with what the loader had to do to it.

    ``image``: RGB ``float32`` ``(H, W, 3)`` in ``[0, 1]``.
    ``original_size``: ``(width, height)`` of the stored image as it is meant
    to be seen (after EXIF orientation), before any downscaling.
    ``downscaled``: whether the image was made smaller to fit ``max_side``.
    ``notes``: sentences for a user about every change (downscaling,
    transparency, animation, bit depth, orientation...); empty if none.
    ``format``: Pillow's format name (``"PNG"``, ``"JPEG"``...).
    ``mode``: the Pillow mode of the stored image (``"RGB"``, ``"I;16"``...).
    """

    image: np.ndarray
    original_size: tuple[int, int]
    downscaled: bool = False
    notes: list[str] = field(default_factory=list)
    format: str | None = None
    mode: str | None = None

    @property
    def size(self) -> tuple[int, int]:
        """``(width, height)`` of :attr:`image`."""
        return int(self.image.shape[1]), int(self.image.shape[0])


def _open_formats() -> tuple[str, ...]:
    Image.init()  # register every plugin so the allow-list can be checked
    return tuple(f for f in ACCEPTED_FORMATS if f in Image.OPEN)


def _open(data: bytes, label: str, max_pixels: int) -> Image.Image:
    try:
        return Image.open(io.BytesIO(data), formats=_open_formats())
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise bomb_error(label, err, max_pixels=max_pixels) from err
    except UnidentifiedImageError as err:
        raise user_error(unreadable_message(data, label)) from err


def _check_size(im: Image.Image, label: str, max_pixels: int) -> tuple[int, int]:
    w, h = im.size
    if w <= 0 or h <= 0:
        raise user_error(f"{label} has no pixels (its size is {w}×{h}).")
    if w * h > max_pixels:
        raise user_error(
            f"{label} is {w:,}×{h:,} pixels ({w * h / 1e6:,.0f} megapixels); "
            f"Layer Lab accepts at most {max_pixels / 1e6:.0f} megapixels. "
            "Make it smaller and try again."
        )
    return w, h


def _target_size(w: int, h: int, max_side: int | None) -> tuple[int, int]:
    if max_side is None or max(w, h) <= max_side:
        return w, h
    scale = max_side / max(w, h)
    return max(1, round(w * scale)), max(1, round(h * scale))


def _is_multi_frame(im: Image.Image) -> bool:
    return bool(getattr(im, "is_animated", False) or getattr(im, "n_frames", 1) > 1)


def _frame_note(im: Image.Image) -> str | None:
    """The note for a multi-frame ``im`` (only the first frame or page is used), None for other formats."""
    try:
        frames = int(im.n_frames)
    except Exception:  # counting frames reads the whole file; a broken tail is not fatal
        frames = 0
    fmt = im.format
    if fmt in _ANIMATED_FORMATS:
        count = f"first of {frames} frames" if frames > 1 else "first frame"
        return f"Animated {_FORMAT_NAMES.get(fmt, fmt)}: {count} used."
    if fmt == "TIFF":
        return f"Multi-page TIFF: first of {frames} pages used." if frames > 1 else "Multi-page TIFF: first page used."
    return None


def _orientation(im: Image.Image) -> int:
    """The EXIF orientation 2..8 to apply, or 1 (none, unreadable or invalid)."""
    try:
        orientation = int(im.getexif().get(_ORIENTATION_TAG, 1) or 1)
    except Exception:  # unreadable EXIF: show the pixels as stored
        return 1
    return orientation if orientation in _ORIENT else 1


def decode(data: bytes, label: str, *, max_side: int | None, max_pixels: int) -> LoadedImage:
    """Decode image ``data`` (first frame) into a :class:`LoadedImage` at most ``max_side`` on its longer side.

    ``label`` names the source in messages. Raises ImageError for data Pillow cannot
    identify, a refused format, no pixels or more than ``max_pixels`` pixels (checked
    from the header, before decoding); damaged pixel data may raise whatever Pillow
    raises (the caller turns it into an ImageError).
    """
    im = _open(data, label, max_pixels)
    try:
        return _decode_opened(im, label, max_side, max_pixels)
    finally:
        im.close()


def _decode_opened(im: Image.Image, label: str, max_side: int | None, max_pixels: int) -> LoadedImage:
    fmt = im.format
    w, h = _check_size(im, label, max_pixels)
    notes: list[str] = []
    if _is_multi_frame(im):
        frame_note = _frame_note(im)
        if frame_note is not None:
            notes.append(frame_note)
        im.seek(0)
    orientation = _orientation(im)

    target = _target_size(w, h, max_side)
    if fmt in ("JPEG", "MPO") and target != (w, h):
        im.draft(None, target)  # decode at 1/2, 1/4 or 1/8 scale, still >= target
    im.load()
    original_mode = im.mode
    note = MODE_NOTES.get(original_mode)
    if note:
        notes.append(note)

    image = to_rgb_array(im, notes, target)
    if orientation != 1:
        image = _ORIENT[orientation](image)
        notes.append("Rotated as the camera recorded it (EXIF orientation).")
    shown_original = (h, w) if orientation in (5, 6, 7, 8) else (w, h)
    downscaled = target != (w, h)
    if downscaled:
        ow, oh = shown_original
        notes.insert(0, f"Downscaled from {ow}×{oh} to {image.shape[1]}×{image.shape[0]} pixels.")
    image = np.ascontiguousarray(np.clip(image, 0.0, 1.0).astype(np.float32, copy=False))
    return LoadedImage(
        image=image,
        original_size=shown_original,
        downscaled=downscaled,
        notes=notes,
        format=fmt,
        mode=original_mode,
    )
