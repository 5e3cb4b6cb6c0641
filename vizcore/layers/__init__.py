"""Cheat-sheet layers: what one untrained Keras layer does to an image.

One function per layer family, each returning a :class:`LayerResult`:

* :func:`merge` -- ``Add``, ``Subtract``, ``Multiply``, ``Average``, ``Maximum``,
  ``Minimum``, ``Concatenate`` of two images in a colour space;
* :func:`pool` -- max / average pooling, global average pooling, depth-wise
  (channel) max pooling;
* :func:`dense` (per pixel) and :func:`dense_fully_connected`
  (Flatten -> Dense -> Reshape at a small size);
* :func:`conv2d` (seeded or hand-made kernel), :func:`conv2d_stack`,
  :func:`conv2d_transpose`;
* :data:`ACTIVATIONS` with :func:`activation_curve` for plotting.

Every layer is a real ``keras.layers`` object running in TensorFlow. Images go in as RGB
``float32`` ``(H, W, 3)`` in ``[0, 1]``, are converted to the requested colour space (see
:mod:`vizcore.color`; ``"luminance"`` has one channel, the others three), batched as
``(1, H, W, C)`` and passed through the layer. Untrained layers are reproducible: the kernel
is drawn by ``keras.initializers.GlorotUniform(seed=seed)`` and the bias is zero, exactly as
a fresh layer built with that initializer; in a stack, layer ``i`` (from 0) uses ``seed + i``.

Display (what ``LayerResult.image`` shows): merges and pools show the output clipped to
``[0, 1]`` *in the colour space*, converted back to RGB (``"clip"``); Dense / Conv2D /
Conv2DTranspose feature maps are grey, ``display="clip"``, ``"minmax"`` or ``"auto"`` (see
:mod:`vizcore.layers.display`); ``display_note`` says it in words.

Speed: built layers and traced graphs are cached and reused, a new seed or kernel is assigned
to the cached layer's weights, and each panel is one graph call under one lock (see
:mod:`vizcore.layers.engine`).

Where things live (a module may import only the ones listed before it, plus
``vizcore.color``, ``vizcore.render``, ``vizcore.cache`` and ``vizcore.errors``; never
``vizcore.sheet``, ``vizcore.features``, ``vizcore.models`` or streamlit):

===================  =========================================================================
``tables``           MERGE_KINDS, POOL_KINDS, ACTIVATION_INFO / ACTIVATIONS and their families,
                     KERNEL_PRESETS, MAX_OUTPUT_ELEMENTS (NumPy only)
``result``           LayerResult
``checks``           argument validation and output-size arithmetic
``describe``         shared words and Keras-snippet helpers
``tfcolor``          colour spaces inside the graphs (twins of vizcore.color)
``display``          the feature-map display rule: in the graph, NumPy fix-ups, the display note
``engine``           cache of built layers and traced graphs, the lock, weight assignment
``merging``          merge and its caption / snippet
``pooling``          pool and its caption / snippet
``dense_layers``     dense, dense_fully_connected
``conv``             conv2d, conv2d_stack
``transpose``        conv2d_transpose
``activations``      activation_curve
===================  =========================================================================

The family modules (each with the maths, the caption, explanation and Keras snippet of its
layers) do not import one another. Names shared between modules are public in the module that
defines it; :mod:`vizcore.sheet` builds its one graph from those public pieces. This package
re-exports the public API below.
"""
from __future__ import annotations

from ..render import DISPLAY_MODES, normalise
from .activations import activation_curve
from .conv import conv2d, conv2d_stack
from .dense_layers import dense, dense_fully_connected
from .merging import merge
from .pooling import pool
from .result import LayerResult
from .tables import ACTIVATION_INFO, ACTIVATIONS, KERNEL_PRESETS, MERGE_KINDS, POOL_KINDS
from .transpose import conv2d_transpose

__all__ = [
    "LayerResult",
    "MERGE_KINDS",
    "POOL_KINDS",
    "DISPLAY_MODES",
    "ACTIVATIONS",
    "ACTIVATION_INFO",
    "KERNEL_PRESETS",
    "merge",
    "pool",
    "dense",
    "dense_fully_connected",
    "conv2d",
    "conv2d_stack",
    "conv2d_transpose",
    "activation_curve",
    "normalise",
]
