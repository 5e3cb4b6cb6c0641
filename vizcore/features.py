"""What a trained model sees: activations of every layer, filters, patterns, predictions.

Everything a model page needs, for any Keras model (shipped or uploaded):

* :func:`build_extractor` -> :class:`FeatureExtractor`: ONE multi-output ``keras.Model`` over every
  layer, nested models unfolded ("mobilenetv2_1.00_224/block_1_expand"), built once (cache it);
  ``extractor.activations(batch)`` returns every layer's output from ONE forward pass.
* :func:`model_summary`: layer name, type, output shape, parameters, activation memory per image,
  receptive field; totals trainable / non-trainable.
* :func:`feature_grid`, :func:`overlay`, :func:`strongest_maps`: pictures of activations.
* :func:`layer_filters`, :func:`filters_grid`: what the kernels look like.
* :func:`filter_pattern`: an input that excites one filter (gradient ascent, seeded, jittered).
* :func:`top_k`, :func:`grad_cam`: what a classifier predicts and where it looked.
* :func:`adapt_image`: fit any RGB picture to a model's input (size, channels, value range).

Images are (H, W, 3) float32 in [0, 1] as everywhere in vizcore. Errors a user can cause are
:class:`vizcore.ModelError` / :class:`vizcore.ImageError` with a message that names what was received.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from . import render
from .errors import ImageError, ModelError
from .render import feature_grid, overlay

__all__ = [
    "SummaryRow",
    "Summary",
    "model_summary",
    "FeatureExtractor",
    "build_extractor",
    "feature_grid",
    "overlay",
    "strongest_maps",
    "layer_filters",
    "filters_grid",
    "filter_pattern",
    "top_k",
    "grad_cam",
    "adapt_image",
]


# --------------------------------------------------------------------------------------------
# Tracing a model into leaf layers (nested models unfolded)
# --------------------------------------------------------------------------------------------

@dataclass
class _Node:
    """One call of one leaf layer in the unfolded graph."""

    path: str  # "block/conv" for a layer inside nested model "block"
    layer: object
    tensor: object  # KerasTensor (single output)
    inputs: list  # KerasTensors the layer was called on (flattened)
    first_call: bool  # False for the 2nd+ call of a shared layer (params counted once)


def _is_keras_tensor(x) -> bool:
    import keras

    return isinstance(x, keras.KerasTensor)


def _flatten(x) -> list:
    if isinstance(x, (list, tuple)):
        return [t for item in x for t in _flatten(item)]
    if isinstance(x, dict):
        return [t for item in x.values() for t in _flatten(item)]
    return [x] if _is_keras_tensor(x) else []


def _is_model(layer) -> bool:
    import keras

    return isinstance(layer, keras.Model)


def _functional_config(model) -> dict | None:
    """get_config() of a functional model (has input_layers), else None."""
    import keras

    if isinstance(model, keras.Sequential):
        return None
    try:
        cfg = model.get_config()
    except Exception:
        return None
    if isinstance(cfg, dict) and "layers" in cfg and "input_layers" in cfg and "output_layers" in cfg:
        return cfg
    return None


def _history_refs(refs) -> list:
    """input_layers / output_layers of a functional config -> list of [name, node, tensor]."""
    if isinstance(refs, (list, tuple)) and len(refs) == 3 and isinstance(refs[0], str):
        return [list(refs)]
    return [list(r) for r in refs]


class _Tracer:
    """Re-calls every leaf layer on fresh symbolic tensors, recording each call as a _Node."""

    def __init__(self):
        self.nodes: list[_Node] = []
        self._seen_layers: set[int] = set()

    def call_leaf(self, layer, args, kwargs, path):
        out = layer(*args, **kwargs)
        first = id(layer) not in self._seen_layers
        self._seen_layers.add(id(layer))
        inputs = _flatten(list(args)) + _flatten(list(kwargs.values()))
        outs = out if isinstance(out, (list, tuple)) else [out]
        for i, t in enumerate(outs):
            name = path if len(outs) == 1 else f"{path}:{i}"
            self.nodes.append(_Node(name, layer, t, inputs, first and i == 0))
        return out

    def run(self, model, inputs, prefix: str):
        """Trace `model` called on `inputs` (KerasTensor or list); returns its outputs."""
        import keras

        if isinstance(model, keras.Sequential):
            x = inputs
            for layer in model.layers:
                path = prefix + layer.name
                if _is_model(layer):
                    x = self.run(layer, x, path + "/")
                else:
                    x = self.call_leaf(layer, (x,), {}, path)
            return x
        cfg = _functional_config(model)
        if cfg is None:
            # subclassed model: a leaf we cannot look inside
            return self.call_leaf(model, (inputs,), {}, prefix.rstrip("/") or model.name)
        return self._run_functional(model, cfg, inputs, prefix)

    def _run_functional(self, model, cfg, inputs, prefix):
        tensors: dict[tuple, object] = {}
        in_refs = _history_refs(cfg["input_layers"])
        given = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        if len(given) != len(in_refs):
            raise ModelError(f"model {model.name!r} expects {len(in_refs)} inputs, got {len(given)}")
        for ref, t in zip(in_refs, given):
            tensors[tuple(ref)] = t

        def resolve(obj):
            if isinstance(obj, dict):
                if obj.get("class_name") == "__keras_tensor__":
                    key = tuple(obj["config"]["keras_history"])
                    if key not in tensors:
                        raise KeyError(key)
                    return tensors[key]
                return {k: resolve(v) for k, v in obj.items()}
            if isinstance(obj, (list, tuple)):
                return type(obj)(resolve(v) for v in obj)
            return obj

        pending = []
        for layer_cfg in cfg["layers"]:
            if layer_cfg.get("class_name") == "InputLayer":
                continue
            for node_index, node in enumerate(layer_cfg.get("inbound_nodes", [])):
                pending.append((layer_cfg["name"], node_index, node))
        while pending:
            progressed = False
            rest = []
            for name, node_index, node in pending:
                try:
                    args = resolve(node.get("args", ()))
                    kwargs = resolve(node.get("kwargs", {}))
                except KeyError:
                    rest.append((name, node_index, node))
                    continue
                layer = model.get_layer(name)
                path = prefix + name + (f"#{node_index}" if node_index else "")
                kwargs = {k: v for k, v in kwargs.items() if k not in ("training",)}
                if _is_model(layer):
                    out = self.run(layer, args[0] if len(args) == 1 else list(args), path + "/")
                else:
                    if "mask" in kwargs and kwargs["mask"] is None:
                        kwargs.pop("mask")
                    out = self.call_leaf(layer, tuple(args), kwargs, path)
                outs = out if isinstance(out, (list, tuple)) else [out]
                for i, t in enumerate(outs):
                    tensors[(name, node_index, i)] = t
                progressed = True
            if not progressed:
                raise ModelError(f"could not trace model {model.name!r}: layers {[p[0] for p in rest][:5]} "
                                 "have inputs that never appear")
            pending = rest
        outs = [tensors[tuple(ref)] for ref in _history_refs(cfg["output_layers"])]
        return outs[0] if len(outs) == 1 else outs


def _model_input_shape(model, input_shape) -> tuple:
    """(H, W, C) (entries may be None) the model takes; raises ModelError if unknown or several."""
    if input_shape is not None:
        return tuple(input_shape)
    try:
        inputs = model.inputs
    except Exception:
        inputs = None
    if inputs:
        if len(inputs) != 1:
            raise ModelError(f"expected a model with one image input, got {len(inputs)} inputs")
        return tuple(inputs[0].shape[1:])
    try:
        shape = model.input_shape
    except Exception:
        shape = None
    if shape is not None and not isinstance(shape, list):
        return tuple(shape[1:])
    raise ModelError(f"model {getattr(model, 'name', model)!r} has no defined input shape yet "
                     "(a Sequential model without keras.Input); pass input_shape=(H, W, C)")


def _trace(model, input_shape=None):
    """-> (input KerasTensor, output, [_Node]) with every leaf layer re-called once."""
    import keras

    if not _is_model(model):
        raise ModelError(f"expected a keras.Model, got {type(model).__name__}")
    shape = _model_input_shape(model, input_shape)
    inp = keras.Input(shape, name="input")
    tracer = _Tracer()
    try:
        out = tracer.run(model, inp, "")
    except ModelError:
        raise
    except Exception as err:  # a layer refusing the traced input, a broken config ...
        raise ModelError(f"could not unfold model {model.name!r} with input shape {shape}: {err}") from err
    if not tracer.nodes:
        raise ModelError(f"model {model.name!r} has no layers to show")
    return inp, out, tracer.nodes


# --------------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------------

def _weights_size(weights) -> int:
    return int(sum(int(np.prod(w.shape)) for w in weights))


def _shape(t) -> tuple:
    return tuple(t.shape[1:])


def _pair(v) -> tuple[int, int]:
    if isinstance(v, (list, tuple)):
        return (int(v[0]), int(v[-1])) if len(v) else (1, 1)
    return (int(v), int(v))


def _receptive_fields(inp, nodes) -> dict[str, tuple | None]:
    """path -> (rf_h, rf_w, jump_h, jump_w) or None where undefined (after Flatten/Dense/global)."""
    rf: dict[int, tuple | None] = {id(inp): (1.0, 1.0, 1.0, 1.0)}
    out: dict[str, tuple | None] = {}
    for node in nodes:
        ins = [rf.get(id(t)) for t in node.inputs]
        value = None
        out_shape = _shape(node.tensor)
        if ins and all(v is not None for v in ins) and len(out_shape) == 3:
            if len(ins) > 1:
                jumps = {(v[2], v[3]) for v in ins}
                value = (max(v[0] for v in ins), max(v[1] for v in ins), *jumps.pop()) if len(jumps) == 1 else None
            else:
                value = _layer_rf(node.layer, ins[0], _shape(node.inputs[0]), out_shape)
        rf[id(node.tensor)] = value
        out[node.path] = value
    return out


def _layer_rf(layer, prev, in_shape, out_shape):
    size_h, size_w, jump_h, jump_w = prev
    cls = type(layer).__name__
    try:
        cfg = layer.get_config()
    except Exception:
        cfg = {}
    if "kernel_size" in cfg and "strides" in cfg:
        kh, kw = _pair(cfg["kernel_size"])
        sh, sw = _pair(cfg["strides"])
        dh, dw = _pair(cfg.get("dilation_rate", 1))
        if "Transpose" in cls:
            # an output pixel sees ceil(k / s) input pixels; the grid gets s times finer
            return (size_h + (math.ceil(kh / sh) - 1) * jump_h, size_w + (math.ceil(kw / sw) - 1) * jump_w,
                    jump_h / sh, jump_w / sw)
        return (size_h + (kh - 1) * dh * jump_h, size_w + (kw - 1) * dw * jump_w, jump_h * sh, jump_w * sw)
    if "pool_size" in cfg:
        ph, pw = _pair(cfg["pool_size"])
        strides = cfg.get("strides") or cfg["pool_size"]
        sh, sw = _pair(strides)
        return (size_h + (ph - 1) * jump_h, size_w + (pw - 1) * jump_w, jump_h * sh, jump_w * sw)
    if cls == "UpSampling2D":
        uh, uw = _pair(cfg.get("size", 2))
        return (size_h, size_w, jump_h / uh, jump_w / uw)
    if cls in ("Cropping2D", "ZeroPadding2D"):
        return prev
    if len(in_shape) == 3 and in_shape[:2] == out_shape[:2]:
        return prev  # per-pixel layers: BatchNorm, activations, Dropout, Dense on pixels, ...
    return None


@dataclass(frozen=True)
class SummaryRow:
    """One leaf layer: name (path for nested layers), type, output shape without the batch axis,
    parameters (all / trainable; 0 for the 2nd call of a shared layer), bytes of its float32
    output per image (None when the model takes any image size), receptive field (height, width) in input pixels or None where undefined."""

    name: str
    type: str
    output_shape: tuple
    params: int
    trainable_params: int
    activation_bytes: int | None
    receptive_field: tuple[int, int] | None

    @property
    def receptive_field_text(self) -> str:
        if self.receptive_field is None:
            return "—"
        h, w = self.receptive_field
        return f"{h}×{w}"


@dataclass(frozen=True)
class Summary:
    """Model summary: rows in call order and totals (as Keras counts them)."""

    model_name: str
    input_shape: tuple
    rows: tuple[SummaryRow, ...]
    total_params: int
    trainable_params: int
    non_trainable_params: int

    @property
    def activation_bytes(self) -> int:
        """Bytes of all layers' float32 outputs for one image (layers of unknown size count 0)."""
        return int(sum(r.activation_bytes or 0 for r in self.rows))

    def table(self) -> list[dict[str, str]]:
        """Rows as display strings (thousands separators, "—"), ready for st.dataframe."""
        return [
            {
                "layer": r.name,
                "type": r.type,
                "output shape": " × ".join("?" if d is None else str(d) for d in r.output_shape),
                "parameters": f"{r.params:,}",
                "trainable": f"{r.trainable_params:,}",
                "activation memory": "—" if r.activation_bytes is None else _human_bytes(r.activation_bytes),
                "receptive field": r.receptive_field_text,
            }
            for r in self.rows
        ]

    def totals_text(self) -> str:
        return (f"Total params: {self.total_params:,} · trainable: {self.trainable_params:,} · "
                f"non-trainable: {self.non_trainable_params:,}")


