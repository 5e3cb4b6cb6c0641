"""Grad-CAM: where in the picture a classifier found the evidence for one class
(Selvaraju et al. 2017), computed by one traced TensorFlow step per (model, layer).

The step is a ``tf.function`` over a two-output ``keras.Model`` (input -> the layer's maps and
the class scores) that differentiates the score with respect to the layer's maps only: no
weight is watched, nothing below the layer is differentiated, and the forward and backward
passes run as one graph. It is built on first use and kept in a
:class:`vizcore.cache.BoundedCache`, so every later class, picture and call of the same
(model, layer) reuses it.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .. import render
from ..cache import BoundedCache
from ..errors import ModelError
from .extract import FeatureExtractor, build_extractor
from .trace import tensor_shape

__all__ = ["grad_cam"]


@dataclass(frozen=True)
class _CamStep:
    """A traced Grad-CAM step and what is needed to call it safely."""

    step: Callable  # (x (1, H, W, C) float32, class index int32) -> (h, w) float32 before resizing
    extractor: FeatureExtractor
    layer_name: str
    n_out: int


# (weakref to the model or extractor, layer name or None for the default) -> _CamStep. The weak
# reference in the key means a new model never meets the step of a dead one that had the same id
# (the cached step holds its model, so a live key's model stays alive while it is cached).
_STEPS = BoundedCache(16)


def _uses_logits(final) -> bool:
    """True when the model ends in a softmax Dense layer: its logits are the class score."""
    import keras

    layer = final.layer
    return (type(layer).__name__ == "Dense"
            and getattr(layer, "activation", None) is keras.activations.softmax
            and len(final.inputs) == 1)


def _make_step(ex: FeatureExtractor, layer_name: str | None) -> _CamStep:
    import keras
    import tensorflow as tf

    name = layer_name or ex.default_cam_layer()
    node = ex.node(name)
    if len(tensor_shape(node.tensor)) != 3:
        raise ModelError(f"layer {name!r} has output {tensor_shape(node.tensor)}, not (H, W, C) maps")
    final = ex.final_node()
    dense = final.layer
    use_logits = _uses_logits(final)
    n_out = tensor_shape(final.tensor)[-1]
    both = keras.Model(ex.input_tensor, [node.tensor, final.inputs[0] if use_logits else final.tensor])

    @tf.function(reduce_retracing=True)
    def step(x, class_index):
        maps, out = both(x, training=False)
        if use_logits:  # the softmax's input, recomputed from the same kernel and bias
            out = tf.matmul(out, dense.kernel)
            if dense.bias is not None:
                out = out + dense.bias
        score = tf.gather(tf.reshape(out, (1, -1))[0], class_index)
        # a symbolic gradient in the traced graph: exactly the operations between the layer's
        # maps and the score, nothing below the layer and no weight (a tape would have to watch
        # the input or the weights, since the maps are made inside the same model call)
        grads = tf.gradients(score, maps)[0]
        if grads is None:
            raise ModelError(f"the class score does not depend on layer {name!r}; choose an earlier layer")
        weights = tf.reduce_mean(grads, axis=(1, 2), keepdims=True)
        return tf.nn.relu(tf.reduce_sum(weights * maps, axis=-1))[0]

    h, w, c = ex.input_shape
    # trace now, so a layer the score does not depend on is refused before anything is cached
    step.get_concrete_function(tf.TensorSpec((1, h, w, c), tf.float32), tf.TensorSpec((), tf.int32))
    return _CamStep(step=step, extractor=ex, layer_name=name, n_out=int(n_out))


def _cam_step(model, layer_name: str | None, extractor: FeatureExtractor | None) -> _CamStep:
    owner = extractor if extractor is not None else model
    key = (weakref.ref(owner), layer_name)
    return _STEPS.get_or_make(
        key, lambda: _make_step(extractor if extractor is not None else build_extractor(model), layer_name))


def grad_cam(model, batch, *, class_index: int, layer_name: str | None = None,
             extractor: FeatureExtractor | None = None) -> np.ndarray:
    """Grad-CAM: where in the picture the evidence for one class is.

    batch: (1, H, W, C) the model's input. class_index: which output unit. layer_name: the
    layer whose maps are weighted (default: the last convolution). Each map is weighted by the
    mean gradient of the class score over it, summed, ReLU'd, resized (bilinear) to (H, W) and
    divided by its maximum. When the model ends in a softmax Dense layer, the score is that
    layer's logit (pre-softmax), as in the Grad-CAM paper. extractor: the model's
    :class:`FeatureExtractor` when the caller has one (else one is built on first use).
    The traced step is cached per (model or extractor, layer): later calls cost one forward
    pass and the backward pass from the score down to the layer.
    Returns (H, W) float32 in [0, 1] (all zeros if nothing supports the class). Raises
    ModelError for a bad batch, class index or layer.
    """
    import tensorflow as tf

    cam_step = _cam_step(model, layer_name, extractor)
    arr = cam_step.extractor.check_batch(batch)
    if arr.shape[0] != 1:
        raise ModelError(f"expected a batch of one image, got {arr.shape[0]}")
    n_out = cam_step.n_out
    if not 0 <= int(class_index) < n_out:
        raise ModelError(f"model has {n_out} outputs (0..{n_out - 1}), got class {class_index}")
    cam = cam_step.step(tf.constant(arr), tf.constant(int(class_index), tf.int32)).numpy()
    cam = render.resize_2d(cam, arr.shape[1], arr.shape[2])
    cam = np.maximum(cam, 0.0)
    top = float(cam.max())
    return (cam / top if top > 0 else np.zeros_like(cam)).astype(np.float32)
