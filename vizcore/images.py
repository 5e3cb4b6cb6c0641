"""Image intake: anything a user can upload -> an RGB float32 array, or a clear ImageError.

Every image that enters Layer Lab goes through :func:`read_image` (or its
shorthand :func:`load_image`). It returns RGB ``float32`` ``(H, W, 3)`` in
``[0, 1]`` and never raises anything but :class:`vizcore.ImageError` (a
``ValueError``) for bad input, with a message a person understands.

What it does, in order:

1. Reads at most :data:`MAX_BYTES` bytes from bytes, a file-like object (read
   from the start) or a path.
2. Opens the data lazily with Pillow (only the header is parsed), refuses
   non-image data (text, HTML, ZIP, PDF, SVG, HEIC...) and formats outside
   :data:`ACCEPTED_FORMATS`, and refuses images over :data:`MAX_PIXELS` pixels
   *before* decoding them (decompression bombs).
3. Decodes the first frame only (animated GIF/PNG/WebP, multi-page TIFF). Big
   JPEGs are decoded directly at a reduced scale (``Image.draft``).
4. Downscales so the longer side is at most ``max_side`` (Lanczos, aspect
   kept, alpha-aware), then applies the EXIF orientation.
5. Converts every Pillow mode to RGB in [0, 1]:

   * An embedded ICC colour profile (phones' Display P3, print CMYK...) is
     honoured: pixels are converted to sRGB with LittleCMS. sRGB profiles are
     skipped; an unusable profile leaves the pixels as stored (with a note).
   * 8-bit modes (``1``, ``L``, ``P``, ``RGB``, ``CMYK``, ``YCbCr``, ``LAB``,
     ``HSV``...): Pillow's conversion to RGB, divided by 255.
     (CMYK without a usable profile uses Pillow's simple formula.)
   * 16-bit (``I;16``, ``I;16B``, ``I;16L``...): divided by 65535.
   * 32-bit integer ``I`` and float ``F``: divided by the smallest usual range
     that holds every value: ``[0, 1]`` (``F`` only), ``[0, 255]`` or
     ``[0, 65535]``; anything else (negative or larger values) is stretched
     min-to-max onto ``[0, 1]``. NaN and infinities become 0. A note says which.
   * Transparency (alpha channels, palette or ``tRNS`` transparency,
     premultiplied ``RGBa`` / ``La``) is composited on :data:`BACKGROUND`
     (white), as a page would show the image.

Everything the loader changed is reported in :attr:`LoadedImage.notes` as
sentences ready to show to a user.
"""
from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from .errors import ImageError
from .fitting import match_size  # re-exported (in __all__): vizcore.match_size keeps working

__all__ = [
    "LoadedImage",
    "read_image",
    "load_image",
    "match_size",
    "SAMPLES_DIR",
    "sample_names",
    "load_sample",
    "DEFAULT_SAMPLE",
    "DEFAULT_OTHER_SAMPLE",
    "MAX_PIXELS",
    "MAX_BYTES",
    "MAX_SIDE",
    "BACKGROUND",
    "ACCEPTED_FORMATS",
    "UPLOAD_TYPES",
]

#: Largest image accepted, in pixels (checked from the header, before decoding).
MAX_PIXELS = 50_000_000
#: Largest file accepted, in bytes.
MAX_BYTES = 50 * 1024 * 1024
#: Default limit on the longer side after loading.
MAX_SIDE = 1024
#: Colour transparent areas are composited on (RGB in [0, 1]): white.
BACKGROUND = (1.0, 1.0, 1.0)
#: Pillow formats the loader opens. Others (EPS, which runs Ghostscript; formats
#: without a reliable signature) are refused.
ACCEPTED_FORMATS = ("PNG", "JPEG", "MPO", "GIF", "BMP", "TIFF", "WEBP", "AVIF", "ICO", "PPM", "QOI")
#: File extensions for an upload widget's ``type=`` list.
UPLOAD_TYPES = ("png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "webp", "avif", "ico",
                "ppm", "pgm", "pbm", "pnm", "qoi")

#: Folder of the bundled sample images (see its SOURCES.md).
SAMPLES_DIR = Path(__file__).resolve().parent.parent / "sample_images"

# Human name -> file in SAMPLES_DIR, in the order the app lists them.
_SAMPLES: dict[str, str] = {
    "Astronaut": "astronaut.jpg",
    "Coffee": "coffee.jpg",
    "Cat": "cat.jpg",
    "Rocket": "rocket.jpg",
    "Hubble deep field": "hubble_deep_field.jpg",
    "Camera man": "camera.png",
    "Brick wall": "brick.jpg",
    "Text": "text.png",
    "Test chart": "test_chart.png",
}
DEFAULT_SAMPLE = "Astronaut"
DEFAULT_OTHER_SAMPLE = "Coffee"

