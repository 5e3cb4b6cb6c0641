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

Every layer is a real ``keras.layers`` object running in TensorFlow. Images
go in as RGB ``float32`` ``(H, W, 3)`` in ``[0, 1]``, are converted to the
requested colour space (see :mod:`vizcore.color`; ``"luminance"`` has one
channel, the others three), batched as ``(1, H, W, C)`` and passed through
the layer.

Untrained layers are reproducible: the kernel is drawn by
``keras.initializers.GlorotUniform(seed=seed)`` and the bias is zero, exactly
as a fresh layer built with that initializer; the same seed gives the same
output. In a stack, layer ``i`` (from 0) uses ``seed + i``.

Display (what ``LayerResult.image`` shows):

* merges and pools: the layer output clipped to ``[0, 1]`` *in the colour
  space*, then converted back to RGB (mode ``"clip"``);
* Dense / Conv2D / Conv2DTranspose produce feature maps, not colours. They are
  shown as grey, with the normalisation chosen by ``display=``:
  ``"clip"`` (values as they are, clipped to ``[0, 1]``) or ``"minmax"`` (each
  map stretched from its minimum, black, to its maximum, white; a constant map
  is shown clipped). ``"auto"`` (default) picks ``"clip"`` for activations
  whose values always lie in ``[0, 1]`` (sigmoid, hard_sigmoid,
  sparse_sigmoid) and ``"minmax"`` otherwise. The result says which one was
  used (``display``) and in words (``display_note``).

Speed: built layers and traced ``tf.function`` graphs (input signature with
``None`` spatial sizes, so a new image size does not retrace) are cached at
module level and reused across calls; a new seed or hand-made kernel is
assigned to the cached layer's weights instead of building a new one. The
colour conversion, layer, activation and display normalisation of a panel
run in one graph call. All TensorFlow work is serialised by one lock, so
concurrent callers (Streamlit sessions) never see each other's weights.
"""
from __future__ import annotations

import logging
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import tensorflow as tf
import keras

from .color import SPACES, _FWD32, _INV32, _INV_BIAS32, _LUMA32, _OFFSET32
from . import render
from .errors import ImageError
from .render import DISPLAY_MODES, normalise

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

MERGE_KINDS: tuple[str, ...] = (
    "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate",
)
POOL_KINDS: tuple[str, ...] = ("max", "average", "global_average", "depthwise_max")

#: Element-wise activations of ``keras.activations``, in teaching order, with one line each.
ACTIVATION_INFO: dict[str, str] = {
    "linear": "f(x) = x: no change, the layer stays a plain weighted sum.",
    "relu": "max(0, x): negative values become 0, positive ones pass unchanged.",
    "relu6": "min(max(0, x), 6): ReLU capped at 6, used by mobile networks.",
    "leaky_relu": "x for x > 0, 0.2·x otherwise: negatives shrink instead of vanishing.",
    "elu": "x for x > 0, eˣ − 1 otherwise: a smooth ReLU whose negatives level off at −1.",
    "selu": "ELU scaled (λ ≈ 1.05, α ≈ 1.67) so activations stay normalised layer after layer.",
    "celu": "x for x > 0, eˣ − 1 otherwise (α = 1): ELU with a continuous slope.",
    "gelu": "x·Φ(x): a smooth ReLU that dips slightly below 0 for small negatives (Transformers).",
    "silu": "x·sigmoid(x), also called swish: a smooth ReLU with a small negative dip.",
    "mish": "x·tanh(softplus(x)): smooth and non-monotonic, close to SiLU.",
    "hard_silu": "x·hard_sigmoid(x) (hard swish): a cheap piecewise SiLU (MobileNetV3).",
    "softplus": "log(1 + eˣ): a smooth ReLU that is always positive.",
    "squareplus": "(x + √(x² + 4)) / 2: an algebraic smooth ReLU, always positive.",
    "sparse_plus": "0 below −1, x above 1, (x + 1)²/4 in between: a ReLU with a smooth knee.",
    "exponential": "eˣ: always positive, grows very fast.",
    "sigmoid": "1 / (1 + e⁻ˣ): squashes everything into (0, 1); 0 becomes 0.5.",
    "hard_sigmoid": "clip(x/6 + 1/2, 0, 1): a piecewise-linear sigmoid.",
    "sparse_sigmoid": "0 below −1, 1 above 1, (x + 1)/2 in between.",
    "log_sigmoid": "log(sigmoid(x)): always ≤ 0; ≈ x for large negatives, ≈ 0 for large positives.",
    "tanh": "tanh(x): squashes everything into (−1, 1); 0 stays 0.",
    "hard_tanh": "clip(x, −1, 1): a piecewise-linear tanh.",
    "softsign": "x / (1 + |x|): squashes into (−1, 1), more gently than tanh.",
    "tanh_shrink": "x − tanh(x): close to 0 for small inputs, ≈ x ∓ 1 for large ones.",
    "soft_shrink": "moves values 0.5 towards 0 and sets those within ±0.5 to 0.",
    "hard_shrink": "sets values within ±0.5 to 0 and keeps the others unchanged.",
}
ACTIVATIONS: tuple[str, ...] = tuple(ACTIVATION_INFO)
# Activations whose every value lies in [0, 1]: "auto" display shows them unscaled.
_UNIT_RANGE_ACTIVATIONS = frozenset({"sigmoid", "hard_sigmoid", "sparse_sigmoid"})
# Non-decreasing activations: f(min z) and f(max z) are the extremes of f(z).
_MONOTONE = frozenset({
    "linear", "relu", "relu6", "leaky_relu", "elu", "selu", "celu", "softplus", "squareplus", "sparse_plus",
    "exponential", "sigmoid", "hard_sigmoid", "sparse_sigmoid", "log_sigmoid", "tanh", "hard_tanh", "softsign",
    "tanh_shrink", "soft_shrink", "hard_shrink",
})
# ...and computed with plain IEEE arithmetic (no exp/log/tanh approximations), so those
# extremes are bit-exact: a min-max stretch needs no pass over the activated output.
_EXACT_MONOTONE = frozenset({
    "linear", "relu", "relu6", "leaky_relu", "hard_sigmoid", "sparse_sigmoid", "hard_tanh", "softsign",
})

#: Hand-made 3×3 kernels for :func:`conv2d` ``kernel=`` (correlation, as Keras applies them).
KERNEL_PRESETS: dict[str, np.ndarray] = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], np.float32),
    "vertical_line": np.array([[-1, 2, -1], [-1, 2, -1], [-1, 2, -1]], np.float32),
    "horizontal_line": np.array([[-1, -1, -1], [2, 2, 2], [-1, -1, -1]], np.float32),
    "sobel_x": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], np.float32),
    "sobel_y": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], np.float32),
    "blur": np.full((3, 3), 1.0 / 9.0, np.float32),
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], np.float32),
    "emboss": np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], np.float32),
}
for _kernel in KERNEL_PRESETS.values():
    _kernel.setflags(write=False)

# Largest layer output accepted (elements), so a slider cannot exhaust memory.
MAX_OUTPUT_ELEMENTS = 1 << 26
_SAMPLE_HINT = "# image: RGB float32 (H, W, 3) in [0, 1], e.g. vizcore.load_sample(vizcore.DEFAULT_SAMPLE).image"


@dataclass(frozen=True, eq=False)
class LayerResult:
    """What one layer made of an image.

    ``output``: the raw Keras output as NumPy, batch axis removed (float32).
    ``image``: what is displayed, RGB float32 ``(H', W', 3)`` in ``[0, 1]``
    (may be a read-only view; copy it before writing into it). Feature maps
    are grey; for several maps it is the first one.
    ``maps``: every output map for a grid, ``(k, H', W')`` float32 in
    ``[0, 1]`` with the same display normalisation, or ``None`` when the
    output is a colour image.
    ``params``: trainable + non-trainable parameter count of the layer(s).
    ``code``: a short runnable Keras snippet reproducing ``output`` as ``y``.
    ``display``: ``"clip"`` or ``"minmax"``; ``display_note`` says it in words.
    """

    title: str
    caption: str
    explanation: str
    output: np.ndarray
    image: np.ndarray
    params: int
    code: str
    display: str
    display_note: str
    output_shape: tuple[int, ...]
    maps: np.ndarray | None = None
    settings: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- caches and locking

class _QuietRetracing(logging.Filter):
    """Drop TF's "N out of the last N calls ... triggered tf.function retracing" warning.

    It counts traces across all tf.functions made from one code location; each of
    our cached graphs is traced once per configuration, which is intended.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "triggered tf.function retracing" not in record.getMessage()


