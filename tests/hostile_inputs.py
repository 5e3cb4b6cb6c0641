"""A table of odd and hostile uploads, built in memory, for any test that takes images.

``HOSTILE_CASES`` is a list of :class:`Case`: the bytes a user might upload,
a file name and MIME type (for ``st.file_uploader`` tests), and what must happen:

* ``expect == "ok"``: ``vizcore.read_image(data)`` returns an RGB float32 image
  of ``shape`` (at the default ``max_side=1024``) whose listed ``pixels`` equal the
  hand-computed RGB values within ``tol``, and one of its notes contains ``note``.
* ``expect == "error"``: it raises ``vizcore.ImageError`` whose message contains
  ``message`` (case-insensitive); nothing else.

``SMOKE_CASES`` is a representative handful (5 ok, 5 error) for slow tests.

Use from another test file::

    from tests.hostile_inputs import HOSTILE_CASES, case_ids
    @pytest.mark.parametrize("case", HOSTILE_CASES, ids=case_ids(HOSTILE_CASES))

Expected pixel values are worked out by hand from how each file is built
(never by running the loader). Everything is deterministic and small (< 200 kB
each, most < 1 kB); the bombs only *claim* to be huge in their headers.
"""
from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

__all__ = ["Case", "HOSTILE_CASES", "OK_CASES", "ERROR_CASES", "SMOKE_CASES", "case_ids", "png_bytes",
           "crafted_png_header", "icc_rgb_profile"]

W8 = 1 / 255  # one 8-bit step


@dataclass(frozen=True)
class Case:
    """One upload and what ``vizcore.read_image`` must make of it."""

    name: str
    data: bytes
    filename: str
    mime: str
    expect: str  # "ok" or "error"
    message: str = ""  # error: case-insensitive substring of the ImageError message
    shape: tuple[int, int, int] | None = None  # ok: image shape at max_side=1024
    # ok: ((row, col), (r, g, b)) expected RGB values in [0, 1]
    pixels: tuple[tuple[tuple[int, int], tuple[float, float, float]], ...] = field(default=())
    tol: float = W8 / 2 + 1e-6  # exact 8-bit files: within half a step
    note: str = ""  # ok: case-insensitive substring of one of the notes


def case_ids(cases: list[Case]) -> list[str]:
    return [c.name for c in cases]


# --------------------------------------------------------------------------- builders


def png_bytes(im: Image.Image, fmt: str = "PNG", **save_args) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **save_args)
    return buf.getvalue()


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def crafted_png_header(width: int, height: int, *, bit_depth: int = 8, colour_type: int = 2) -> bytes:
    """A syntactically valid PNG that claims ``width`` x ``height`` but holds almost no data.

    Nothing of that size is ever allocated: the IDAT is a tiny zlib stream.
    """
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def _gif_header(width: int, height: int) -> bytes:
    """A GIF whose logical screen and only frame claim ``width`` x ``height``."""
    screen = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    descriptor = b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0)
    data = b"\x02\x02\x44\x01\x00"  # minimal LZW data
    return screen + descriptor + data + b"\x3b"