_ORIENTATION_TAG = 0x0112
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_ANIMATED_FORMATS = {"GIF", "PNG", "WEBP", "AVIF"}
_FORMAT_NAMES = {"WEBP": "WebP"}
_CMYK_NOTE = "CMYK image converted to RGB with a simple formula (printed colours may look different)."
_ICC_MODES = ("RGB", "RGBA", "CMYK", "L")
_MODE_NOTES = {
    "LAB": "CIELAB image converted to RGB.",
    "HSV": "HSV image converted to RGB.",
    "1": "Black-and-white (1-bit) image.",
}


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


# --------------------------------------------------------------------------- reading bytes


def _error(message: str) -> ImageError:
    """An ImageError whose message starts with a capital letter (labels start lower-case)."""
    return ImageError(message[:1].upper() + message[1:])


def _bomb_error(label: str, err: Exception) -> ImageError:
    match = re.search(r"\((\d+) pixels\)", str(err))
    claimed = f" ({int(match.group(1)) / 1e6:,.0f} megapixels)" if match else ""
    return _error(
        f"{label} claims to be enormous{claimed} and was refused to protect the server; "
        f"Layer Lab accepts at most {MAX_PIXELS / 1e6:.0f} megapixels."
    )


def _describe_source(source) -> str:
    name = getattr(source, "name", None)
    if isinstance(source, (str, os.PathLike)):
        name = os.fspath(source)
    if isinstance(name, str) and name:
        return f"'{os.path.basename(name)}'"
    return "the file"


def _read_bytes(source, name: str | None = None) -> tuple[bytes, str]:
    """Up to MAX_BYTES from bytes / file-like / path, with a label for messages."""
    label = f"'{os.path.basename(name)}'" if name else _describe_source(source)
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            if not path.exists():
                raise ImageError(f"No file at {os.fspath(path)!r}.")
            if path.is_dir():
                raise ImageError(f"{os.fspath(path)!r} is a folder, not an image file.")
            size = path.stat().st_size
            if size > MAX_BYTES:
                raise _error(
                    f"{label} is {size / 2**20:.1f} MB; the limit is {MAX_BYTES / 2**20:.0f} MB."
                )
            with open(path, "rb") as fh:
                data = fh.read(MAX_BYTES + 1)
        except ImageError:
            raise
        except (OSError, ValueError) as err:
            raise _error(f"Could not open {label}: {err.strerror or err}.") from err
    elif hasattr(source, "read"):
        try:
            if getattr(source, "seekable", lambda: False)():
                source.seek(0)
            data = source.read(MAX_BYTES + 1)
        except Exception as err:  # any reader failure is the user's file
            raise _error(f"Could not read {label}: {err}.") from err
        if isinstance(data, str):
            raise _error(f"{label} was opened as text; open it in binary mode ('rb').")
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise _error(f"Reading {label} gave {type(data).__name__}, not bytes.")
        data = bytes(data)
    else:
        raise ImageError(
            "Expected image bytes, a file-like object or a path, "
            f"got {type(source).__name__}."
        )
    if len(data) > MAX_BYTES:
        raise _error(
            f"{label} is larger than {MAX_BYTES / 2**20:.0f} MB, the largest file Layer Lab accepts."
        )
    if not data:
        raise _error(f"{label} is empty (0 bytes); there is no image in it.")
    return data, label


