"""Shared tiny inputs and independent NumPy references for the vizcore.layers tests.

Every reference here is written from the layer's definition (TF's padding rules, Keras'
correlation, a scatter-add transposed convolution), not from vizcore's code.
"""
from __future__ import annotations

import numpy as np

__all__ = ["RNG", "A8", "B8", "A4", "B4", "ODD", "TOL", "NP_MERGE", "np_pool", "blocks", "np_correlate", "glorot",
           "np_transpose"]

RNG = np.random.default_rng(20241122)
A8 = RNG.random((8, 8, 3), dtype=np.float32)
B8 = RNG.random((8, 8, 3), dtype=np.float32)
A4 = RNG.random((4, 4, 3), dtype=np.float32)
B4 = RNG.random((4, 4, 3), dtype=np.float32)
ODD = RNG.random((5, 7, 3), dtype=np.float32)
TOL = dict(rtol=1e-5, atol=2e-6)


NP_MERGE = {
    "Add": lambda x, y: x + y,
    "Subtract": lambda x, y: x - y,
    "Multiply": lambda x, y: x * y,
    "Average": lambda x, y: (x + y) / 2,
    "Maximum": np.maximum,
    "Minimum": np.minimum,
    "Concatenate": lambda x, y: np.concatenate([x, y], axis=-1),
}


def np_pool(x: np.ndarray, k: int, s: int, kind: str, padding: str = "same") -> tuple[np.ndarray, int, int]:
    """TF-style pooling of (H, W, C): SAME pads (total // 2 before), averages ignore padding."""
    h, w, _ = x.shape
    if padding == "same":
        oh, ow = -(-h // s), -(-w // s)
        ph = max((oh - 1) * s + k - h, 0) // 2
        pw = max((ow - 1) * s + k - w, 0) // 2
    else:
        oh, ow, ph, pw = (h - k) // s + 1, (w - k) // s + 1, 0, 0
    out = np.zeros((oh, ow, x.shape[2]), np.float32)
    for i in range(oh):
        for j in range(ow):
            r0, c0 = max(i * s - ph, 0), max(j * s - pw, 0)
            block = x[r0: i * s - ph + k, c0: j * s - pw + k]
            out[i, j] = block.max(axis=(0, 1)) if kind == "max" else block.mean(axis=(0, 1))
    return out, ph, pw


def np_correlate(x: np.ndarray, kernel: np.ndarray, stride: int, padding: str) -> np.ndarray:
    """Keras Conv2D with one 2-D kernel shared by every channel, summed over channels, no bias."""
    h, w, _ = x.shape
    kh, kw = kernel.shape
    if padding == "same":
        oh, ow = -(-h // stride), -(-w // stride)
        ph = max((oh - 1) * stride + kh - h, 0)
        pw = max((ow - 1) * stride + kw - w, 0)
        x = np.pad(x, ((ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    else:
        oh, ow = (h - kh) // stride + 1, (w - kw) // stride + 1
    out = np.zeros((oh, ow, 1), np.float64)
    for i in range(oh):
        for j in range(ow):
            patch = x[i * stride: i * stride + kh, j * stride: j * stride + kw]
            out[i, j, 0] = np.sum(patch * kernel[:, :, None])
    return out.astype(np.float32)


def glorot(seed: int, shape: tuple[int, ...]) -> np.ndarray:
    import keras

    return np.asarray(keras.initializers.GlorotUniform(seed=seed)(shape))


def blocks(small: np.ndarray, k: int, ph: int, pw: int, h: int, w: int) -> np.ndarray:
    big = np.repeat(np.repeat(small, k, axis=0), k, axis=1)
    return big[ph: ph + h, pw: pw + w]


def np_transpose(x: np.ndarray, kernel: np.ndarray, s: int, padding: str) -> np.ndarray:
    """Scatter-add reference of Conv2DTranspose; kernel (k, k, filters, C)."""
    h, w, _ = x.shape
    k = kernel.shape[0]
    # Room for every stamp; when k < s the last stamps leave a gap up to h·s.
    full = np.zeros((max((h - 1) * s + k, h * s), max((w - 1) * s + k, w * s), kernel.shape[2]))
    for i in range(h):
        for j in range(w):
            full[i * s: i * s + k, j * s: j * s + k] += np.einsum("abfc,c->abf", kernel, x[i, j])
    if padding == "valid":
        oh, ow = h * s + max(k - s, 0), w * s + max(k - s, 0)
        out = np.zeros((oh, ow, kernel.shape[2]))
        out[: full.shape[0], : full.shape[1]] = full[:oh, :ow]
        return out
    crop = max(k - s, 0) // 2
    return full[crop: crop + h * s, crop: crop + w * s]
