"""One-pass feature extraction: every leaf layer's output from ONE forward pass.

:func:`build_extractor` traces a model once (nested models unfolded, see :mod:`.trace`) and
builds one multi-output ``keras.Model`` over every leaf layer; ``activations(batch)`` then runs
it once. The extractor also gives gradient code (Grad-CAM, patterns) the traced graph:
:meth:`FeatureExtractor.node`, :attr:`FeatureExtractor.input_tensor`, :meth:`submodel`.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..errors import ModelError
from .summary import Summary, summary_of_trace
from .trace import Node, tensor_shape, trace_model

__all__ = ["FeatureExtractor", "build_extractor"]


class FeatureExtractor:
    """Every leaf layer's output from one forward pass.

    Attributes: ``source`` (the model), ``model`` (the multi-output keras.Model: input -> every
    leaf output, in call order), ``layer_names`` (paths, same order), ``input_shape`` (H, W, C),
    ``input_tensor`` (the traced keras.Input), ``output_tensor`` (the traced model output),
    ``summary`` (:class:`~vizcore.features.summary.Summary`). Build once per model and cache it.
    Raises ModelError (from the constructor) when the model cannot be traced.
    """

    def __init__(self, model, *, input_shape=None):
        import keras
        import tensorflow as tf

        inp, out, nodes = trace_model(model, input_shape)
        self.source = model
        self.input_shape = tensor_shape(inp)
        self.layer_names: tuple[str, ...] = tuple(n.path for n in nodes)
        self._nodes = {n.path: n for n in nodes}
        self._index = {n.path: i for i, n in enumerate(nodes)}
        self.summary: Summary = summary_of_trace(model, inp, nodes)
        self.input_tensor = inp
        self.output_tensor = out
        self.model = keras.Model(inp, [n.tensor for n in nodes], name=f"{model.name}_features")
        self._forward = tf.function(lambda x: self.model(x, training=False), reduce_retracing=True)

    def node(self, name: str) -> Node:
        """The traced :class:`~vizcore.features.trace.Node` at path `name`.
        Raises ModelError naming the first layers when there is no such layer."""
        try:
            return self._nodes[name]
        except KeyError:
            shown = ", ".join(self.layer_names[:8])
            raise ModelError(f"no layer called {name!r} in model {self.source.name!r}; "
                             f"layers are: {shown}{' ...' if len(self.layer_names) > 8 else ''}") from None

    def layer(self, name: str):
        """The Keras layer object at `name` (a path). Raises ModelError naming the choices."""
        return self.node(name).layer

    def output_shape(self, name: str) -> tuple:
        """Output shape of layer `name` without the batch axis. Raises ModelError for an unknown name."""
        return tensor_shape(self.node(name).tensor)

    def check_batch(self, batch) -> np.ndarray:
        """batch as float32 (N, H, W, C) matching the input; raises ModelError naming the shape."""
        arr = np.asarray(batch, dtype=np.float32)
        want = self.input_shape
        ok = arr.ndim == len(want) + 1 and all(w is None or w == g for w, g in zip(want, arr.shape[1:]))
        if not ok:
            shown = "(N, " + ", ".join("any" if d is None else str(d) for d in want) + ")"
            raise ModelError(f"expected a batch shaped {shown} for model {self.source.name!r}, got {arr.shape}")
        return arr

    def activations(self, batch, *, layers: Sequence[str] | None = None) -> dict[str, np.ndarray]:
        """{layer path: output array with the batch axis kept} from ONE forward pass (inference mode).

        batch: (N, H, W, C) float32 matching ``input_shape``. layers: keep only these paths
        (all are computed anyway in the same pass). Raises ModelError for a wrong batch shape or
        an unknown layer name.
        """
        arr = self.check_batch(batch)
        wanted = self.layer_names if layers is None else tuple(layers)
        for name in wanted:
            self.node(name)
        outs = self._forward(arr)
        if not isinstance(outs, (list, tuple)):  # a one-layer model returns a bare tensor
            outs = [outs]
        return {name: np.asarray(outs[self._index[name]]) for name in wanted}

    def submodel(self, name: str):
        """keras.Model from the input to the output of layer `name` (for gradients)."""
        import keras

        return keras.Model(self.input_tensor, self.node(name).tensor)

    def default_cam_layer(self) -> str:
        """The last layer with a spatial (H, W, C) output whose type is a convolution; else the
        last spatial one. Raises ModelError if the model has no spatial layer."""
        spatial = [n for n in self._nodes.values() if len(tensor_shape(n.tensor)) == 3]
        if not spatial:
            raise ModelError(f"model {self.source.name!r} has no layer with (H, W, C) maps for Grad-CAM")
        convs = [n for n in spatial if "Conv" in type(n.layer).__name__ and "Transpose" not in type(n.layer).__name__]
        return (convs or spatial)[-1].path

    def final_node(self) -> Node:
        """The node of the last layer called (the model's output layer)."""
        return self._nodes[self.layer_names[-1]]


def build_extractor(model, *, input_shape=None) -> FeatureExtractor:
    """A :class:`FeatureExtractor` for `model` (see there). Raises ModelError if it cannot be traced."""
    return FeatureExtractor(model, input_shape=input_shape)
