"""The real weights of the Keras layer behind a panel: what a layer call's settings put in its slot.

A panel of :func:`~vizcore.layers.conv2d`, :func:`~vizcore.layers.dense` or
:func:`~vizcore.layers.conv2d_transpose` runs a cached, built Keras layer (a
:class:`~vizcore.layers.engine.Slot`) whose weights are assigned right before the graph runs:
seeded (``GlorotUniform(seed)``, zero bias) or a hand-made kernel (no bias). :func:`layer_weights`
takes the same settings (``LayerResult.settings``), assigns them to the same slot the layer
function uses, and reads them back from the Keras layer with ``get_weights()`` -- so what it
returns is what produced the panel, not a re-derivation.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import engine
from .checks import channels, check_int, check_kernel, check_padding, check_seed, check_space

__all__ = ["LayerWeights", "layer_weights", "WEIGHTED_FUNCTIONS"]

#: ``settings["function"]`` values whose layer has weights.
WEIGHTED_FUNCTIONS: tuple[str, ...] = ("conv2d", "dense", "conv2d_transpose")


@dataclass(frozen=True, eq=False)
class LayerWeights:
    """Weights read from a panel's Keras layer (float32 copies, safe to keep).

    ``kernel``: Keras' own layout -- Conv2D ``(kh, kw, C, filters)``, Dense ``(C, units)``,
    Conv2DTranspose ``(k, k, filters, C)``. ``bias``: ``(filters,)`` / ``(units,)``, zeros
    for a hand-made kernel (the layer has no bias). ``layer``: the Keras class name.
    ``source``: ``"seed N"`` or ``"hand-made kernel"``.
    """

    layer: str
    kernel: np.ndarray
    bias: np.ndarray
    source: str


def layer_weights(settings: dict[str, Any]) -> LayerWeights:
    """The kernel and bias of the Keras layer a layer call with ``settings`` runs.

    ``settings``: a ``LayerResult.settings`` dict of ``conv2d``, ``dense`` or
    ``conv2d_transpose`` (``settings["function"]`` names it; missing keys take the layer
    function's defaults). The weights are assigned to the same cached layer the function uses
    and read back from it (under the engine lock). Raises ValueError for another function or
    bad settings, naming what was received.
    """
    if not isinstance(settings, dict) or settings.get("function") not in WEIGHTED_FUNCTIONS:
        got = settings.get("function") if isinstance(settings, dict) else settings
        raise ValueError(f"layer_weights needs the settings of one of {', '.join(WEIGHTED_FUNCTIONS)}, got {got!r}")
    function = settings["function"]
    space = check_space(settings.get("space", "luminance" if function == "dense" else "rgb"))
    c = channels(space)
    seed = check_seed(settings.get("seed", 0))
    hand = None
    if function == "conv2d":
        filters = check_int(settings.get("filters", 1), "filters", 1, 64)
        strides = check_int(settings.get("strides", 1), "strides", 1, 16)
        padding = check_padding(settings.get("padding", "same"))
        if settings.get("kernel") is not None:
            hand = check_kernel(settings["kernel"])
            if filters != 1:
                raise ValueError(f"a hand-made kernel gives one filter; got filters={filters}")
            ksize = tuple(hand.shape)
        else:
            k = settings.get("kernel_size")
            k = 3 if k is None else check_int(k, "kernel_size", 1, 15)
            ksize = (k, k)
        layer = engine.slot("Conv2D", (None, None, None, c), filters=filters, kernel_size=ksize, strides=strides,
                            padding=padding, use_bias=hand is None)
    elif function == "dense":
        units = check_int(settings.get("units", 1), "units", 1, 64)
        layer = engine.slot("Dense", (None, None, None, c), units=units)
    else:
        k = check_int(settings.get("kernel_size", 2), "kernel_size", 1, 16)
        s = check_int(settings.get("strides", 2), "strides", 1, 8)
        filters = check_int(settings.get("filters", 1), "filters", 1, 64)
        padding = check_padding(settings.get("padding", "same"))
        layer = engine.slot("Conv2DTranspose", (None, None, None, c), filters=filters, kernel_size=(k, k),
                            strides=(s, s), padding=padding)
    with engine.LOCK:
        if hand is None:
            layer.set_seed(seed)
        else:
            layer.set_kernel(hand)
        values = [np.array(v, dtype=np.float32) for v in layer.layer.get_weights()]
    kernel = values[0]
    bias = values[1] if len(values) > 1 else np.zeros(kernel.shape[-1], np.float32)
    if function == "conv2d_transpose":  # (k, k, filters, C): the bias is per filter
        bias = values[1] if len(values) > 1 else np.zeros(kernel.shape[2], np.float32)
    return LayerWeights(layer=type(layer.layer).__name__, kernel=kernel, bias=bias,
                        source="hand-made kernel" if hand is not None else f"seed {seed}")
