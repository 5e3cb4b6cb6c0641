"""Generate sample_images/test_chart.png: a synthetic chart for seeing what layers do.

Run from the repository root: ``python sample_images/make_test_chart.py``.
Deterministic (no randomness), pure NumPy + Pillow, 512×512 RGB.

Layout (rows of 128 px):
1. left: hue wheel (hue by angle, saturation by radius, value 1);
   right: primary and secondary colour patches, black, white and 50 % grey.
2. horizontal ramps: grey, red, green, blue (black -> full).
3. stripes: vertical, horizontal and diagonal, with periods 2, 4, 8 and 16 px.
4. checkerboards with 2, 4, 8 and 16 px squares; a colour 2-D gradient.
"""
from __future__ import annotations

import colorsys
from pathlib import Path

import numpy as np
from PIL import Image

SIZE = 512
OUT = Path(__file__).resolve().parent / "test_chart.png"


def hue_wheel(size: int) -> np.ndarray:
    y, x = np.mgrid[0:size, 0:size].astype(np.float64)
    c = (size - 1) / 2
    dx, dy = x - c, c - y
    radius = np.hypot(dx, dy) / (size / 2 - 2)
    hue = (np.arctan2(dy, dx) / (2 * np.pi)) % 1.0
    sat = np.clip(radius, 0, 1)
    rgb = np.vectorize(colorsys.hsv_to_rgb)(hue, sat, np.ones_like(hue))
    wheel = np.stack(rgb, axis=-1)
    wheel[radius > 1] = 1.0  # white outside the disc
    return wheel


def patches(height: int, width: int) -> np.ndarray:
    colours = [
        (1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 0), (0, 1, 1), (1, 0, 1),
        (0, 0, 0), (1, 1, 1), (0.5, 0.5, 0.5),
    ]
    cols, rows = 3, 3
    out = np.ones((height, width, 3))
    ph, pw = height // rows, width // cols
    for i, colour in enumerate(colours):
        r, c = divmod(i, cols)
        out[r * ph : (r + 1) * ph, c * pw : (c + 1) * pw] = colour
    return out


def ramps(height: int, width: int) -> np.ndarray:
    ramp = np.linspace(0, 1, width)
    out = np.zeros((height, width, 3))
    band = height // 4
    for i, channels in enumerate([(0, 1, 2), (0,), (1,), (2,)]):
        for ch in channels:
            out[i * band : (i + 1) * band, :, ch] = ramp
    return out


def stripes(height: int, width: int) -> np.ndarray:
    out = np.zeros((height, width))
    y, x = np.mgrid[0:height, 0:width]
    block = width // 4
    for i, period in enumerate([2, 4, 8, 16]):
        sl = slice(i * block, (i + 1) * block)
        third = height // 3
        out[:third, sl] = ((x[:third, sl] // (period // 2)) % 2)
        out[third : 2 * third, sl] = ((y[third : 2 * third, sl] // (period // 2)) % 2)
        out[2 * third :, sl] = (((x + y)[2 * third :, sl] // (period // 2)) % 2)
    return np.repeat(out[..., None], 3, axis=-1)


def checkers_and_gradient(height: int, width: int) -> np.ndarray:
    out = np.zeros((height, width, 3))
    y, x = np.mgrid[0:height, 0:width]
    block = width // 8
    for i, square in enumerate([2, 4, 8, 16]):
        sl = slice(i * block, (i + 1) * block)
        out[:, sl] = (((x[:, sl] // square) + (y[:, sl] // square)) % 2)[..., None]
    gx = x[:, 4 * block :] - 4 * block
    gw = width - 4 * block
    out[:, 4 * block :, 0] = gx / (gw - 1)
    out[:, 4 * block :, 1] = y[:, 4 * block :] / (height - 1)
    out[:, 4 * block :, 2] = 1 - gx / (gw - 1)
    return out


def make_chart(size: int = SIZE) -> np.ndarray:
    """The chart as RGB float64 (size, size, 3) in [0, 1]; ``size`` a multiple of 32."""
    row = size // 4
    top = np.concatenate([hue_wheel(row), patches(row, size - row)], axis=1)
    chart = np.concatenate(
        [top, ramps(row, size), stripes(row, size), checkers_and_gradient(row, size)], axis=0
    )
    return chart


def main() -> None:
    chart = make_chart()
    Image.fromarray(np.round(chart * 255).astype(np.uint8), "RGB").save(OUT, optimize=True)
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
