"""A model's summary: each leaf layer's type, output shape, parameters, memory and receptive field.

:func:`model_summary` for any Keras model (nested models unfolded); :func:`summary_of_trace` for
a model already traced by :func:`vizcore.features.trace.trace_model` (the extractor does that
once). :func:`receptive_fields` follows conv/pool chains; :func:`human_bytes` writes sizes.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .trace import Node, tensor_shape, trace_model

__all__ = ["SummaryRow", "Summary", "model_summary", "summary_of_trace", "receptive_fields", "human_bytes"]


def _weights_size(weights) -> int:
    return int(sum(int(np.prod(w.shape)) for w in weights))


def _pair(v) -> tuple[int, int]:
    if isinstance(v, (list, tuple)):
        return (int(v[0]), int(v[-1])) if len(v) else (1, 1)
    return (int(v), int(v))


def receptive_fields(inp, nodes: list[Node]) -> dict[str, tuple | None]:
    """Receptive field of every traced layer, in input pixels.

    inp: the traced input KerasTensor; nodes: :class:`Node` s in call order. Returns
    {path: (rf_h, rf_w, jump_h, jump_w) floats, or None where undefined (after Flatten, Dense on
    vectors, global pooling, or merged branches whose grids differ)}. ``jump`` is the distance in
    input pixels between neighbouring positions of the layer's map.
    """
    rf: dict[int, tuple | None] = {id(inp): (1.0, 1.0, 1.0, 1.0)}
    out: dict[str, tuple | None] = {}
    for node in nodes:
        ins = [rf.get(id(t)) for t in node.inputs]
        value = None
        out_shape = tensor_shape(node.tensor)
        if ins and all(v is not None for v in ins) and len(out_shape) == 3:
            if len(ins) > 1:
                jumps = {(v[2], v[3]) for v in ins}
                value = (max(v[0] for v in ins), max(v[1] for v in ins), *jumps.pop()) if len(jumps) == 1 else None
            else:
                value = _layer_rf(node.layer, ins[0], tensor_shape(node.inputs[0]), out_shape)
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


def human_bytes(n: int) -> str:
    """A byte count for people: "512 B", "1.5 KiB", "3.0 MiB" (powers of 1024, one decimal)."""
    if n < 1024:
        return f"{n} B"
    if n < 1024 ** 2:
        return f"{n / 1024:.1f} KiB"
    return f"{n / 1024 ** 2:.1f} MiB"


@dataclass(frozen=True)
class SummaryRow:
    """One leaf layer: name (path for nested layers), type, output shape without the batch axis,
    parameters (all / trainable; 0 for the 2nd call of a shared layer), bytes of its float32
    output per image (None when the model takes any image size), receptive field (height, width)
    in input pixels or None where undefined."""

    name: str
    type: str
    output_shape: tuple
    params: int
    trainable_params: int
    activation_bytes: int | None
    receptive_field: tuple[int, int] | None

    @property
    def receptive_field_text(self) -> str:
        """"h×w", or "—" where the receptive field is undefined."""
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
                "activation memory": "—" if r.activation_bytes is None else human_bytes(r.activation_bytes),
                "receptive field": r.receptive_field_text,
            }
            for r in self.rows
        ]

    def totals_text(self) -> str:
        """"Total params: 1,234 · trainable: ... · non-trainable: ..." for a caption."""
        return (f"Total params: {self.total_params:,} · trainable: {self.trainable_params:,} · "
                f"non-trainable: {self.non_trainable_params:,}")


def summary_of_trace(model, inp, nodes: list[Node]) -> Summary:
    """The :class:`Summary` of `model` from its trace (input tensor and nodes of
    :func:`~vizcore.features.trace.trace_model`)."""
    rfs = receptive_fields(inp, nodes)
    rows = []
    for node in nodes:
        shape = tensor_shape(node.tensor)
        known = all(d is not None for d in shape)
        nbytes = int(np.prod(shape)) * 4 if known else None
        params = _weights_size(getattr(node.layer, "weights", ())) if node.first_call else 0
        trainable = _weights_size(getattr(node.layer, "trainable_weights", ())) if node.first_call else 0
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
    return Summary(model.name, tensor_shape(inp), tuple(rows), total, trainable, total - trainable)


def model_summary(model, *, input_shape=None) -> Summary:
    """Summary of `model` with nested models unfolded ("base/block_1_expand").

    input_shape: (H, W, C) for a Sequential model built without keras.Input (else ignored if the
    model has one). Activation memory assumes float32 (4 bytes per value) for one image; None
    where a dimension is unknown (models that take any size). Receptive fields follow conv/pool
    chains (kernel, stride, dilation; the largest over merged branches) and are None after
    Flatten, Dense on vectors or global pooling. Raises ModelError for a non-model, several
    inputs or an unknown input shape.
    """
    inp, _, nodes = trace_model(model, input_shape)
    return summary_of_trace(model, inp, nodes)
