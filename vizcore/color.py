"""Colour spaces: RGB images to and from luminance, RGB, HSV and YCbCr.

Every space is represented with all channels in ``[0, 1]`` so that a Keras layer
sees comparable numbers whichever space it works in:

``"luminance"``
    1 channel: ITU-R BT.601 luma ``Y = 0.299 R + 0.587 G + 0.114 B``.
    Back to RGB as grey (``R = G = B = Y``).
``"rgb"``
    3 channels: the image itself.
``"hsv"``
    3 channels: hue, saturation, value, exactly as ``tf.image.rgb_to_hsv`` and
    ``colorsys.rgb_to_hsv`` (hue in ``[0, 1)`` as a fraction of the colour
    wheel: 0 red, 1/3 green, 2/3 blue; hue 0 for greys).
``"ycbcr"``
    3 channels: BT.601 full range as in JPEG (JFIF) and Pillow's ``"YCbCr"``
    mode, divided by 255: ``Y`` in [0, 1], ``Cb`` and ``Cr`` centred on 0.5
    (0.5 means "no colour").

Every function takes a single image ``(H, W, 3)`` or a batch ``(N, H, W, 3)``
(float, values expected in ``[0, 1]``) and returns ``float32``. Outputs are
clipped to ``[0, 1]``, so a value pushed out of range by a layer comes back as
the nearest displayable colour.
"""
from __future__ import annotations

import numpy as np

from .errors import ImageError

__all__ = ["SPACES", "to_space", "from_space", "channel_names", "split_channels"]

SPACES: tuple[str, ...] = ("luminance", "rgb", "hsv", "ycbcr")

_CHANNEL_NAMES: dict[str, tuple[str, ...]] = {
    "luminance": ("Luminance",),
    "rgb": ("Red", "Green", "Blue"),
    "hsv": ("Hue", "Saturation", "Value"),
    "ycbcr": ("Y (luma)", "Cb (blue difference)", "Cr (red difference)"),
}

# BT.601 luma weights (also the Y row of JPEG's YCbCr).
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float64)

# JFIF / BT.601 full-range RGB -> YCbCr, all in [0, 1]; Cb and Cr offset by 0.5.
_RGB_TO_YCBCR = np.array(
    [
        _LUMA,
        [-0.168736, -0.331264, 0.5],
        [0.5, -0.418688, -0.081312],
    ],
    dtype=np.float64,
)
# Exact inverse (not the rounded 1.402 / 1.772 constants) so round trips are
# limited only by float32 precision.
_YCBCR_TO_RGB = np.linalg.inv(_RGB_TO_YCBCR)
_YCBCR_OFFSET = np.array([0.0, 0.5, 0.5], dtype=np.float64)


def _frozen(array: np.ndarray) -> np.ndarray:
    out = np.ascontiguousarray(array, dtype=np.float32)
    out.setflags(write=False)
    return out


# Public float32 constants, read-only: the one place for these numbers. vizcore.layers builds
# its TensorFlow twins of to_space / from_space from them (as 1x1 convolutions).

#: ITU-R BT.601 luma weights ``(0.299, 0.587, 0.114)``, float32 ``(3,)``:
#: ``luma = rgb @ LUMA_WEIGHTS`` for RGB in [0, 1].
LUMA_WEIGHTS: np.ndarray = _frozen(_LUMA)
#: RGB -> YCbCr (JFIF / BT.601 full range), float32 ``(3, 3)`` for right-multiplication:
#: ``ycbcr = rgb @ YCBCR_FROM_RGB + YCBCR_OFFSET``; its first column is :data:`LUMA_WEIGHTS`.
YCBCR_FROM_RGB: np.ndarray = _frozen(_RGB_TO_YCBCR.T)
#: ``(0, 0.5, 0.5)`` float32 ``(3,)``: Cb and Cr are centred on 0.5 ("no colour").
YCBCR_OFFSET: np.ndarray = _frozen(_YCBCR_OFFSET)
#: YCbCr -> RGB, the exact inverse of :data:`YCBCR_FROM_RGB`, float32 ``(3, 3)``:
#: ``rgb = ycbcr @ RGB_FROM_YCBCR + RGB_FROM_YCBCR_BIAS`` (the offset folded into one bias).
RGB_FROM_YCBCR: np.ndarray = _frozen(_YCBCR_TO_RGB.T)
#: ``-YCBCR_OFFSET @ RGB_FROM_YCBCR`` float32 ``(3,)``: see :data:`RGB_FROM_YCBCR`.
RGB_FROM_YCBCR_BIAS: np.ndarray = _frozen(-_YCBCR_OFFSET @ _YCBCR_TO_RGB.T)


