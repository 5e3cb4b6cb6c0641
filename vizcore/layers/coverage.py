"""How Conv2DTranspose's stamps cover the output: the counts behind its checkerboard (NumPy only).

A ``Conv2DTranspose`` with kernel k and strides s puts one k×k stamp per input pixel, one every
s output pixels. Away from the border, output row ``y`` is covered by the stamps whose rows
start at ``y − j`` for the kernel rows ``j`` with ``j ≡ y (mod s)``: ``len(range(y mod s, k, s))``
of them. The same holds for columns, so the count repeats in s×s blocks and is the product of
the row and column counts. When s divides k every pixel is covered k²/s² times; otherwise the
counts differ from pixel to pixel (a checkerboard); when k < s some pixels are covered by no
stamp at all (gaps).

    >>> coverage_counts(3, 2).tolist()
    [[4, 2], [2, 1]]
"""
from __future__ import annotations

import numpy as np

from .checks import check_int, check_padding, transpose_out

__all__ = ["coverage_counts", "coverage_map", "coverage_text", "transpose_size_text"]


def _axis_counts(k: int, s: int) -> np.ndarray:
    """Stamps covering each of the s phases along one axis, away from the border: (s,) int64."""
    return np.array([len(range(r, k, s)) for r in range(s)], dtype=np.int64)


def coverage_counts(kernel_size: int, strides: int) -> np.ndarray:
    """Stamps covering each position of one s×s block of the output interior: (s, s) int64.

    ``[i, j]`` is for the output pixels whose row is ``i`` and column ``j`` modulo ``strides``
    (the first stamp starts at (0, 0)). Raises ValueError for a kernel size outside 1..16 or
    strides outside 1..8 (the ranges :func:`~vizcore.layers.conv2d_transpose` takes).
    """
    k = check_int(kernel_size, "kernel_size", 1, 16)
    s = check_int(strides, "strides", 1, 8)
    axis = _axis_counts(k, s)
    return np.outer(axis, axis)


def coverage_map(height: int, width: int, kernel_size: int, strides: int, *, padding: str = "valid") -> np.ndarray:
    """Stamps covering every output pixel of a Conv2DTranspose on an ``height``×``width`` input: int64 (Ho, Wo).

    Made by adding one k×k stamp of ones per input pixel (so it equals the layer's output for an
    all-ones input, an all-ones kernel and no bias). ``"valid"`` keeps every stamp whole
    (``H·s + max(k − s, 0)`` rows); ``"same"`` crops that to ``H·s`` rows, dropping
    ``max(k − s, 0) // 2`` rows at the top and the rest at the bottom (likewise for columns), as
    Keras does. Raises ValueError for sizes below 1 or a bad padding.
    """
    h = check_int(height, "height", 1, 4096)
    w = check_int(width, "width", 1, 4096)
    k = check_int(kernel_size, "kernel_size", 1, 16)
    s = check_int(strides, "strides", 1, 8)
    check_padding(padding)
    full = np.zeros(((h - 1) * s + max(k, s), (w - 1) * s + max(k, s)), dtype=np.int64)
    for i in range(h):
        for j in range(w):
            full[i * s:i * s + k, j * s:j * s + k] += 1
    ho, wo = transpose_out(h, k, s, padding), transpose_out(w, k, s, padding)
    if padding == "valid":
        return full[:ho, :wo]
    top, left = max(k - s, 0) // 2, max(k - s, 0) // 2
    return full[top:top + ho, left:left + wo]


def _times(n: int) -> str:
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def coverage_text(kernel_size: int, strides: int) -> str:
    """One or two sentences on how the stamps cover the output, with the counts of :func:`coverage_counts`.

    E.g. ``"k=3, s=2: output pixels are covered 1, 2 or 4 times → checkerboard (uneven overlap)."``
    For even coverage with strides > 1 it adds that any s×s pattern left comes from the kernel's
    weights, not from the overlap (each position of a block sums different weights).
    """
    k, s = int(kernel_size), int(strides)
    counts = sorted(set(coverage_counts(k, s).ravel().tolist()))
    head = f"k={k}, s={s}: "
    if s == 1:
        return (head + f"every output pixel away from the border is covered {_times(counts[0])}: an ordinary "
                "convolution, no upsampling and no checkerboard.")
    weights = (f" Even so, each of the {s}×{s} positions of a block gets different weights of this random "
               f"kernel, so a pattern repeating every {s} pixels can remain: it comes from the weights, not "
               "from the overlap.")
    if len(counts) == 1:
        how = "no overlap" if counts[0] == 1 else "even overlap"
        return head + f"every output pixel is covered {_times(counts[0])} ({how})." + weights
    listed = ", ".join(str(c) for c in counts[:-1]) + f" or {counts[-1]}"
    if counts[0] == 0:
        return (head + f"output pixels are covered {listed} times → gaps: the kernel is smaller than the stride, "
                "so pixels no stamp reaches stay at the bias (0 before the activation).")
    return head + f"output pixels are covered {listed} times → checkerboard (uneven overlap)."


def transpose_size_text(height: int, kernel_size: int, strides: int, padding: str) -> str:
    """The output-size rule of Conv2DTranspose worked out for an input ``height`` rows high (one sentence)."""
    h, k, s = int(height), int(kernel_size), int(strides)
    check_padding(padding)
    if padding == "same":
        return f"With padding “same” the output is input × strides: {h} × {s} = {transpose_out(h, k, s, padding)}."
    return (f"With padding “valid” every stamp is kept whole: input × strides + max(k − s, 0) = "
            f"{h} × {s} + {max(k - s, 0)} = {transpose_out(h, k, s, padding)}.")
