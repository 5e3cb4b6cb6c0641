"""Pillow modes -> RGB float32 in [0, 1]: colour profiles, CMYK, 16/32-bit and float data, transparency.

The rules (the package docstring lists them for users):

* An embedded ICC profile (Display P3, print CMYK...) is honoured: pixels are converted
  to sRGB with LittleCMS; sRGB profiles are skipped; an unusable profile leaves the
  pixels as stored (with a note).
* 8-bit modes (``1``, ``L``, ``P``, ``RGB``, ``CMYK``, ``YCbCr``, ``LAB``, ``HSV``...):
  Pillow's conversion to RGB, divided by 255.
* 16-bit (``I;16*``): divided by 65535. ``I`` and ``F``: divided by the smallest usual
  range holding every value (``[0, 1]`` for ``F`` only, ``[0, 255]``, ``[0, 65535]``),
  else stretched min-to-max; NaN and infinities become 0.
* Transparency (alpha, palette or ``tRNS`` transparency, premultiplied ``RGBa`` / ``La``)
  is composited on :data:`BACKGROUND` (white).

Every change is appended to the caller's ``notes`` as a sentence for a user.
Imports nothing from vizcore.
"""
from __future__ import annotations

import io
from functools import lru_cache

import numpy as np
from PIL import Image

__all__ = ["BACKGROUND", "MODE_NOTES", "to_rgb_array"]

#: Colour transparent areas are composited on (RGB in [0, 1]): white.
BACKGROUND = (1.0, 1.0, 1.0)
#: Note for stored modes that a user may not expect to see converted.
MODE_NOTES = {
    "LAB": "CIELAB image converted to RGB.",
    "HSV": "HSV image converted to RGB.",
    "1": "Black-and-white (1-bit) image.",
}
_CMYK_NOTE = "CMYK image converted to RGB with a simple formula (printed colours may look different)."
_ICC_MODES = ("RGB", "RGBA", "CMYK", "L")


def _scaled_int(arr: np.ndarray, mode: str, notes: list[str]) -> np.ndarray:
    """Scale 'I' / 'F' / 'I;16*' values to [0, 1] as the module docstring says."""
    if mode.startswith("I;16"):
        notes.append("16-bit image: values 0–65535 scaled to the 0–1 range (65535 is white).")
        return arr.astype(np.float32) / np.float32(65535)
    arr = arr.astype(np.float64)
    finite = np.isfinite(arr)
    if not finite.all():
        notes.append("Missing or infinite values (NaN/inf) shown as black.")
        arr = np.where(finite, arr, 0.0)
    lo, hi = float(arr.min()), float(arr.max())
    kind = "floating-point" if mode == "F" else "32-bit integer"
    if mode == "F" and lo >= 0 and hi <= 1:
        notes.append("Floating-point image: values used as they are (0–1).")
        return arr.astype(np.float32)
    if lo >= 0 and hi <= 255:
        notes.append(f"{kind.capitalize()} image: values 0–255 scaled to the 0–1 range.")
        return (arr / 255).astype(np.float32)
    if lo >= 0 and hi <= 65535:
        notes.append(f"{kind.capitalize()} image: values 0–65535 scaled to the 0–1 range.")
        return (arr / 65535).astype(np.float32)
    notes.append(f"{kind.capitalize()} image: values from {lo:g} to {hi:g} stretched to black–white.")
    return ((arr - lo) / (hi - lo)).astype(np.float32)


def _has_transparency(im: Image.Image) -> bool:
    return im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in im.info


def _composite(rgb: np.ndarray, alpha: np.ndarray, *, premultiplied: bool) -> np.ndarray:
    """Composite on BACKGROUND. rgb (H, W, 3), alpha (H, W, 1), both float32 in [0, 1]."""
    bg = np.asarray(BACKGROUND, dtype=np.float32)
    if premultiplied:
        return rgb + (1 - alpha) * bg
    return rgb * alpha + (1 - alpha) * bg


@lru_cache(maxsize=1)
def _srgb_profile():
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _icc_to_srgb(im: Image.Image, icc: bytes, notes: list[str]) -> Image.Image:
    """Convert ``im`` from its embedded ICC profile to sRGB (RGB or RGBA).

    Phones (Display P3) and print workflows (CMYK) embed profiles; ignoring them
    gives washed-out or wrong colours. An sRGB profile is left alone; a profile
    that cannot be used leaves the pixels as stored (CMYK then falls back to
    Pillow's simple formula).
    """
    try:
        from PIL import ImageCms

        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        name = (ImageCms.getProfileDescription(source) or "").strip() or "unnamed"
        if "srgb" in name.lower().replace(" ", ""):
            return im
        out_mode = "RGBA" if im.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(im, source, _srgb_profile(), outputMode=out_mode)
    except Exception:  # unusable or mismatched profile: keep the stored pixels
        notes.append("The embedded colour profile could not be used; colours shown as stored.")
        return im
    if converted is None or converted.mode != out_mode:
        return im
    notes.append(f"Colours converted to sRGB from the embedded colour profile ({name[:60]}).")
    return converted


def to_rgb_array(im: Image.Image, notes: list[str], size: tuple[int, int]) -> np.ndarray:
    """Decode ``im`` (its current frame) resized to ``size`` = (width, height): RGB float32 (H, W, 3).

    Values are in [0, 1] except for rounding of the Lanczos resize (the caller clips).
    Appends a sentence to ``notes`` for every conversion a user should know about.
    Raises whatever Pillow raises for damaged data (the caller turns it into an ImageError).
    """
    mode = im.mode
    resample = Image.Resampling.LANCZOS
    if mode in ("I", "F") or mode.startswith("I;16"):
        grey = _scaled_int(np.asarray(im), mode, notes)
        if grey.ndim == 3:  # multi-channel integer data: keep the first channel
            grey = grey[..., 0]
        if (grey.shape[1], grey.shape[0]) != size:
            grey = np.asarray(Image.fromarray(grey, mode="F").resize(size, resample), dtype=np.float32)
        return np.repeat(np.clip(grey, 0, 1)[..., None], 3, axis=-1)

    if mode in ("RGBa", "La"):
        # Premultiplied alpha: composite directly (Pillow cannot convert La).
        if im.size != size:
            im = im.resize(size, resample)
        arr = np.asarray(im, dtype=np.float32) / np.float32(255)
        colour, alpha = arr[..., :-1], arr[..., -1:]
        if colour.shape[-1] == 1:
            colour = np.repeat(colour, 3, axis=-1)
        if (alpha < 1).any():
            notes.append("Transparent areas composited on white.")
        return _composite(colour, alpha, premultiplied=True)

    icc = im.info.get("icc_profile")
    if icc and mode in _ICC_MODES:
        im = _icc_to_srgb(im, icc, notes)
    if im.mode == "CMYK":
        notes.append(_CMYK_NOTE)
    if _has_transparency(im):
        im = im.convert("RGBA")
    elif im.mode != "RGB":
        im = im.convert("RGB")
    if im.size != size:
        im = im.resize(size, resample, reducing_gap=2.0)  # Pillow premultiplies RGBA for this
    arr = np.asarray(im, dtype=np.float32) / np.float32(255)
    if arr.shape[-1] == 4:
        alpha = arr[..., 3:]
        arr = arr[..., :3]
        if (alpha < 1).any():
            notes.append("Transparent areas composited on white.")
            arr = _composite(arr, alpha, premultiplied=False)
    return arr