def _check_space(space: str) -> str:
    if not isinstance(space, str) or space not in SPACES:
        raise ValueError(f"unknown colour space {space!r}; choose one of {', '.join(SPACES)}")
    return space


def _as_float_image(array, channels: int | None, what: str) -> np.ndarray:
    """Validate ``(H, W, C)`` or ``(N, H, W, C)`` and return it as float32 (no copy if possible)."""
    arr = np.asarray(array)
    if arr.ndim not in (3, 4):
        raise ImageError(
            f"{what}: expected (H, W, C) or (N, H, W, C), got an array of shape {arr.shape}"
        )
    if channels is not None and arr.shape[-1] != channels:
        shape = "(H, W, 3)" if channels == 3 else f"(H, W, {channels})"
        raise ImageError(f"{what}: expected {shape}, got shape {arr.shape}")
    if arr.dtype.kind not in "fiub":
        raise ImageError(f"{what}: expected a numeric array, got dtype {arr.dtype}")
    if arr.dtype.kind in "iub":
        raise ImageError(
            f"{what}: expected float values in [0, 1], got dtype {arr.dtype} "
            "(divide 8-bit images by 255 first, or use vizcore.load_image)"
        )
    return arr.astype(np.float32, copy=False)


def channel_names(space: str) -> tuple[str, ...]:
    """Human names of the channels of ``space``, in order (1 name for luminance, else 3).

    Raises ValueError for an unknown space.
    """
    return _CHANNEL_NAMES[_check_space(space)]


