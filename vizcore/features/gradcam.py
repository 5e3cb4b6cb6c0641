"""Grad-CAM: where in the picture a classifier found the evidence for one class
(Selvaraju et al. 2017), computed on the extractor's traced graph."""
from __future__ import annotations

import numpy as np

from .. import render
from ..errors import ModelError
from .extract import FeatureExtractor, build_extractor
from .trace import tensor_shape

__all__ = ["grad_cam"]


def grad_cam(model, batch, *, class_index: int, layer_name: str | None = None,
             extractor: FeatureExtractor | None = None) -> np.ndarray:
    """Grad-CAM: where in the picture the evidence for one class is.

    batch: (1, H, W, C) the model's input. class_index: which output unit. layer_name: the
    layer whose maps are weighted (default: the last convolution). Each map is weighted by the
    mean gradient of the class score over it, summed, ReLU'd, resized (bilinear) to (H, W) and
    divided by its maximum. When the model ends in a softmax Dense layer, the score is that
    layer's logit (pre-softmax), as in the Grad-CAM paper. Returns (H, W) float32 in [0, 1]
    (all zeros if nothing supports the class). Raises ModelError for a bad batch, class index or layer.
    """
    import keras
    import tensorflow as tf

    ex = extractor if extractor is not None else build_extractor(model)
    arr = ex.check_batch(batch)
    if arr.shape[0] != 1:
        raise ModelError(f"expected a batch of one image, got {arr.shape[0]}")
    name = layer_name or ex.default_cam_layer()
    node = ex.node(name)
    if len(tensor_shape(node.tensor)) != 3:
        raise ModelError(f"layer {name!r} has output {tensor_shape(node.tensor)}, not (H, W, C) maps")
    final = ex.final_node()
    layer = final.layer
    use_logits = (
        type(layer).__name__ == "Dense"
        and getattr(layer, "activation", None) is keras.activations.softmax
        and len(final.inputs) == 1
    )
    score_tensor = final.inputs[0] if use_logits else final.tensor
    n_out = tensor_shape(final.tensor)[-1]
    if not 0 <= int(class_index) < n_out:
        raise ModelError(f"model has {n_out} outputs (0..{n_out - 1}), got class {class_index}")
    grad_model = keras.Model(ex.input_tensor, [node.tensor, score_tensor])
    x = tf.constant(arr)
    with tf.GradientTape() as tape:
        maps, out = grad_model(x, training=False)
        tape.watch(maps)
        if use_logits:
            out = tf.matmul(out, layer.kernel) + (layer.bias if layer.bias is not None else 0.0)
        score = tf.reshape(out, (1, -1))[0, int(class_index)]
    grads = tape.gradient(score, maps)
    if grads is None:
        raise ModelError(f"the class score does not depend on layer {name!r}; choose an earlier layer")
    weights = tf.reduce_mean(grads, axis=(1, 2), keepdims=True)
    cam = tf.nn.relu(tf.reduce_sum(weights * maps, axis=-1))[0].numpy()
    cam = render.resize_2d(cam, arr.shape[1], arr.shape[2])
    cam = np.maximum(cam, 0.0)
    top = float(cam.max())
    return (cam / top if top > 0 else np.zeros_like(cam)).astype(np.float32)
