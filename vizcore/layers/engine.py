"""The engine: built Keras layers and traced graphs, cached, run under one lock.

* :data:`CACHE` (a bounded :class:`vizcore.cache.BoundedCache`) keeps built layers and
  ``tf.function`` graphs per configuration. Graphs have an input signature with ``None``
  spatial sizes, so a new image size does not retrace, and no AutoGraph.
* A :class:`Slot` is a built layer with weights; a new seed or hand-made kernel is assigned
  to its weights instead of building a new layer. Same seed, same weights as a fresh layer
  with ``GlorotUniform(seed)`` and a zero bias.
* :data:`LOCK` serialises every TensorFlow call: assigning a seed's weights and running the
  graph that reads them must not interleave between threads (Streamlit sessions).
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable

import keras
import numpy as np
import tensorflow as tf

from ..cache import BoundedCache
from .display import tf_show
from .tfcolor import tf_to_space

__all__ = ["LOCK", "CACHE", "cached", "Slot", "slot", "stateless", "traced", "run_slot"]


class _QuietRetracing(logging.Filter):
    """Drop TF's "N out of the last N calls ... triggered tf.function retracing" warning.

    It counts traces across all tf.functions made from one code location; each of
    our cached graphs is traced once per configuration, which is intended.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "triggered tf.function retracing" not in record.getMessage()


tf.get_logger().addFilter(_QuietRetracing())

#: The one lock around every TensorFlow call of vizcore.layers and vizcore.sheet (re-entrant).
LOCK = threading.RLock()
#: Built layers and traced graphs, least recently used dropped first past 256 entries.
CACHE = BoundedCache(256)


def cached(key: tuple, make: Callable[[], Any]) -> Any:
    """The cached value for ``key``, built with ``make()`` on a miss (under :data:`LOCK`, so once)."""
    with LOCK:
        return CACHE.get_or_make(key, make)


class Slot:
    """A built Keras layer plus the key of the weights currently assigned to it.

    Set its weights (under :data:`LOCK`) right before running a graph that reads them.
    """

    def __init__(self, layer: keras.layers.Layer, input_shape: tuple):
        self.layer = layer
        layer.build(input_shape)
        self.weights_key: Any = None

    def set_seed(self, seed: int) -> None:
        """Give the layer the weights a fresh layer with GlorotUniform(seed) would get."""
        key = ("seed", seed)
        if self.weights_key == key:
            return
        init = keras.initializers.GlorotUniform(seed=seed)
        values = []
        for var in self.layer.weights:
            if var.path.endswith("kernel"):
                values.append(init(tuple(var.shape)))
            else:  # bias: keras' default zeros initialiser
                values.append(np.zeros(var.shape, np.float32))
        self.layer.set_weights([np.asarray(v) for v in values])
        self.weights_key = key

    def set_kernel(self, kernel: np.ndarray) -> None:
        """Use a hand-made 2-D kernel (kh, kw) for every input channel (layer without bias)."""
        key = ("kernel", kernel.shape, kernel.tobytes())
        if self.weights_key == key:
            return
        in_channels = self.layer.weights[0].shape[2]
        full = np.repeat(kernel[:, :, None, None], in_channels, axis=2).astype(np.float32)
        self.layer.set_weights([full])
        self.weights_key = key


def slot(kind: str, in_shape: tuple, **config) -> Slot:
    """A cached, built layer: ``kind`` is a keras.layers class name, ``config`` its kwargs."""
    key = ("layer", kind, in_shape, tuple(sorted(config.items())))
    return cached(key, lambda: Slot(getattr(keras.layers, kind)(**config), in_shape))


def stateless(kind: str, **config) -> keras.layers.Layer:
    """A cached layer without weights (merge, pooling, activation)."""
    key = ("stateless", kind, tuple(sorted(config.items())))
    return cached(key, lambda: getattr(keras.layers, kind)(**config))


def traced(key: tuple, body: Callable, n_inputs: int = 1) -> Callable:
    """A cached tf.function of ``body`` taking ``n_inputs`` RGB images (None, None, 3).

    ``key`` must name everything the body captures; layers with weights by ``id(slot)``,
    so a graph never outlives the slot whose weights the caller sets (the cached graph
    keeps that slot alive, so its id cannot be reused meanwhile).
    """
    spec = [tf.TensorSpec((None, None, 3), tf.float32)] * n_inputs
    # No AutoGraph: the bodies have no tensor-dependent Python control flow, and converting
    # every Keras layer's source was most of the tracing time.
    return cached(("fn", *key), lambda: tf.function(body, input_signature=spec, autograph=False))


def run_slot(kind: str, layer_slot: Slot, image: np.ndarray, *, activation: str, mode: str, space: str,
             seed: int, kernel: np.ndarray | None = None):
    """One cached weighted layer then its activation, through the panel's cached traced graph.

    ``image``: checked RGB float32 (H, W, 3). The slot's weights are set (seeded, or the
    hand-made ``kernel``) and the graph run under :data:`LOCK`. Returns (output, shown, lo, hi)
    tensors as :func:`~vizcore.layers.display.tf_show` gives them, output (1, H', W', k).
    """
    act = stateless("Activation", activation=activation)

    def body(img):
        z = layer_slot.layer(tf_to_space(img[None], space))
        y = act(z)
        shown, lo, hi = tf_show(z, y, activation, mode)
        return y, shown, lo, hi

    fn = traced((kind, id(layer_slot), activation, mode, space), body)
    with LOCK:
        if kernel is None:
            layer_slot.set_seed(seed)
        else:
            layer_slot.set_kernel(kernel)
        return fn(tf.constant(image))