def _jpeg_claiming(width: int, height: int) -> bytes:
    """A real 16x16 JPEG whose SOF header is patched to claim ``width`` x ``height``."""
    data = bytearray(png_bytes(Image.new("RGB", (16, 16), (10, 20, 30)), "JPEG"))
    i = 2
    while i < len(data):
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            data[i + 5 : i + 9] = struct.pack(">HH", height, width)
            return bytes(data)
        i += 2 + length
    raise AssertionError("no SOF marker")


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def icc_rgb_profile(red_xyz, green_xyz, blue_xyz, description: str) -> bytes:
    """A minimal ICC v2 RGB matrix/TRC display profile, built byte by byte.

    Colorants are D50 XYZ triples; the tone curves are linear (gamma 1). With
    sRGB's own colorants swapped, pure primaries map exactly onto other sRGB
    primaries whatever the curves, which makes the outcome hand-predictable.
    """
    def xyz(v):
        return b"XYZ " + b"\0" * 4 + b"".join(_s15(c) for c in v)

    ascii_text = description.encode("ascii") + b"\0"
    desc = (b"desc" + b"\0" * 4 + struct.pack(">I", len(ascii_text)) + ascii_text
            + struct.pack(">II", 0, 0) + struct.pack(">HB", 0, 0) + b"\0" * 67)
    curve = b"curv" + b"\0" * 4 + struct.pack(">I", 0)  # count 0: identity
    tags = [(b"desc", desc), (b"wtpt", xyz((0.9642, 1.0, 0.8249))), (b"rXYZ", xyz(red_xyz)),
            (b"gXYZ", xyz(green_xyz)), (b"bXYZ", xyz(blue_xyz)), (b"rTRC", curve), (b"gTRC", curve),
            (b"bTRC", curve), (b"cprt", b"text" + b"\0" * 4 + b"public domain\0")]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for sig, payload in tags:
        payload += b"\0" * (-len(payload) % 4)
        table += sig + struct.pack(">II", offset + len(body), len(payload))
        body += payload
    size = offset + len(body)
    header = (struct.pack(">I", size) + b"\0" * 4 + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ "
              # date, signature, platform..attributes, rendering intent
              + struct.pack(">6H", 2024, 1, 1, 0, 0, 0) + b"acsp" + b"\0" * 24 + b"\0" * 4
              + _s15(0.9642) + _s15(1.0) + _s15(0.8249) + b"\0" * 4 + b"\0" * 16 + b"\0" * 28)
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body


# sRGB colorants adapted to D50, as in the standard sRGB ICC profile.
SRGB_RED_XYZ = (0.4360747, 0.2225045, 0.0139322)
SRGB_GREEN_XYZ = (0.3850649, 0.7168786, 0.0971045)
SRGB_BLUE_XYZ = (0.1430804, 0.0606169, 0.7141733)


def _noise(width: int, height: int, mode: str = "RGB", seed: int = 0) -> Image.Image:
    rng = np.random.default_rng(seed)
    channels = len(mode)
    arr = rng.integers(0, 256, size=(height, width, channels), dtype=np.uint8)
    return Image.fromarray(arr if channels > 1 else arr[..., 0], mode)


