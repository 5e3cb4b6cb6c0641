"""The description every offered model shares, so pages can treat them alike."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

__all__ = ["ModelSpec"]


@dataclass(frozen=True)
class ModelSpec:
    """One model the app can offer.

    key:        short stable id used in URLs ("digits", "conv_pool", "autoencoder", "hed",
                "mobilenet_v2", "vgg16").
    title:      human name shown in the page.
    description: one or two sentences: what it was trained on, what it does.
    load:       () -> keras.Model; may raise vizcore.ModelError (e.g. weights not available
                offline). Pages cache the result with st.cache_resource.
    preprocess: (RGB float32 (H, W, 3) in [0, 1]) -> (1, h, w, c) float32 batch the model takes.
    available:  () -> (bool, message): False with a plain how-to-get-it message when the model
                cannot be used here (e.g. ImageNet weights not in the local Keras cache).
    labels:     class names for classifiers, else None.
    decode:     (model output batch) -> [(label, probability), ...] sorted, for classifiers.
    input_size: (height, width) the model expects, or None if any size works.
    channels:   1 or 3 input channels.
    """

    key: str
    title: str
    description: str
    load: Callable[[], object]
    preprocess: Callable[[np.ndarray], np.ndarray]
    available: Callable[[], tuple[bool, str]] = lambda: (True, "")
    labels: tuple[str, ...] | None = None
    decode: Callable[[np.ndarray], list[tuple[str, float]]] | None = None
    input_size: tuple[int, int] | None = None
    channels: int = 3
    tags: tuple[str, ...] = field(default_factory=tuple)
