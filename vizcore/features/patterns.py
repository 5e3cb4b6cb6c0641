"""Patterns that excite a filter: activation maximisation by gradient ascent.

:func:`filter_pattern` finds an input picture that makes one filter of one layer fire strongly.
The traced TensorFlow step is built once per (extractor, layer, picture size, objective) and
kept in a :class:`vizcore.cache.BoundedCache`, so every filter and step of a layer reuses it.
"""
from __future__ import annotations

import math
import weakref
from typing import Callable

import numpy as np

from .. import render
from ..cache import BoundedCache
from ..errors import ModelError
from .extract import FeatureExtractor, build_extractor

__all__ = ["filter_pattern", "default_value_range"]

#: Largest spread 0-255 pixels may have after the model's leading Rescaling/Normalization chain
#: for the model to be taken as reading 0-255 (the rule vizcore.models' upload default uses):
#: 1/255 (a model that divides by 255) is far below, 1 (a model that reads 0-1) far above.
_RAW_SPAN_LIMIT = 16.0
#: Layers that leave values unchanged at inference (augmentation, shape-only, noise).
_PASS_THROUGH = ("Resizing", "CenterCrop", "Dropout", "SpatialDropout2D", "GaussianNoise", "GaussianDropout",
                 "AlphaDropout", "RandAugment", "AugMix")

# (weakref to the extractor, layer, (h, w), tiled) -> (traced step, stride). The weak reference
# in the key means a new extractor never meets the step of a dead one that had the same id.
_STEPS = BoundedCache(32)


def _objective_model(ex: FeatureExtractor, layer_name: str):
    """keras.Model: input -> the layer's output *before* its activation (a twin layer with the
    same weights and a linear activation), so a filter that is silent (ReLU 0) on the grey start
    still has a gradient; a separate ReLU layer: its input. Other layers: their own output.
    Returns (model, True when the objective should be the leaky version of a ReLU)."""
    import keras

    node = ex.node(layer_name)
    layer = node.layer
    act = getattr(layer, "activation", None)
    if len(node.inputs) == 1 and (
            isinstance(layer, keras.layers.ReLU) and not layer.get_config().get("max_value")
            and not layer.get_config().get("negative_slope") and not layer.get_config().get("threshold")
            or isinstance(layer, keras.layers.Activation) and act is keras.activations.relu):
        return keras.Model(ex.input_tensor, node.inputs[0]), True  # a separate ReLU layer: its input
    if act is None or act is keras.activations.linear or len(node.inputs) != 1:
        return ex.submodel(layer_name), False
    try:
        cfg = dict(layer.get_config())
        cfg["activation"] = "linear"
        cfg["name"] = f"{layer.name}_before_activation"
        twin = type(layer).from_config(cfg)
        out = twin(node.inputs[0])
        twin.set_weights(layer.get_weights())
        return keras.Model(ex.input_tensor, out), act is keras.activations.relu
    except Exception:  # an exotic layer that cannot be re-made: use its output as it is
        return ex.submodel(layer_name), False


def default_value_range(ex: FeatureExtractor) -> tuple[float, float]:
    """(0, 255) when the model's first layers (augmentation and resizing skipped) are a
    Rescaling/Normalization chain that turns 0-255 pixels into a spread of at most 16 (e.g.
    Rescaling(1/255), Rescaling(1/127.5, offset=-1), EfficientNet's and ConvNeXt's statistics);
    (0, 1) otherwise, including models with no such layer (they cannot say what they expect)."""
    scale = 1.0
    for name in ex.layer_names:
        layer = ex.layer(name)
        kind = type(layer).__name__
        if kind.startswith("Random") or kind in _PASS_THROUGH:
            continue
        if kind == "Rescaling":
            scale *= float(np.max(np.abs(np.asarray(layer.get_config().get("scale", 1.0), np.float64))))
            continue
        if kind == "Normalization" and not layer.get_config().get("invert", False):
            try:
                variance = np.asarray(layer.variance, np.float64)
            except (AttributeError, TypeError, ValueError):  # not adapted: says nothing
                break
            scale /= float(np.sqrt(np.maximum(variance, 1e-12)).min())
            continue
        break
    return (0.0, 255.0) if scale * 255.0 <= _RAW_SPAN_LIMIT else (0.0, 1.0)


