"""Tracing a Keras model into its leaf layers, nested models unfolded.

:func:`trace_model` re-calls every leaf layer of a model on fresh symbolic tensors and records
each call as a :class:`Node`: a layer inside nested model ``base`` gets the path
``"base/conv"``, a shared layer's second call ``"name#1"``. The rest of the package
(extraction, summary, Grad-CAM, patterns) works on these nodes. Keras is imported on first use.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import ModelError

__all__ = ["Node", "trace_model", "tensor_shape", "is_model"]


@dataclass
class Node:
    """One call of one leaf layer in the unfolded graph.

    ``path``: "block/conv" for a layer inside nested model "block"; ``layer``: the Keras layer;
    ``tensor``: its (single) output KerasTensor; ``inputs``: the KerasTensors it was called on
    (flattened); ``first_call``: False for the 2nd+ call of a shared layer (params counted once).
    """

    path: str
    layer: object
    tensor: object
    inputs: list
    first_call: bool


def tensor_shape(tensor) -> tuple:
    """Shape of a (Keras) tensor without the batch axis, e.g. (H, W, C); None for unknown sizes."""
    return tuple(tensor.shape[1:])


def is_model(layer) -> bool:
    """True for a keras.Model (a layer that may hold other layers)."""
    import keras

    return isinstance(layer, keras.Model)


def _is_keras_tensor(x) -> bool:
    import keras

    return isinstance(x, keras.KerasTensor)


def _flatten(x) -> list:
    if isinstance(x, (list, tuple)):
        return [t for item in x for t in _flatten(item)]
    if isinstance(x, dict):
        return [t for item in x.values() for t in _flatten(item)]
    return [x] if _is_keras_tensor(x) else []


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
    """Re-calls every leaf layer on fresh symbolic tensors, recording each call as a Node."""

    def __init__(self):
        self.nodes: list[Node] = []
        self._seen_layers: set[int] = set()

    def call_leaf(self, layer, args, kwargs, path):
        out = layer(*args, **kwargs)
        first = id(layer) not in self._seen_layers
        self._seen_layers.add(id(layer))
        inputs = _flatten(list(args)) + _flatten(list(kwargs.values()))
        outs = out if isinstance(out, (list, tuple)) else [out]
        for i, t in enumerate(outs):
            name = path if len(outs) == 1 else f"{path}:{i}"
            self.nodes.append(Node(name, layer, t, inputs, first and i == 0))
        return out

    def run(self, model, inputs, prefix: str):
        """Trace `model` called on `inputs` (KerasTensor or list); returns its outputs."""
        import keras

        if isinstance(model, keras.Sequential):
            x = inputs
            for layer in model.layers:
                path = prefix + layer.name
                if is_model(layer):
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
                # keras ops on tensors (ConvNeXt's, MobileNetV3's Add) are operations, not layers
                layer = next((op for op in model.operations if op.name == name), None) or model.get_layer(name)
                path = prefix + name + (f"#{node_index}" if node_index else "")
                kwargs = {k: v for k, v in kwargs.items() if k not in ("training",)}
                if is_model(layer):
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


def trace_model(model, input_shape=None) -> tuple[object, object, list[Node]]:
    """Unfold `model` into its leaf layers, each re-called once on a fresh symbolic input.

    input_shape: (H, W, C) for a Sequential model built without keras.Input (else the model's
    own). Returns (input KerasTensor, output KerasTensor (or list), [Node] in call order).
    Raises ModelError for a non-model, several inputs, an unknown input shape or a model that
    cannot be re-called (the message names the model and the shape tried).
    """
    import keras

    if not is_model(model):
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