tf.get_logger().addFilter(_QuietRetracing())

# One lock around every TensorFlow call: assigning a seed's weights and running
# the graph that reads them must not interleave between threads.
_LOCK = threading.RLock()
_CACHE_SIZE = 256
_CACHE: OrderedDict[tuple, Any] = OrderedDict()


def _cached(key: tuple, make: Callable[[], Any]) -> Any:
    """Return the cached value for ``key``, building it with ``make()`` on a miss (LRU)."""
    with _LOCK:
        try:
            _CACHE.move_to_end(key)
            return _CACHE[key]
        except KeyError:
            value = make()
            _CACHE[key] = value
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
            return value


class _Slot:
    """A built Keras layer plus the key of the weights currently assigned to it."""

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
        """Use a hand-made 2-D kernel for every input channel (no bias)."""
        key = ("kernel", kernel.shape, kernel.tobytes())
        if self.weights_key == key:
            return
        channels = self.layer.weights[0].shape[2]
        full = np.repeat(kernel[:, :, None, None], channels, axis=2).astype(np.float32)
        self.layer.set_weights([full])
        self.weights_key = key


def _slot(kind: str, in_shape: tuple, **config) -> _Slot:
    """A cached, built layer: ``kind`` is a keras.layers class name, ``config`` its kwargs."""
    key = ("layer", kind, in_shape, tuple(sorted(config.items())))
    return _cached(key, lambda: _Slot(getattr(keras.layers, kind)(**config), in_shape))


def _stateless(kind: str, **config) -> keras.layers.Layer:
    """A cached layer without weights (merge, pooling, activation)."""
    key = ("stateless", kind, tuple(sorted(config.items())))
    return _cached(key, lambda: getattr(keras.layers, kind)(**config))


def _traced(key: tuple, body: Callable, n_inputs: int = 1) -> Callable:
    """A cached tf.function of ``body`` taking ``n_inputs`` RGB images (None, None, 3).

    ``key`` must name everything the body captures; layers with weights by ``id(slot)``,
    so a graph never outlives the slot whose weights the caller sets (the cached graph
    keeps that slot alive, so its id cannot be reused meanwhile).
    """
    spec = [tf.TensorSpec((None, None, 3), tf.float32)] * n_inputs
    # No AutoGraph: the bodies have no tensor-dependent Python control flow, and converting
    # every Keras layer's source was most of the tracing time.
    return _cached(("fn", *key), lambda: tf.function(body, input_signature=spec, autograph=False))


# --------------------------------------------------------------------------- graph pieces
# Batched (N, H, W, C) float32 tensors. The colour conversions are the graph
# twins of vizcore.color.to_space / from_space (same matrices; HSV as
# tf.image), checked against them in the tests.


# 1×1 convolution kernels of the colour matrices: TensorFlow fuses conv + bias + relu
# into one pass, where a broadcast add over a length-3 axis would be a slow extra pass.
_LUMA_K = _LUMA32.reshape(1, 1, 3, 1)
_FWD_K = _FWD32.reshape(1, 1, 3, 3)
_INV_K = _INV32.reshape(1, 1, 3, 3)


def _conv1x1(x, kernel, bias=None):
    y = tf.nn.conv2d(x, kernel, 1, "VALID")
    return y if bias is None else tf.nn.relu(tf.nn.bias_add(y, bias))


def _tf_to_space(rgb, space: str):
    """RGB (N, H, W, 3) already in [0, 1] -> (N, H, W, C) in ``space``, in [0, 1] like color.to_space."""
    if space == "rgb":
        return rgb
    if space == "luminance":
        return tf.minimum(_conv1x1(rgb, _LUMA_K), 1.0)  # weights >= 0, so only the top can overflow
    if space == "ycbcr":
        return tf.minimum(_conv1x1(rgb, _FWD_K, _OFFSET32), 1.0)
    return _tf_rgb_to_hsv(rgb)


def _tf_rgb_to_hsv(rgb):
    """tf.image.rgb_to_hsv's arithmetic on channel planes: about twice as fast on CPU.

    Hue in [0, 1] (red, then green, then blue wins ties; 0 for greys), saturation 0
    for black; every value in [0, 1] for inputs in [0, 1].
    """
    r, g, b = tf.unstack(tf.transpose(rgb, (3, 0, 1, 2)))
    v = tf.maximum(tf.maximum(r, g), b)
    delta = v - tf.minimum(tf.minimum(r, g), b)
    s = tf.math.divide_no_nan(delta, v)
    norm = tf.math.divide_no_nan(tf.constant(1.0 / 6.0), delta)
    h = tf.where(r == v, (g - b) * norm, tf.where(g == v, (b - r) * norm + 1.0 / 3.0, (r - g) * norm + 2.0 / 3.0))
    h = tf.where(h < 0, h + 1.0, h)
    return tf.transpose(tf.stack([h, s, v]), (1, 2, 3, 0))


def _tf_from_space(x, space: str):
    """(N, H, W, C) in ``space`` with values already in [0, 1] -> RGB (N, H, W, 3) in [0, 1].

    Luminance comes back as a grey (N, H, W) map (shown through a broadcast view).
    Like color.from_space; hue 1 and hue 0 give the same colour, so no wrap is needed.
    """
    if space == "luminance":
        return tf.squeeze(x, -1)
    if space == "rgb":
        return x
    if space == "ycbcr":
        return tf.minimum(_conv1x1(x, _INV_K, _INV_BIAS32), 1.0)
    # For s, v in [0, 1] every output is v·((1 − s) + s·d) with d in [0, 1]: in [0, v] even
    # after float rounding (1 − s is exact for s >= 0.5 and off by at most 2⁻²⁵ below),
    # so no clip is needed.
    return tf.image.hsv_to_rgb(x)


def _tf_extremes(x):
    """Per-map minimum and maximum of (1, H, W, k), each shaped (1, 1, 1, k)."""
    if x.shape[-1] == 1:  # a full reduction is much faster than one over two strided axes
        return tf.reshape(tf.reduce_min(x), (1, 1, 1, 1)), tf.reshape(tf.reduce_max(x), (1, 1, 1, 1))
    return tf.reduce_min(x, axis=(1, 2), keepdims=True), tf.reduce_max(x, axis=(1, 2), keepdims=True)