def _sniff(data: bytes) -> str | None:
    """What non-image data looks like, for the error message (None if unknown)."""
    head = data[:512]
    lower = head.lstrip().lower()
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "a ZIP archive"
    if head.startswith(b"%PDF"):
        return "a PDF document"
    if head.startswith(b"%!PS"):
        return "a PostScript/EPS file (export it as PNG)"
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc", b"ftypmsf1"):
        return "a HEIC/HEIF photo (export it as JPEG or PNG first)"
    if lower.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or b"<html" in lower:
        return "an HTML page"
    if b"<svg" in lower:
        return "an SVG drawing (vector images are not supported; export it as PNG)"
    if lower.startswith(b"<?xml"):
        return "an XML document"
    if head.startswith((b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")):
        return "a compressed archive"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text"


_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"),
)


def _header_size(data: bytes, fmt: str) -> tuple[int, int] | None:
    """(width, height) from a PNG or GIF header, without Pillow (None if unknown)."""
    if fmt == "PNG" and len(data) >= 24 and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if fmt == "GIF" and len(data) >= 10:
        return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    return None


def _unreadable_message(data: bytes, label: str) -> str:
    """Why Pillow could not even identify ``data``, in words."""
    kinds = "PNG, JPEG, GIF, BMP, TIFF or WebP"
    fmt = next((name for sig, name in _SIGNATURES if data.startswith(sig)), None)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        fmt = "WebP"
    if fmt is not None:
        size = _header_size(data, fmt)
        if size is not None and (size[0] == 0 or size[1] == 0):
            return f"{label} has no pixels (its {fmt} header says {size[0]}×{size[1]})."
        return (
            f"{label} starts like a {fmt} image but is damaged or incomplete (truncated), "
            "so it cannot be read."
        )
    what = _sniff(data)
    if what is None:
        return (
            f"{label} is not an image Layer Lab can read ({len(data):,} bytes of unknown data). "
            f"Use a {kinds} file."
        )
    return f"{label} is not an image Layer Lab can read: it looks like {what}. Use a {kinds} file."


# --------------------------------------------------------------------------- decoding


def _open_formats() -> tuple[str, ...]:
    Image.init()  # register every plugin so the allow-list can be checked
    return tuple(f for f in ACCEPTED_FORMATS if f in Image.OPEN)


def _open(data: bytes, label: str) -> Image.Image:
    try:
        im = Image.open(io.BytesIO(data), formats=_open_formats())
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise _bomb_error(label, err) from err
    except UnidentifiedImageError as err:
        raise _error(_unreadable_message(data, label)) from err
    return im


def _check_size(im: Image.Image, label: str) -> tuple[int, int]:
    w, h = im.size
    if w <= 0 or h <= 0:
        raise _error(f"{label} has no pixels (its size is {w}×{h}).")
    if w * h > MAX_PIXELS:
        raise _error(
            f"{label} is {w:,}×{h:,} pixels ({w * h / 1e6:,.0f} megapixels); "
            f"Layer Lab accepts at most {MAX_PIXELS / 1e6:.0f} megapixels. "
            "Make it smaller and try again."
        )
    return w, h


def _target_size(w: int, h: int, max_side: int | None) -> tuple[int, int]:
    if max_side is None or max(w, h) <= max_side:
        return w, h
    scale = max_side / max(w, h)
    return max(1, round(w * scale)), max(1, round(h * scale))


def _scaled_int(arr: np.ndarray, mode: str, notes: list[str]) -> np.ndarray:
    """Scale 'I' / 'F' / 'I;16*' values to [0, 1] as documented in the module docstring."""
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


def _to_rgb_array(im: Image.Image, notes: list[str], size: tuple[int, int]) -> np.ndarray:
    """Decode ``im`` (first frame) at ``size`` and return RGB float32 in [0, 1]."""
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


def _decode(data: bytes, label: str, max_side: int | None) -> LoadedImage:
    im = _open(data, label)
    try:
        return _decode_opened(im, label, max_side)
    finally:
        im.close()


def _decode_opened(im: Image.Image, label: str, max_side: int | None) -> LoadedImage:
    fmt = im.format
    w, h = _check_size(im, label)
    notes: list[str] = []

    frames = 1
    if getattr(im, "is_animated", False) or getattr(im, "n_frames", 1) > 1:
        try:
            frames = int(im.n_frames)
        except Exception:  # counting frames reads the whole file; a broken tail is not fatal
            frames = 0
        if fmt in _ANIMATED_FORMATS:
            count = f"first of {frames} frames" if frames > 1 else "first frame"
            notes.append(f"Animated {_FORMAT_NAMES.get(fmt, fmt)}: {count} used.")
        elif fmt == "TIFF":
            notes.append(f"Multi-page TIFF: first of {frames} pages used." if frames > 1
                         else "Multi-page TIFF: first page used.")
        im.seek(0)

    try:
        orientation = int(im.getexif().get(_ORIENTATION_TAG, 1) or 1)
    except Exception:  # unreadable EXIF: show the pixels as stored
        orientation = 1
    if orientation not in _TRANSPOSE:
        orientation = 1

    target = _target_size(w, h, max_side)
    if fmt in ("JPEG", "MPO") and target != (w, h):
        im.draft(None, target)  # decode at 1/2, 1/4 or 1/8 scale, still >= target
    im.load()
    original_mode = im.mode
    note = _MODE_NOTES.get(original_mode)
    if note:
        notes.append(note)

    image = _to_rgb_array(im, notes, target)
    if orientation != 1:
        transpose = _TRANSPOSE[orientation]
        image = _transpose_array(image, transpose)
        notes.append("Rotated as the camera recorded it (EXIF orientation).")
    shown_original = (h, w) if orientation in (5, 6, 7, 8) else (w, h)
    downscaled = target != (w, h)
    if downscaled:
        ow, oh = shown_original
        notes.insert(0, f"Downscaled from {ow}×{oh} to {image.shape[1]}×{image.shape[0]} pixels.")
    image = np.clip(image, 0.0, 1.0).astype(np.float32, copy=False)
    image = np.ascontiguousarray(image)
    return LoadedImage(
        image=image,
        original_size=shown_original,
        downscaled=downscaled,
        notes=notes,
        format=fmt,
        mode=original_mode,
    )


def _transpose_array(image: np.ndarray, method: Image.Transpose) -> np.ndarray:
    """NumPy equivalent of ``PIL.Image.transpose`` on an (H, W, C) array."""
    T = Image.Transpose
    if method == T.FLIP_LEFT_RIGHT:
        return image[:, ::-1]
    if method == T.FLIP_TOP_BOTTOM:
        return image[::-1]
    if method == T.ROTATE_180:
        return image[::-1, ::-1]
    if method == T.ROTATE_90:  # counter-clockwise
        return np.rot90(image, 1)
    if method == T.ROTATE_270:  # clockwise
        return np.rot90(image, -1)
    if method == T.TRANSPOSE:
        return image.transpose(1, 0, 2)
    if method == T.TRANSVERSE:
        return image[::-1, ::-1].transpose(1, 0, 2)
    raise AssertionError(method)


# --------------------------------------------------------------------------- public API


def read_image(source, *, max_side: int | None = MAX_SIDE, name: str | None = None) -> LoadedImage:
    """Read an image from bytes, a file-like object (read from its start) or a path.

    ``name``: what to call the source in error messages (e.g. the uploaded
    file's name); by default the path or the file object's ``name``, else
    "the file".

    Returns a :class:`LoadedImage` whose ``image`` is RGB ``float32``
    ``(H, W, 3)`` in ``[0, 1]``, at most ``max_side`` pixels on its longer side
    (``None``: no downscaling; the :data:`MAX_PIXELS` limit still applies),
    with the EXIF orientation applied, the first frame of animations and
    transparency composited on white. ``notes`` says what was changed.

    Raises ImageError (a ValueError) with a message for a person when the data
    is empty, too big (:data:`MAX_BYTES`, :data:`MAX_PIXELS`), truncated,
    not an image, of a refused format or has no pixels. No other exception
    escapes for bad data.
    """
    if max_side is not None and (isinstance(max_side, bool) or not isinstance(max_side, int) or max_side < 1):
        raise ValueError(f"max_side must be a positive int or None, got {max_side!r}")
    data, label = _read_bytes(source, name)
    try:
        return _decode(data, label, max_side)
    except ImageError:
        raise
    except MemoryError as err:
        raise _error(f"{label} is too large to decode in the memory available.") from err
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise _bomb_error(label, err) from err
    except Exception as err:  # boundary: whatever a damaged file makes Pillow raise
        reason = str(err) or type(err).__name__
        if "truncated" in reason or "not enough image data" in reason or isinstance(
            err, (OSError, SyntaxError, EOFError)
        ):
            raise _error(
                f"{label} is damaged or incomplete (truncated), so it could not be decoded."
            ) from err
        raise _error(f"{label} could not be decoded as an image ({reason}).") from err


def load_image(source, *, max_side: int | None = MAX_SIDE, name: str | None = None) -> np.ndarray:
    """:func:`read_image` returning only the array: RGB float32 (H, W, 3) in [0, 1].

    Raises ImageError as :func:`read_image` does.
    """
    return read_image(source, max_side=max_side, name=name).image


def sample_names() -> list[str]:
    """Human names of the bundled sample images, in display order (e.g. "Astronaut")."""
    return list(_SAMPLES)


def _sample_file(name: str) -> Path:
    if isinstance(name, str):
        key = name.strip().lower()
        for human, filename in _SAMPLES.items():
            if key in (human.lower(), Path(filename).stem.lower(), filename.lower()):
                return SAMPLES_DIR / filename
    raise ImageError(f"There is no sample image called {name!r}; choose one of: {', '.join(_SAMPLES)}.")


@lru_cache(maxsize=32)
def _cached_sample(path: Path, max_side: int | None) -> LoadedImage:
    return read_image(path, max_side=max_side)


def load_sample(name: str, *, max_side: int | None = MAX_SIDE) -> LoadedImage:
    """Load a bundled sample by its human name (as in :func:`sample_names`) or file stem.

    Returns a fresh :class:`LoadedImage` (decoded once per process, copied on
    every call). Raises ImageError for an unknown name.
    """
    cached = _cached_sample(_sample_file(name), max_side)
    return LoadedImage(
        image=cached.image.copy(),
        original_size=cached.original_size,
        downscaled=cached.downscaled,
        notes=list(cached.notes),
        format=cached.format,
        mode=cached.mode,
    )
