"""The whole cheat sheet: every panel of the seed sheet for one pair of images, and a PNG of it.

:func:`cheat_sheet` returns the seed sheet's 57 panels plus five more (62 with the four
colour spaces), each a :class:`Panel` -- a :class:`vizcore.LayerResult` with a ``group`` --
equal to what the single-panel function named in its ``settings`` returns for the same
images (the tests check this), observation included:

=====================  ==============================================================
group                  panels
=====================  ==============================================================
Merging                Add, Subtract, Multiply, Average, Maximum, Minimum × each colour
                       space (``merge``); Concatenate × each space (extra)
Pooling                MaxPooling2D 2×2 and AveragePooling2D 2×2 × each space (``pool``)
Dense                  Dense(1) per pixel on the luminance × linear, relu, sigmoid,
                       softplus, tanh; Flatten → Dense(1024) → Reshape on a 32×32
                       luminance image, 1,049,600 parameters (extra)
Conv2D 3×3             Conv2D(1, 3) on the luminance × linear, relu, sigmoid, softplus, tanh
Conv2D 7×7             Conv2D(1, 7) on the luminance × relu, sigmoid, softplus, tanh
Two Conv2D layers      Conv2D 3×3 → Conv2D 3×3 with relu/tanh × relu/tanh
Conv2DTranspose        k2 s2 relu, k2 s2 sigmoid, k2 s4 tanh, k4 s2 relu, k4 s2 tanh,
                       k8 s2 relu, k8 s2 tanh
=====================  ==============================================================

As in the seed, the one-channel panels (Dense, Conv2D, Conv2DTranspose) work on the
luminance whatever ``spaces`` holds; ``spaces`` chooses the merge and pooling panels.

Speed: the whole sheet is one traced TensorFlow graph (cached; ``None``
spatial sizes, so a new image size does not retrace; no AutoGraph) that reuses
the built layers of :mod:`vizcore.layers` (its public engine, colour and display pieces)
and runs them on the real data:

* each image is converted to each colour space once, and that tensor feeds all
  seven merges and both poolings of the space. (Stacking the spaces or the two
  images into one batch was tried: inside one graph the per-op cost is tiny, and
  the concatenations and slices it needs cost more full-image passes than it saves.)
* clipping is done only where a value can leave [0, 1] (Add above, Subtract
  below; Multiply/Average/Maximum/Minimum of values in [0, 1] cannot), colour
  matrices run as fused 1×1 convolutions, RGB→HSV on channel planes;
* layers that differ only by activation share one seeded layer (the same seed
  gives the same kernel) and apply each activation with ``keras.layers.Activation``
  to its output, which is exactly what ``Conv2D(activation=...)`` computes; the
  min–max display of exactly-computed monotone activations (linear, relu) takes
  its extremes from the pre-activation, computed once; the two-layer stacks reuse
  the 3×3 layer's activated output as their first layer;
* TensorFlow runs independent branches on both cores; outputs come back as
  NumPy views of the tensors (no copies), grey maps as broadcast views.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
import tensorflow as tf

from .color import SPACES
from .errors import ImageError
from .images import match_size
from .layers import engine
from .layers.checks import channels, check_image, check_seed
from .layers.conv import conv_observation, conv_text, stack_text
from .layers.dense_layers import dense_observation, dense_text, fc_image, fc_text
from .layers.display import feature_result, resolve_display, tf_extremes, tf_show
from .layers.merging import merge_layer, merge_result, tf_clip_merge, tf_concat_shown
from .layers.pooling import pool_result, tf_upsample_blocks
from .layers.result import LayerResult
from .layers.tables import MAX_OUTPUT_ELEMENTS, MERGE_KINDS
from .layers.tfcolor import tf_from_space, tf_to_space
from .layers.transpose import transpose_observation, transpose_text
from .sheet_png import GROUP_NOTES, SHEET_TEXT_POINTS, render_sheet_png

__all__ = [
    "Panel",
    "GROUPS",
    "SHEET_SPACE",
    "DENSE_ACTIVATIONS",
    "CONV3_ACTIVATIONS",
    "CONV7_ACTIVATIONS",
    "STACK_ACTIVATIONS",
    "TRANSPOSE_PANELS",
    "FC_SIZE",
    "FC_ACTIVATION",
    "cheat_sheet",
    "GROUP_NOTES",
    "SHEET_TEXT_POINTS",
    "render_sheet_png",
]

GROUPS: tuple[str, ...] = (
    "Merging", "Pooling", "Dense", "Conv2D 3×3", "Conv2D 7×7", "Two Conv2D layers", "Conv2DTranspose",
)
#: Colour space of the Dense / Conv2D / Conv2DTranspose panels: one channel in, one map out, as the seed.
SHEET_SPACE = "luminance"
DENSE_ACTIVATIONS: tuple[str, ...] = ("linear", "relu", "sigmoid", "softplus", "tanh")
CONV3_ACTIVATIONS: tuple[str, ...] = ("linear", "relu", "sigmoid", "softplus", "tanh")
CONV7_ACTIVATIONS: tuple[str, ...] = ("relu", "sigmoid", "softplus", "tanh")
STACK_ACTIVATIONS: tuple[str, ...] = ("relu", "tanh")
#: (kernel_size, strides, activation) of the Conv2DTranspose panels, the seed's seven.
TRANSPOSE_PANELS: tuple[tuple[int, int, str], ...] = (
    (2, 2, "relu"), (2, 2, "sigmoid"), (2, 4, "tanh"), (4, 2, "relu"), (4, 2, "tanh"), (8, 2, "relu"), (8, 2, "tanh"),
)
#: The fully-connected Dense panel: Flatten → Dense(FC_SIZE²) → Reshape on an FC_SIZE² luminance image.
FC_SIZE = 32
FC_ACTIVATION = "linear"
_TRANSPOSE_CONFIGS = tuple(dict.fromkeys((k, s) for k, s, _ in TRANSPOSE_PANELS))
_POOLS = (("max", "MaxPooling2D"), ("average", "AveragePooling2D"))
_POOL_SIZE = 2
_ELEMENTWISE_MERGES = tuple(k for k in MERGE_KINDS if k != "Concatenate")


@dataclass(frozen=True, eq=False)
class Panel(LayerResult):
    """One panel of the sheet: a LayerResult plus the ``group`` it belongs to (see :data:`GROUPS`).

    ``settings`` names the single-panel function (``settings["function"]``)
    and its keyword arguments that reproduce it.
    """

    group: str = ""


def _panel(result: LayerResult, group: str) -> Panel:
    return Panel(**{f.name: getattr(result, f.name) for f in fields(result)}, group=group)


# --------------------------------------------------------------------------- the graph


def _program(spaces: tuple[str, ...]):
    """Build (once per ``spaces``) the traced sheet graph and the seeded layers it reads."""
    merge_layers = {k: merge_layer(k) for k in MERGE_KINDS}
    pool_layers = {
        kind: engine.stateless(cls, pool_size=_POOL_SIZE, strides=_POOL_SIZE, padding="same") for kind, cls in _POOLS
    }
    one_in = (None, None, None, 1)
    dense = engine.slot("Dense", one_in, units=1)
    fc_units = FC_SIZE * FC_SIZE
    fc = engine.slot("Dense", (None, fc_units), units=fc_units)
    flatten = engine.stateless("Flatten")
    reshape = engine.stateless("Reshape", target_shape=(FC_SIZE, FC_SIZE, 1))
    conv = {
        k: engine.slot("Conv2D", one_in, filters=1, kernel_size=(k, k), strides=1, padding="same", use_bias=True)
        for k in (3, 7)
    }
    # The stacks' second layer: the slot conv2d_stack uses for its layer 1 (not the 3×3 slot above).
    conv_second = engine.slot("Conv2D", one_in, filters=1, kernel_size=(3, 3), strides=1, padding="same",
                              use_bias=True, name="stack_layer_1")
    transposes = {
        (k, s): engine.slot("Conv2DTranspose", one_in, filters=1, kernel_size=(k, k), strides=(s, s), padding="same")
        for k, s in _TRANSPOSE_CONFIGS
    }
    names = {*DENSE_ACTIVATIONS, *CONV3_ACTIVATIONS, *CONV7_ACTIVATIONS, *STACK_ACTIVATIONS, FC_ACTIVATION,
             *(a for _, _, a in TRANSPOSE_PANELS)}
    acts = {n: engine.stateless("Activation", activation=n) for n in names}

    def activated(z, activations):
        extremes = tf_extremes(z)  # shared by the activations that can use them
        out = {}
        for n in activations:
            y = acts[n](z)
            out[n] = (y, *tf_show(z, y, n, resolve_display("auto", n), extremes))
        return out

    def body(a, b):
        xa, xb = a[None], b[None]
        height, width = tf.shape(a)[0], tf.shape(a)[1]
        out: dict = {}
        concat_colour = None
        for space in spaces:
            sa, sb = tf_to_space(xa, space), tf_to_space(xb, space)
            # Merges: the result clipped in the space, then back to RGB.
            for kind in _ELEMENTWISE_MERGES:
                y = merge_layers[kind]([sa, sb])
                out[f"{kind}_{space}"] = (y[0], tf_from_space(tf_clip_merge(y, kind), space)[0])
            y = merge_layers["Concatenate"]([sa, sb])
            if space == "luminance" or concat_colour is None:
                shown = tf_concat_shown(a, b, sa, sb, space)
                if space != "luminance":
                    concat_colour = shown  # the same picture for every colour space
            out[f"Concatenate_{space}"] = (y[0], shown if space == "luminance" else concat_colour)
            # Pooling: convert the small result, then repeat each value over its block.
            for kind, _ in _POOLS:
                y = pool_layers[kind](sa)
                small = tf_from_space(tf.clip_by_value(y, 0.0, 1.0), space)
                shown = tf_upsample_blocks(small, height, width, _POOL_SIZE, _POOL_SIZE, "same")
                out[f"pool_{kind}_{space}"] = (y[0], shown[0])

        # One-channel feature maps: one layer per configuration, every activation applied to its output.
        x = tf_to_space(xa, SHEET_SPACE)
        out["dense"] = activated(dense.layer(x), DENSE_ACTIVATIONS)
        # Fully connected, as dense_fully_connected: the image shrunk to FC_SIZE², flattened, Dense, reshaped.
        small = tf.clip_by_value(tf.image.resize(xa, (FC_SIZE, FC_SIZE), method="area"), 0.0, 1.0)
        out["fc"] = activated(reshape(fc.layer(flatten(tf_to_space(small, SHEET_SPACE)))), (FC_ACTIVATION,))
        out["conv3"] = activated(conv[3].layer(x), CONV3_ACTIVATIONS)
        out["conv7"] = activated(conv[7].layer(x), CONV7_ACTIVATIONS)
        for first in STACK_ACTIVATIONS:
            # The stack's first layer is the 3×3 layer above (same config, same seed).
            hidden = out["conv3"][first][0] if first in out["conv3"] else acts[first](conv[3].layer(x))
            out[f"stack_{first}"] = activated(conv_second.layer(hidden), STACK_ACTIVATIONS)
        for (k, s), slot in transposes.items():
            out[f"transpose_{k}_{s}"] = activated(slot.layer(x), [a for kk, ss, a in TRANSPOSE_PANELS
                                                                  if (kk, ss) == (k, s)])
        return out

    seeded = [(dense, 0), (fc, 0), (conv[3], 0), (conv[7], 0), (conv_second, 1),
              *((t, 0) for t in transposes.values())]
    return engine.traced(("sheet", spaces), body, 2), seeded


# --------------------------------------------------------------------------- public API


def _check_spaces(spaces) -> tuple[str, ...]:
    spaces = tuple(spaces)
    if not spaces or len(set(spaces)) != len(spaces) or any(s not in SPACES for s in spaces):
        raise ValueError(f"spaces must be distinct names from {SPACES}, got {spaces!r}")
    return spaces


def cheat_sheet(image, other, *, spaces=SPACES, seed: int = 0) -> list[Panel]:
    """Every panel of the cheat sheet for ``image`` (and ``other`` for the merges).

    ``image``, ``other``: RGB float32 ``(H, W, 3)`` in ``[0, 1]``; ``other``
    is brought to ``image``'s size with ``vizcore.match_size`` when it
    differs. ``spaces``: the colour spaces of the merge and pooling panels.
    ``seed``: the seed of every untrained layer (the second layer of a stack
    uses ``seed + 1``).

    Returns the panels in :data:`GROUPS` order (7 × len(spaces) merges,
    2 × len(spaces) poolings, then 26 Dense / Conv2D / Conv2DTranspose panels on the
    luminance: 62 for the four spaces), each with its measured ``observation``. Every
    ``image`` is RGB float32 ``(H', W', 3)`` in ``[0, 1]`` (grey ones are read-only views).

    Raises ImageError for bad images, ValueError for bad spaces or seed.
    """
    spaces = _check_spaces(spaces)
    seed = check_seed(seed)
    image = check_image(image, "image")
    other = check_image(other, "second image")
    if other.shape != image.shape:
        other = match_size(other, image)
    h, w = image.shape[:2]
    if h * w * 16 > MAX_OUTPUT_ELEMENTS:
        raise ImageError(
            f"the cheat sheet's stride-4 Conv2DTranspose would be too large for a {h}×{w} image; "
            "use an image of at most about 2 megapixels"
        )
    fn, seeded = engine.cached(("sheet_program", spaces), lambda: _program(spaces))
    with engine.LOCK:
        for slot, offset in seeded:
            slot.set_seed(seed + offset)
        out = fn(tf.constant(image), tf.constant(other))
    out = tf.nest.map_structure(np.asarray, out)
    return _assemble(out, spaces, seed, image, other)


def _assemble(out: dict, spaces, seed: int, image: np.ndarray, other: np.ndarray) -> list[Panel]:
    h, w = image.shape[:2]
    panels: list[Panel] = []
    for kind in MERGE_KINDS:
        for space in spaces:
            output, shown = out[f"{kind}_{space}"]
            panels.append(_panel(merge_result(kind, space, output, shown, a=image, b=other), "Merging"))
    for kind, _ in _POOLS:
        for space in spaces:
            output, shown = out[f"pool_{kind}_{space}"]
            result = pool_result(kind, space, _POOL_SIZE, _POOL_SIZE, "same", output, shown, image=image)
            panels.append(_panel(result, "Pooling"))

    c = channels(SHEET_SPACE)

    def features(group, key, activations, text, observation):
        for n in activations:
            y, shown, lo, hi = out[key][n]
            mode = resolve_display("auto", n)
            result = feature_result(y=y, shown=shown, lo=lo, hi=hi, mode=mode, **text(n))
            panels.append(_panel(observation(n, result), group))

    features("Dense", "dense", DENSE_ACTIVATIONS, lambda n: dense_text(
        h=h, w=w, c=c, units=1, activation=n, seed=seed, space=SHEET_SPACE, display="auto"),
        lambda n, r: replace(r, observation=dense_observation(image, r.output)))
    fc_units = FC_SIZE * FC_SIZE
    features("Dense", "fc", (FC_ACTIVATION,), lambda n: fc_text(
        c=c, size=FC_SIZE, units=fc_units, depth=1, activation=n, seed=seed, space=SHEET_SPACE, display="auto"),
        lambda n, r: fc_image(r, image))

    def conv_obs(n, r):
        return replace(r, observation=conv_observation(n, image, r.output))

    for k, group, activations in ((3, "Conv2D 3×3", CONV3_ACTIVATIONS), (7, "Conv2D 7×7", CONV7_ACTIVATIONS)):
        features(group, f"conv{k}", activations, lambda n, k=k: conv_text(
            h=h, w=w, c=c, out_shape=(h, w, 1), filters=1, ksize=(k, k), strides=1, padding="same",
            activation=n, seed=seed, hand=None, space=SHEET_SPACE, display="auto"), conv_obs)
    for first in STACK_ACTIVATIONS:
        def two_layer_text(n, first=first):
            specs = [dict(filters=1, kernel_size=3, strides=1, activation=first),
                     dict(filters=1, kernel_size=3, strides=1, activation=n)]
            return stack_text(specs=specs, shapes=[(h, w, 1), (h, w, 1)], params=(9 * c + 1) + (9 + 1), seed=seed,
                              padding="same", space=SHEET_SPACE, display="auto")
        features("Two Conv2D layers", f"stack_{first}", STACK_ACTIVATIONS, two_layer_text, conv_obs)
    for k, s, act in TRANSPOSE_PANELS:
        features("Conv2DTranspose", f"transpose_{k}_{s}", (act,), lambda n, k=k, s=s: transpose_text(
            h=h, w=w, c=c, out_shape=(h * s, w * s, 1), k=k, s=s, filters=1, padding="same", activation=n,
            seed=seed, space=SHEET_SPACE, display="auto"),
            lambda n, r, k=k, s=s: replace(r, observation=transpose_observation(k, s, r.output)))
    return panels