def _exif_with_orientation(value: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = value
    return exif.tobytes()


# Stored image for orientation tests: 40 wide x 20 tall, blue, with a red 8x8 block
# in the stored top-left corner and a green one in the stored top-right corner.
_OW, _OH, _B = 40, 20, 8
_RED, _GREEN, _BLUE = (1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)


def _orientation_image() -> Image.Image:
    arr = np.zeros((_OH, _OW, 3), np.uint8)
    arr[..., 2] = 255
    arr[:_B, :_B] = (255, 0, 0)
    arr[:_B, -_B:] = (0, 255, 0)
    return Image.fromarray(arr, "RGB")


# Where the stored top-left (red) and top-right (green) corners must appear, from the
# EXIF 2.3 definition of each orientation value ("row 0 is the visual ..., column 0 is
# the visual ..."): TL, TR, BL, BR.
_CORNERS = {
    1: ("TL", "TR"), 2: ("TR", "TL"), 3: ("BR", "BL"), 4: ("BL", "BR"),
    5: ("TL", "BL"), 6: ("TR", "BR"), 7: ("BR", "TR"), 8: ("BL", "TL"),
}


def _corner_pixel(corner: str, h: int, w: int) -> tuple[int, int]:
    r = 2 if corner[0] == "T" else h - 3
    c = 2 if corner[1] == "L" else w - 3
    return r, c


def _associated_alpha_tiff(im: Image.Image) -> bytes:
    """A TIFF with *associated* (premultiplied) alpha: Pillow writes ExtraSamples=2
    (unassociated); patch the little-endian IFD entry to 1. Pillow reads it as RGBa / La."""
    data = png_bytes(im, "TIFF")
    entry = b"\x52\x01\x03\x00\x01\x00\x00\x00"  # tag 338, SHORT, count 1
    assert data.count(entry + b"\x02\x00") == 1
    return data.replace(entry + b"\x02\x00", entry + b"\x01\x00")


def _orientation_cases() -> list[Case]:
    cases = []
    for value, (red_at, green_at) in _CORNERS.items():
        transposed = value >= 5
        h, w = (_OW, _OH) if transposed else (_OH, _OW)
        pixels = (
            (_corner_pixel(red_at, h, w), _RED),
            (_corner_pixel(green_at, h, w), _GREEN),
            ((h // 2, w // 2), _BLUE),
        )
        for fmt, ext, mime, tol in (("PNG", "png", "image/png", W8 / 2 + 1e-6), ("JPEG", "jpg", "image/jpeg", 0.1)):
            if fmt == "JPEG" and value not in (3, 6, 8):
                continue  # the common camera values; PNG covers all eight exactly
            quality = {"quality": 95} if fmt == "JPEG" else {}
            data = png_bytes(_orientation_image(), fmt, exif=_exif_with_orientation(value), **quality)
            cases.append(Case(
                f"exif-orientation-{value}-{ext}", data, f"rotated{value}.{ext}", mime, "ok",
                shape=(h, w, 3), pixels=pixels, tol=tol,
                note="orientation" if value != 1 else "",
            ))
    return cases


def _mode_cases() -> list[Case]:
    cases: list[Case] = []

    # "1": 1-bit black and white. 4x2: top row white/black alternating.
    im = Image.new("1", (4, 2), 0)
    im.putpixel((0, 0), 1)
    im.putpixel((2, 0), 1)
    cases.append(Case("mode-1-png", png_bytes(im), "bw.png", "image/png", "ok", shape=(2, 4, 3),
                      pixels=(((0, 0), (1, 1, 1)), ((0, 1), (0, 0, 0)), ((1, 3), (0, 0, 0)))))

    # "L": grey values 0, 51, 128, 255.
    im = Image.fromarray(np.array([[0, 51], [128, 255]], np.uint8), "L")
    cases.append(Case("mode-L-png", png_bytes(im), "grey.png", "image/png", "ok", shape=(2, 2, 3),
                      pixels=(((0, 0), (0, 0, 0)), ((0, 1), (0.2, 0.2, 0.2)),
                              ((1, 0), (128 / 255,) * 3), ((1, 1), (1, 1, 1)))))

    # "LA": grey + alpha, composited on white: out = L*a + (1 - a).
    arr = np.array([[[0, 255], [0, 0]], [[100, 128], [200, 255]]], np.uint8)
    im = Image.fromarray(arr, "LA")
    half = 128 / 255
    cases.append(Case("mode-LA-png", png_bytes(im), "grey-alpha.png", "image/png", "ok", shape=(2, 2, 3),
                      pixels=(((0, 0), (0, 0, 0)), ((0, 1), (1, 1, 1)),
                              ((1, 0), ((100 / 255) * half + 1 - half,) * 3),
                              ((1, 1), (200 / 255,) * 3)),
                      tol=1.5 * W8, note="white"))

    # Premultiplied alpha (TIFF associated alpha): the stored colour is already c*a, so
    # on white: out = stored + (1 - a). (100, 50, 0) with a = 128 -> 0.890, 0.694, 0.498.
    rgba_p = np.array([[[100, 50, 0, 128], [0, 0, 0, 0]]], np.uint8)
    cases.append(Case("mode-RGBa-tiff", _associated_alpha_tiff(Image.fromarray(rgba_p, "RGBA")), "premult.tiff",
                      "image/tiff", "ok", shape=(1, 2, 3),
                      pixels=(((0, 0), (100 / 255 + 1 - half, 50 / 255 + 1 - half, 1 - half)), ((0, 1), (1, 1, 1))),
                      tol=1.5 * W8, note="white"))
    la_p = np.array([[[100, 128], [0, 0]]], np.uint8)
    cases.append(Case("mode-La-tiff", _associated_alpha_tiff(Image.fromarray(la_p, "LA")), "premult-grey.tiff",
                      "image/tiff", "ok", shape=(1, 2, 3),
                      pixels=(((0, 0), (100 / 255 + 1 - half,) * 3), ((0, 1), (1, 1, 1))), tol=1.5 * W8, note="white"))

    # "P" without transparency.
    im = Image.new("P", (3, 1))
    im.putpalette([255, 0, 0, 0, 128, 0, 10, 20, 30] + [0] * (256 * 3 - 9))
    im.putdata([0, 1, 2])
    cases.append(Case("mode-P-png", png_bytes(im), "palette.png", "image/png", "ok", shape=(1, 3, 3),
                      pixels=(((0, 0), (1, 0, 0)), ((0, 1), (0, 128 / 255, 0)),
                              ((0, 2), (10 / 255, 20 / 255, 30 / 255)))))

    # "P" with transparency (tRNS): index 1 fully transparent -> white.
    cases.append(Case("mode-P-transparent-png", png_bytes(im, transparency=1), "palette-t.png", "image/png", "ok",
                      shape=(1, 3, 3), pixels=(((0, 0), (1, 0, 0)), ((0, 1), (1, 1, 1))), note="white"))

    # GIF with a transparent index.
    cases.append(Case("mode-P-transparent-gif", png_bytes(im, "GIF", transparency=1), "palette-t.gif", "image/gif",
                      "ok", shape=(1, 3, 3), pixels=(((0, 0), (1, 0, 0)), ((0, 1), (1, 1, 1))), note="white"))

    # "PA" (TIFF can hold it): palette + alpha; alpha 0 -> white, 255 -> palette colour.
    pa = Image.new("PA", (2, 1))
    pa.putpalette([255, 0, 0, 0, 0, 255] + [0] * (256 * 3 - 6))
    pa.putdata([(0, 255), (1, 0)])
    cases.append(Case("mode-PA-tiff", png_bytes(pa, "TIFF"), "pa.tiff", "image/tiff", "ok", shape=(1, 2, 3),
                      pixels=(((0, 0), (1, 0, 0)), ((0, 1), (1, 1, 1)))))

    # "RGB" exact values.
    arr = np.array([[[255, 0, 0], [0, 255, 0]], [[0, 0, 255], [12, 34, 56]]], np.uint8)
    cases.append(Case("mode-RGB-png", png_bytes(Image.fromarray(arr, "RGB")), "rgb.png", "image/png", "ok",
                      shape=(2, 2, 3), pixels=(((0, 0), (1, 0, 0)), ((1, 1), (12 / 255, 34 / 255, 56 / 255)))))

    # "RGB" with tRNS transparency colour: that colour becomes white.
    cases.append(Case("mode-RGB-trns-png", png_bytes(Image.fromarray(arr, "RGB"), transparency=(12, 34, 56)),
                      "rgb-trns.png", "image/png", "ok", shape=(2, 2, 3),
                      pixels=(((0, 0), (1, 0, 0)), ((1, 1), (1, 1, 1)))))

    # "RGBA": alpha composited on white: out = c*a + (1 - a).
    arr = np.array([[[255, 0, 0, 255], [0, 0, 0, 0]], [[0, 0, 0, 128], [0, 0, 255, 64]]], np.uint8)
    a128, a64 = 128 / 255, 64 / 255
    cases.append(Case("mode-RGBA-png", png_bytes(Image.fromarray(arr, "RGBA")), "alpha.png", "image/png", "ok",
                      shape=(2, 2, 3),
                      pixels=(((0, 0), (1, 0, 0)), ((0, 1), (1, 1, 1)), ((1, 0), (1 - a128,) * 3),
                              ((1, 1), (1 - a64, 1 - a64, 1.0))),
                      tol=1.5 * W8, note="white"))

    # WebP lossless with alpha.
    cases.append(Case("mode-RGBA-webp", png_bytes(Image.fromarray(arr, "RGBA"), "WEBP", lossless=True, exact=True),
                      "alpha.webp", "image/webp", "ok", shape=(2, 2, 3),
                      pixels=(((0, 0), (1, 0, 0)), ((0, 1), (1, 1, 1))), tol=1.5 * W8))

    # "CMYK": pure inks. C -> cyan, K -> black, nothing -> white, M+Y -> red.
    cmyk = np.zeros((16, 32, 4), np.uint8)
    cmyk[:, 8:16, 0] = 255  # cyan ink
    cmyk[:, 16:24, 3] = 255  # black ink
    cmyk[:, 24:, 1:3] = 255  # magenta + yellow
    cm = Image.fromarray(cmyk, "CMYK")
    cmyk_pixels = (((8, 4), (1, 1, 1)), ((8, 12), (0, 1, 1)), ((8, 20), (0, 0, 0)), ((8, 28), (1, 0, 0)))
    cases.append(Case("mode-CMYK-tiff", png_bytes(cm, "TIFF"), "cmyk.tiff", "image/tiff", "ok", shape=(16, 32, 3),
                      pixels=cmyk_pixels, note="CMYK"))
    cases.append(Case("mode-CMYK-jpeg", png_bytes(cm, "JPEG", quality=95), "cmyk.jpg", "image/jpeg", "ok",
                      shape=(16, 32, 3), pixels=cmyk_pixels, tol=0.06, note="CMYK"))

    # "YCbCr" TIFF: JFIF full-range values of pure red (76, 85, 255) and mid grey (128, 128, 128).
    ycc = np.array([[[76, 85, 255], [128, 128, 128], [255, 128, 128]]], np.uint8)
    # red: R = 76 + 1.402*127 = 254.1, G = 76 - 0.344*(-43) - 0.714*127 = 0.1, B = 76 + 1.772*(-43) = -0.2
    cases.append(Case("mode-YCbCr-tiff", png_bytes(Image.fromarray(ycc, "YCbCr"), "TIFF"), "ycc.tiff", "image/tiff",
                      "ok", shape=(1, 3, 3),
                      pixels=(((0, 0), (254 / 255, 0, 0)), ((0, 1), (128 / 255,) * 3), ((0, 2), (1, 1, 1))),
                      tol=2.5 * W8))

    # "LAB" TIFF. Pillow stores a* and b* as signed bytes (0 is neutral). L=0 -> black,
    # L=100 % -> white; sRGB red is Lab (53.24, 80.09, 67.20) -> bytes (136, 80, 67).
    lab = np.array([[[0, 0, 0], [255, 0, 0], [136, 80, 67]]], np.uint8)
    cases.append(Case("mode-LAB-tiff", png_bytes(Image.fromarray(lab, "LAB"), "TIFF"), "lab.tiff", "image/tiff",
                      "ok", shape=(1, 3, 3), pixels=(((0, 0), (0, 0, 0)), ((0, 1), (1, 1, 1)), ((0, 2), (1, 0, 0))),
                      tol=12 * W8, note="CIELAB"))

    # 16-bit: 0, 65535, 32768 -> 0, 1, 0.50000763.
    v16 = np.array([[0, 65535, 32768, 1000]], np.uint16)
    exact16 = W8 / 100
    px16 = (((0, 0), (0, 0, 0)), ((0, 1), (1, 1, 1)), ((0, 2), (32768 / 65535,) * 3), ((0, 3), (1000 / 65535,) * 3))
    cases.append(Case("mode-I;16-png", png_bytes(Image.fromarray(v16)), "deep.png", "image/png", "ok",
                      shape=(1, 4, 3), pixels=px16, tol=exact16, note="16-bit"))
    cases.append(Case("mode-I;16B-tiff", png_bytes(Image.fromarray(v16.astype(">u2")), "TIFF"), "deep-be.tiff",
                      "image/tiff", "ok", shape=(1, 4, 3), pixels=px16, tol=exact16, note="16-bit"))
    cases.append(Case("mode-I;16-tiff", png_bytes(Image.fromarray(v16), "TIFF"), "deep.tiff", "image/tiff",
                      "ok", shape=(1, 4, 3), pixels=px16, tol=exact16, note="16-bit"))

    # "I" 32-bit integers: within 0..255 -> /255; within 0..65535 -> /65535; else min-max.
    i8 = np.array([[0, 51, 255]], np.int32)
    cases.append(Case("mode-I-8bit-range-tiff", png_bytes(Image.fromarray(i8), "TIFF"), "i8.tiff", "image/tiff",
                      "ok", shape=(1, 3, 3), pixels=(((0, 1), (0.2, 0.2, 0.2)), ((0, 2), (1, 1, 1))), tol=1e-6,
                      note="0–255"))
    i16 = np.array([[0, 6553, 65535]], np.int32)
    cases.append(Case("mode-I-16bit-range-tiff", png_bytes(Image.fromarray(i16), "TIFF"), "i16.tiff", "image/tiff",
                      "ok", shape=(1, 3, 3), pixels=(((0, 1), (6553 / 65535,) * 3), ((0, 2), (1, 1, 1))), tol=1e-6,
                      note="0–65535"))
    iwide = np.array([[-1000, 0, 3000]], np.int32)
    cases.append(Case("mode-I-negative-tiff", png_bytes(Image.fromarray(iwide), "TIFF"), "iwide.tiff",
                      "image/tiff", "ok", shape=(1, 3, 3),
                      pixels=(((0, 0), (0, 0, 0)), ((0, 1), (0.25, 0.25, 0.25)), ((0, 2), (1, 1, 1))), tol=1e-6,
                      note="stretched"))

    # "F" 32-bit float: in [0, 1] as is; otherwise min-max; NaN -> 0.
    f01 = np.array([[0.0, 0.25, 1.0]], np.float32)
    cases.append(Case("mode-F-unit-tiff", png_bytes(Image.fromarray(f01), "TIFF"), "f01.tiff", "image/tiff",
                      "ok", shape=(1, 3, 3), pixels=(((0, 1), (0.25, 0.25, 0.25)), ((0, 2), (1, 1, 1))), tol=1e-6))
    fwide = np.array([[-2.0, 0.0, 6.0]], np.float32)
    cases.append(Case("mode-F-wide-tiff", png_bytes(Image.fromarray(fwide), "TIFF"), "fwide.tiff", "image/tiff",
                      "ok", shape=(1, 3, 3),
                      pixels=(((0, 0), (0, 0, 0)), ((0, 1), (0.25, 0.25, 0.25)), ((0, 2), (1, 1, 1))), tol=1e-6,
                      note="stretched"))
    fnan = np.array([[np.nan, 0.5, np.inf]], np.float32)
    cases.append(Case("mode-F-nan-tiff", png_bytes(Image.fromarray(fnan), "TIFF"), "fnan.tiff", "image/tiff",
                      "ok", shape=(1, 3, 3),
                      pixels=(((0, 0), (0, 0, 0)), ((0, 1), (0.5, 0.5, 0.5)), ((0, 2), (0, 0, 0))),
                      tol=1e-6, note="NaN"))

    # Other containers of plain RGB.
    rgb = np.array([[[255, 0, 0], [0, 0, 255]]], np.uint8)
    for fmt, ext, mime in (("BMP", "bmp", "image/bmp"), ("TIFF", "tiff", "image/tiff"),
                           ("PPM", "ppm", "image/x-portable-pixmap"), ("QOI", "qoi", "image/qoi")):
        cases.append(Case(f"format-{ext}", png_bytes(Image.fromarray(rgb, "RGB"), fmt), f"x.{ext}", mime,
                          "ok", shape=(1, 2, 3), pixels=(((0, 0), (1, 0, 0)), ((0, 1), (0, 0, 1)))))
    avif_src = Image.new("RGB", (16, 8), (255, 0, 0))
    cases.append(Case("format-avif", png_bytes(avif_src, "AVIF", quality=90), "x.avif", "image/avif", "ok",
                      shape=(8, 16, 3), pixels=(((4, 8), (1, 0, 0)),), tol=3 * W8))
    icon = Image.new("RGBA", (16, 16), (255, 0, 0, 255))
    cases.append(Case("format-ico", png_bytes(icon, "ICO", sizes=[(16, 16)]), "favicon.ico", "image/x-icon", "ok",
                      shape=(16, 16, 3), pixels=(((8, 8), (1, 0, 0)),)))
    return cases


def _srgb_icc() -> bytes:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _icc_cases() -> list[Case]:
    # Profile whose "red" is sRGB green and "green" is sRGB red: stored pure red must
    # show as green, stored green as red; blue, white and black stay.
    swapped = icc_rgb_profile(SRGB_GREEN_XYZ, SRGB_RED_XYZ, SRGB_BLUE_XYZ, "Swapped red-green test profile")
    arr = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255], [0, 0, 0]]], np.uint8)
    expected = (((0, 0), (0, 1, 0)), ((0, 1), (1, 0, 0)), ((0, 2), (0, 0, 1)), ((0, 3), (1, 1, 1)), ((0, 4), (0, 0, 0)))
    im = Image.fromarray(arr)
    alpha = np.array([[[255], [255], [255], [255], [0]]], np.uint8)  # black pixel fully transparent
    rgba = Image.fromarray(np.concatenate([arr, alpha], axis=-1), "RGBA")
    return [
        Case("icc-swapped-primaries-png", png_bytes(im, icc_profile=swapped), "icc.png", "image/png", "ok",
             shape=(1, 5, 3), pixels=expected, tol=3 * W8, note="colour profile"),
        Case("icc-swapped-primaries-rgba-png", png_bytes(rgba, icc_profile=swapped), "icc-a.png", "image/png", "ok",
             shape=(1, 5, 3), pixels=(*expected[:4], ((0, 4), (1, 1, 1))), tol=3 * W8, note="colour profile"),
        # An embedded sRGB profile changes nothing (and is skipped for speed).
        Case("icc-srgb-png", png_bytes(im, icc_profile=_srgb_icc()), "srgb.png", "image/png", "ok", shape=(1, 5, 3),
             pixels=(((0, 0), (1, 0, 0)), ((0, 1), (0, 1, 0)), ((0, 2), (0, 0, 1)))),
        Case("icc-corrupt-profile-png", png_bytes(im, icc_profile=b"not really a profile" * 10), "badicc.png",
             "image/png", "ok", shape=(1, 5, 3), pixels=(((0, 0), (1, 0, 0)), ((0, 1), (0, 1, 0))),
             note="could not be used"),
        # A CMYK image carrying an RGB profile is a mismatch: fall back to the simple formula.
        Case("icc-mismatched-cmyk-jpeg", png_bytes(Image.new("CMYK", (16, 16), (255, 0, 0, 0)), "JPEG", quality=95,
                                                   icc_profile=swapped), "mismatch.jpg", "image/jpeg", "ok",
             shape=(16, 16, 3), pixels=(((8, 8), (0, 1, 1)),), tol=0.06, note="CMYK"),
    ]


