"""Convolution layers: ``Conv2D`` (seeded or with a hand-made kernel) and several Conv2D in a row.

Keras convolution is a correlation (the kernel is not flipped). Seeded layers use
``GlorotUniform(seed)`` weights and a zero bias, as a fresh layer with that initialiser.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import tensorflow as tf

from ..observe import sample, share_beyond
from . import engine
from .checks import (
    channels,
    check_activation,
    check_image,
    check_int,
    check_kernel,
    check_output,
    check_padding,
    check_seed,
    check_space,
    check_window,
    conv_out,
)
from .describe import (
    SAMPLE_HINT,
    SPACE_WORDS,
    imports,
    initializer_code,
    kernel_literal,
    percent_text,
    shape_text,
    snippet,
    space_line,
)
from .display import feature_result, resolve_display, tf_show
from .result import LayerResult
from .tfcolor import tf_to_space

__all__ = ["conv2d", "conv_text", "conv2d_stack", "stack_text", "conv_observation"]


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
    check_activation(activation)
    check_space(space)
    seed = check_seed(seed)
    filters = check_int(filters, "filters", 1, 64)
    strides = check_int(strides, "strides", 1, 16)
    check_padding(padding)
    if kernel is not None:
        hand = check_kernel(kernel)
        if filters != 1:
            raise ValueError(f"a hand-made kernel gives one filter; got filters={filters}")
        if kernel_size is not None and tuple(np.broadcast_to(kernel_size, (2,))) != hand.shape:
            raise ValueError(f"kernel_size={kernel_size} does not match the kernel's shape {hand.shape}")
        ksize: tuple[int, int] = hand.shape  # type: ignore[assignment]
    else:
        hand = None
        k = 3 if kernel_size is None else check_int(kernel_size, "kernel_size", 1, 15)
        ksize = (k, k)
    mode = resolve_display(display, activation)
    image = check_image(image)
    h, w = image.shape[:2]
    c = channels(space)
    check_window(h, w, ksize, padding, "Conv2D")
    out_shape = (conv_out(h, ksize[0], strides, padding), conv_out(w, ksize[1], strides, padding), filters)
    check_output(out_shape, f"Conv2D {ksize[0]}×{ksize[1]}")
    slot = engine.slot(
        "Conv2D", (None, None, None, c), filters=filters, kernel_size=ksize, strides=strides, padding=padding,
        use_bias=hand is None,
    )
    y, shown, lo, hi = engine.run_slot("conv2d", slot, image, activation=activation, mode=mode, space=space, seed=seed,
                                 kernel=hand)
    text = conv_text(h=h, w=w, c=c, out_shape=out_shape, filters=filters, ksize=ksize, strides=strides,
                      padding=padding, activation=activation, seed=seed, hand=hand, space=space, display=display)
    result = feature_result(y=y, shown=shown, lo=lo, hi=hi, mode=mode, **text)
    return replace(result, observation=conv_observation(activation, image, result.output))


def conv_observation(activation: str, image, output) -> str:
    """Measured sentence for a Conv2D (or the last layer of a stack) with ``activation``, or ``""``.

    tanh: the share of the first map's pixels on tanh's flat ends (|y| > 0.9), where it would
    push a picture to black and white. ``image``: RGB (H, W, 3) (unused, kept for the other
    activations' sentences); ``output``: the raw output (H', W', filters).
    """
    if activation != "tanh":
        return ""
    share = share_beyond(np.abs(sample(output)[..., 0]), above=0.9)
    verdict = "pushed to black and white" if share > 0.25 else "it stays close to linear here"
    return f"{percent_text(share)} of pixels reach tanh's flat ends (|y| > 0.9): {verdict}."


def conv_text(*, h, w, c, out_shape, filters, ksize, strides, padding, activation, seed, hand, space,
               display) -> dict:
    """Params, code, title, caption, explanation and settings of :func:`conv2d` (``hand``: kernel or None)."""
    kh, kw = ksize
    opts = f'strides={strides}, padding="{padding}", activation="{activation}"'
    ho, wo, _ = out_shape
    if hand is None:
        params = kh * kw * c * filters + filters
        size_expr = str(kh) if kh == kw else f"({kh}, {kw})"
        code = snippet(
            space,
            f"layer = keras.layers.Conv2D({filters}, {size_expr}, {opts},",
            f"                            kernel_initializer={initializer_code(seed)})",
            f"y = layer(x)[0]  # ({ho}, {wo}, {filters})",
        )
        what = f"{filters} seeded filter(s) of {kh}×{kw}×{c} weights plus a bias"
        arithmetic = f"{kh}·{kw}·{c}·{filters} + {filters}"
        title = f"Conv2D {kh}×{kw} · {activation}"
    else:
        params = kh * kw * c
        code = snippet(
            space,
            f"kernel = {kernel_literal(hand)}  # ({kh}, {kw}), used for every input channel",
            f"layer = keras.layers.Conv2D(1, kernel.shape, {opts}, use_bias=False)",
            "layer.build(x.shape)",
            "layer.set_weights([np.repeat(kernel[:, :, None, None], x.shape[-1], axis=2)])",
            f"y = layer(x)[0]  # ({ho}, {wo}, 1)",
            extra_imports=("import numpy as np",),
        )
        what = f"your {kh}×{kw} kernel on each of the {c} channel(s), summed, no bias"
        arithmetic = f"{kh}·{kw}·{c}"
        title = f"Conv2D hand-made {kh}×{kw} · {activation}"
    stride_text = "" if strides == 1 else f", stride {strides}"
    return dict(
        params=params,
        code=code,
        title=title,
        caption=f"Conv2D {kh}×{kw}{stride_text} on {SPACE_WORDS[space]}, then {activation}.",
        explanation=(
            f"Conv2D slides {what} over the image (padding \"{padding}\"{stride_text}), then applies {activation}: "
            f"output {shape_text(out_shape)}, {params:,} parameters ({arithmetic})."
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
            "filters": check_int(spec.get("filters", 1), f"layers[{i}]['filters']", 1, 64),
            "kernel_size": check_int(spec.get("kernel_size", 3), f"layers[{i}]['kernel_size']", 1, 15),
            "strides": check_int(spec.get("strides", 1), f"layers[{i}]['strides']", 1, 16),
            "activation": check_activation(spec.get("activation", "linear")),
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
    check_space(space)
    seed = check_seed(seed)
    check_padding(padding)
    mode = resolve_display(display, specs[-1]["activation"])
    image = check_image(image)
    h, w = image.shape[:2]
    c = channels(space)
    slots, acts, shapes = [], [], []
    in_ch, ho, wo = c, h, w
    params = 0
    for i, spec in enumerate(specs):
        k, s, f = spec["kernel_size"], spec["strides"], spec["filters"]
        # Named by position: two layers of the same shape (e.g. on the luminance) must not share one slot.
        slots.append(engine.slot("Conv2D", (None, None, None, in_ch), filters=f, kernel_size=(k, k), strides=s,
                                 padding=padding, use_bias=True, name=f"stack_layer_{i}"))
        acts.append(engine.stateless("Activation", activation=spec["activation"]))
        check_window(ho, wo, k, padding, f"Conv2D stack, layer {i + 1}",
                     image="an image" if i == 0 else f"its input (layer {i}'s output)")
        ho, wo = conv_out(ho, k, s, padding), conv_out(wo, k, s, padding)
        shapes.append((ho, wo, f))
        check_output(shapes[-1], "Conv2D stack")
        params += k * k * in_ch * f + f
        in_ch = f

    def body(img):
        x = tf_to_space(img[None], space)
        for slot, act in zip(slots, acts):
            z = slot.layer(x)
            x = act(z)
        shown, lo, hi = tf_show(z, x, specs[-1]["activation"], mode)
        return x, shown, lo, hi

    key = tuple((sp["filters"], sp["kernel_size"], sp["strides"], sp["activation"]) for sp in specs)
    fn = engine.traced(("conv_stack", tuple(map(id, slots)), key, mode, space), body)
    with engine.LOCK:
        for i, slot in enumerate(slots):
            slot.set_seed(seed + i)
        y, shown, lo, hi = fn(tf.constant(image))
    text = stack_text(specs=specs, shapes=shapes, params=params, seed=seed, padding=padding, space=space,
                       display=display)
    result = feature_result(y=y, shown=shown, lo=lo, hi=hi, mode=mode, **text)
    return replace(result, observation=conv_observation(specs[-1]["activation"], image, result.output))


def stack_text(*, specs, shapes, params, seed, padding, space, display) -> dict:
    """Params, code, title, caption, explanation and settings of :func:`conv2d_stack` (``shapes``: per layer)."""
    lines = [imports(), SAMPLE_HINT, space_line(space), "model = keras.Sequential(["]
    for i, sp in enumerate(specs):
        lines.append(
            f'    keras.layers.Conv2D({sp["filters"]}, {sp["kernel_size"]}, strides={sp["strides"]}, '
            f'padding="{padding}", activation="{sp["activation"]}",'
        )
        lines.append(f"                        kernel_initializer={initializer_code(seed + i)}),")
    lines += ["])", f"y = model(x)[0]  # {tuple(shapes[-1])}"]
    chain = " → ".join(f'Conv2D {sp["kernel_size"]}×{sp["kernel_size"]} {sp["activation"]}' for sp in specs)
    return dict(
        params=params,
        code="\n".join(lines),
        title=" → ".join(f'Conv2D·{sp["activation"]}' for sp in specs),
        caption=f"{len(specs)} Conv2D layers in a row on {SPACE_WORDS[space]}: {chain}.",
        explanation=(
            f"Each layer convolves the previous one's maps and applies its own activation ({chain}): "
            f"output {shape_text(shapes[-1])}, {params:,} parameters in total."
        ),
        settings={"function": "conv2d_stack", "layers": specs, "seed": seed, "padding": padding, "space": space,
                  "display": display},
    )
