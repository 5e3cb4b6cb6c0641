"""Dense layers: ``Dense`` on every pixel's channels, and Flatten → Dense → Reshape over the whole image."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import tensorflow as tf

from .. import render
from ..observe import correlation, luminance, sample
from . import engine
from .checks import channels, check_activation, check_image, check_int, check_output, check_seed, check_space
from .describe import CHANNEL_WORDS, SAMPLE_HINT, imports, initializer_code, snippet, space_line
from .display import feature_result, resolve_display, tf_show
from .result import LayerResult
from .tfcolor import tf_to_space

__all__ = ["dense", "dense_text", "dense_observation", "dense_fully_connected", "fc_text", "fc_image",
           "fc_observation"]


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
    check_activation(activation)
    check_space(space)
    seed = check_seed(seed)
    units = check_int(units, "units", 1, 64)
    mode = resolve_display(display, activation)
    image = check_image(image)
    h, w = image.shape[:2]
    c = channels(space)
    check_output((h, w, units), "Dense")
    slot = engine.slot("Dense", (None, None, None, c), units=units)
    y, shown, lo, hi = engine.run_slot("dense", slot, image, activation=activation, mode=mode, space=space, seed=seed)
    text = dense_text(h=h, w=w, c=c, units=units, activation=activation, seed=seed, space=space, display=display)
    result = feature_result(y=y, shown=shown, lo=lo, hi=hi, mode=mode, **text)
    return replace(result, observation=dense_observation(image, result.output))


def dense_observation(image, output) -> str:
    """Measured sentence for a per-pixel Dense: how closely the first map follows the input's luminance.

    ``image``: RGB (H, W, 3); ``output``: the layer's raw output (H, W, units).
    """
    r = correlation(luminance(sample(image)), sample(output)[..., 0])
    if r != r:
        return f"Every pixel got the same value ({output.flat[0]:.3g}), whatever its input."
    turn = ": brighter in, darker out" if r < -0.5 else ""
    return f"Per pixel: r = {r:+.2f} with the input's luminance{turn}.".replace("-", "−")


def dense_text(*, h, w, c, units, activation, seed, space, display) -> dict:
    """Params, code, title, caption, explanation and settings of :func:`dense` (``c``: input channels)."""
    params = c * units + units
    code = snippet(
        space,
        f'layer = keras.layers.Dense({units}, activation="{activation}", kernel_initializer={initializer_code(seed)})',
        f"y = layer(x)[0]  # ({h}, {w}, {units}): the same weights at every pixel",
    )
    return dict(
        params=params,
        code=code,
        title=f"Dense({units}) · {activation}",
        caption=f"Dense({units}) on the {CHANNEL_WORDS[space]} of each pixel, then {activation}.",
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
    check_activation(activation)
    check_space(space)
    seed = check_seed(seed)
    size = check_int(size, "size", 1, 64)
    units = size * size if units is None else check_int(units, "units", 1, 4 * size * size)
    if units % (size * size):
        raise ValueError(f"units must be a multiple of size² = {size * size} to reshape to {size}×{size}, got {units}")
    depth = units // (size * size)
    mode = resolve_display(display, activation)
    image = check_image(image)
    h, w = image.shape[:2]
    c = channels(space)
    slot = engine.slot("Dense", (None, size * size * c), units=units)
    flatten = engine.stateless("Flatten")
    reshape = engine.stateless("Reshape", target_shape=(size, size, depth))
    act = engine.stateless("Activation", activation=activation)

    def body(img):
        small = tf.clip_by_value(tf.image.resize(img[None], (size, size), method="area"), 0.0, 1.0)
        z = reshape(slot.layer(flatten(tf_to_space(small, space))))
        y = act(z)
        shown, lo, hi = tf_show(z, y, activation, mode)
        return y, shown, lo, hi

    fn = engine.traced(("dense_fc", id(slot), size, depth, activation, mode, space), body)
    with engine.LOCK:
        slot.set_seed(seed)
        y, shown, lo, hi = fn(tf.constant(image))
    text = fc_text(c=c, size=size, units=units, depth=depth, activation=activation, seed=seed, space=space,
                   display=display)
    result = feature_result(y=y, shown=shown, lo=lo, hi=hi, mode=mode, **text)
    return fc_image(result, image)


def fc_text(*, c, size, units, depth, activation, seed, space, display) -> dict:
    """Params, code, title, caption, explanation and settings of :func:`dense_fully_connected`."""
    params = size * size * c * units + units
    code = "\n".join([
        imports("import tensorflow as tf"),
        SAMPLE_HINT,
        f'small = tf.image.resize(image[None], ({size}, {size}), method="area")[0]',
        space_line(space, "small"),
        "model = keras.Sequential([",
        "    keras.layers.Flatten(),",
        f'    keras.layers.Dense({units}, activation="{activation}", kernel_initializer={initializer_code(seed)}),',
        f"    keras.layers.Reshape(({size}, {size}, {depth})),",
        "])",
        f"y = model(x)[0]  # ({size}, {size}, {depth}); model.count_params() == {params}",
    ])
    return dict(
        params=params, code=code,
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


def fc_image(result: LayerResult, image) -> LayerResult:
    """``result`` of a Flatten → Dense → Reshape shown at ``image``'s size (first map, nearest
    neighbour), with its :func:`fc_observation`."""
    h, w = image.shape[:2]
    size = result.output.shape[0]
    rows, cols = np.arange(h) * size // h, np.arange(w) * size // w
    return replace(result, image=render.colour_image(result.maps[0][rows][:, cols]),
                   observation=fc_observation(image, result.output[rows][:, cols]))


def fc_observation(image, output) -> str:
    """Measured sentence for Flatten → Dense → Reshape: the first map against the input's luminance.

    ``image``: RGB (H, W, 3); ``output``: the raw output brought to (H, W, k) by nearest neighbour.
    """
    r = correlation(luminance(sample(image)), sample(output)[..., 0])
    if r != r:
        return "The output is constant: every pixel got the same value."
    return (f"Every output pixel mixes all input pixels: r = {r:+.2f} with the input's luminance, "
            "the picture is gone.").replace("-", "−")