def _tf_show(z, y, activation: str, mode: str, z_extremes=None):
    """Display maps for ``y = activation(z)`` (1, H, W, k) -> (shown in [0, 1], per-map min, per-map max).

    ``"clip"``: y clipped (no pass at all for activations whose values lie in [0, 1]).
    ``"minmax"``: (y − min) / (max − min), which lies in [0, 1] exactly in float
    arithmetic; a constant map comes out 0 here and :func:`_fix_maps` shows it clipped.
    The extremes come from ``z_extremes`` (min and max of z, computed if not given)
    when the activation allows it (see _MONOTONE / _EXACT_MONOTONE), saving two
    passes over a possibly large output. min/max are for the display note in "clip" mode.
    """
    fn = keras.activations.get(activation)

    def from_z():
        lo_z, hi_z = _tf_extremes(z) if z_extremes is None else z_extremes
        return fn(lo_z), fn(hi_z)

    if mode == "clip":
        lo, hi = from_z() if activation in _MONOTONE else _tf_extremes(y)
        return (y if activation in _UNIT_RANGE_ACTIVATIONS else tf.clip_by_value(y, 0.0, 1.0)), lo, hi
    lo, hi = from_z() if activation in _EXACT_MONOTONE else _tf_extremes(y)
    spread = hi - lo
    return (y - lo) / tf.where(spread > 0, spread, tf.ones_like(spread)), lo, hi