def _human_bytes(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 ** 2:
        return f"{n / 1024:.1f} KiB"
    return f"{n / 1024 ** 2:.1f} MiB"


def _summary_from(model, inp, nodes) -> Summary:
    rfs = _receptive_fields(inp, nodes)
    rows = []
    for node in nodes:
        shape = _shape(node.tensor)
        known = all(d is not None for d in shape)
        nbytes = int(np.prod(shape)) * 4 if known else None
        params = _weights_size(node.layer.weights) if node.first_call else 0
        trainable = _weights_size(node.layer.trainable_weights) if node.first_call else 0
        rf = rfs.get(node.path)
        rows.append(SummaryRow(
            name=node.path,
            type=type(node.layer).__name__,
            output_shape=shape,
            params=params,
            trainable_params=trainable,
            activation_bytes=nbytes,
            receptive_field=None if rf is None else (int(math.ceil(rf[0])), int(math.ceil(rf[1]))),
        ))
    total = _weights_size(model.weights)
    trainable = _weights_size(model.trainable_weights)
    return Summary(model.name, _shape(inp), tuple(rows), total, trainable, total - trainable)


def model_summary(model, *, input_shape=None) -> Summary:
    """Summary of `model` with nested models unfolded ("base/block_1_expand").

    input_shape: (H, W, C) for a Sequential model built without keras.Input (else ignored if the
    model has one). Activation memory assumes float32 (4 bytes per value) for one image; None
    where a dimension is unknown (models that take any size). Receptive fields follow conv/pool chains (kernel, stride, dilation;
    the largest over merged branches) and are None after Flatten, Dense on vectors or global
    pooling. Raises ModelError for a non-model, several inputs or an unknown input shape.
    """
    inp, _, nodes = _trace(model, input_shape)
    return _summary_from(model, inp, nodes)


# --------------------------------------------------------------------------------------------
# One-pass feature extraction
# --------------------------------------------------------------------------------------------

class FeatureExtractor:
    """Every leaf layer's output from one forward pass.

    Attributes: ``source`` (the model), ``model`` (the multi-output keras.Model: input -> every
    leaf output, in call order), ``layer_names`` (paths, same order), ``input_shape`` (H, W, C),
    ``summary`` (:class:`Summary`). Build once per model and cache it.
    """

    def __init__(self, model, *, input_shape=None):
        import keras
        import tensorflow as tf

        inp, out, nodes = _trace(model, input_shape)
        self.source = model
        self.input_shape = _shape(inp)
        self.layer_names: tuple[str, ...] = tuple(n.path for n in nodes)
        self._nodes = {n.path: n for n in nodes}
        self._index = {n.path: i for i, n in enumerate(nodes)}
        self.summary = _summary_from(model, inp, nodes)
        self._input = inp
        self._output = out
        self.model = keras.Model(inp, [n.tensor for n in nodes], name=f"{model.name}_features")
        self._forward = tf.function(lambda x: self.model(x, training=False), reduce_retracing=True)

    def layer(self, name: str):
        """The Keras layer object at `name` (a path). Raises ModelError naming the choices."""
        return self._node(name).layer

    def _node(self, name: str) -> _Node:
        try:
            return self._nodes[name]
        except KeyError:
            shown = ", ".join(self.layer_names[:8])
            raise ModelError(f"no layer called {name!r} in model {self.source.name!r}; "
                             f"layers are: {shown}{' ...' if len(self.layer_names) > 8 else ''}") from None

    def output_shape(self, name: str) -> tuple:
        return _shape(self._node(name).tensor)

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
            self._node(name)
        outs = self._forward(arr)
        if not isinstance(outs, (list, tuple)):  # a one-layer model returns a bare tensor
            outs = [outs]
        return {name: np.asarray(outs[self._index[name]]) for name in wanted}

    def submodel(self, name: str):
        """keras.Model from the input to the output of layer `name` (for gradients)."""
        import keras

        return keras.Model(self._input, self._node(name).tensor)

    def default_cam_layer(self) -> str:
        """The last layer with a spatial (H, W, C) output whose type is a convolution; else the
        last spatial one. Raises ModelError if the model has no spatial layer."""
        spatial = [n for n in self._nodes.values() if len(_shape(n.tensor)) == 3]
        if not spatial:
            raise ModelError(f"model {self.source.name!r} has no layer with (H, W, C) maps for Grad-CAM")
        convs = [n for n in spatial if "Conv" in type(n.layer).__name__ and "Transpose" not in type(n.layer).__name__]
        return (convs or spatial)[-1].path

    def final_node(self):
        return self._nodes[self.layer_names[-1]]


def build_extractor(model, *, input_shape=None) -> FeatureExtractor:
    """A :class:`FeatureExtractor` for `model` (see there). Raises ModelError if it cannot be traced."""
    return FeatureExtractor(model, input_shape=input_shape)


# --------------------------------------------------------------------------------------------
# Pictures of activations
# --------------------------------------------------------------------------------------------

def strongest_maps(act, k: int = 4) -> np.ndarray:
    """Indices of the k channels with the largest mean activation, strongest first.

    act: (H, W, C), (1, H, W, C), (C,) or (1, C). Returns int array of length min(k, C).
    """
    a = np.asarray(act, dtype=np.float32)
    if a.ndim in (2, 4) and a.shape[0] == 1:
        a = a[0]
    if a.ndim == 3:
        strength = a.reshape(-1, a.shape[-1]).mean(axis=0)
    elif a.ndim == 1:
        strength = a
    else:
        raise ModelError(f"expected activations shaped (H, W, C) or (C,), got {np.shape(act)}")
    return np.argsort(-strength, kind="stable")[: max(0, int(k))]


# --------------------------------------------------------------------------------------------
# Filters
# --------------------------------------------------------------------------------------------

def _find_layer(model, name: str):
    """Layer by path ("base/conv1"), looking inside nested models."""
    obj = model
    for part in name.split("/"):
        try:
            obj = obj.get_layer(part.split("#")[0])
        except (ValueError, AttributeError):
            raise ModelError(f"no layer called {name!r} in model {model.name!r}") from None
    return obj


def _kernel(model, layer_name: str) -> np.ndarray:
    """(kh, kw, cin, n_filters) kernel of a conv layer; raises ModelError for other layers."""
    layer = _find_layer(model, layer_name)
    cls = type(layer).__name__
    kernel = None
    for attr in ("kernel", "depthwise_kernel"):
        value = getattr(layer, attr, None)
        if value is not None:
            kernel = np.asarray(value)
            break
    if kernel is None or kernel.ndim != 4:
        raise ModelError(f"layer {layer_name!r} ({cls}) has no 2-D convolution kernels to show; "
                         "choose a Conv2D layer")
    if "Transpose" in cls:  # (kh, kw, filters, cin) -> (kh, kw, cin, filters)
        kernel = np.swapaxes(kernel, 2, 3)
    if cls == "DepthwiseConv2D":  # (kh, kw, cin, mult): each channel its own filter
        kernel = kernel.reshape(kernel.shape[0], kernel.shape[1], 1, -1)
    return kernel.astype(np.float32)


def _symmetric(x: np.ndarray, axes) -> np.ndarray:
    """0 -> 0.5, +-max|x| over `axes` -> 1 / 0."""
    m = np.max(np.abs(x), axis=axes, keepdims=True)
    return (0.5 + 0.5 * x / np.where(m > 0, m, 1.0)).astype(np.float32)


def layer_filters(model, layer_name: str) -> np.ndarray:
    """The kernels of a conv layer as pictures, each filter scaled so 0 is mid-grey.

    For a layer reading 3 channels (the first layer of an RGB model): (n, kh, kw, 3) colour
    images in [0, 1] (a filter that likes red is red). Reading 1 channel: (n, kh, kw, 3) grey.
    Deeper layers: (n, cin, kh, kw) in [0, 1], one small picture per input channel.
    Raises ModelError for an unknown layer or a layer without conv kernels.
    """
    k = _kernel(model, layer_name)
    per_filter = np.moveaxis(k, 3, 0)  # (n, kh, kw, cin)
    if k.shape[2] == 3:
        return _symmetric(per_filter, (1, 2, 3))
    if k.shape[2] == 1:
        return np.repeat(_symmetric(per_filter, (1, 2, 3)), 3, axis=3)
    return _symmetric(np.moveaxis(per_filter, 3, 1), (1, 2, 3))


def filters_grid(model, layer_name: str, *, max_filters: int = 64, max_channels: int = 16,
                 cmap: str = "coolwarm", min_cell: int = 24, gap: int = 2) -> np.ndarray:
    """The kernels of a conv layer as one picture: (h, w, 3) float32 in [0, 1].

    Colour/grey first-layer kernels side by side (up to `max_filters`); deeper layers as a grid,
    one row per filter (up to `max_filters`), one column per input channel (up to
    `max_channels`), coloured with a diverging `cmap` (blue negative, white 0, red positive).
    """
    pics = layer_filters(model, layer_name)[: max(1, int(max_filters))]
    if pics.ndim == 4 and pics.shape[-1] == 3 and _kernel(model, layer_name).shape[2] in (1, 3):
        n, kh, kw, _ = pics.shape
        factor = max(1, math.ceil(min_cell / max(kh, kw)))
        cols = min(n, max(1, math.ceil(math.sqrt(n))))
        rows = math.ceil(n / cols)
        ch, cw = kh * factor, kw * factor
        out = np.ones((rows * ch + (rows - 1) * gap, cols * cw + (cols - 1) * gap, 3), dtype=np.float32)
        big = np.repeat(np.repeat(pics, factor, axis=1), factor, axis=2)
        for i in range(n):
            r, q = divmod(i, cols)
            out[r * (ch + gap):r * (ch + gap) + ch, q * (cw + gap):q * (cw + gap) + cw] = big[i]
        return out
    pics = pics[:, : max(1, int(max_channels))]  # (n, cin, kh, kw)
    n, cin, kh, kw = pics.shape
    factor = max(1, math.ceil(min_cell / max(kh, kw)))
    ch, cw = kh * factor, kw * factor
    out = np.ones((n * ch + (n - 1) * gap, cin * cw + (cin - 1) * gap, 3), dtype=np.float32)
    rgb = render.apply_colormap(np.repeat(np.repeat(pics, factor, axis=2), factor, axis=3), cmap)
    for i in range(n):
        for j in range(cin):
            out[i * (ch + gap):i * (ch + gap) + ch, j * (cw + gap):j * (cw + gap) + cw] = rgb[i, j]
    return out


# --------------------------------------------------------------------------------------------
# Patterns that excite a filter
# --------------------------------------------------------------------------------------------

def _pattern_objective_model(ex: FeatureExtractor, layer_name: str):
    """keras.Model: input -> the layer's output *before* its activation (a twin layer with the
    same weights and a linear activation), so a filter that is silent (ReLU 0) on the grey start
    still has a gradient; a separate ReLU layer: its input. Other layers: their own output.
    Returns (model, True when the objective should be the leaky version of a ReLU)."""
    import keras

    node = ex._node(layer_name)
    layer = node.layer
    act = getattr(layer, "activation", None)
    if len(node.inputs) == 1 and (
            isinstance(layer, keras.layers.ReLU) and not layer.get_config().get("max_value")
            and not layer.get_config().get("negative_slope") and not layer.get_config().get("threshold")
            or isinstance(layer, keras.layers.Activation) and act is keras.activations.relu):
        return keras.Model(ex._input, node.inputs[0]), True  # a separate ReLU layer: its input
    if act is None or act is keras.activations.linear or len(node.inputs) != 1:
        return ex.submodel(layer_name), False
    try:
        cfg = dict(layer.get_config())
        cfg["activation"] = "linear"
        cfg["name"] = f"{layer.name}_before_activation"
        twin = type(layer).from_config(cfg)
        out = twin(node.inputs[0])
        twin.set_weights(layer.get_weights())
        return keras.Model(ex._input, out), act is keras.activations.relu
    except Exception:  # an exotic layer that cannot be re-made: use its output as it is
        return ex.submodel(layer_name), False


def _pattern_margin(ex: FeatureExtractor, layer_name: str, map_hw: tuple[int, int],
                    image_hw: tuple[int, int]) -> tuple[int, int]:
    """Rows/columns of the layer's map left out at each border: positions whose receptive field
    pokes out of the picture answer partly to the zero padding, not to the picture. At most a
    quarter of the map on each side (deep layers see the padding everywhere)."""
    row = next((r for r in ex.summary.rows if r.name == layer_name), None)
    rf = row.receptive_field if row is not None else None
    margins = []
    for k in range(2):
        n, size = int(map_hw[k]), int(image_hw[k])
        if rf is None or n < 3:
            margins.append(0)
            continue
        jump = size / n
        margins.append(min(int(math.ceil((rf[k] - 1) / 2 / jump)), n // 4))
    return margins[0], margins[1]


_PATTERN_STEP_CACHE: dict = {}


def _pattern_step(ex: FeatureExtractor, layer_name: str, image_hw: tuple[int, int], tiled: bool):
    """A traced gradient-ascent step for (extractor, layer, size, objective), reused for every
    filter and step. Returns (step function, stride of the tiled objective in map positions)."""
    import weakref

    import tensorflow as tf

    key = (id(ex), layer_name, tuple(image_hw), tiled)
    hit = _PATTERN_STEP_CACHE.get(key)
    if hit is not None and hit[0]() is ex:
        return hit[1]
    target, relu = _pattern_objective_model(ex, layer_name)
    out_shape = target.outputs[0].shape
    spatial = len(out_shape) == 4 and out_shape[1] and out_shape[2]
    top = left = 0
    stride = 1
    if spatial:
        mh, mw = int(out_shape[1]), int(out_shape[2])
        top, left = _pattern_margin(ex, layer_name, (mh, mw), image_hw)
        row = next((r for r in ex.summary.rows if r.name == layer_name), None)
        if tiled and row is not None and row.receptive_field is not None:
            # units one receptive field apart see disjoint patches: each can get its best patch
            stride = max(1, int(math.ceil(row.receptive_field[0] / (image_hw[0] / mh))))
    blur_kernel = tf.constant(np.outer([1, 2, 1], [1, 2, 1]).astype(np.float32) / 16.0)

    def score_of(x, idx, lo, hi):
        out = target(lo + x * (hi - lo), training=False)
        out = tf.gather(out, idx, axis=-1)
        if spatial:
            h, w = tf.shape(out)[1], tf.shape(out)[2]
            out = out[:, top:h - top:stride, left:w - left:stride]
        # ReLU layers: leaky objective on the value before the ReLU. Above 0 it is the filter's
        # output; below, a small slope still says which way to go when the filter is silent.
        if relu:
            out = tf.where(out > 0, out, 0.05 * out)
        return tf.reduce_mean(out)

    @tf.function(reduce_retracing=True)
    def step(img, idx, shift, lo, hi, lr, decay, blur):
        with tf.GradientTape() as tape:
            tape.watch(img)
            x = tf.roll(img, shift, axis=[1, 2])  # jitter; the tape rolls the gradient back
            score = score_of(x, idx, lo, hi)
        grad = tape.gradient(score, img)
        grad = grad / (tf.sqrt(tf.reduce_mean(tf.square(grad))) + 1e-8)
        img = img + lr * grad
        img = 0.5 + (img - 0.5) * (1.0 - decay)  # gentle pull toward grey
        if blur > 0:
            c = tf.shape(img)[-1]
            k = tf.tile(blur_kernel[:, :, None, None], tf.stack([1, 1, c, 1]))
            padded = tf.pad(img, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="REFLECT")
            smooth = tf.nn.depthwise_conv2d(padded, k, [1, 1, 1, 1], "VALID")
            img = img + blur * (smooth - img)
        return tf.clip_by_value(img, 0.0, 1.0), score

    fn = (step, stride)
    _PATTERN_STEP_CACHE[key] = (weakref.ref(ex), fn)
    if len(_PATTERN_STEP_CACHE) > 32:
        _PATTERN_STEP_CACHE.pop(next(iter(_PATTERN_STEP_CACHE)))
    return fn


def _ascend(step, stride, *, h, w, c, filter_index, steps, step_size, decay, blur_every, jitter,
            seed, lo, hi, progress, offset, total):
    """Run `steps` steps of `step` from seeded noise around grey; (1, h, w, c) float32."""
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    img = tf.constant((0.5 + 0.05 * rng.uniform(-1.0, 1.0, size=(1, h, w, c))).astype(np.float32))
    idx = tf.constant(int(filter_index), tf.int32)
    args = [tf.constant(v, tf.float32) for v in (lo, hi, step_size, decay)]
    no_blur, blur = tf.constant(0.0), tf.constant(0.5 if stride == 1 else 0.0)
    # tiled objective: shift by whole tiles so the grid of units stays on the same patches
    reach = jitter if stride == 1 else (1 if jitter > 0 else 0)
    for i in range(steps):
        shift = rng.integers(-reach, reach + 1, size=2) * stride if reach > 0 else np.zeros(2, np.int64)
        use_blur = blur if blur_every and (i + 1) % int(blur_every) == 0 and i + 1 < steps else no_blur
        img, _ = step(img, idx, tf.constant(shift.astype(np.int32)), *args, use_blur)
        if progress is not None:
            progress(offset + i + 1, total)
    return img.numpy()


def _flat(pic: np.ndarray) -> bool:
    """True when the middle of an optimised picture is (nearly) one flat colour: no structure."""
    h, w = pic.shape[1:3]
    middle = pic[0, h // 4:h - h // 4, w // 4:w - w // 4]
    return float(np.std(middle.reshape(-1, pic.shape[-1]), axis=0).max()) < 0.01


def _colourless(pic: np.ndarray) -> bool:
    """True for a grey picture (one channel, or channel means within 0.1 of each other)."""
    means = pic.reshape(-1, pic.shape[-1]).mean(axis=0)
    return pic.shape[-1] == 1 or float(means.max() - means.min()) < 0.1


def filter_pattern(
    model,
    layer_name: str,
    filter_index: int,
    *,
    size: tuple[int, int] | None = None,
    steps: int = 20,
    step_size: float = 0.05,
    jitter: int | None = None,
    seed: int = 0,
    value_range: tuple[float, float] = (0.0, 1.0),
    decay: float = 0.002,
    blur_every: int = 4,
    stretch: bool = True,
    progress: Callable[[int, int], None] | None = None,
    extractor: FeatureExtractor | None = None,
) -> np.ndarray:
    """An input picture that makes one filter fire strongly (activation maximisation).

    The picture lives in the image domain, (h, w, C) in [0, 1] (RGB for colour models), and is
    mapped linearly onto the model's `value_range` (lo, hi) for every pass, so the result is a
    displayable picture whatever the model's preprocessing (a BGR model: the caller flips the
    channels of the result). Method (Erhan et al. 2009; Yosinski et al. 2015; Olah et al. 2017):

    * start: seeded low-amplitude noise around mid-grey (0.5 ± 0.05);
    * objective: the filter's mean value over the central part of its map (borders whose
      receptive field reaches the zero padding are left out); for ReLU layers the value before
      the ReLU, with slope 0.05 below zero, so a filter silent on grey still gets a direction;
    * each of `steps` (1..500) steps: shift the picture by a seeded random roll of up to
      `jitter` pixels (default: 1/16 of the side, at least 1), take the gradient, divide it by
      its RMS and add `step_size` times it; pull toward grey by the factor (1 - `decay`); every
      `blur_every` steps (0: never) mix in a little of a 3x3 binomial blur; clip to [0, 1];
    * a filter that only wants light (or dark) everywhere ends flat grey, white or black (e.g. a first-layer kernel
      whose weights add up to a clear sign). Then the same number of steps is run again on the
      mean of units one receptive field apart (jittered by whole tiles): each sees its own patch,
      so the picture shows the patch the filter likes best, repeated (the kernel's pattern);
    * `stretch` (default True): the result is contrast-stretched about grey for display (0.5
      stays 0.5, the 99.5th percentile of |x - 0.5| maps to 0 or 1), so grey means "the
      filter does not care" and colours keep their balance. False: the raw optimised picture.

    `progress(i, steps)` is called after every step (again from 1 for a second run). size: (h, w) for models that take any size
    (default 128x128; else the model's own size). Same seed -> same picture. The traced step is
    reused for every filter of a layer (cached per extractor and layer).
    Returns (h, w, 3) float32 in [0, 1] (grey models: repeated).
    Raises ModelError for an unknown layer, a filter index out of range or a bad size/steps.
    """
    import tensorflow as tf

    ex = extractor if extractor is not None else build_extractor(model)
    out_shape = ex.output_shape(layer_name)
    if len(out_shape) != 3:
        kind = type(ex.layer(layer_name)).__name__
        raise ModelError(f"patterns need a layer with (H, W, C) maps (a convolution, pooling, ...), "
                         f"got {kind} layer {layer_name!r} with output {out_shape}")
    n_filters = out_shape[-1]
    if n_filters is None or not 0 <= int(filter_index) < n_filters:
        raise ModelError(f"layer {layer_name!r} has {n_filters} filters (0..{(n_filters or 1) - 1}), "
                         f"got {filter_index}")
    if not 1 <= int(steps) <= 500:
        raise ModelError(f"steps must be between 1 and 500, got {steps}")
    h_in, w_in, c_in = ex.input_shape
    if size is None:
        size = (h_in or 128, w_in or 128)
    h, w = int(size[0]), int(size[1])
    if (h_in is not None and h != h_in) or (w_in is not None and w != w_in) or h < 1 or w < 1:
        raise ModelError(f"size must be the model's input size {(h_in, w_in)}, got {tuple(size)}")
    lo, hi = float(value_range[0]), float(value_range[1])
    if not hi > lo:
        raise ModelError(f"value range must be (low, high) with high > low, got {tuple(value_range)}")
    if jitter is None:
        jitter = max(1, min(h, w) // 16)
    jitter = max(0, int(jitter))
    n = int(steps)
    common = dict(h=h, w=w, c=c_in, filter_index=filter_index, step_size=step_size, decay=decay,
                  blur_every=blur_every, jitter=jitter, seed=seed, lo=lo, hi=hi, progress=progress)
    step, stride = _pattern_step(ex, layer_name, (h, w), False)
    pic = _ascend(step, stride, steps=n, offset=0, total=n, **common)
    if _flat(pic) and _colourless(pic):
        # the filter only wants light (or dark) everywhere: show instead the best patch of
        # units one receptive field apart, repeated (the kernel's preferred pattern). A flat
        # colour (a colour detector) says enough and is kept.
        step, stride = _pattern_step(ex, layer_name, (h, w), True)
        if stride > 1:
            pic = _ascend(step, stride, steps=n, offset=0, total=n, **common)
    out = pic[0]
    if stretch:
        out = render.stretch_about_grey(out)
    if c_in == 1:
        out = np.repeat(out, 3, axis=2)
    elif c_in != 3:
        out = np.repeat(out.mean(axis=2, keepdims=True), 3, axis=2)
    return np.ascontiguousarray(out, dtype=np.float32)


# --------------------------------------------------------------------------------------------
# Predictions
# --------------------------------------------------------------------------------------------

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
    node = ex._node(name)
    if len(_shape(node.tensor)) != 3:
        raise ModelError(f"layer {name!r} has output {_shape(node.tensor)}, not (H, W, C) maps")
    final = ex.final_node()
    layer = final.layer
    use_logits = (
        type(layer).__name__ == "Dense"
        and getattr(layer, "activation", None) is keras.activations.softmax
        and len(final.inputs) == 1
    )
    score_tensor = final.inputs[0] if use_logits else final.tensor
    n_out = _shape(final.tensor)[-1]
    if not 0 <= int(class_index) < n_out:
        raise ModelError(f"model has {n_out} outputs (0..{n_out - 1}), got class {class_index}")
    grad_model = keras.Model(ex._input, [node.tensor, score_tensor])
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


# --------------------------------------------------------------------------------------------
# Fitting a picture to a model
# --------------------------------------------------------------------------------------------

_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def adapt_image(
    image,
    *,
    size: tuple[int, int] | None,
    channels: int,
    value_range: tuple[float, float] = (0.0, 1.0),
    fit: str = "crop",
) -> tuple[np.ndarray, list[str]]:
    """Fit an RGB picture to a model's input and say what was done.

    image: (H, W, 3) (or (H, W) grey) float in [0, 1]. size: (h, w) the model needs, or None to
    keep the size. fit: "crop" keeps the shape (crops the centre to the target's aspect ratio
    first), "stretch" resizes to (h, w) directly. channels: 1 (ITU-R 601 luma) or 3 (grey is
    repeated). value_range: (lo, hi) the model expects; [0, 1] maps linearly onto it.
    Returns (batch (1, h, w, channels) float32, notes: list of plain sentences).
    Raises ImageError for a bad image, ModelError for a bad size/channels/range/fit.
    """
    img = np.asarray(image, dtype=np.float32)
    if img.ndim == 2:
        img = img[..., None]
    if img.ndim != 3 or img.shape[2] not in (1, 3) or img.shape[0] < 1 or img.shape[1] < 1:
        raise ImageError(f"expected an (H, W, 3) image, got {np.shape(image)}")
    if channels not in (1, 3):
        raise ModelError(f"a model input needs 1 or 3 channels here, got {channels}")
    if fit not in ("crop", "stretch"):
        raise ModelError(f"fit must be 'crop' or 'stretch', got {fit!r}")
    lo, hi = float(value_range[0]), float(value_range[1])
    if not hi > lo:
        raise ModelError(f"value range must be (low, high) with high > low, got {tuple(value_range)}")
    notes: list[str] = []
    h, w = img.shape[:2]
    if size is not None:
        th, tw = int(size[0]), int(size[1])
        if th < 1 or tw < 1:
            raise ModelError(f"target size must be positive, got {tuple(size)}")
        if (th, tw) != (h, w):
            if fit == "crop" and abs(h * tw - w * th) > max(h, w):
                if w * th > h * tw:  # too wide
                    cw = max(1, round(h * tw / th))
                    left = (w - cw) // 2
                    img = img[:, left:left + cw]
                else:
                    chh = max(1, round(w * th / tw))
                    top = (h - chh) // 2
                    img = img[top:top + chh]
                notes.append(f"cropped the centre to {img.shape[1]}×{img.shape[0]} to keep the shape")
            verb = "shrunk" if th * tw < img.shape[0] * img.shape[1] else "enlarged"
            img = np.stack([render.resize_2d(img[..., c], th, tw) for c in range(img.shape[2])], axis=-1)
            notes.append(f"{verb} from {w}×{h} to {tw}×{th} pixels (width×height) the model takes")
    if channels == 1 and img.shape[2] == 3:
        img = (img @ _LUMA)[..., None]
        notes.append("turned into grey (luminance 0.299 R + 0.587 G + 0.114 B): the model reads one channel")
    elif channels == 3 and img.shape[2] == 1:
        img = np.repeat(img, 3, axis=2)
        notes.append("grey copied into R, G and B: the model reads three channels")
    img = np.clip(img, 0.0, 1.0)
    if (lo, hi) != (0.0, 1.0):
        img = lo + img * (hi - lo)
        notes.append(f"values scaled from 0…1 to {lo:g}…{hi:g}, the range the model was trained on")
    return img[None].astype(np.float32), notes
