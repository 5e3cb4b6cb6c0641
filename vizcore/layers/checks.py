"""Validation of the layer functions' arguments, and the output-size arithmetic they check.

Every ``check_*`` returns the value it accepted (converted where said) or raises: ImageError
for what is wrong with an image, ValueError for a bad option, each message naming what was
received. No TensorFlow here.
"""
from __future__ import annotations

import math

import numpy as np

from ..color import SPACES
from ..errors import ImageError
from .tables import ACTIVATION_INFO, ACTIVATIONS, MAX_OUTPUT_ELEMENTS

__all__ = [
    "check_kernel",
    "check_image",
    "check_space",
    "check_activation",
    "check_int",
    "check_seed",
    "check_padding",
    "check_output",
    "check_window",
    "channels",
    "conv_out",
    "transpose_out",
]


def check_image(image, what: str = "image") -> np.ndarray:
    """An RGB image ``(H, W, 3)`` of floats as float32, values clipped to [0, 1].

    ``what`` names the argument in messages. Raises ImageError for another shape, no
    pixels, an integer dtype, or NaN / infinite values.
    """
    arr = np.asarray(image)
    if arr.ndim != 3 or arr.shape[-1] != 3:
        raise ImageError(f"{what}: expected an RGB image of shape (H, W, 3), got shape {arr.shape}")
    if arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ImageError(f"{what}: the image has no pixels (shape {arr.shape})")
    if arr.dtype.kind != "f":
        raise ImageError(
            f"{what}: expected float values in [0, 1], got dtype {arr.dtype} "
            "(divide 8-bit images by 255 first, or use vizcore.load_image)"
        )
    arr = arr.astype(np.float32, copy=False)
    low, high = arr.min(), arr.max()
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ImageError(f"{what}: the image contains NaN or infinite values")
    if low < 0 or high > 1:  # the graphs expect [0, 1], as vizcore.to_space would clip
        arr = np.clip(arr, 0.0, 1.0)
    return arr


def check_space(space: str) -> str:
    """A name of ``vizcore.SPACES``; raises ValueError otherwise."""
    if space not in SPACES:
        raise ValueError(f"unknown colour space {space!r}; choose one of {', '.join(SPACES)}")
    return space


def check_activation(name: str) -> str:
    """A name of :data:`ACTIVATIONS`; raises ValueError otherwise."""
    if name not in ACTIVATION_INFO:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
    return name


def check_kernel(kernel) -> np.ndarray:
    """A hand-made kernel as float32 (kh, kw), 1×1 to 15×15, finite. Raises ValueError naming what was given."""
    k = np.asarray(kernel, dtype=np.float32)
    if k.ndim != 2 or not (1 <= k.shape[0] <= 15 and 1 <= k.shape[1] <= 15):
        raise ValueError(f"kernel must be a 2-D array from 1×1 to 15×15, got shape {k.shape}")
    if not np.isfinite(k).all():
        raise ValueError("kernel contains NaN or infinite values")
    return k


def check_int(value, name: str, low: int, high: int) -> int:
    """An integer (not a bool) from ``low`` to ``high`` inclusive, as int; raises ValueError otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}, got {value!r}")
    return int(value)


def check_seed(seed) -> int:
    """A seed for Keras initialisers: an integer from 0 to 2³¹ − 1; raises ValueError otherwise."""
    return check_int(seed, "seed", 0, 2**31 - 1)


def check_padding(padding: str) -> str:
    """``"same"`` or ``"valid"``; raises ValueError otherwise."""
    if padding not in ("same", "valid"):
        raise ValueError(f"padding must be 'same' or 'valid', got {padding!r}")
    return padding


def check_window(height: int, width: int, kernel, padding: str, what: str, *, window: str = "kernel",
                 image: str = "an image") -> None:
    """Raise ImageError, in words, when a ``kernel`` window with ``"valid"`` padding does not fit the image.

    ``kernel``: an int k (k×k) or (kh, kw). ``what`` names the layer, ``window`` the window
    ("kernel", "pool window"), ``image`` what it slides over ("an image", "its input").
    Example: "Conv2D: a 7×7 kernel with 'valid' padding needs an image at least 7 pixels on each
    side; this one is 5×4 (width×height). Use 'same' padding, a smaller kernel or a larger image."
    Nothing is raised for ``"same"`` padding (every size fits).
    """
    kh, kw = (kernel, kernel) if isinstance(kernel, (int, np.integer)) else (int(kernel[0]), int(kernel[1]))
    if padding != "valid" or (height >= kh and width >= kw):
        return
    need = f"at least {kh} pixels on each side" if kh == kw else f"at least {kh} pixels tall and {kw} wide"
    raise ImageError(
        f"{what}: a {kh}×{kw} {window} with 'valid' padding needs {image} {need}; this one is "
        f"{width}×{height} (width×height). Use 'same' padding, a smaller {window} or a larger image."
    )


def check_output(shape: tuple[int, ...], what: str) -> None:
    """Raise ImageError when a layer output of ``shape`` would be empty or over MAX_OUTPUT_ELEMENTS.

    The message for an empty output never quotes a negative size (sizes below 1 read as 0).
    """
    if min(shape) < 1:
        size = "×".join(str(max(int(v), 0)) for v in shape[:2])
        raise ImageError(f"{what} would leave no pixels (a {size} output): the image is smaller than the "
                         "window; use a larger image or 'same' padding")
    if math.prod(shape) > MAX_OUTPUT_ELEMENTS:
        raise ImageError(
            f"{what} would be too large ({'×'.join(map(str, shape))} values); use a smaller image or settings"
        )


def channels(space: str) -> int:
    """Channels of ``space``: 1 for luminance, else 3."""
    return 1 if space == "luminance" else 3


def conv_out(size: int, kernel: int, strides: int, padding: str) -> int:
    """Output length of a convolution or pooling along one axis (Keras' rule)."""
    return -(-size // strides) if padding == "same" else (size - kernel) // strides + 1


def transpose_out(size: int, kernel: int, strides: int, padding: str) -> int:
    """Output length of Conv2DTranspose along one axis (Keras' rule, no output_padding)."""
    return size * strides if padding == "same" else size * strides + max(kernel - strides, 0)