def _tf_block_indices(size, pooled, pool_size: int, strides: int, padding: str):
    """For each of ``size`` input rows, the pooled row whose window it belongs to."""
    if padding == "same":
        before = tf.maximum((pooled - 1) * strides + pool_size - size, 0) // 2
    else:
        before = tf.constant(0)
    return tf.minimum((tf.range(size) + before) // strides, pooled - 1)


def _tf_upsample_blocks(small, height, width, pool_size: int, strides: int, padding: str):
    """Repeat each pooled pixel of (N, h, w[, C]) over its block at (height, width)."""
    if pool_size == strides and padding == "same":
        # Blocks tile the padded image: broadcast each pixel to k×k, then cut the padding
        # ("same" puts total // 2 of it before the image). One pass instead of two gathers.
        k = pool_size
        x = small[..., None] if small.shape.rank == 3 else small
        n, h, w, c = tf.unstack(tf.shape(x))
        big = tf.reshape(tf.broadcast_to(x[:, :, None, :, None, :], (n, h, k, w, k, c)), (n, h * k, w * k, c))
        big = tf.slice(big, [0, (h * k - height) // 2, (w * k - width) // 2, 0], [-1, height, width, -1])
        return big[..., 0] if small.shape.rank == 3 else big
    rows = _tf_block_indices(height, tf.shape(small)[1], pool_size, strides, padding)
    cols = _tf_block_indices(width, tf.shape(small)[2], pool_size, strides, padding)
    return tf.gather(tf.gather(small, rows, axis=1), cols, axis=2)


# --------------------------------------------------------------------------- NumPy helpers


def activation_curve(name: str, *, x=None) -> tuple[np.ndarray, np.ndarray]:
    """The curve of an activation as data for plotting, computed by ``keras.activations``.

    ``x``: 1-D inputs (default 201 points from −5 to 5). Returns ``(x, y)``,
    both float32 1-D arrays. Raises ValueError for a name not in ACTIVATIONS.
    """
    _check_activation(name)
    xs = np.linspace(-5.0, 5.0, 201, dtype=np.float32) if x is None else np.asarray(x, np.float32)
    if xs.ndim != 1:
        raise ValueError(f"x must be 1-D, got shape {xs.shape}")
    with _LOCK:
        ys = np.asarray(keras.activations.get(name)(tf.constant(xs)), dtype=np.float32)
    return xs, ys


# --------------------------------------------------------------------------- validation


def _check_image(image, what: str = "image") -> np.ndarray:
    arr = np.asarray(image)
    if arr.ndim != 3 or arr.shape[-1] != 3:
        raise ImageError(f"{what}: expected an RGB image of shape (H, W, 3), got shape {arr.shape}")
    if arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ImageError(f"{what}: the image has no pixels (shape {arr.shape})")
    if arr.dtype.kind != "f":
        raise ImageError(
            f"{what}: expected float values in [0, 1], got dtype {arr.dtype} "
            "(divide 8-bit images by 255 first, or use vizcore.load_image)"
        )
    arr = arr.astype(np.float32, copy=False)
    low, high = arr.min(), arr.max()
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ImageError(f"{what}: the image contains NaN or infinite values")
    if low < 0 or high > 1:  # the graphs expect [0, 1], as vizcore.to_space would clip
        arr = np.clip(arr, 0.0, 1.0)
    return arr


def _check_space(space: str) -> str:
    if space not in SPACES:
        raise ValueError(f"unknown colour space {space!r}; choose one of {', '.join(SPACES)}")
    return space


def _check_activation(name: str) -> str:
    if name not in ACTIVATION_INFO:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
    return name


def _check_int(value, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}, got {value!r}")
    return int(value)


def _check_seed(seed) -> int:
    return _check_int(seed, "seed", 0, 2**31 - 1)


def _check_padding(padding: str) -> str:
    if padding not in ("same", "valid"):
        raise ValueError(f"padding must be 'same' or 'valid', got {padding!r}")
    return padding


def _resolve_display(display: str, activation: str) -> str:
    if display == "auto":
        return "clip" if activation in _UNIT_RANGE_ACTIVATIONS else "minmax"
    if display not in DISPLAY_MODES:
        raise ValueError(f"display must be 'auto', 'clip' or 'minmax', got {display!r}")
    return display


def _channels(space: str) -> int:
    return 1 if space == "luminance" else 3


def _conv_out(size: int, kernel: int, strides: int, padding: str) -> int:
    return -(-size // strides) if padding == "same" else (size - kernel) // strides + 1


def _transpose_out(size: int, kernel: int, strides: int, padding: str) -> int:
    return size * strides if padding == "same" else size * strides + max(kernel - strides, 0)


def _check_output(shape: tuple[int, ...], what: str) -> None:
    if min(shape) < 1:
        raise ImageError(f"{what} would have no pixels (output shape {shape}); use a larger image or 'same' padding")
    if math.prod(shape) > MAX_OUTPUT_ELEMENTS:
        raise ImageError(
            f"{what} would be too large ({'×'.join(map(str, shape))} values); use a smaller image or settings"
        )


# --------------------------------------------------------------------------- result helpers


def _fmt(value: float) -> str:
    return f"{value:.3g}".replace("-", "−")


def _display_note(mode: str, lo: np.ndarray, hi: np.ndarray) -> str:
    lo, hi = np.ravel(lo), np.ravel(hi)
    if not (np.isfinite(lo).all() and np.isfinite(hi).all()):
        return ("Some values overflowed to infinity (or are not numbers), so they are shown clipped: "
                "+∞ white, −∞ and NaN black, everything else clipped to [0, 1].")
    if mode == "clip":
        return (
            f"Values shown as they are: 0 is black, 1 is white, anything outside [0, 1] is clipped "
            f"(this output ranges from {_fmt(lo.min())} to {_fmt(hi.max())})."
        )
    if lo.size == 1:
        return (
            f"Min–max stretched: the lowest value ({_fmt(lo[0])}) is black and the highest "
            f"({_fmt(hi[0])}) white."
        )
    return (
        f"Min–max stretched per map: each of the {lo.size} maps goes from its own lowest value (black) "
        f"to its highest (white); overall range {_fmt(lo.min())} to {_fmt(hi.max())}."
    )


def _shape_text(shape) -> str:
    return "×".join(str(int(s)) for s in shape)


def _fix_maps(shown: np.ndarray, output: np.ndarray, lo: np.ndarray, hi: np.ndarray, mode: str) -> np.ndarray:
    """Patch the rare maps the graph cannot show: constant ones and ones with overflowed values.

    Both are shown clipped (infinities as 0 or 1, NaN as 0), like ``normalise`` does
    for constant maps.
    """
    lo, hi = np.ravel(lo), np.ravel(hi)
    bad = ~(np.isfinite(lo) & np.isfinite(hi))
    flat = (hi <= lo) & (mode == "minmax")
    if not (bad.any() or flat.any()):
        return shown
    shown = np.array(shown, dtype=np.float32)
    for j in np.flatnonzero(flat | bad):
        values = np.nan_to_num(output[..., j], nan=0.0, posinf=1.0, neginf=0.0)
        shown[..., j] = np.clip(values, 0.0, 1.0)
    return shown


def _feature_result(*, y, shown, lo, hi, mode, params, code, title, caption, explanation, settings):
    """Assemble a LayerResult for feature maps y (1, H, W, k) shown as grey."""
    output = np.asarray(y)[0]
    lo, hi = np.asarray(lo), np.asarray(hi)
    shown = _fix_maps(np.asarray(shown)[0], output, lo, hi, mode)
    maps = np.moveaxis(shown, -1, 0)
    return LayerResult(
        title=title,
        caption=caption,
        explanation=explanation,
        output=output,
        image=render.grey_view(maps[0]),
        params=int(params),
        code=code,
        display=mode,
        display_note=_display_note(mode, lo, hi),
        output_shape=tuple(output.shape),
        maps=maps,
        settings=settings,
    )


_CLIP_NOTE = "Clipped to [0, 1] in the colour space, then converted back to RGB for display."


def _imports(*extra: str) -> str:
    return "\n".join(["import keras", *extra, "import vizcore", ""])


def _init(seed: int) -> str:
    return f"keras.initializers.GlorotUniform(seed={seed})"


def _space_line(space: str, var: str = "image", name: str = "x") -> str:
    c = _channels(space)
    return f'{name} = vizcore.to_space({var}, "{space}")[None]  # (1, H, W, {c})'


# "the ... of each pixel": what a per-pixel layer reads in each space.
_CHANNEL_WORDS = {
    "luminance": "luminance value",
    "rgb": "R, G, B values",
    "hsv": "H, S, V values",
    "ycbcr": "Y, Cb, Cr values",
}

_SPACE_WORDS = {
    "luminance": "the luminance (1 channel)",
    "rgb": "RGB",
    "hsv": "HSV",
    "ycbcr": "YCbCr",
}


# --------------------------------------------------------------------------- merge


def _merge_layer(kind: str) -> keras.layers.Layer:
    return _stateless(kind, axis=-1) if kind == "Concatenate" else _stateless(kind)


_MERGE_WORDS = {
    "Add": "adds the two inputs value by value",
    "Subtract": "subtracts the second input from the first, value by value",
    "Multiply": "multiplies the two inputs value by value",
    "Average": "averages the two inputs value by value",
    "Maximum": "keeps the larger of the two values at every position",
    "Minimum": "keeps the smaller of the two values at every position",
    "Concatenate": "stacks the channels of both inputs, one after the other",
}


def merge(kind: str, a, b, *, space: str) -> LayerResult:
    """Merge two images with ``keras.layers.<kind>`` in a colour space.

    ``kind``: one of :data:`MERGE_KINDS`. ``a``, ``b``: RGB float32
    ``(H, W, 3)`` in ``[0, 1]`` of the same size (see ``vizcore.match_size``).
    Both are converted to ``space``, merged, clipped to ``[0, 1]`` in that
    space and converted back to RGB for ``image``. ``output`` is the raw layer
    output ``(H, W, C)`` (``(H, W, 2C)`` for Concatenate, whose ``image``
    shows its two halves side by side, ``(H, 2W, 3)``, and whose ``maps`` are
    its ``2C`` clipped channels). Parameters: 0.

    Raises ImageError for images that are not (H, W, 3) floats or differ in
    size, ValueError for an unknown kind or space.
    """
    if kind not in MERGE_KINDS:
        raise ValueError(f"unknown merge kind {kind!r}; choose one of {', '.join(MERGE_KINDS)}")
    _check_space(space)
    a = _check_image(a, "first image")
    b = _check_image(b, "second image")
    if a.shape != b.shape:
        raise ImageError(
            f"the two images must have the same size to be merged, got {a.shape[:2]} and {b.shape[:2]} "
            "(vizcore.match_size brings one to the other's size)"
        )
    layer = _merge_layer(kind)

    def body(a_img, b_img):
        xa = _tf_to_space(a_img[None], space)
        xb = _tf_to_space(b_img[None], space)
        y = layer([xa, xb])
        if kind == "Concatenate":
            return y[0], _tf_concat_shown(a_img, b_img, xa, xb, space)
        return y[0], _tf_from_space(_tf_clip_merge(y, kind), space)[0]

    fn = _traced(("merge", kind, space), body, 2)
    with _LOCK:
        y, shown = fn(tf.constant(a), tf.constant(b))
    return _merge_result(kind, space, np.asarray(y), np.asarray(shown))


def _tf_clip_merge(y, kind: str):
    """Clip a merge of two inputs in [0, 1] to [0, 1].

    Only Add can exceed 1 and only Subtract can go below 0; Multiply, Average,
    Maximum and Minimum of values in [0, 1] stay in [0, 1], so they need no pass.
    """
    if kind == "Add":
        return tf.minimum(y, 1.0)
    if kind == "Subtract":
        return tf.maximum(y, 0.0)
    return y


def _tf_concat_shown(a_img, b_img, xa, xb, space: str):
    """Concatenate's display: its two halves (xa, xb, already in [0, 1]) converted back, side by side.

    Converting a space's image back to RGB gives the input again, so colour spaces show
    the inputs themselves; luminance shows their grey.
    """
    if space == "luminance":
        return tf.concat([xa[0, ..., 0], xb[0, ..., 0]], 1)
    return tf.concat([a_img, b_img], 1)


def _merge_result(kind: str, space: str, output: np.ndarray, shown: np.ndarray) -> LayerResult:
    h, w = output.shape[:2]
    c = _channels(space)
    maps = np.moveaxis(output, -1, 0) if kind == "Concatenate" else None  # already in [0, 1]
    if kind == "Concatenate":
        layer_expr = "keras.layers.Concatenate(axis=-1)"
        shape_note = f"{h}×{w}×{2 * c} (the {c} channels of each input)"
        extra = " Shown: the first input's channels (left) and the second's (right), each converted back to RGB."
    else:
        layer_expr = f"keras.layers.{kind}()"
        shape_note = f"{h}×{w}×{c}"
        extra = ""
    code = "\n".join([
        _imports("import numpy as np"),
        "# a, b: RGB float32 (H, W, 3) in [0, 1] of the same size",
        _space_line(space, "a", "xa"),
        _space_line(space, "b", "xb"),
        f"y = {layer_expr}([xa, xb])[0]  # ({h}, {w}, {output.shape[-1]})",
        f'shown = vizcore.from_space(np.clip(y{"[..., :%d]" % c if kind == "Concatenate" else ""}, 0, 1), "{space}")',
    ])
    return LayerResult(
        title=f"{kind} · {space}",
        caption=f"{kind} of the two images in {_SPACE_WORDS[space]}.",
        explanation=(
            f"{kind} {_MERGE_WORDS[kind]} in {_SPACE_WORDS[space]}; output {shape_note}, "
            f"0 parameters.{extra}"
        ),
        output=output,
        image=render.colour_image(shown),
        params=0,
        code=code,
        display="clip",
        display_note=_CLIP_NOTE,
        output_shape=tuple(output.shape),
        maps=maps,
        settings={"function": "merge", "kind": kind, "space": space},
    )


# --------------------------------------------------------------------------- pooling


def pool(
    image,
    *,
    kind: str,
    space: str,
    size: int | None = None,
    strides: int | None = None,
    padding: str = "same",
) -> LayerResult:
    """Pool an image in a colour space.

    ``kind``:

    * ``"max"`` / ``"average"``: ``keras.layers.MaxPooling2D`` /
      ``AveragePooling2D`` with ``pool_size=size`` (default 2),
      ``strides`` (default ``size``) and ``padding`` (default ``"same"``).
      ``output`` is ``(ceil(H/s), ceil(W/s), C)`` for "same" padding,
      ``(floor((H − size)/s) + 1, ...)`` for "valid"; ``image`` is back at the
      input's ``(H, W)`` with every pooled value repeated over its block
      (nearest neighbour, so the blocks show), clipped in the space and
      converted to RGB.
    * ``"global_average"``: ``GlobalAveragePooling2D``, one value per
      channel; ``output`` is ``(C,)``, ``image`` an ``(H, W, 3)`` swatch of
      that colour. ``size``/``strides`` must be left unset.
    * ``"depthwise_max"``: max over groups of ``size`` neighbouring channels
      (default: all channels), as the seed's ``tf.nn.max_pool`` over the channel
      axis, done by ``keras.layers.MaxPooling3D(pool_size=(1, 1, size))``
      on the channels seen as a depth axis. ``output`` is ``(H, W, C/size)``,
      shown grey (the first map) unless it keeps the colour channels
      (``size=1``).

    Raises ImageError for a bad image, ValueError for bad options (e.g. a
    depth window that does not divide the channel count).
    """
    if kind not in POOL_KINDS:
        raise ValueError(f"unknown pooling kind {kind!r}; choose one of {', '.join(POOL_KINDS)}")
    _check_space(space)
    image = _check_image(image)
    h, w = image.shape[:2]
    c = _channels(space)
    if kind in ("global_average", "depthwise_max") and padding != "same":
        raise ValueError(f"{kind} pooling has no padding; leave padding unset, got {padding!r}")
    if kind == "global_average":
        if size is not None or strides is not None:
            raise ValueError("global_average pooling averages the whole image; leave size and strides unset")
        return _global_pool(image, space)
    if kind == "depthwise_max":
        if strides is not None:
            raise ValueError("depthwise_max pools across channels only; leave strides unset")
        depth = c if size is None else _check_int(size, "size", 1, 3)
        if c % depth:
            raise ValueError(f"the depth window must divide the {c} channel(s) of {space}, got size={depth}")
        return _depthwise_pool(image, space, depth)
    size = 2 if size is None else _check_int(size, "size", 1, 64)
    strides = size if strides is None else _check_int(strides, "strides", 1, 64)
    _check_padding(padding)
    out_shape = (_conv_out(h, size, strides, padding), _conv_out(w, size, strides, padding), c)
    _check_output(out_shape, f"{kind} pooling {size}×{size}")
    cls = "MaxPooling2D" if kind == "max" else "AveragePooling2D"
    layer = _stateless(cls, pool_size=size, strides=strides, padding=padding)

    def body(img):
        y = layer(_tf_to_space(img[None], space))
        shown = _tf_from_space(tf.clip_by_value(y, 0.0, 1.0), space)
        shown = _tf_upsample_blocks(shown, tf.shape(img)[0], tf.shape(img)[1], size, strides, padding)
        return y[0], shown[0]

    fn = _traced(("pool", cls, size, strides, padding, space), body)
    with _LOCK:
        y, shown = fn(tf.constant(image))
    return _pool_result(kind, space, size, strides, padding, np.asarray(y), np.asarray(shown))


def _pool_result(kind, space, size, strides, padding, output, shown) -> LayerResult:
    cls = "MaxPooling2D" if kind == "max" else "AveragePooling2D"
    word = "largest" if kind == "max" else "average"
    stride_text = "" if strides == size else f", strides={strides}"
    ho, wo, c = output.shape
    code = "\n".join([
        _imports(),
        _SAMPLE_HINT,
        _space_line(space),
        f'y = keras.layers.{cls}(pool_size={size}{stride_text}, padding="{padding}")(x)[0]  # ({ho}, {wo}, {c})',
    ])
    return LayerResult(
        title=f"{cls} {size}×{size} · {space}",
        caption=f"{'Max' if kind == 'max' else 'Average'} pooling {size}×{size} in {_SPACE_WORDS[space]}.",
        explanation=(
            f"{cls} keeps the {word} value of each {size}×{size} block per channel (stride {strides}, "
            f'padding "{padding}"): output {ho}×{wo}×{c}, 0 parameters. Shown at the input size with each '
            "pooled value repeated over its block."
        ),
        output=output,
        image=render.colour_image(shown),
        params=0,
        code=code,
        display="clip",
        display_note=_CLIP_NOTE,
        output_shape=tuple(output.shape),
        settings={"function": "pool", "kind": kind, "space": space, "size": size, "strides": strides,
                  "padding": padding},
    )


def _global_pool(image: np.ndarray, space: str) -> LayerResult:
    layer = _stateless("GlobalAveragePooling2D")

    def body(img):
        y = layer(_tf_to_space(img[None], space))  # (1, C)
        shown = _tf_from_space(tf.clip_by_value(y, 0.0, 1.0)[:, None, None, :], space)
        return y[0], tf.reshape(shown, (-1,))  # 1 value (grey) or 3

    fn = _traced(("global_pool", space), body)
    with _LOCK:
        y, colour = fn(tf.constant(image))
    output = np.asarray(y)
    colour = np.asarray(colour)
    if colour.size == 1:
        colour = np.repeat(colour, 3)
    h, w = image.shape[:2]
    swatch = np.broadcast_to(colour.astype(np.float32), (h, w, 3))
    c = output.shape[0]
    values = ", ".join(f"{v:.3f}" for v in output)
    code = "\n".join([
        _imports(),
        _SAMPLE_HINT,
        _space_line(space),
        f"y = keras.layers.GlobalAveragePooling2D()(x)[0]  # ({c},): one mean per channel",
    ])
    return LayerResult(
        title=f"GlobalAveragePooling2D · {space}",
        caption=f"The mean of each channel in {_SPACE_WORDS[space]}, shown as one colour.",
        explanation=(
            f"GlobalAveragePooling2D averages every channel over the whole image: output ({c},) = "
            f"({values}), 0 parameters. Shown as a swatch of that colour."
        ),
        output=output,
        image=swatch,
        params=0,
        code=code,
        display="clip",
        display_note=_CLIP_NOTE,
        output_shape=tuple(output.shape),
        settings={"function": "pool", "kind": "global_average", "space": space},
    )


def _depthwise_pool(image: np.ndarray, space: str, depth: int) -> LayerResult:
    layer = _stateless("MaxPooling3D", pool_size=(1, 1, depth), strides=(1, 1, depth))
    c = _channels(space)
    keeps_colour = depth == 1

    def body(img):
        x = _tf_to_space(img[None], space)
        y = layer(x[..., None])[..., 0]  # channels as the depth axis of a 3-D pooling
        if keeps_colour:
            return y[0], _tf_from_space(y, space)[0]
        return y[0], y[0]  # maxima of values in [0, 1]

    fn = _traced(("depth_pool", space, depth), body)
    with _LOCK:
        y, shown = fn(tf.constant(image))
    output, shown = np.asarray(y), np.asarray(shown)
    h, w, k = output.shape
    if keeps_colour:
        img, maps = render.colour_image(shown), None
    else:
        maps = np.moveaxis(shown, -1, 0)
        img = render.grey_view(maps[0])
    code = "\n".join([
        _imports(),
        _SAMPLE_HINT,
        _space_line(space),
        "# the channels become a depth axis; pool over it (as tf.nn.max_pool with ksize (1, 1, 1, %d))" % depth,
        f"x5 = keras.ops.expand_dims(x, -1)  # (1, H, W, {c}, 1)",
        f"y = keras.layers.MaxPooling3D(pool_size=(1, 1, {depth}))(x5)[0, ..., 0]  # ({h}, {w}, {k})",
    ])
    return LayerResult(
        title=f"Depth-wise max pooling · {space}",
        caption=f"The largest of every {depth} neighbouring channel(s) at each pixel in {_SPACE_WORDS[space]}.",
        explanation=(
            f"Depth-wise max pooling keeps, at every pixel, the largest of each group of {depth} channel(s): "
            f"output {h}×{w}×{k}, 0 parameters."
            + (" In RGB this is exactly HSV's value channel." if space == "rgb" and depth == 3 else "")
        ),
        output=output,
        image=img,
        params=0,
        code=code,
        display="clip",
        display_note="Values in [0, 1] shown as they are (0 black, 1 white).",
        output_shape=tuple(output.shape),
        maps=maps,
        settings={"function": "pool", "kind": "depthwise_max", "space": space, "size": depth},
    )


# --------------------------------------------------------------------------- Dense


def _run_slot(kind, slot, image, *, activation, mode, space, seed, kernel=None):
    """One cached weighted layer then its activation, through the panel's cached traced graph.

    The slot's weights are set (seeded, or the hand-made ``kernel``) and the graph run
    under the TensorFlow lock, so concurrent sessions never see each other's weights.
    Returns (output, shown, lo, hi) tensors as ``_tf_show`` gives them.
    """
    act = _stateless("Activation", activation=activation)

    def body(img):
        z = slot.layer(_tf_to_space(img[None], space))
        y = act(z)
        shown, lo, hi = _tf_show(z, y, activation, mode)
        return y, shown, lo, hi

    fn = _traced((kind, id(slot), activation, mode, space), body)
    with _LOCK:
        if kernel is None:
            slot.set_seed(seed)
        else:
            slot.set_kernel(kernel)
        return fn(tf.constant(image))


def dense(
    image,
    *,
    activation: str = "linear",
    seed: int = 0,
    units: int = 1,
    space: str = "luminance",
    display: str = "auto",
) -> LayerResult:
    """``keras.layers.Dense(units)`` applied to every pixel's channel vector.

    Dense acts on the last axis, so each pixel's ``C`` channel values become
    ``units`` values with the same weights everywhere (a 1×1 convolution).
    ``output``: ``(H, W, units)``; ``params = C·units + units``.
    Raises ImageError for a bad image, ValueError for bad options.
    """
    _check_activation(activation)
    _check_space(space)
    seed = _check_seed(seed)
    units = _check_int(units, "units", 1, 64)
    mode = _resolve_display(display, activation)
    image = _check_image(image)
    h, w = image.shape[:2]
    c = _channels(space)
    _check_output((h, w, units), "Dense")
    slot = _slot("Dense", (None, None, None, c), units=units)
    y, shown, lo, hi = _run_slot("dense", slot, image, activation=activation, mode=mode, space=space, seed=seed)
    text = _dense_text(h=h, w=w, c=c, units=units, activation=activation, seed=seed, space=space, display=display)
    return _feature_result(y=y, shown=shown, lo=lo, hi=hi, mode=mode, **text)


def _dense_text(*, h, w, c, units, activation, seed, space, display) -> dict:
    params = c * units + units
    code = "\n".join([
        _imports(),
        _SAMPLE_HINT,
        _space_line(space),
        f'layer = keras.layers.Dense({units}, activation="{activation}", kernel_initializer={_init(seed)})',
        f"y = layer(x)[0]  # ({h}, {w}, {units}): the same weights at every pixel",
    ])
    return dict(
        params=params,
        code=code,
        title=f"Dense({units}) · {activation}",
        caption=f"Dense({units}) on the {_CHANNEL_WORDS[space]} of each pixel, then {activation}.",
        explanation=(
            f"Dense mixes each pixel's {c} channel value(s) with the same {c}×{units} weights plus a bias, "
            f"then applies {activation}: output {h}×{w}×{units}, {params:,} parameters ({c}·{units} + {units})."
        ),
        settings={"function": "dense", "activation": activation, "seed": seed, "units": units, "space": space,
                  "display": display},
    )


def dense_fully_connected(
    image,
    *,
    activation: str = "linear",
    seed: int = 0,
    size: int = 32,
    units: int | None = None,
    space: str = "luminance",
    display: str = "auto",
) -> LayerResult:
    """Flatten → Dense → Reshape: every output pixel sees every input pixel.

    The image is resized to ``size×size`` (area averaging; aspect not kept),
    converted to ``space`` (``C`` channels), flattened to ``size²·C`` values,
    passed through ``Dense(units)`` (default ``units = size²``) and reshaped
    to ``(size, size, units / size²)``. ``params = size²·C·units + units``:
    32×32×1 → Dense(1024) has 1,049,600. ``image`` shows the first map back
    at the input's size (nearest neighbour).

    Raises ImageError for a bad image, ValueError for bad options (``units``
    must be a multiple of ``size²``).
    """
    _check_activation(activation)
    _check_space(space)
    seed = _check_seed(seed)
    size = _check_int(size, "size", 1, 64)
    units = size * size if units is None else _check_int(units, "units", 1, 4 * size * size)
    if units % (size * size):
        raise ValueError(f"units must be a multiple of size² = {size * size} to reshape to {size}×{size}, got {units}")
    depth = units // (size * size)
    mode = _resolve_display(display, activation)
    image = _check_image(image)
    h, w = image.shape[:2]
    c = _channels(space)
    slot = _slot("Dense", (None, size * size * c), units=units)
    flatten = _stateless("Flatten")
    reshape = _stateless("Reshape", target_shape=(size, size, depth))
    act = _stateless("Activation", activation=activation)

    def body(img):
        small = tf.clip_by_value(tf.image.resize(img[None], (size, size), method="area"), 0.0, 1.0)
        z = reshape(slot.layer(flatten(_tf_to_space(small, space))))
        y = act(z)
        shown, lo, hi = _tf_show(z, y, activation, mode)
        return y, shown, lo, hi

    fn = _traced(("dense_fc", id(slot), size, depth, activation, mode, space), body)
    with _LOCK:
        slot.set_seed(seed)
        y, shown, lo, hi = fn(tf.constant(image))
    params = size * size * c * units + units
    code = "\n".join([
        _imports("import tensorflow as tf"),
        _SAMPLE_HINT,
        f'small = tf.image.resize(image[None], ({size}, {size}), method="area")[0]',
        _space_line(space, "small"),
        "model = keras.Sequential([",
        "    keras.layers.Flatten(),",
        f'    keras.layers.Dense({units}, activation="{activation}", kernel_initializer={_init(seed)}),',
        f"    keras.layers.Reshape(({size}, {size}, {depth})),",
        "])",
        f"y = model(x)[0]  # ({size}, {size}, {depth}); model.count_params() == {params}",
    ])
    result = _feature_result(
        y=y, shown=shown, lo=lo, hi=hi, mode=mode, params=params, code=code,
        title=f"Flatten → Dense({units}) → Reshape · {activation}",
        caption=f"A fully-connected layer on the {size}×{size} image: every output pixel sees every input pixel.",
        explanation=(
            f"The {size}×{size}×{c} image is flattened to {size * size * c:,} values; Dense({units}) gives each "
            f"output its own weight for every input, then {activation}: output {size}×{size}×{depth}, "
            f"{params:,} parameters ({size * size * c:,}·{units:,} + {units:,})."
        ),
        settings={"function": "dense_fully_connected", "activation": activation, "seed": seed, "size": size,
                  "units": units, "space": space, "display": display},
    )
    # The first map back at the input's size, nearest neighbour.
    rows, cols = np.arange(h) * size // h, np.arange(w) * size // w
    return _replace_image(result, render.grey_view(result.maps[0][rows][:, cols]))


def _replace_image(result: LayerResult, image: np.ndarray) -> LayerResult:
    from dataclasses import replace

    return replace(result, image=image)


# --------------------------------------------------------------------------- Conv2D


def _check_kernel(kernel) -> np.ndarray:
    k = np.asarray(kernel, dtype=np.float32)
    if k.ndim != 2 or not (1 <= k.shape[0] <= 15 and 1 <= k.shape[1] <= 15):
        raise ValueError(f"kernel must be a 2-D array from 1×1 to 15×15, got shape {k.shape}")
    if not np.isfinite(k).all():
        raise ValueError("kernel contains NaN or infinite values")
    return k


def _kernel_literal(kernel: np.ndarray) -> str:
    rows = ", ".join("[" + ", ".join(f"{v:.9g}" for v in row) + "]" for row in kernel)
    return f'np.array([{rows}], dtype="float32")'


def conv2d(
    image,
    *,
    activation: str = "linear",
    seed: int = 0,
    filters: int = 1,
    kernel_size: int | None = None,
    strides: int = 1,
    padding: str = "same",
    kernel=None,
    space: str = "rgb",
    display: str = "auto",
) -> LayerResult:
    """``keras.layers.Conv2D`` on an image in a colour space.

    Seeded: ``filters`` filters of ``kernel_size×kernel_size×C`` Glorot-uniform
    weights plus a zero bias; ``params = k·k·C·filters + filters`` (3×3 on
    RGB, 1 filter: 28). ``kernel_size`` defaults to 3.

    Hand-made: ``kernel`` is a 2-D ``(kh, kw)`` array (e.g. a
    :data:`KERNEL_PRESETS` entry) used for every input channel and summed over
    them, as Keras does, with no bias (``params = kh·kw·C``); ``filters``
    must be 1, ``seed`` is not used and ``kernel_size`` must be unset or match.
    Keras convolution is a correlation (the kernel is not flipped).

    ``output``: ``(H', W', filters)`` after ``activation``; ``H' = ceil(H/s)``
    for ``"same"`` padding, ``floor((H − k)/s) + 1`` for ``"valid"``.
    Raises ImageError for a bad image (or one smaller than a "valid" kernel),
    ValueError for bad options.
    """
    _check_activation(activation)
    _check_space(space)
    seed = _check_seed(seed)
    filters = _check_int(filters, "filters", 1, 64)
    strides = _check_int(strides, "strides", 1, 16)
    _check_padding(padding)
    if kernel is not None:
        hand = _check_kernel(kernel)
        if filters != 1:
            raise ValueError(f"a hand-made kernel gives one filter; got filters={filters}")
        if kernel_size is not None and tuple(np.broadcast_to(kernel_size, (2,))) != hand.shape:
            raise ValueError(f"kernel_size={kernel_size} does not match the kernel's shape {hand.shape}")
        ksize: tuple[int, int] = hand.shape  # type: ignore[assignment]
    else:
        hand = None
        k = 3 if kernel_size is None else _check_int(kernel_size, "kernel_size", 1, 15)
        ksize = (k, k)
    mode = _resolve_display(display, activation)
    image = _check_image(image)
    h, w = image.shape[:2]
    c = _channels(space)
    out_shape = (_conv_out(h, ksize[0], strides, padding), _conv_out(w, ksize[1], strides, padding), filters)
    _check_output(out_shape, f"Conv2D {ksize[0]}×{ksize[1]}")
    slot = _slot(
        "Conv2D", (None, None, None, c), filters=filters, kernel_size=ksize, strides=strides, padding=padding,
        use_bias=hand is None,
    )
    y, shown, lo, hi = _run_slot("conv2d", slot, image, activation=activation, mode=mode, space=space, seed=seed,
                                 kernel=hand)
    text = _conv_text(h=h, w=w, c=c, out_shape=out_shape, filters=filters, ksize=ksize, strides=strides,
                      padding=padding, activation=activation, seed=seed, hand=hand, space=space, display=display)
    return _feature_result(y=y, shown=shown, lo=lo, hi=hi, mode=mode, **text)


def _conv_text(*, h, w, c, out_shape, filters, ksize, strides, padding, activation, seed, hand, space,
               display) -> dict:
    kh, kw = ksize
    opts = f'strides={strides}, padding="{padding}", activation="{activation}"'
    ho, wo, _ = out_shape
    if hand is None:
        params = kh * kw * c * filters + filters
        size_expr = str(kh) if kh == kw else f"({kh}, {kw})"
        code = "\n".join([
            _imports(),
            _SAMPLE_HINT,
            _space_line(space),
            f"layer = keras.layers.Conv2D({filters}, {size_expr}, {opts},",
            f"                            kernel_initializer={_init(seed)})",
            f"y = layer(x)[0]  # ({ho}, {wo}, {filters})",
        ])
        what = f"{filters} seeded filter(s) of {kh}×{kw}×{c} weights plus a bias"
        arithmetic = f"{kh}·{kw}·{c}·{filters} + {filters}"
        title = f"Conv2D {kh}×{kw} · {activation}"
    else:
        params = kh * kw * c
        code = "\n".join([
            _imports("import numpy as np"),
            _SAMPLE_HINT,
            _space_line(space),
            f"kernel = {_kernel_literal(hand)}  # ({kh}, {kw}), used for every input channel",
            f"layer = keras.layers.Conv2D(1, kernel.shape, {opts}, use_bias=False)",
            "layer.build(x.shape)",
            "layer.set_weights([np.repeat(kernel[:, :, None, None], x.shape[-1], axis=2)])",
            f"y = layer(x)[0]  # ({ho}, {wo}, 1)",
        ])
        what = f"your {kh}×{kw} kernel on each of the {c} channel(s), summed, no bias"
        arithmetic = f"{kh}·{kw}·{c}"
        title = f"Conv2D hand-made {kh}×{kw} · {activation}"
    stride_text = "" if strides == 1 else f", stride {strides}"
    return dict(
        params=params,
        code=code,
        title=title,
        caption=f"Conv2D {kh}×{kw}{stride_text} on {_SPACE_WORDS[space]}, then {activation}.",
        explanation=(
            f"Conv2D slides {what} over the image (padding \"{padding}\"{stride_text}), then applies {activation}: "
            f"output {_shape_text(out_shape)}, {params:,} parameters ({arithmetic})."
        ),
        settings={"function": "conv2d", "activation": activation, "seed": seed, "filters": filters,
                  "kernel_size": None if hand is not None else kh, "strides": strides, "padding": padding,
                  "kernel": None if hand is None else hand.tolist(), "space": space, "display": display},
    )


def _check_stack(layers) -> list[dict]:
    if not isinstance(layers, (list, tuple)) or not 1 <= len(layers) <= 4:
        raise ValueError(f"layers must be a list of 1 to 4 dicts, got {layers!r}")
    out = []
    for i, spec in enumerate(layers):
        if not isinstance(spec, dict):
            raise ValueError(f"layers[{i}] must be a dict, got {spec!r}")
        unknown = set(spec) - {"filters", "kernel_size", "activation", "strides"}
        if unknown:
            raise ValueError(f"layers[{i}] has unknown keys {sorted(unknown)}")
        out.append({
            "filters": _check_int(spec.get("filters", 1), f"layers[{i}]['filters']", 1, 64),
            "kernel_size": _check_int(spec.get("kernel_size", 3), f"layers[{i}]['kernel_size']", 1, 15),
            "strides": _check_int(spec.get("strides", 1), f"layers[{i}]['strides']", 1, 16),
            "activation": _check_activation(spec.get("activation", "linear")),
        })
    return out


def conv2d_stack(
    image,
    *,
    layers,
    seed: int = 0,
    padding: str = "same",
    space: str = "rgb",
    display: str = "auto",
) -> LayerResult:
    """Several ``keras.layers.Conv2D`` in a row, each with its own activation.

    ``layers``: 1–4 dicts with ``filters`` (default 1), ``kernel_size``
    (default 3), ``strides`` (default 1) and ``activation`` (default
    ``"linear"``). Layer ``i`` uses ``GlorotUniform(seed + i)``. ``output`` is
    the last layer's output; ``params`` the sum over layers. The display mode
    ``"auto"`` follows the last activation.
    Raises ImageError for a bad image, ValueError for bad options.
    """
    specs = _check_stack(layers)
    _check_space(space)
    seed = _check_seed(seed)
    _check_padding(padding)
    mode = _resolve_display(display, specs[-1]["activation"])
    image = _check_image(image)
    h, w = image.shape[:2]
    c = _channels(space)
    slots, acts, shapes = [], [], []
    in_ch, ho, wo = c, h, w
    params = 0
    for spec in specs:
        k, s, f = spec["kernel_size"], spec["strides"], spec["filters"]
        slots.append(_slot("Conv2D", (None, None, None, in_ch), filters=f, kernel_size=(k, k), strides=s,
                           padding=padding, use_bias=True))
        acts.append(_stateless("Activation", activation=spec["activation"]))
        ho, wo = _conv_out(ho, k, s, padding), _conv_out(wo, k, s, padding)
        shapes.append((ho, wo, f))
        _check_output(shapes[-1], "Conv2D stack")
        params += k * k * in_ch * f + f
        in_ch = f

    def body(img):
        x = _tf_to_space(img[None], space)
        for slot, act in zip(slots, acts):
            z = slot.layer(x)
            x = act(z)
        shown, lo, hi = _tf_show(z, x, specs[-1]["activation"], mode)
        return x, shown, lo, hi

    key = tuple((sp["filters"], sp["kernel_size"], sp["strides"], sp["activation"]) for sp in specs)
    fn = _traced(("conv_stack", tuple(map(id, slots)), key, mode, space), body)
    with _LOCK:
        for i, slot in enumerate(slots):
            slot.set_seed(seed + i)
        y, shown, lo, hi = fn(tf.constant(image))
    text = _stack_text(specs=specs, shapes=shapes, params=params, seed=seed, padding=padding, space=space,
                       display=display)
    return _feature_result(y=y, shown=shown, lo=lo, hi=hi, mode=mode, **text)


def _stack_text(*, specs, shapes, params, seed, padding, space, display) -> dict:
    lines = [_imports(), _SAMPLE_HINT, _space_line(space), "model = keras.Sequential(["]
    for i, sp in enumerate(specs):
        lines.append(
            f'    keras.layers.Conv2D({sp["filters"]}, {sp["kernel_size"]}, strides={sp["strides"]}, '
            f'padding="{padding}", activation="{sp["activation"]}",'
        )
        lines.append(f"                        kernel_initializer={_init(seed + i)}),")
    lines += ["])", f"y = model(x)[0]  # {tuple(shapes[-1])}"]
    chain = " → ".join(f'Conv2D {sp["kernel_size"]}×{sp["kernel_size"]} {sp["activation"]}' for sp in specs)
    return dict(
        params=params,
        code="\n".join(lines),
        title=" → ".join(f'Conv2D·{sp["activation"]}' for sp in specs),
        caption=f"{len(specs)} Conv2D layers in a row on {_SPACE_WORDS[space]}: {chain}.",
        explanation=(
            f"Each layer convolves the previous one's maps and applies its own activation ({chain}): "
            f"output {_shape_text(shapes[-1])}, {params:,} parameters in total."
        ),
        settings={"function": "conv2d_stack", "layers": specs, "seed": seed, "padding": padding, "space": space,
                  "display": display},
    )


# --------------------------------------------------------------------------- Conv2DTranspose


def conv2d_transpose(
    image,
    *,
    kernel_size: int = 2,
    strides: int = 2,
    activation: str = "linear",
    seed: int = 0,
    filters: int = 1,
    padding: str = "same",
    space: str = "rgb",
    display: str = "auto",
) -> LayerResult:
    """``keras.layers.Conv2DTranspose``: each input pixel stamps a weighted kernel onto a larger output.

    Output size: ``H·s`` for ``"same"`` padding, ``H·s + max(k − s, 0)`` for
    ``"valid"``. ``params = k·k·C·filters + filters``. Seeded like
    :func:`conv2d`. Raises ImageError for a bad image or an output over
    :data:`MAX_OUTPUT_ELEMENTS`, ValueError for bad options.
    """
    _check_activation(activation)
    _check_space(space)
    seed = _check_seed(seed)
    k = _check_int(kernel_size, "kernel_size", 1, 16)
    s = _check_int(strides, "strides", 1, 8)
    filters = _check_int(filters, "filters", 1, 64)
    _check_padding(padding)
    mode = _resolve_display(display, activation)
    image = _check_image(image)
    h, w = image.shape[:2]
    c = _channels(space)
    out_shape = (_transpose_out(h, k, s, padding), _transpose_out(w, k, s, padding), filters)
    _check_output(out_shape, f"Conv2DTranspose {k}×{k} stride {s}")
    slot = _slot("Conv2DTranspose", (None, None, None, c), filters=filters, kernel_size=(k, k), strides=(s, s),
                 padding=padding)
    y, shown, lo, hi = _run_slot("conv2d_transpose", slot, image, activation=activation, mode=mode, space=space,
                                 seed=seed)
    text = _transpose_text(h=h, w=w, c=c, out_shape=out_shape, k=k, s=s, filters=filters, padding=padding,
                           activation=activation, seed=seed, space=space, display=display)
    return _feature_result(y=y, shown=shown, lo=lo, hi=hi, mode=mode, **text)


def _transpose_text(*, h, w, c, out_shape, k, s, filters, padding, activation, seed, space, display) -> dict:
    params = k * k * c * filters + filters
    ho, wo, _ = out_shape
    code = "\n".join([
        _imports(),
        _SAMPLE_HINT,
        _space_line(space),
        f'layer = keras.layers.Conv2DTranspose({filters}, {k}, strides={s}, padding="{padding}", '
        f'activation="{activation}",',
        f"                                     kernel_initializer={_init(seed)})",
        f"y = layer(x)[0]  # ({ho}, {wo}, {filters})",
    ])
    grow = f"{h}×{w} → {ho}×{wo}"
    return dict(
        params=params,
        code=code,
        title=f"Conv2DTranspose k{k} s{s} · {activation}",
        caption=f"Conv2DTranspose {k}×{k}, stride {s} on {_SPACE_WORDS[space]} ({grow}), then {activation}.",
        explanation=(
            f"Conv2DTranspose stamps a {k}×{k} kernel, scaled by each input pixel, every {s} output pixels "
            f"and sums the overlaps, then applies {activation}: output {_shape_text(out_shape)}, "
            f"{params:,} parameters ({k}·{k}·{c}·{filters} + {filters})."
            + (" With the kernel smaller than the stride, gaps appear between the stamps." if k < s else "")
        ),
        settings={"function": "conv2d_transpose", "kernel_size": k, "strides": s, "activation": activation,
                  "seed": seed, "filters": filters, "padding": padding, "space": space, "display": display},
    )
