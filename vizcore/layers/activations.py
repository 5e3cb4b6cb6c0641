"""Activations as curves: what each ``keras.activations`` function does to a range of inputs."""
from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from .checks import check_activation
from .engine import LOCK

__all__ = ["activation_curve"]


def activation_curve(name: str, *, x=None) -> tuple[np.ndarray, np.ndarray]:
    """The curve of an activation as data for plotting, computed by ``keras.activations``.

    ``x``: 1-D inputs (default 201 points from −5 to 5). Returns ``(x, y)``,
    both float32 1-D arrays. Raises ValueError for a name not in ACTIVATIONS.
    """
    check_activation(name)
    xs = np.linspace(-5.0, 5.0, 201, dtype=np.float32) if x is None else np.asarray(x, np.float32)
    if xs.ndim != 1:
        raise ValueError(f"x must be 1-D, got shape {xs.shape}")
    with LOCK:
        ys = np.asarray(keras.activations.get(name)(tf.constant(xs)), dtype=np.float32)
    return xs, ys
