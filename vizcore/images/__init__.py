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
5. Converts every Pillow mode to RGB in [0, 1]: embedded ICC profiles honoured
   (converted to sRGB), 8-bit modes divided by 255, 16-bit by 65535, 32-bit
   integer and float data by the smallest usual range holding them (else
   stretched min-to-max, NaN/inf as 0), transparency composited on
   :data:`BACKGROUND` (white).

Everything the loader changed is reported in :attr:`LoadedImage.notes` as
sentences ready to show to a user.

What lives where (all public names are re-exported here; use these):

* ``reading``: bytes from a source, and what non-image data looks like.
* ``decoding``: :class:`LoadedImage`, allowed formats, pixel limit, frames,
  downscaling, EXIF orientation.
* ``modes``: Pillow mode -> RGB rules (ICC, CMYK, 16/32-bit, float, alpha).
* ``samples``: the bundled sample images' names and files.

May import: :mod:`vizcore.errors` and :mod:`vizcore.fitting` (``match_size`` is
re-exported so ``vizcore.match_size`` keeps working); never layers, models,
features, sheet, ui or streamlit. The size limits below are read at call time,
so setting ``vizcore.images.MAX_BYTES`` (e.g. in a test) takes effect.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

from ..errors import ImageError
from ..fitting import match_size  # re-exported (in __all__): vizcore.match_size keeps working
from .decoding import ACCEPTED_FORMATS, LoadedImage, decode
from .modes import BACKGROUND
from .reading import bomb_error, read_bytes, user_error
from .samples import DEFAULT_OTHER_SAMPLE, DEFAULT_SAMPLE, SAMPLES_DIR, sample_file, sample_names

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
#: File extensions for an upload widget's ``type=`` list.
UPLOAD_TYPES = ("png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "webp", "avif", "ico",
                "ppm", "pgm", "pbm", "pnm", "qoi")


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
    escapes for bad data. Raises ValueError for a ``max_side`` that is not a
    positive int or None.
    """
    if max_side is not None and (isinstance(max_side, bool) or not isinstance(max_side, int) or max_side < 1):
        raise ValueError(f"max_side must be a positive int or None, got {max_side!r}")
    data, label = read_bytes(source, name, max_bytes=MAX_BYTES)
    try:
        return decode(data, label, max_side=max_side, max_pixels=MAX_PIXELS)
    except ImageError:
        raise
    except MemoryError as err:
        raise user_error(f"{label} is too large to decode in the memory available.") from err
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise bomb_error(label, err, max_pixels=MAX_PIXELS) from err
    except Exception as err:  # boundary: whatever a damaged file makes Pillow raise
        reason = str(err) or type(err).__name__
        if "truncated" in reason or "not enough image data" in reason or isinstance(
            err, (OSError, SyntaxError, EOFError)
        ):
            raise user_error(f"{label} is damaged or incomplete (truncated), so it could not be decoded.") from err
        raise user_error(f"{label} could not be decoded as an image ({reason}).") from err


def load_image(source, *, max_side: int | None = MAX_SIDE, name: str | None = None) -> np.ndarray:
    """:func:`read_image` returning only the array: RGB float32 (H, W, 3) in [0, 1].

    Raises ImageError as :func:`read_image` does.
    """
    return read_image(source, max_side=max_side, name=name).image


@lru_cache(maxsize=32)
def _cached_sample(path: Path, max_side: int | None) -> LoadedImage:
    return read_image(path, max_side=max_side)


def load_sample(name: str, *, max_side: int | None = MAX_SIDE) -> LoadedImage:
    """Load a bundled sample by its human name (as in :func:`sample_names`) or file stem.

    Returns a fresh :class:`LoadedImage` (decoded once per process, copied on
    every call). Raises ImageError for an unknown name.
    """
    cached = _cached_sample(sample_file(name), max_side)
    return LoadedImage(
        image=cached.image.copy(),
        original_size=cached.original_size,
        downscaled=cached.downscaled,
        notes=list(cached.notes),
        format=cached.format,
        mode=cached.mode,
    )