def _summary_row(ex: FeatureExtractor, layer_name: str):
    return next((r for r in ex.summary.rows if r.name == layer_name), None)


def _margin(ex: FeatureExtractor, layer_name: str, map_hw: tuple[int, int],
            image_hw: tuple[int, int]) -> tuple[int, int]:
    """Rows/columns of the layer's map left out at each border: positions whose receptive field
    pokes out of the picture answer partly to the zero padding, not to the picture. At most a
    quarter of the map on each side (deep layers see the padding everywhere)."""
    row = _summary_row(ex, layer_name)
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


def _step(ex: FeatureExtractor, layer_name: str, image_hw: tuple[int, int], tiled: bool):
    """A traced gradient-ascent step for (extractor, layer, size, objective), reused for every
    filter and step. Returns (step function, stride of the tiled objective in map positions)."""
    key = (weakref.ref(ex), layer_name, tuple(image_hw), tiled)
    return _STEPS.get_or_make(key, lambda: _make_step(ex, layer_name, image_hw, tiled))


def _make_step(ex: FeatureExtractor, layer_name: str, image_hw: tuple[int, int], tiled: bool):
    import tensorflow as tf

    target, relu = _objective_model(ex, layer_name)
    out_shape = target.outputs[0].shape
    spatial = len(out_shape) == 4 and out_shape[1] and out_shape[2]
    top = left = 0
    stride = 1
    if spatial:
        mh, mw = int(out_shape[1]), int(out_shape[2])
        top, left = _margin(ex, layer_name, (mh, mw), image_hw)
        row = _summary_row(ex, layer_name)
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

    return step, stride


def _ascend(step, stride, *, h, w, c, filter_index, steps, step_size, decay, blur_every, jitter,
            seed, lo, hi, progress):
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
            progress(i + 1, steps)
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
    value_range: tuple[float, float] | None = None,
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
    channels of the result). The start noise, `step_size` and the pull to grey are in picture
    units, i.e. fractions of hi - lo: in model units they scale with the range, so a model that
    reads 0…255 (or ±120) moves as much as one that reads 0…1. Pass the range the model was
    trained on (pages pass their spec's ``pattern_range``); when omitted it is 0…255 for a model
    that starts with a Rescaling/Normalization chain made for 0…255 pixels (Rescaling(1/255),
    keras-io models, EfficientNet, ConvNeXt; :func:`default_value_range`), else 0…1.
    Method (Erhan et al. 2009; Yosinski et al. 2015; Olah et al. 2017):

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

    `progress(i, steps)` is called after every step (again from 1 for a second run). size:
    (h, w) for models that take any size (default 128x128; else the model's own size). Same
    seed -> same picture. The traced step is reused for every filter of a layer (cached per
    extractor, layer, size and objective in a bounded cache).
    Returns (h, w, 3) float32 in [0, 1] (grey models: repeated).
    Raises ModelError for an unknown layer, a filter index out of range or a bad size/steps.
    """
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
    if value_range is None:
        value_range = default_value_range(ex)
    lo, hi = float(value_range[0]), float(value_range[1])
    if not hi > lo:
        raise ModelError(f"value range must be (low, high) with high > low, got {tuple(value_range)}")
    if jitter is None:
        jitter = max(1, min(h, w) // 16)
    jitter = max(0, int(jitter))
    n = int(steps)
    common = dict(h=h, w=w, c=c_in, filter_index=filter_index, step_size=step_size, decay=decay,
                  blur_every=blur_every, jitter=jitter, seed=seed, lo=lo, hi=hi, progress=progress)
    step, stride = _step(ex, layer_name, (h, w), False)
    pic = _ascend(step, stride, steps=n, **common)
    if _flat(pic) and _colourless(pic):
        # the filter only wants light (or dark) everywhere: show instead the best patch of
        # units one receptive field apart, repeated (the kernel's preferred pattern). A flat
        # colour (a colour detector) says enough and is kept.
        step, stride = _step(ex, layer_name, (h, w), True)
        if stride > 1:
            pic = _ascend(step, stride, steps=n, **common)
    out = pic[0]
    if stretch:
        out = render.stretch_about_grey(out)
    if c_in == 1:
        out = np.repeat(out, 3, axis=2)
    elif c_in != 3:
        out = np.repeat(out.mean(axis=2, keepdims=True), 3, axis=2)
    return np.ascontiguousarray(out, dtype=np.float32)