def _animated_cases() -> list[Case]:
    frames = [Image.new("RGB", (6, 4), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    gif = io.BytesIO()
    frames[0].save(gif, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    apng = io.BytesIO()
    frames[0].save(apng, "PNG", save_all=True, append_images=frames[1:], duration=100)
    webp = io.BytesIO()
    frames[0].save(webp, "WEBP", save_all=True, append_images=frames[1:], duration=100, lossless=True)
    tiff = io.BytesIO()
    frames[0].save(tiff, "TIFF", save_all=True, append_images=frames[1:])
    red = (((0, 0), (1, 0, 0)), ((3, 5), (1, 0, 0)))
    return [
        Case("animated-gif", gif.getvalue(), "anim.gif", "image/gif", "ok", shape=(4, 6, 3), pixels=red,
             note="first of 3 frames"),
        Case("animated-png", apng.getvalue(), "anim.png", "image/png", "ok", shape=(4, 6, 3), pixels=red,
             note="first of 3 frames"),
        Case("animated-webp", webp.getvalue(), "anim.webp", "image/webp", "ok", shape=(4, 6, 3), pixels=red,
             note="first of 3 frames"),
        Case("multipage-tiff", tiff.getvalue(), "pages.tiff", "image/tiff", "ok", shape=(4, 6, 3), pixels=red,
             note="first of 3 pages"),
    ]


def _size_cases() -> list[Case]:
    one = Image.new("RGB", (1, 1), (0, 255, 0))
    tall = Image.fromarray(np.arange(21, dtype=np.uint8).reshape(7, 3) * 10, "L")  # 3 wide, 7 tall
    wide = Image.new("RGB", (3000, 30), (0, 0, 255))
    big_jpeg = png_bytes(Image.new("RGB", (4000, 3000), (255, 255, 255)), "JPEG", quality=80)
    return [
        Case("size-1x1", png_bytes(one), "dot.png", "image/png", "ok", shape=(1, 1, 3), pixels=(((0, 0), (0, 1, 0)),)),
        Case("size-3x7", png_bytes(tall), "3x7.png", "image/png", "ok", shape=(7, 3, 3),
             pixels=(((0, 0), (0, 0, 0)), ((6, 2), (200 / 255,) * 3), ((2, 1), (70 / 255,) * 3))),
        # 3000x30 -> 1024 wide, 30*1024/3000 = 10.24 -> 10 tall.
        Case("size-wide-downscaled", png_bytes(wide), "wide.png", "image/png", "ok", shape=(10, 1024, 3),
             pixels=(((5, 500), (0, 0, 1)),), tol=W8, note="Downscaled from 3000×30 to 1024×10"),
        # JPEG decoded through draft() at reduced scale, then resized to 1024x768.
        Case("size-big-jpeg-downscaled", big_jpeg, "big.jpg", "image/jpeg", "ok", shape=(768, 1024, 3),
             pixels=(((10, 10), (1, 1, 1)), ((700, 1000), (1, 1, 1))), tol=2 * W8,
             note="Downscaled from 4000×3000 to 1024×768"),
    ]


def _error_cases() -> list[Case]:
    noise_png = png_bytes(_noise(64, 64), "PNG")
    noise_jpeg = png_bytes(_noise(64, 64), "JPEG", quality=90)
    noise_gif = png_bytes(_noise(64, 64, "L"), "GIF")
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as zf:
        zf.writestr("photo.png", png_bytes(Image.new("RGB", (2, 2))))
    rng = np.random.default_rng(1)
    random_bytes = bytes(rng.integers(0, 256, 4096, dtype=np.uint8))
    random_bytes = b"\x00\x01" + random_bytes[2:]  # no accidental signature
    return [
        Case("empty", b"", "empty.png", "image/png", "error", message="empty"),
        Case("truncated-png", noise_png[: len(noise_png) // 2], "cut.png", "image/png", "error", message="truncated"),
        Case("truncated-jpeg", noise_jpeg[: len(noise_jpeg) // 2], "cut.jpg", "image/jpeg", "error",
             message="truncated"),
        Case("truncated-gif", noise_gif[: len(noise_gif) // 2], "cut.gif", "image/gif", "error", message="truncated"),
        Case("png-signature-only", noise_png[:8], "sig.png", "image/png", "error", message="image"),
        Case("png-header-only", noise_png[:33], "head.png", "image/png", "error", message="truncated"),
        Case("text", b"Hello class, this is not a picture.\n" * 3, "notes.txt", "text/plain", "error", message="text"),
        Case("text-named-png", b"just some words", "photo.png", "image/png", "error", message="text"),
        Case("html", b"<!DOCTYPE html><html><body><img src='cat.png'></body></html>", "page.html", "text/html",
             "error", message="HTML"),
        Case("svg", b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>",
             "drawing.svg", "image/svg+xml", "error", message="SVG"),
        Case("zip", zbuf.getvalue(), "photos.zip", "application/zip", "error", message="ZIP"),
        Case("pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\n", "doc.pdf", "application/pdf", "error",
             message="PDF"),
        Case("eps-refused", b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n", "art.eps", "application/postscript",
             "error", message="PostScript"),
        Case("heic", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64, "IMG_0001.heic", "image/heic",
             "error", message="HEIC"),
        Case("random-bytes", random_bytes, "mystery.png", "image/png", "error", message="not an image"),
        # Decompression bombs: headers claim huge sizes; nothing that big is ever allocated.
        Case("bomb-png-100000x100000", crafted_png_header(100_000, 100_000), "bomb.png", "image/png", "error",
             message="megapixels"),
        Case("bomb-png-8000x8000", crafted_png_header(8000, 8000), "big.png", "image/png", "error",
             message="megapixels"),  # 64 MP: above our 50 MP limit, below Pillow's own warning
        Case("bomb-png-grey-16bit", crafted_png_header(60_000, 60_000, bit_depth=16, colour_type=0), "bomb16.png",
             "image/png", "error", message="megapixels"),
        Case("bomb-gif-65535x65535", _gif_header(65535, 65535), "bomb.gif", "image/gif", "error", message="megapixels"),
        Case("bomb-jpeg-60000x60000", _jpeg_claiming(60000, 60000), "bomb.jpg", "image/jpeg", "error",
             message="megapixels"),
        Case("zero-width-png", crafted_png_header(0, 10), "zero.png", "image/png", "error", message="pixels"),
        Case("zero-height-gif", _gif_header(10, 0), "zero.gif", "image/gif", "error", message="pixels"),
    ]


OK_CASES: list[Case] = [*_mode_cases(), *_orientation_cases(), *_icc_cases(), *_animated_cases(), *_size_cases()]
ERROR_CASES: list[Case] = _error_cases()
HOSTILE_CASES: list[Case] = [*OK_CASES, *ERROR_CASES]

assert len({c.name for c in HOSTILE_CASES}) == len(HOSTILE_CASES), "case names must be unique"

#: A representative handful for slow tests (AppTest uploads, browser tests).
SMOKE_CASES: list[Case] = [c for c in HOSTILE_CASES if c.name in {
    "mode-RGBA-png", "exif-orientation-6-jpg", "animated-gif", "mode-I;16-png", "size-wide-downscaled",
    "empty", "truncated-jpeg", "html", "zip", "bomb-png-100000x100000",
}]
