"""Reading an upload's bytes, and saying in words what data that is not an image looks like.

Bytes come from bytes, a file-like object (read from its start) or a path, never more
than the byte limit the caller passes. Every failure is an :class:`vizcore.ImageError`
whose message names the source (``'holiday.png'``, or "the file").
Imports only :mod:`vizcore.errors`.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from ..errors import ImageError

__all__ = ["user_error", "bomb_error", "read_bytes", "sniff", "unreadable_message"]

# Magic numbers of the formats whose damaged files get a "starts like a ... image" message.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"),
)


def user_error(message: str) -> ImageError:
    """An ImageError whose message starts with a capital letter (labels start lower-case)."""
    return ImageError(message[:1].upper() + message[1:])


def bomb_error(label: str, err: Exception, *, max_pixels: int) -> ImageError:
    """The ImageError for Pillow's decompression-bomb refusal ``err``, with the size it claimed."""
    match = re.search(r"\((\d+) pixels\)", str(err))
    claimed = f" ({int(match.group(1)) / 1e6:,.0f} megapixels)" if match else ""
    return user_error(
        f"{label} claims to be enormous{claimed} and was refused to protect the server; "
        f"Layer Lab accepts at most {max_pixels / 1e6:.0f} megapixels."
    )


def _describe_source(source) -> str:
    name = getattr(source, "name", None)
    if isinstance(source, (str, os.PathLike)):
        name = os.fspath(source)
    if isinstance(name, str) and name:
        return f"'{os.path.basename(name)}'"
    return "the file"


def read_bytes(source, name: str | None = None, *, max_bytes: int) -> tuple[bytes, str]:
    """At most ``max_bytes`` bytes from bytes / file-like / path, and a label for messages.

    ``name`` (e.g. an upload's file name) labels the source; otherwise its path or
    ``.name``, else "the file". Never reads more than ``max_bytes + 1`` bytes.
    Raises ImageError for a missing path, a folder, a text stream, a failing reader,
    a source of another type, empty data or data over ``max_bytes``.
    """
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
            if size > max_bytes:
                raise user_error(f"{label} is {size / 2**20:.1f} MB; the limit is {max_bytes / 2**20:.0f} MB.")
            with open(path, "rb") as fh:
                data = fh.read(max_bytes + 1)
        except ImageError:
            raise
        except (OSError, ValueError) as err:
            raise user_error(f"Could not open {label}: {err.strerror or err}.") from err
    elif hasattr(source, "read"):
        try:
            if getattr(source, "seekable", lambda: False)():
                source.seek(0)
            data = source.read(max_bytes + 1)
        except Exception as err:  # any reader failure is the user's file
            raise user_error(f"Could not read {label}: {err}.") from err
        if isinstance(data, str):
            raise user_error(f"{label} was opened as text; open it in binary mode ('rb').")
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise user_error(f"Reading {label} gave {type(data).__name__}, not bytes.")
        data = bytes(data)
    else:
        raise ImageError(f"Expected image bytes, a file-like object or a path, got {type(source).__name__}.")
    if len(data) > max_bytes:
        raise user_error(f"{label} is larger than {max_bytes / 2**20:.0f} MB, the largest file Layer Lab accepts.")
    if not data:
        raise user_error(f"{label} is empty (0 bytes); there is no image in it.")
    return data, label


def sniff(data: bytes) -> str | None:
    """What non-image ``data`` looks like ("a ZIP archive", "text"...), or None if unknown."""
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


def _header_size(data: bytes, fmt: str) -> tuple[int, int] | None:
    """(width, height) from a PNG or GIF header, without Pillow (None if unknown)."""
    if fmt == "PNG" and len(data) >= 24 and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if fmt == "GIF" and len(data) >= 10:
        return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    return None


def unreadable_message(data: bytes, label: str) -> str:
    """Why Pillow could not even identify ``data``, in words (damaged image, no pixels, or what it is)."""
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
    what = sniff(data)
    if what is None:
        return (
            f"{label} is not an image Layer Lab can read ({len(data):,} bytes of unknown data). "
            f"Use a {kinds} file."
        )
    return f"{label} is not an image Layer Lab can read: it looks like {what}. Use a {kinds} file."