def _planes(image: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The three channels as contiguous arrays (element-wise maths on strided views is slow)."""
    return tuple(np.ascontiguousarray(image[..., i]) for i in range(3))  # type: ignore[return-value]


def _rgb_to_hsv(rgb: np.ndarray) -> np.ndarray:
    # Branch-free (np.where on random masks is slow) but the same arithmetic and
    # precedence as tf.image.rgb_to_hsv / colorsys: red, then green, then blue.
    r, g, b = _planes(rgb)
    value = np.maximum(np.maximum(r, g), b)
    delta = value - np.minimum(np.minimum(r, g), b)
    r_max = r == value
    is_r = r_max.astype(np.float32)
    is_g = ((g == value) & ~r_max).astype(np.float32)
    is_b = np.float32(1) - is_r - is_g
    num = is_r * (g - b)
    num += is_g * (b - r)
    num += is_b * (r - g)
    # Where delta == 0 the pixel is grey, num is 0 and red counts as the maximum, so hue is 0.
    hue = num / (delta + (delta == 0))
    hue += np.float32(2) * is_g
    hue += np.float32(4) * is_b
    hue *= np.float32(1.0 / 6.0)
    hue += hue < 0
    saturation = delta / (value + (value == 0))
    out = np.empty(rgb.shape, dtype=np.float32)
    out[..., 0] = hue
    out[..., 1] = saturation
    out[..., 2] = value
    return out


def _hsv_to_rgb(hsv: np.ndarray) -> np.ndarray:
    # Closed form of colorsys.hsv_to_rgb: channel n (R: 5, G: 3, B: 1) is
    # v - v*s*clip(min(k, 4 - k), 0, 1) with k = (n + 6h) mod 6.
    h, s, v = _planes(hsv)
    h6 = h - np.floor(h)  # hue wraps around the wheel
    h6 *= np.float32(6.0)
    vs = v * s
    out = np.empty(hsv.shape, dtype=np.float32)
    k = np.empty_like(h6)
    tmp = np.empty_like(h6)
    for i, n in enumerate((5.0, 3.0, 1.0)):
        np.add(h6, np.float32(n), out=k)
        np.greater_equal(k, np.float32(6.0), out=tmp, casting="unsafe")  # mod 6 without fmod
        tmp *= np.float32(6.0)
        k -= tmp
        np.subtract(np.float32(4.0), k, out=tmp)
        np.minimum(k, tmp, out=k)
        np.clip(k, 0.0, 1.0, out=k)
        k *= vs
        np.subtract(v, k, out=out[..., i])
    return out


def _add_per_channel(out: np.ndarray, bias: np.ndarray) -> None:
    """``out += bias`` over the last axis, in place: three strided adds are several
    times faster than NumPy's broadcast over a length-3 last axis."""
    if not out.flags.c_contiguous:  # reshape would copy; fall back to broadcasting
        out += bias
        return
    flat = out.reshape(-1)
    for i, value in enumerate(bias):
        if value != 0:
            flat[i::3] += value


def to_space(image, space: str) -> np.ndarray:
    """Convert an RGB image to ``space``.

    ``image``: ``(H, W, 3)`` or ``(N, H, W, 3)`` float in ``[0, 1]``.
    Returns float32 ``(..., H, W, C)`` with ``C = 1`` for ``"luminance"`` and 3
    otherwise, every channel clipped to ``[0, 1]``. Always a new array.

    Raises ImageError for a wrong shape or an integer array, ValueError for an
    unknown space.
    """
    _check_space(space)
    rgb = _as_float_image(image, 3, "to_space")
    if space == "rgb":
        out = np.clip(rgb, 0.0, 1.0)
    elif space == "luminance":
        out = (rgb @ LUMA_WEIGHTS)[..., None]
    elif space == "ycbcr":
        out = rgb @ YCBCR_FROM_RGB
        _add_per_channel(out, YCBCR_OFFSET)
    else:  # hsv
        out = _rgb_to_hsv(np.clip(rgb, 0.0, 1.0))
    out = out.astype(np.float32, copy=False)
    np.clip(out, 0.0, 1.0, out=out)
    return out


def from_space(array, space: str) -> np.ndarray:
    """Convert an array in ``space`` back to an RGB image.

    ``array``: ``(H, W, C)`` or ``(N, H, W, C)`` float, ``C = 1`` for
    ``"luminance"`` (shown as grey) and 3 otherwise. Values are expected in
    ``[0, 1]``; hue wraps around (1.25 is 0.25), other channels are clipped.
    Returns float32 ``(..., H, W, 3)`` in ``[0, 1]`` (YCbCr triples outside the
    RGB gamut are clipped to the nearest displayable colour). Always a new array.

    Raises ImageError for a wrong shape or an integer array, ValueError for an
    unknown space.
    """
    _check_space(space)
    channels = 1 if space == "luminance" else 3
    arr = _as_float_image(array, channels, f"from_space({space!r})")
    if space == "rgb":
        out = np.array(arr, dtype=np.float32, copy=True)
    elif space == "luminance":
        out = np.repeat(arr, 3, axis=-1)
    elif space == "ycbcr":
        out = arr @ RGB_FROM_YCBCR
        _add_per_channel(out, RGB_FROM_YCBCR_BIAS)
    else:  # hsv
        out = _hsv_to_rgb(arr)  # clipped below, which also covers s or v outside [0, 1]
    out = out.astype(np.float32, copy=False)
    np.clip(out, 0.0, 1.0, out=out)
    return out


def split_channels(image, space: str) -> list[tuple[str, np.ndarray]]:
    """Split an RGB image into the named channels of ``space``.

    ``image``: ``(H, W, 3)`` float in ``[0, 1]``. Returns a list of
    ``(name, channel)`` pairs, each channel ``(H, W)`` float32 in ``[0, 1]``,
    in the order of :func:`channel_names`.

    Raises ImageError for a wrong shape, ValueError for an unknown space.
    """
    arr = np.asarray(image)
    if arr.ndim != 3:
        raise ImageError(f"split_channels: expected (H, W, 3), got an array of shape {arr.shape}")
    converted = to_space(arr, space)
    return [(name, converted[..., i]) for i, name in enumerate(channel_names(space))]
