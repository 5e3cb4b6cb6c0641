"""What a classifier predicts: scores to probabilities, and the k most likely classes."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..errors import ModelError

__all__ = ["softmax", "as_probabilities", "top_k"]


def softmax(scores, *, axis: int = -1) -> np.ndarray:
    """Softmax of raw scores (logits) along `axis`: exp(s - max) / sum, so large scores do not
    overflow. scores: any float array with at least one value on `axis`. Returns float64 of the
    same shape, each slice along `axis` non-negative and adding up to 1. Raises ModelError for
    an empty array.
    """
    s = np.asarray(scores, dtype=np.float64)
    if s.size == 0:
        raise ModelError(f"expected at least one score, got shape {s.shape}")
    exp = np.exp(s - s.max(axis=axis, keepdims=True))
    return exp / exp.sum(axis=axis, keepdims=True)


def as_probabilities(scores, *, tolerance: float = 1e-3) -> tuple[np.ndarray, bool]:
    """A model's output row as probabilities, and whether a softmax had to be applied.

    scores: (n,) float. Already probabilities (none negative, total within `tolerance` of 1):
    returned as they are (float64). Otherwise they are raw scores (logits) and their
    :func:`softmax` is returned. Returns (float64 (n,), True when the softmax was applied).
    Raises ModelError for an empty or non-1-D input.
    """
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim != 1 or s.size == 0:
        raise ModelError(f"expected one row of scores (n,), got shape {s.shape}")
    if s.min() < 0 or abs(s.sum() - 1.0) > tolerance:
        return softmax(s), True
    return s, False


def top_k(probabilities, labels: Sequence[str], k: int = 5) -> list[tuple[str, float]]:
    """[(label, probability), ...] for the k largest, highest first (ties: lower index first).

    probabilities: (n,) or (1, n). labels: n names. Raises ModelError if they disagree.
    """
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim == 2 and p.shape[0] == 1:
        p = p[0]
    if p.ndim != 1:
        raise ModelError(f"expected one row of probabilities, got shape {np.shape(probabilities)}")
    if len(labels) != p.shape[0]:
        raise ModelError(f"got {p.shape[0]} probabilities but {len(labels)} labels")
    order = np.argsort(-p, kind="stable")[: max(0, int(k))]
    return [(str(labels[i]), float(p[i])) for i in order]
